#include "train/cuda_graph.h"

#include <atomic>
#include <string>

#include "util/error.h"

#if defined(GRAPHLORA_WITH_CUDA)
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace glr {

namespace {

std::atomic<bool> emulateOnCpu{false};

}  // namespace

struct CapturedForward::Impl {
    at::Tensor output;
    std::function<at::Tensor()> emulated;  // CPU emulation: what each replay runs again
#if defined(GRAPHLORA_WITH_CUDA)
    at::cuda::CUDAGraph graph;
#endif
};

void emulateCudaGraphsOnCpu(bool on) { emulateOnCpu = on; }
bool cudaGraphsEmulatedOnCpu() { return emulateOnCpu; }

bool cudaGraphsAvailable() {
#if defined(GRAPHLORA_WITH_CUDA)
    return true;
#else
    return emulateOnCpu;
#endif
}

CudaGraphPool CudaGraphPool::create() {
#if defined(GRAPHLORA_WITH_CUDA)
    const auto id = at::cuda::graph_pool_handle();
    return {id.first, id.second};
#else
    return {};
#endif
}

CapturedForward::CapturedForward(const at::Device& device, std::function<at::Tensor()> forward, int warmups,
                                 CudaGraphPool pool)
    : impl_(std::make_unique<Impl>()) {
    GLR_CHECK(static_cast<bool>(forward), "CUDA graph capture: nothing to capture");
    if (device.is_cpu() && emulateOnCpu) {
        for (int i = 0; i < warmups; ++i) forward();
        impl_->output = forward();
        impl_->emulated = std::move(forward);
        return;
    }
#if defined(GRAPHLORA_WITH_CUDA)
    GLR_CHECK(device.is_cuda(), "CUDA graph capture needs a CUDA device; the model is on {}", device.str());
    const c10::cuda::CUDAGuard deviceGuard(device);
    // Capture runs on a side stream (the default stream cannot capture); it starts once the
    // inputs, prepared on the current stream, are there.
    c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device.index());
    const c10::cuda::CUDAStreamGuard streamGuard(side);
    for (int i = 0; i < warmups; ++i) forward();
    side.synchronize();
    try {
        impl_->graph.capture_begin({pool.first, pool.second});
        impl_->output = forward();
        impl_->graph.capture_end();
    } catch (const std::exception& e) {
        std::string reason = e.what();
        reason = reason.substr(0, reason.find('\n'));
        // End the capture (the runtime reports it invalidated) so that the stream works again,
        // and clear the runtime's last error.
        try {
            impl_->graph.capture_end();
        } catch (const std::exception&) {
        }
        (void)cudaGetLastError();
        impl_->output = at::Tensor();
        fail("CUDA graph capture failed: {}", reason);
    }
    side.synchronize();
#else
    (void)warmups;
    (void)pool;
    fail("CUDA graphs need a CUDA build (cmake -DGRAPHLORA_CUDA=ON against a CUDA LibTorch); this build cannot "
         "capture work on {}", device.str());
#endif
}

const at::Tensor& CapturedForward::replay() {
    if (impl_->emulated) {
        impl_->output = impl_->emulated();
        return impl_->output;
    }
#if defined(GRAPHLORA_WITH_CUDA)
    impl_->graph.replay();
#endif
    return impl_->output;
}

CapturedForward::~CapturedForward() = default;

}  // namespace glr
