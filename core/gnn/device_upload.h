#pragma once
// Host → device copies that do not stall a step. A copy from pageable host memory makes CUDA wait
// for all work already queued on the stream before it starts, so an upload in the middle of a
// step (the graph path's subgraph, a batch's indices) drains the GPU's queue and leaves it idle
// while the host prepares what follows. Staged through pinned memory, the copy is queued like
// any kernel instead; the caching host allocator keeps the staging buffer until it has run.
// The way back likewise: a read of a device result queued behind the next batch's work waits
// only for its own copy (HostReadback), so the host prepares batch k+1 while the device runs k.
#include <memory>

#include <ATen/ATen.h>

namespace glr::gnn {

// `tensor` on `device` (itself where it is already there; a plain copy on the CPU).
at::Tensor uploadAsync(const at::Tensor& tensor, const at::Device& device);

// A device tensor's values on their way to the host: the copy (into pinned memory) and an event
// behind it are queued on the current stream when constructed; get() waits for that event only,
// not for work queued since. On the CPU the copy is made at once.
class HostReadback {
public:
    explicit HostReadback(const at::Tensor& tensor);
    ~HostReadback();
    HostReadback(HostReadback&&) noexcept;

    const at::Tensor& get();  // the host copy, once it has arrived

private:
    struct Pending;
    at::Tensor host_;
    std::unique_ptr<Pending> pending_;
};

}  // namespace glr::gnn
