#pragma once
// A training checkpoint is one safetensors file (validated, bounds-checked and checked against
// its SHA-256 on load; written atomically: temp file + fsync + rename) holding everything a resumed run needs to continue
// bit-identically on the CPU: trainable parameters ("param.*"), optimiser moments ("optim.*"),
// the CPU generator state ("rng.cpu"), the accelerator's generator state where the run is on
// one ("rng.device": CUDA dropout masks), those of the other ranks of a data-parallel run
// ("rng.cpu.rank<r>", "rng.device.rank<r>") and, in the metadata, the position in the data stream and
// the model-selection state.
#include <cstdint>
#include <map>
#include <string>

#include <ATen/ATen.h>

namespace glr {

struct TrainingPosition {
    std::int64_t step = 0;          // optimiser steps done
    std::int64_t epoch = 0;         // current epoch (0-based)
    std::int64_t batchInEpoch = 0;  // next batch index within the epoch
    double bestValidMetric = -1;    // best validation AUC so far (-1: none yet)
    std::int64_t bestStep = -1;
    std::int64_t evalsWithoutImprovement = 0;
    std::string configHash;         // refuses to resume a run under a different config
};

struct Checkpoint {
    TrainingPosition position;
    std::map<std::string, at::Tensor> parameters;
    std::map<std::string, at::Tensor> optimizerState;
    at::Tensor cpuRngState;     // U8, from the default CPU generator (may be undefined)
    at::Tensor deviceRngState;  // U8, from the run device's default generator (undefined on the CPU)
    // Ranks 1… of a data-parallel run (train/data_parallel.h): each draws its own dropout masks.
    std::map<int, at::Tensor> peerCpuRngStates;
    std::map<int, at::Tensor> peerDeviceRngStates;
};

void saveCheckpoint(const std::string& path, const Checkpoint& checkpoint);
// Throws InputError naming the file and the problem (truncated, wrong layout, …).
Checkpoint loadCheckpoint(const std::string& path);

// Default CPU generator state (dropout, shuffles done with torch) — captured and restored so a
// resumed run draws the same random numbers as an uninterrupted one.
at::Tensor captureCpuRngState();
void restoreCpuRngState(const at::Tensor& state);
// The same for the default generator of a non-CPU device (undefined / no-op for the CPU). With it,
// a resumed CUDA run draws the same dropout masks; kernels with atomic accumulation still make it
// close rather than bit-identical.
at::Tensor captureDeviceRngState(const at::Device& device);
void restoreDeviceRngState(const at::Device& device, const at::Tensor& state);

}  // namespace glr
