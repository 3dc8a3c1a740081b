#pragma once
// A forward captured once as a CUDA graph and replayed: the kernels of a whole step are launched
// by one call instead of one host call each, which is what a small model on a GPU waits for.
// Capture needs static shapes and addresses: the same input tensors, refilled in place, and no
// host work inside (no value read back, no upload from pageable memory). `bench score
// --cuda-graph` measures what it buys at a shape.
//
// Compiled for real only in CUDA builds (GRAPHLORA_WITH_CUDA); elsewhere construction throws.
#include <functional>
#include <memory>

#include <ATen/ATen.h>

namespace glr::bench {

// Whether this build can capture (a CUDA LibTorch), or CPU emulation is on.
bool cudaGraphsAvailable();

// Tests only: on the CPU, "capture" runs the function once and every replay runs it again, so
// that the code around a capture (state saved and restored, step halves in order, results
// compared) can be tested without a GPU. Nothing is faster; what replays is the same code.
void emulateCudaGraphsOnCpu(bool on);
bool cudaGraphsEmulatedOnCpu();

class CapturedForward {
public:
    // Runs `forward` `warmups` times on a side stream of `device` (kernels, cuBLAS handles and
    // workspaces get set up outside the capture), then captures one call. Throws glr::Error
    // with the CUDA runtime's reason where that is impossible; the stream is usable afterwards.
    CapturedForward(const at::Device& device, std::function<at::Tensor()> forward, int warmups = 2);
    ~CapturedForward();
    CapturedForward(const CapturedForward&) = delete;
    CapturedForward& operator=(const CapturedForward&) = delete;

    // Launches the captured kernels on the current stream. The returned tensor is the graph's
    // own output buffer: the next replay overwrites it.
    const at::Tensor& replay();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace glr::bench
