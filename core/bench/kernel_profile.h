#pragma once
// Where a step's device time goes, kernel by kernel: a few more steps run under LibTorch's Kineto
// profiler (CUPTI activity records on CUDA), and each kernel, copy and memset the device ran is
// summed by name. A step's synchronised wall time then splits into device work (the sum; one
// stream, so activities do not overlap) and device idle time (the rest: the GPU waiting for the
// host, or for a read-back). `bench overhead` subtracts the baseline's table from GraphLoRA's, so
// the graph path's cost is named kernel by kernel instead of inferred from launch counts.
//
// Only CUDA devices are profiled: on the CPU every operator runs on the host, where op counts and
// phase times already say where a step goes.
#include <functional>
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace glr::bench {

// One activity the device ran: a kernel, a copy or a memset, with its duration.
struct DeviceActivity {
    std::string name;
    double durationUs = 0;
};

struct KernelTime {
    std::string name;
    double msPerStep = 0;     // device time per step
    double countPerStep = 0;  // activities of this name per step
};

struct KernelProfile {
    std::string status;             // "profiled", or why there is no table
    int steps = 0;                  // profiled steps
    double busyMsPerStep = 0;       // Σ durations / steps
    double activitiesPerStep = 0;   // kernels, copies and memsets per step
    double wallMsPerStep = 0;       // the profiled steps' synchronised wall time, mean per step
    std::vector<KernelTime> byName; // largest device time first, ties by name

    bool profiled() const { return status == "profiled"; }
    // Wall time the device spent without work, per step (never negative).
    double idleMsPerStep() const;
};

// Sums `activities` (over `steps` steps) by name; the table is sorted by time, largest first.
KernelProfile summarizeDeviceActivity(const std::vector<DeviceActivity>& activities, int steps, double wallMs);

// other − baseline by name, in ms and activities per step; names with no difference are left
// out; largest |ms| first (then largest |count|, then by name).
std::vector<KernelTime> kernelTimeAdded(const KernelProfile& baseline, const KernelProfile& other);

// A kernel's name for a one-line report: no "void ", template arguments, parameter list or
// at::native / anonymous namespaces ("void at::native::(anonymous namespace)::f<float, 4>(…)" ->
// "f"); copies and memsets ("Memcpy HtoD (Pinned -> Device)") as they are. At most 60 characters.
std::string shortKernelName(const std::string& name);

// Runs `step` `steps` times under the profiler, the device synchronised before and after each
// (what the timed steps do), and summarises what the device ran. Never throws for the profiler's
// sake: a CPU device, zero steps, a LibTorch without Kineto or a profiler that fails leave the
// reason in status, and then `step` may not have run at all.
KernelProfile profileDeviceKernels(const c10::Device& device, int steps, const std::function<void()>& step);

}  // namespace glr::bench
