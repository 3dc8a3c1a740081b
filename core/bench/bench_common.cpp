#include "bench/bench_common.h"

#include <ATen/Parallel.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <thread>

#include "model/compat.h"

namespace glr::bench {

TimingStats summarize(std::vector<double> samplesMs) {
    TimingStats s;
    s.count = static_cast<int>(samplesMs.size());
    s.samplesMs = samplesMs;
    if (samplesMs.empty()) return s;
    std::sort(samplesMs.begin(), samplesMs.end());
    const std::size_t n = samplesMs.size();
    s.medianMs = n % 2 ? samplesMs[n / 2] : 0.5 * (samplesMs[n / 2 - 1] + samplesMs[n / 2]);
    s.minMs = samplesMs.front();
    s.maxMs = samplesMs.back();
    s.meanMs = std::accumulate(samplesMs.begin(), samplesMs.end(), 0.0) / static_cast<double>(n);
    return s;
}

double nowSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t peakRssBytes() {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
    return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

MachineInfo machineInfo() {
    MachineInfo info;
    info.cpuModel = "unknown";
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) != 0) continue;
        const auto colon = line.find(':');
        if (colon != std::string::npos) {
            info.cpuModel = line.substr(line.find_first_not_of(" \t", colon + 1));
            break;
        }
    }
    info.logicalCpus = static_cast<int>(std::thread::hardware_concurrency());
    info.threads = at::get_num_threads();
    std::ifstream loadavg("/proc/loadavg");
    double load = -1;
    if (loadavg >> load) info.loadAverage1 = load;
    info.torchVersion = compat::torchVersion();
    if (const char* coreType = std::getenv("OPENBLAS_CORETYPE")) info.blasCoreType = coreType;
    info.denormalsFlushed = compat::denormalsFlushed();
    return info;
}

nlohmann::json machineJson(const MachineInfo& m) {
    return {{"cpu", m.cpuModel},           {"logical_cpus", m.logicalCpus},  {"threads", m.threads},
            {"load_average_1m", m.loadAverage1}, {"torch", m.torchVersion}, {"openblas_coretype", m.blasCoreType},
            {"denormals", m.denormalsFlushed ? "flushed" : "kept"}};
}

}  // namespace glr::bench
