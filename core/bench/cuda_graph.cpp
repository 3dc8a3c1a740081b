#include "bench/cuda_graph.h"

#include <string>

#include "util/error.h"

#if defined(GRAPHLORA_WITH_CUDA)
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>
#endif

namespace glr::bench {

#if defined(GRAPHLORA_WITH_CUDA)

struct CapturedForward::Impl {
    at::cuda::CUDAGraph graph;
    at::Tensor output;
};

bool cudaGraphsAvailable() { return true; }

CapturedForward::CapturedForward(const at::Device& device, std::function<at::Tensor()> forward, int warmups)
    : impl_(std::make_unique<Impl>()) {
    GLR_CHECK(device.is_cuda(), "CUDA graph capture needs a CUDA device; the model is on {}", device.str());
    GLR_CHECK(static_cast<bool>(forward), "CUDA graph capture: nothing to capture");
    const c10::cuda::CUDAGuard deviceGuard(device);
    // Capture runs on a side stream (the default stream cannot capture); it starts once the
    // inputs, prepared on the current stream, are there.
    c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device.index());
    const c10::cuda::CUDAStreamGuard streamGuard(side);
    for (int i = 0; i < warmups; ++i) forward();
    side.synchronize();
    try {
        impl_->graph.capture_begin();
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
}

const at::Tensor& CapturedForward::replay() {
    impl_->graph.replay();
    return impl_->output;
}

#else

struct CapturedForward::Impl {};

bool cudaGraphsAvailable() { return false; }

CapturedForward::CapturedForward(const at::Device& device, std::function<at::Tensor()>, int) {
    fail("CUDA graphs need a CUDA build (cmake -DGRAPHLORA_CUDA=ON against a CUDA LibTorch); this build cannot "
         "capture work on {}", device.str());
}

const at::Tensor& CapturedForward::replay() { fail("CUDA graphs need a CUDA build"); }

#endif

CapturedForward::~CapturedForward() = default;

}  // namespace glr::bench
