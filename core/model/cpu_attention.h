#pragma once
// Blocked attention for the CPU, with its own backward (flash-attention style recomputation):
//
//   out = softmax(q kᵀ / sqrt(D) + mask) v      q [B,H,T,D], k/v [B,Hkv,S,D], mask [1|B,1,T,S]
//
// Query rows are processed one at a time, their score row [S] in cache; only the output and one
// log-sum-exp per row are kept for the backward pass, which recomputes the scores. Causal rows
// visit only the keys they see. The loops run on raw buffers (cpu_attention_kernels.h): no ATen
// operator per row or block, which at head dim 8 cost more than the arithmetic.
// Eager attention instead writes and rereads the full [B,H,T,S] score tensor several times per
// layer and direction, which dominates small-width models such as stories260K (head_dim 8,
// ~430-token prompts). Grouped-query heads read their shared K/V in place.
//
// LibTorch ≥ 2.0 has fused CPU attention of its own (at::scaled_dot_product_attention); compat.h
// decides which is used. Differentiable w.r.t. q, k and v (not the mask); no double backward.
#include <ATen/ATen.h>

namespace glr {

// isCausal: keys after position t + (S − T) are masked for query t (bottom-right aligned, as in
// KV-cache decoding); may be combined with an additive mask that already masks them.
at::Tensor blockedCpuAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& additiveMask, bool isCausal);

}  // namespace glr
