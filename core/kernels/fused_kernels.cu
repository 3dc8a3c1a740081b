// Formulas and layouts: fused_kernels.h. One thread handles V consecutive elements (16-byte
// loads and stores where the strides and addresses allow, one element otherwise), grid-stride.
#include "kernels/fused_kernels.h"

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

namespace glr::kernels {

namespace {

__device__ __forceinline__ float toFloat(float x) { return x; }
__device__ __forceinline__ float toFloat(__nv_bfloat16 x) { return __bfloat162float(x); }
__device__ __forceinline__ float toFloat(__half x) { return __half2float(x); }

template <typename T>
__device__ __forceinline__ T fromFloat(float x);
template <>
__device__ __forceinline__ float fromFloat<float>(float x) { return x; }
template <>
__device__ __forceinline__ __nv_bfloat16 fromFloat<__nv_bfloat16>(float x) { return __float2bfloat16(x); }
template <>
__device__ __forceinline__ __half fromFloat<__half>(float x) { return __float2half(x); }

template <typename T, int V>
struct alignas(sizeof(T) * V) Pack {
    T v[V];
};

template <typename T, int V>
__device__ __forceinline__ Pack<T, V> load(const T* p) {
    return *reinterpret_cast<const Pack<T, V>*>(p);
}
template <typename T, int V>
__device__ __forceinline__ void store(T* p, const Pack<T, V>& x) {
    *reinterpret_cast<Pack<T, V>*>(p) = x;
}

// σ(g) the way ATen's CUDA silu computes it (fp32 opmath, full-precision exp).
__device__ __forceinline__ float sigmoid(float g) { return 1.0f / (1.0f + expf(-g)); }

template <typename T, int V, bool Backward>
__global__ void rotaryKernel(const T* __restrict__ in, const T* __restrict__ cosTable, const T* __restrict__ sinTable,
                             T* __restrict__ out, RotaryShape s) {
    const std::int64_t chunks = s.half / V;
    const std::int64_t total = s.batch * s.tokens * s.heads * chunks;
    const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step) {
        const std::int64_t d = (i % chunks) * V;
        std::int64_t r = i / chunks;
        const std::int64_t h = r % s.heads;
        r /= s.heads;
        const std::int64_t t = r % s.tokens, b = r / s.tokens;
        const T* x = in + b * s.inStrideB + t * s.inStrideT + h * s.inStrideH + d;
        const std::int64_t angle = b * s.angleStrideB + t * s.angleStrideT + d;
        T* y = out + ((b * s.tokens + t) * s.heads + h) * (2 * s.half) + d;
        const Pack<T, V> x1 = load<T, V>(x), x2 = load<T, V>(x + s.half);
        const Pack<T, V> c1 = load<T, V>(cosTable + angle), c2 = load<T, V>(cosTable + angle + s.half);
        const Pack<T, V> s1 = load<T, V>(sinTable + angle), s2 = load<T, V>(sinTable + angle + s.half);
        Pack<T, V> y1, y2;
#pragma unroll
        for (int k = 0; k < V; ++k) {
            const float a1 = toFloat(x1.v[k]), a2 = toFloat(x2.v[k]);
            if (Backward) {
                y1.v[k] = fromFloat<T>(a1 * toFloat(c1.v[k]) + a2 * toFloat(s2.v[k]));
                y2.v[k] = fromFloat<T>(a2 * toFloat(c2.v[k]) - a1 * toFloat(s1.v[k]));
            } else {
                y1.v[k] = fromFloat<T>(a1 * toFloat(c1.v[k]) - a2 * toFloat(s1.v[k]));
                y2.v[k] = fromFloat<T>(a2 * toFloat(c2.v[k]) + a1 * toFloat(s2.v[k]));
            }
        }
        store<T, V>(y, y1);
        store<T, V>(y + s.half, y2);
    }
}

template <typename T, int V>
__global__ void swigluForwardKernel(const T* __restrict__ gateUp, std::int64_t gateUpStride, T* __restrict__ out,
                                    std::int64_t rows, std::int64_t width) {
    const std::int64_t chunks = width / V, total = rows * chunks;
    const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step) {
        const std::int64_t row = i / chunks, col = (i % chunks) * V;
        const T* src = gateUp + row * gateUpStride + col;
        const Pack<T, V> g = load<T, V>(src), u = load<T, V>(src + width);
        Pack<T, V> y;
#pragma unroll
        for (int k = 0; k < V; ++k) {
            const float gf = toFloat(g.v[k]);
            y.v[k] = fromFloat<T>(gf * sigmoid(gf) * toFloat(u.v[k]));
        }
        store<T, V>(out + row * width + col, y);
    }
}

template <typename T, int V>
__global__ void swigluBackwardKernel(const T* __restrict__ gateUp, std::int64_t gateUpStride,
                                     const T* __restrict__ grad, std::int64_t gradStride, T* __restrict__ gradGateUp,
                                     std::int64_t rows, std::int64_t width) {
    const std::int64_t chunks = width / V, total = rows * chunks;
    const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * blockDim.x;
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += step) {
        const std::int64_t row = i / chunks, col = (i % chunks) * V;
        const T* src = gateUp + row * gateUpStride + col;
        const Pack<T, V> g = load<T, V>(src), u = load<T, V>(src + width);
        const Pack<T, V> dy = load<T, V>(grad + row * gradStride + col);
        Pack<T, V> dg, du;
#pragma unroll
        for (int k = 0; k < V; ++k) {
            const float gf = toFloat(g.v[k]), uf = toFloat(u.v[k]), dyf = toFloat(dy.v[k]);
            const float sig = sigmoid(gf);
            dg.v[k] = fromFloat<T>(dyf * uf * sig * (1.0f + gf * (1.0f - sig)));
            du.v[k] = fromFloat<T>(dyf * gf * sig);
        }
        T* dst = gradGateUp + row * (2 * width) + col;
        store<T, V>(dst, dg);
        store<T, V>(dst + width, du);
    }
}

constexpr int kThreads = 256;

unsigned int blocksFor(std::int64_t work) {
    return static_cast<unsigned int>(std::clamp<std::int64_t>((work + kThreads - 1) / kThreads, 1, 1 << 20));
}

bool aligned(const void* p, std::size_t bytes) { return reinterpret_cast<std::uintptr_t>(p) % bytes == 0; }

// Calls f(T{}) with the element type's CUDA type.
template <typename F>
const char* withType(ElementType type, F&& f) {
    switch (type) {
        case ElementType::Float32: return f(float{});
        case ElementType::BFloat16: return f(__nv_bfloat16{});
        case ElementType::Float16: return f(__half{});
    }
    return "fused kernel: unknown element type";
}

const char* launchStatus() {
    const cudaError_t status = cudaGetLastError();
    return status == cudaSuccess ? nullptr : cudaGetErrorString(status);
}

}  // namespace

const char* rotary(ElementType type, bool backward, const void* input, const void* cos, const void* sin, void* output,
                   const RotaryShape& shape, void* stream) {
    const std::int64_t pairs = shape.batch * shape.tokens * shape.heads * shape.half;
    if (pairs == 0) return nullptr;
    return withType(type, [&](auto tag) -> const char* {
        using T = decltype(tag);
        constexpr int V = 16 / sizeof(T);
        const T* in = static_cast<const T*>(input);
        const T* c = static_cast<const T*>(cos);
        const T* s = static_cast<const T*>(sin);
        T* out = static_cast<T*>(output);
        const bool vectorised = shape.half % V == 0 && shape.inStrideB % V == 0 && shape.inStrideT % V == 0 &&
                                shape.inStrideH % V == 0 && shape.angleStrideB % V == 0 &&
                                shape.angleStrideT % V == 0 && aligned(in, 16) && aligned(c, 16) && aligned(s, 16) &&
                                aligned(out, 16);
        auto cudaStream = static_cast<cudaStream_t>(stream);
        if (vectorised) {
            const unsigned int blocks = blocksFor(pairs / V);
            if (backward) rotaryKernel<T, V, true><<<blocks, kThreads, 0, cudaStream>>>(in, c, s, out, shape);
            else rotaryKernel<T, V, false><<<blocks, kThreads, 0, cudaStream>>>(in, c, s, out, shape);
        } else {
            const unsigned int blocks = blocksFor(pairs);
            if (backward) rotaryKernel<T, 1, true><<<blocks, kThreads, 0, cudaStream>>>(in, c, s, out, shape);
            else rotaryKernel<T, 1, false><<<blocks, kThreads, 0, cudaStream>>>(in, c, s, out, shape);
        }
        return launchStatus();
    });
}

const char* swigluForward(ElementType type, const void* gateUp, std::int64_t gateUpRowStride, void* output,
                          std::int64_t rows, std::int64_t width, void* stream) {
    if (rows * width == 0) return nullptr;
    return withType(type, [&](auto tag) -> const char* {
        using T = decltype(tag);
        constexpr int V = 16 / sizeof(T);
        const T* in = static_cast<const T*>(gateUp);
        T* out = static_cast<T*>(output);
        auto cudaStream = static_cast<cudaStream_t>(stream);
        if (width % V == 0 && gateUpRowStride % V == 0 && aligned(in, 16) && aligned(out, 16))
            swigluForwardKernel<T, V><<<blocksFor(rows * width / V), kThreads, 0, cudaStream>>>(in, gateUpRowStride, out,
                                                                                             rows, width);
        else
            swigluForwardKernel<T, 1><<<blocksFor(rows * width), kThreads, 0, cudaStream>>>(in, gateUpRowStride, out,
                                                                                         rows, width);
        return launchStatus();
    });
}

const char* swigluBackward(ElementType type, const void* gateUp, std::int64_t gateUpRowStride, const void* grad,
                           std::int64_t gradRowStride, void* gradGateUp, std::int64_t rows, std::int64_t width,
                           void* stream) {
    if (rows * width == 0) return nullptr;
    return withType(type, [&](auto tag) -> const char* {
        using T = decltype(tag);
        constexpr int V = 16 / sizeof(T);
        const T* in = static_cast<const T*>(gateUp);
        const T* dy = static_cast<const T*>(grad);
        T* out = static_cast<T*>(gradGateUp);
        auto cudaStream = static_cast<cudaStream_t>(stream);
        if (width % V == 0 && gateUpRowStride % V == 0 && gradRowStride % V == 0 && aligned(in, 16) &&
            aligned(dy, 16) && aligned(out, 16))
            swigluBackwardKernel<T, V><<<blocksFor(rows * width / V), kThreads, 0, cudaStream>>>(
                in, gateUpRowStride, dy, gradRowStride, out, rows, width);
        else
            swigluBackwardKernel<T, 1><<<blocksFor(rows * width), kThreads, 0, cudaStream>>>(
                in, gateUpRowStride, dy, gradRowStride, out, rows, width);
        return launchStatus();
    });
}

}  // namespace glr::kernels
