#pragma once
// Fused elementwise CUDA kernels for the decoder's memory-bound steps, torch-free so that nvcc
// builds them (and their test) on any machine with the CUDA toolkit; model/fused_ops.cpp wraps
// them as autograd functions in CUDA builds of LibTorch.
//
// Why: on an H100/H200 the layer GEMMs run at ~80 % of peak, and the eager composition of RoPE
// (neg, cat, mul, addcmul) and SwiGLU (silu, mul, and a concatenation of the two gradients in the
// backward) streams each [B·T, width] activation through HBM 5–13 times. Each kernel below reads
// its inputs once and writes its outputs once, forward and backward.
//
// Every launcher returns nullptr on success or a static error message; `stream` is a cudaStream_t.
#include <cstdint>

namespace glr::kernels {

enum class ElementType { Float32, BFloat16, Float16 };

// Rotary embedding on the pairs (d, d + D/2) of each head, D = 2·half:
//   forward   y₁ = x₁·cos₁ − x₂·sin₁           y₂ = x₂·cos₂ + x₁·sin₂
//   backward  x̄₁ = ȳ₁·cos₁ + ȳ₂·sin₂           x̄₂ = ȳ₂·cos₂ − ȳ₁·sin₁   (the transposed rotation)
// input [B,T,H,D] with element strides inStride{B,T,H} and unit stride along D; cos/sin [B,T,D]
// with strides angleStride{B,T} (0 broadcasts) and unit stride along D; output [B,T,H,D]
// contiguous. All three of one element type; arithmetic in fp32.
struct RotaryShape {
    std::int64_t batch, tokens, heads, half;
    std::int64_t inStrideB, inStrideT, inStrideH;
    std::int64_t angleStrideB, angleStrideT;
};
const char* rotary(ElementType type, bool backward, const void* input, const void* cos, const void* sin,
                   void* output, const RotaryShape& shape, void* stream);

// SwiGLU on the fused gate/up projection: rows of [g | u] (width 2F, row stride gateUpRowStride,
// unit stride inside a row):
//   forward   y = silu(g)·u = g·σ(g)·u                                   y [rows, F] contiguous
//   backward  ḡ = ȳ·u·σ(g)·(1 + g·(1 − σ(g)))   ū = ȳ·silu(g)     into [ḡ | ū] [rows, 2F] contiguous
// ȳ [rows, F] with row stride gradRowStride.
const char* swigluForward(ElementType type, const void* gateUp, std::int64_t gateUpRowStride, void* output,
                          std::int64_t rows, std::int64_t width, void* stream);
const char* swigluBackward(ElementType type, const void* gateUp, std::int64_t gateUpRowStride, const void* grad,
                           std::int64_t gradRowStride, void* gradGateUp, std::int64_t rows, std::int64_t width,
                           void* stream);

}  // namespace glr::kernels
