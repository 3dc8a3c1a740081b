#pragma once
// A forward captured once as a CUDA graph and replayed: the kernels of a whole step are launched
// by one call instead of one host call each, which is what a small model on a GPU waits for.
// Capture needs static shapes and addresses: the same input tensors, refilled in place, and no
// host work inside (no value read back, no upload from pageable memory). `bench score
// --cuda-graph` measures what it buys at a shape; scoring in the trainer replays one graph per
// bucketed batch shape (train/graphed_scoring.h).
//
// Compiled for real only in CUDA builds (GRAPHLORA_WITH_CUDA); elsewhere construction throws.
#include <functional>
#include <memory>

#include <ATen/ATen.h>

namespace glr {

// Whether this build can capture (a CUDA LibTorch), or CPU emulation is on.
bool cudaGraphsAvailable();

// Tests only: on the CPU, "capture" runs the function once and every replay runs it again, so
// that the code around a capture (state saved and restored, step halves in order, results
// compared) can be tested without a GPU. Nothing is faster; what replays is the same code.
void emulateCudaGraphsOnCpu(bool on);
bool cudaGraphsEmulatedOnCpu();

// A memory pool that several graphs capture into, so that graphs replayed one at a time share
// their intermediate buffers instead of each holding its own. Default: the graph's private pool.
struct CudaGraphPool {
    unsigned long long first = 0, second = 0;  // the allocator's pool id; {0, 0} = private
    static CudaGraphPool create();              // a fresh shared pool (CUDA builds), else {0, 0}
};

// Runs `body` with a side stream of `device` current (captures cannot run on the default
// stream): the side stream starts after the work already queued on the current stream, and the
// call returns once the side stream is done. On the CPU (emulation) it just runs `body`.
void runOnSideStream(const at::Device& device, const std::function<void()>& body);

// One piece of work captured as a CUDA graph on the current stream, to be launched again with
// replay(). Whatever `work` leaves in tensors it writes to (the caller's static buffers) is
// there again after each replay. Capture inside runOnSideStream, after warm-up calls.
class CapturedWork {
public:
    // Throws glr::Error with the CUDA runtime's reason where the capture fails; the stream is
    // usable afterwards.
    CapturedWork(const at::Device& device, std::function<void()> work, CudaGraphPool pool = {});
    ~CapturedWork();
    CapturedWork(const CapturedWork&) = delete;
    CapturedWork& operator=(const CapturedWork&) = delete;

    void replay();  // on the current stream

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class CapturedForward {
public:
    // Runs `forward` `warmups` times on a side stream of `device` (kernels, cuBLAS handles and
    // workspaces get set up outside the capture), then captures one call. Throws glr::Error
    // with the CUDA runtime's reason where that is impossible; the stream is usable afterwards.
    CapturedForward(const at::Device& device, std::function<at::Tensor()> forward, int warmups = 2,
                    CudaGraphPool pool = {});
    ~CapturedForward();
    CapturedForward(const CapturedForward&) = delete;
    CapturedForward& operator=(const CapturedForward&) = delete;

    // Launches the captured kernels on the current stream. The returned tensor is the graph's
    // own output buffer: the next replay overwrites it.
    const at::Tensor& replay();

private:
    std::function<at::Tensor()> forward_;
    at::Tensor output_;
    std::unique_ptr<CapturedWork> work_;
};

}  // namespace glr
