#pragma once
// Host → device copies that do not stall a step. A copy from pageable host memory makes CUDA wait
// for all work already queued on the stream before it starts, so an upload in the middle of a
// step (the graph path's subgraph, a batch's indices) drains the GPU's queue and leaves it idle
// while the host prepares what follows. Staged through pinned memory, the copy is queued like
// any kernel instead; the caching host allocator keeps the staging buffer until it has run.
#include <ATen/ATen.h>

namespace glr::gnn {

// `tensor` on `device` (itself where it is already there; a plain copy on the CPU).
at::Tensor uploadAsync(const at::Tensor& tensor, const at::Device& device);

}  // namespace glr::gnn
