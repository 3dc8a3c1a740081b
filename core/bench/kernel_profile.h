#pragma once
// Where a step's device time goes, kernel by kernel: a few more steps run under LibTorch's Kineto
// profiler (CUPTI activity records on CUDA), and each kernel, copy and memset the device ran is
// summed by name. A step's synchronised wall time then splits into device work (the sum; one
// stream, so activities do not overlap) and device idle time (the rest: the GPU waiting for the
// host, or for a read-back). The host's waits for the device (the CUDA runtime's synchronising
// calls) are counted beside them: every one inside a step drains the GPU's queue. `bench overhead`
// subtracts the baseline's tables from GraphLoRA's, so the graph path's cost is named kernel by
// kernel, and wait by wait, instead of inferred from launch counts.
//
// Only CUDA devices are profiled: on the CPU every operator runs on the host, where op counts and
// phase times already say where a step goes.
#include <functional>
#include <string>
#include <vector>

#include <c10/core/Device.h>

namespace glr::bench {

// One activity the device ran (a kernel, a copy or a memset), or one runtime call in which the
// host waited for the device, with its duration.
struct DeviceActivity {
    std::string name;
    double durationUs = 0;
};

struct KernelTime {
    std::string name;
    double msPerStep = 0;     // time per step (the device's; for host waits, the host's)
    double countPerStep = 0;  // activities of this name per step
};

struct KernelProfile {
    std::string status;             // "profiled", or why there is no table
    int steps = 0;                  // profiled steps
    double busyMsPerStep = 0;       // Σ durations / steps
    double activitiesPerStep = 0;   // kernels, copies and memsets per step
    double wallMsPerStep = 0;       // the profiled steps' synchronised wall time, mean per step
    std::vector<KernelTime> byName; // largest device time first, ties by name
    double hostWaitsPerStep = 0;    // synchronising runtime calls per step (each step ends with some)
    std::vector<KernelTime> hostWaits;  // by call, largest time first

    bool profiled() const { return status == "profiled"; }
    // Wall time the device spent without work, per step (never negative).
    double idleMsPerStep() const;
};

// Sums device work and host waits (over `steps` steps) by name; tables sorted by time, largest first.
KernelProfile summarizeDeviceActivity(const std::vector<DeviceActivity>& work, const std::vector<DeviceActivity>& hostWaits,
                                      int steps, double wallMs);

// Whether a CUDA runtime or driver call makes the host wait for the device: the synchronising
// calls (cudaStreamSynchronize, cudaEventSynchronize, cudaDeviceSynchronize, …) and the blocking
// copy (cudaMemcpy).
bool isHostWait(const std::string& runtimeCall);

// other − baseline by name, in ms and activities per step; names with no difference are left
// out; largest |ms| first (then largest |count|, then by name).
std::vector<KernelTime> timeAdded(const std::vector<KernelTime>& baseline, const std::vector<KernelTime>& other);

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
