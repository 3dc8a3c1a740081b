#pragma once
// The one place that knows which LibTorch we build against: Debian's 1.13 (CPU) here, a CUDA
// LibTorch 2.x on GPU machines. Everything version-dependent goes through these functions.
#include <ATen/ATen.h>
#include <torch/version.h>

namespace torch::autograd::profiler {
struct KinetoEvent;
}

#define GLR_TORCH_AT_LEAST(major, minor) \
    (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

namespace glr::compat {

// softmax(q kᵀ / sqrt(d) + mask) v
// q [B,H,T,D], k/v [B,H,S,D] (KV heads already expanded), additive mask [B,1,T,S] (0 where
// allowed, a large finite negative where not — finite so fully padded query rows stay NaN-free) or
// undefined. On ≥ 2.0 this is the fused at::scaled_dot_product_attention.
at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& additiveMask);

// The same with grouped-query attention and causal masking: k/v may have fewer heads Hkv (dividing
// H; each serves H/Hkv consecutive query heads) and are not expanded in memory where avoidable.
// isCausal masks keys after position t + (S − T) for query t (bottom-right aligned, as after a
// KV cache); it may be combined with an additive mask, which must then already hide those keys
// (the CPU path uses the flag to skip them). On LibTorch 1.13 large CPU problems go through the
// blocked attention of cpu_attention.h.

at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& additiveMask, bool isCausal);

// y = x / sqrt(mean(x², -1) + eps) · weight as one fused kernel, where this LibTorch has one for
// x's device (CUDA, ≥ 2.8); otherwise an undefined tensor and the caller composes it op by op (as
// HF does). x [..., H], weight [H].
at::Tensor fusedRmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps);

// Every thread that runs a model calls this first (the CLI's verbs; a run, on whatever thread
// runs it: the workbench trains on a worker thread, whose intra-op pool is its own):
//  - LibTorch's intra-op threads: every core unless told (LibTorch 1.13 starts with one);
//  - denormal floats flushed to zero (x86 FTZ/DAZ) on the calling thread and its intra-op pool.
//    A trained checkpoint's activations and gradients underflow into denormals, which the CPU
//    handles in microcode: the real stories260K trained 2.7-3.0x slower without this, and still
//    1.3-1.7x once the attention's own exp stopped producing them, with the same losses to the
//    printed digit (docs/benchmarks.md). Only magnitudes below 1.2e-38 change (to 0).
//    GRAPHLORA_DENORMALS=keep keeps IEEE denormals.
// Returns whether denormals are flushed (false where the CPU cannot, or when kept).
bool prepareComputeThreads(int threads = 0);
// Whether the calling thread flushes denormals (reads x86 MXCSR; false on other CPUs).
bool denormalsFlushed();

// tensors[i] *= factor for every i, factor a 0-d tensor on their device (not read on the host).
// ≥ 2.1: one multi-tensor kernel per dtype; 1.13: one mul_ per tensor.
void scaleInPlace(at::TensorList tensors, const at::Tensor& factor);

// A profiler event's duration in microseconds (the event's accessor changed from durationUs to
// durationNs during 2.x; whichever this LibTorch has is used).
double profilerEventDurationUs(const torch::autograd::profiler::KinetoEvent& event);

inline const char* torchVersion() { return TORCH_VERSION; }

}  // namespace glr::compat
