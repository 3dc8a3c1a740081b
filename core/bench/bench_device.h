#pragma once
// Device-generic helpers for timing: a step is only over when the device says so. Nothing here
// needs CUDA headers, so it compiles against Debian's CPU LibTorch 1.13 and a CUDA LibTorch 2.x
// alike; the CUDA allocator statistics are compiled in only with GRAPHLORA_WITH_CUDA.
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

namespace glr::bench {

// Blocks until all work queued on `device`'s current stream has finished (no-op on the CPU,
// whose ops are synchronous). Uses a c10::Event, so any device type with a guard works.
void synchronize(const at::Device& device);

// Peak memory for the report: the device allocator's peak since resetPeakMemory (CUDA builds),
// or the process's peak resident set size on the CPU (which cannot be reset: it is the peak since
// the process started, model weights included).
std::int64_t peakMemoryBytes(const at::Device& device);
void resetPeakMemory(const at::Device& device);
// "max RSS (process)" or "allocator peak (device)": what peakMemoryBytes measured.
std::string peakMemoryKind(const at::Device& device);

// The device's peak FLOP/s for model-FLOPs utilisation. CPU: measured (sgemm.h); CUDA: 989e12,
// the dense bf16 tensor-core peak of an H100/H200 SXM (the figure issue 7 compares against).
inline constexpr double kHopperBf16PeakFlops = 989e12;

}  // namespace glr::bench
