#include "bench/kernel_profile.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <torch/csrc/autograd/profiler_kineto.h>

#include "bench/bench_common.h"
#include "bench/bench_device.h"
#include "model/compat.h"

namespace glr::bench {

namespace {

// libkineto's ActivityType values (its enum: CPU_OP, USER_ANNOTATION, GPU_USER_ANNOTATION,
// GPU_MEMCPY, GPU_MEMSET, CONCURRENT_KERNEL, EXTERNAL_CORRELATION, CUDA_RUNTIME, CUDA_DRIVER, …;
// the same first nine since 1.13). Annotations are left out: they span kernels already counted.
constexpr std::uint8_t kKinetoMemcpy = 3, kKinetoMemset = 4, kKinetoKernel = 5, kKinetoRuntime = 7, kKinetoDriver = 8;

bool isDeviceWork(std::uint8_t activityType) {
    return activityType == kKinetoMemcpy || activityType == kKinetoMemset || activityType == kKinetoKernel;
}

std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

void sortByTime(std::vector<KernelTime>& table) {
    std::sort(table.begin(), table.end(), [](const KernelTime& a, const KernelTime& b) {
        if (std::abs(a.msPerStep) != std::abs(b.msPerStep)) return std::abs(a.msPerStep) > std::abs(b.msPerStep);
        if (std::abs(a.countPerStep) != std::abs(b.countPerStep)) return std::abs(a.countPerStep) > std::abs(b.countPerStep);
        return a.name < b.name;
    });
}

// Per-step totals by name, largest time first.
std::vector<KernelTime> perStepTable(const std::vector<DeviceActivity>& activities, int steps) {
    std::map<std::string, KernelTime> byName;
    for (const auto& a : activities) {
        KernelTime& k = byName[a.name];
        k.name = a.name;
        k.msPerStep += a.durationUs * 1e-3;
        k.countPerStep += 1;
    }
    std::vector<KernelTime> table;
    for (auto& [name, k] : byName) {
        k.msPerStep /= steps;
        k.countPerStep /= steps;
        table.push_back(k);
    }
    sortByTime(table);
    return table;
}

}  // namespace

double KernelProfile::idleMsPerStep() const { return std::max(0.0, wallMsPerStep - busyMsPerStep); }

KernelProfile summarizeDeviceActivity(const std::vector<DeviceActivity>& work, const std::vector<DeviceActivity>& hostWaits,
                                      int steps, double wallMs) {
    KernelProfile out;
    out.status = "profiled";
    out.steps = std::max(steps, 1);
    out.byName = perStepTable(work, out.steps);
    double busyUs = 0;
    for (const auto& a : work) busyUs += a.durationUs;
    out.busyMsPerStep = busyUs * 1e-3 / out.steps;
    out.activitiesPerStep = double(work.size()) / out.steps;
    out.wallMsPerStep = wallMs / out.steps;
    out.hostWaits = perStepTable(hostWaits, out.steps);
    out.hostWaitsPerStep = double(hostWaits.size()) / out.steps;
    return out;
}

bool isHostWait(const std::string& runtimeCall) {
    return runtimeCall.find("Synchronize") != std::string::npos || runtimeCall == "cudaMemcpy" ||
           runtimeCall == "cudaMemcpy2D" || runtimeCall.rfind("cuMemcpyDtoH", 0) == 0;
}

std::string shortKernelName(const std::string& name) {
    constexpr std::size_t kMaxLength = 60;
    std::string out = name;
    const bool function = out.rfind("void ", 0) == 0;
    if (function) out.erase(0, 5);
    for (const std::string noise : {"(anonymous namespace)::", "at::native::"})
        for (std::size_t at = out.find(noise); at != std::string::npos; at = out.find(noise)) out.erase(at, noise.size());
    out = out.substr(0, out.find('<'));
    if (function) out = out.substr(0, out.find('('));
    if (out.empty()) out = name;
    if (out.size() > kMaxLength) out = out.substr(0, kMaxLength - 3) + "...";
    return out;
}

std::vector<KernelTime> timeAdded(const std::vector<KernelTime>& baseline, const std::vector<KernelTime>& other) {
    std::map<std::string, KernelTime> byName;
    for (const auto& k : other) byName[k.name] = k;
    for (const auto& k : baseline) {
        KernelTime& d = byName[k.name];
        d.name = k.name;
        d.msPerStep -= k.msPerStep;
        d.countPerStep -= k.countPerStep;
    }
    std::vector<KernelTime> out;
    for (const auto& [name, d] : byName)
        if (d.msPerStep != 0 || d.countPerStep != 0) out.push_back(d);
    sortByTime(out);
    return out;
}

KernelProfile profileDeviceKernels(const c10::Device& device, int steps, const std::function<void()>& step) {
    KernelProfile out;
    if (!device.is_cuda()) {
        out.status = fmt::format("not profiled: {} runs every operator on the host (kernel tables are for CUDA devices)",
                                 device.str());
        return out;
    }
    if (steps <= 0) {
        out.status = "not profiled: no profiled steps asked for";
        return out;
    }
    namespace profiler = torch::autograd::profiler;
    using torch::profiler::impl::ActivityType;
    using torch::profiler::impl::ProfilerConfig;
    using torch::profiler::impl::ProfilerState;
    const ProfilerConfig config(ProfilerState::KINETO);
    const std::set<ActivityType> activities{ActivityType::CUDA};
    // The profiler's own failures become the status; the step's propagate (a NaN loss still ends
    // the benchmark), after the profiler is switched off again.
    auto attempt = [&out](const char* what, auto&& call) {
        try {
            call();
            return true;
        } catch (const std::exception& e) {
            out.status = fmt::format("not profiled: {} failed: {}", what, firstLine(e.what()));
            return false;
        }
    };
    if (!attempt("preparing the profiler", [&] { profiler::prepareProfiler(config, activities); })) return out;
    synchronize(device);  // earlier work stays out of the profile; each step ends synchronised
    if (!attempt("starting the profiler", [&] { profiler::enableProfiler(config, activities); })) return out;
    double wallMs = 0;
    try {
        for (int s = 0; s < steps; ++s) {
            const double start = nowSeconds();
            step();
            synchronize(device);
            wallMs += 1e3 * (nowSeconds() - start);
        }
    } catch (...) {
        try {
            (void)profiler::disableProfiler();
        } catch (const std::exception&) {
        }
        throw;
    }
    std::unique_ptr<profiler::ProfilerResult> result;
    if (!attempt("stopping the profiler", [&] { result = profiler::disableProfiler(); })) return out;
    if (!result) {
        out.status = "not profiled: the profiler returned no result";
        return out;
    }
    std::vector<DeviceActivity> work, waits;
    std::size_t deviceEvents = 0;
    for (const auto& event : result->events()) {
        const std::uint8_t type = event.activityType();
        if ((type == kKinetoRuntime || type == kKinetoDriver) && isHostWait(event.name()))
            waits.push_back({event.name(), compat::profilerEventDurationUs(event)});
        if (event.deviceType() != c10::DeviceType::CUDA) continue;
        ++deviceEvents;
        if (isDeviceWork(type)) work.push_back({event.name(), compat::profilerEventDurationUs(event)});
    }
    if (work.empty()) {
        out.status = fmt::format("not profiled: the profiler recorded no kernels ({} events, {} on the device; a "
                                 "LibTorch built without Kineto records none)",
                                 result->events().size(), deviceEvents);
        return out;
    }
    return summarizeDeviceActivity(work, waits, steps, wallMs);
}

}  // namespace glr::bench
