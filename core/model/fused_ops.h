#pragma once
// The decoder's memory-bound steps as single CUDA kernels (core/kernels/fused_kernels.h), wrapped
// as autograd functions. Each returns an undefined tensor where the fused path does not apply —
// a CPU tensor, a build without the kernels (LibTorch without CUDA, or no nvcc), an unsupported
// dtype, or GRAPHLORA_FUSED_KERNELS=0 — and the caller then composes the same formula op by op.
#include <ATen/ATen.h>

namespace glr {

// x·cos + rotate_half(x)·sin, rotate_half(x) = [−x₂, x₁].
//   x [B,T,h,D] (any strides, unit stride along D), cos/sin broadcastable to [B,T,1,D], same dtype
//   -> [B,T,h,D] contiguous
at::Tensor fusedRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);

// silu(g)·u for gateUp = [g | u].   gateUp [..., 2F] -> [..., F]; the backward writes [ḡ | ū]
// into one tensor, so the fused gate/up GEMM's gradient needs no concatenation.
at::Tensor fusedSwiglu(const at::Tensor& gateUp);

// The same formulas op by op (what the fused kernels are checked against, and the path taken
// wherever they do not apply — as HF transformers composes them).
at::Tensor composedRotary(const at::Tensor& x, const at::Tensor& cos, const at::Tensor& sin);
at::Tensor composedSwiglu(const at::Tensor& gate, const at::Tensor& up);

// Whether this build has the kernels, and whether they are in use (the environment variable
// GRAPHLORA_FUSED_KERNELS=0 turns them off at start; benchmarks compare both ways).
bool fusedKernelsBuilt();
bool fusedKernelsEnabled();
void setFusedKernelsEnabled(bool enabled);

}  // namespace glr
