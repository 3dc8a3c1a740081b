#pragma once
// Shared pieces of the `graphlora bench …` benchmarks: timing summaries, the machine description
// that goes into every report, and process memory. Torch-free; device synchronisation and device
// memory live in bench_device.h.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace glr::bench {

// Summary of repeated timings. The median is the headline figure: on a shared machine the mean
// is dragged by the odd preempted step, the minimum flatters.
struct TimingStats {
    int count = 0;
    double medianMs = 0, minMs = 0, maxMs = 0, meanMs = 0;
    std::vector<double> samplesMs;  // in measurement order
};
TimingStats summarize(std::vector<double> samplesMs);

// Seconds on a monotonic clock.
double nowSeconds();

// Peak resident set size of this process so far (getrusage; never decreases), bytes.
std::int64_t peakRssBytes();

// What every benchmark report carries about where it ran.
struct MachineInfo {
    std::string cpuModel;     // /proc/cpuinfo "model name" ("unknown" elsewhere)
    int logicalCpus = 0;      // std::thread::hardware_concurrency
    int threads = 0;          // intra-op threads LibTorch uses (at::get_num_threads)
    double loadAverage1 = -1; // /proc/loadavg, 1-minute (the machine may be shared)
    std::string torchVersion;
    std::string blasCoreType; // OPENBLAS_CORETYPE ("" = OpenBLAS's own choice; util/process.h)
    bool denormalsFlushed = false;  // FTZ/DAZ on the benchmarking thread (model/compat.h)
};
MachineInfo machineInfo();
// {"cpu", "logical_cpus", "threads", "load_average_1m", "torch", "openblas_coretype", "denormals"}
nlohmann::json machineJson(const MachineInfo& machine);

}  // namespace glr::bench
