#include "bench/bench_device.h"

#include <c10/core/Event.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <thread>

#include "bench/bench_common.h"

#if defined(GRAPHLORA_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace glr::bench {

void synchronize(const at::Device& device) {
    if (device.is_cpu()) return;
    // Event::synchronize only exists from LibTorch 2.x; query() is there in 1.13 too.
    const auto* guard = c10::impl::getDeviceGuardImpl(device.type());
    c10::Event event(device.type());
    event.record(guard->getStream(device));
    while (!event.query()) std::this_thread::yield();
}

std::int64_t peakMemoryBytes(const at::Device& device) {
#if defined(GRAPHLORA_WITH_CUDA)
    if (device.is_cuda()) {
        // Index 0 is the aggregate over pools; StatType moved namespaces across 2.x releases.
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
        return stats.allocated_bytes[0].peak;
    }
#endif
    if (device.is_cpu()) return peakRssBytes();
    return -1;  // unknown for this device type in this build
}

void resetPeakMemory(const at::Device& device) {
#if defined(GRAPHLORA_WITH_CUDA)
    if (device.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device.index() < 0 ? 0 : device.index());
#endif
    (void)device;
}

std::string peakMemoryKind(const at::Device& device) {
    if (device.is_cpu()) return "max RSS (process)";
#if defined(GRAPHLORA_WITH_CUDA)
    if (device.is_cuda()) return "allocator peak (device)";
#endif
    return "unknown";
}

}  // namespace glr::bench
