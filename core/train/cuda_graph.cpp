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

bool emulating(const at::Device& device) { return device.is_cpu() && emulateOnCpu; }

[[noreturn]] void failWithoutCuda(const at::Device& device) {
    fail("CUDA graphs need a CUDA build (cmake -DGRAPHLORA_CUDA=ON against a CUDA LibTorch) and a CUDA device; this "
         "build cannot capture work on {}",
         device.str());
}

}  // namespace

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

void runOnSideStream(const at::Device& device, const std::function<void()>& body) {
    if (emulating(device)) {
        body();
        return;
    }
#if defined(GRAPHLORA_WITH_CUDA)
    GLR_CHECK(device.is_cuda(), "CUDA graph capture needs a CUDA device; the model is on {}", device.str());
    const c10::cuda::CUDAGuard deviceGuard(device);
    // The side stream starts once the inputs, prepared on the current stream, are there.
    c10::cuda::getCurrentCUDAStream(device.index()).synchronize();
    c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool(false, device.index());
    const c10::cuda::CUDAStreamGuard streamGuard(side);
    body();
    side.synchronize();
#else
    failWithoutCuda(device);
#endif
}

struct CapturedWork::Impl {
    std::function<void()> emulated;  // CPU emulation: what each replay runs again
#if defined(GRAPHLORA_WITH_CUDA)
    at::cuda::CUDAGraph graph;
#endif
};

CapturedWork::CapturedWork(const at::Device& device, std::function<void()> work, CudaGraphPool pool)
    : impl_(std::make_unique<Impl>()) {
    GLR_CHECK(static_cast<bool>(work), "CUDA graph capture: nothing to capture");
    if (emulating(device)) {
        work();
        impl_->emulated = std::move(work);
        return;
    }
#if defined(GRAPHLORA_WITH_CUDA)
    GLR_CHECK(device.is_cuda(), "CUDA graph capture needs a CUDA device; the model is on {}", device.str());
    try {
        impl_->graph.capture_begin({pool.first, pool.second});
        work();
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
        fail("CUDA graph capture failed: {}", reason);
    }
#else
    (void)pool;
    failWithoutCuda(device);
#endif
}

CapturedWork::~CapturedWork() = default;

void CapturedWork::replay() {
    if (impl_->emulated) {
        impl_->emulated();
        return;
    }
#if defined(GRAPHLORA_WITH_CUDA)
    impl_->graph.replay();
#endif
}

CapturedForward::CapturedForward(const at::Device& device, std::function<at::Tensor()> forward, int warmups,
                                 CudaGraphPool pool)
    : forward_(std::move(forward)) {
    GLR_CHECK(static_cast<bool>(forward_), "CUDA graph capture: nothing to capture");
    runOnSideStream(device, [&] {
        for (int i = 0; i < warmups; ++i) forward_();
        work_ = std::make_unique<CapturedWork>(device, [this] { output_ = forward_(); }, pool);
    });
}

CapturedForward::~CapturedForward() = default;

const at::Tensor& CapturedForward::replay() {
    work_->replay();
    return output_;
}

}  // namespace glr
