// Row loops of the blocked CPU attention (see cpu_attention_kernels.h). Written so that GCC
// vectorises every loop over keys; the float versions are compiled for AVX-512, AVX2 and the
// baseline, picked at load time for the CPU at hand (target_clones).
#include "model/cpu_attention_kernels.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#define GLR_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define GLR_CPU_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GLR_CPU_CLONES
#endif

namespace glr::attention_kernels {

namespace {

// Independent partial results per reduction, so that maxima and sums vectorise without
// reassociating the compiler's own way (the order is fixed: results do not depend on the CPU).
constexpr std::int64_t kLanes = 16;

// e^x = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln 2 / 2, e^r by its degree-7 Taylor polynomial
// (truncation below 3e-9 relative). Branch-free so that it vectorises; 0 below −87 (the result
// would be denormal).
GLR_INLINE float expPoly(float x) {
    constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
    constexpr float kRound = 12582912.0f;  // 1.5 · 2^23: adding it rounds to an integer
    const float clamped = std::min(std::max(x, -87.0f), 88.0f);
    const float n = (clamped * kLog2e + kRound) - kRound;
    const float r = (clamped - n * kLn2Hi) - n * kLn2Lo;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::int32_t bits = (static_cast<std::int32_t>(n) + 127) << 23;
    float scale;
    std::memcpy(&scale, &bits, sizeof(scale));
    return x < -87.0f ? 0.0f : p * scale;
}

GLR_INLINE float expOf(float x) { return expPoly(x); }
GLR_INLINE double expOf(double x) { return std::exp(x); }

template <typename T>
GLR_INLINE T maxOf(const T* __restrict s, std::int64_t n) {
    T part[kLanes];
    std::fill(part, part + kLanes, -std::numeric_limits<T>::infinity());
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t i = 0; i < kLanes; ++i) part[i] = s[j + i] > part[i] ? s[j + i] : part[i];
    for (; j < n; ++j) part[0] = s[j] > part[0] ? s[j] : part[0];
    T m = part[0];
    for (std::int64_t i = 1; i < kLanes; ++i) m = part[i] > m ? part[i] : m;
    return m;
}

template <typename T>
GLR_INLINE T dotOf(const T* __restrict a, const T* __restrict b, std::int64_t n) {
    T part[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t i = 0; i < kLanes; ++i) part[i] += a[j + i] * b[j + i];
    for (; j < n; ++j) part[0] += a[j] * b[j];
    T sum = 0;
    for (std::int64_t i = 0; i < kLanes; ++i) sum += part[i];
    return sum;
}

template <typename T>
GLR_INLINE T sumOf(const T* __restrict a, std::int64_t n) {
    T part[kLanes] = {};
    std::int64_t j = 0;
    for (; j + kLanes <= n; j += kLanes)
        for (std::int64_t i = 0; i < kLanes; ++i) part[i] += a[j + i];
    for (; j < n; ++j) part[0] += a[j];
    T sum = 0;
    for (std::int64_t i = 0; i < kLanes; ++i) sum += part[i];
    return sum;
}

// y[j] += a · x[j]
template <typename T>
GLR_INLINE void axpy(T a, const T* __restrict x, T* __restrict y, std::int64_t n) {
    for (std::int64_t j = 0; j < n; ++j) y[j] += a * x[j];
}

// [rows, cols] → [cols, rows]
template <typename T>
GLR_INLINE void transpose(const T* __restrict in, T* __restrict out, std::int64_t rows, std::int64_t cols) {
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
}

template <typename T>
GLR_INLINE std::int64_t visibleKeys(const Task<T>& t, std::int64_t row) {
    if (!t.causal) return t.keys;
    const std::int64_t token = row % t.tokens;
    return std::clamp<std::int64_t>(token + 1 + (t.keys - t.tokens), 1, t.keys);
}

// s[j] = q_row · k_j + mask[token, j] for j < n, with keys transposed: kT [D, S]. With the head
// dim known at compile time (kDim > 0) in one pass over the keys; otherwise one pass per dim.
// Both add the terms in the same order.
template <int kDim, typename T>
GLR_INLINE void scoreRow(const Task<T>& t, const T* __restrict kT, std::int64_t row, std::int64_t n, T* __restrict s) {
    const T* maskRow = t.mask ? t.mask + (row % t.tokens) * t.keys : nullptr;
    const T* qRow = t.q + row * t.dim;
    const std::int64_t S = t.keys;
    if constexpr (kDim > 0) {
        T q[kDim];
        for (int d = 0; d < kDim; ++d) q[d] = qRow[d];
        auto dotKey = [&](std::int64_t j, T acc) {
            for (int d = 0; d < kDim; ++d) acc += q[d] * kT[d * S + j];
            return acc;
        };
        if (maskRow) {
            for (std::int64_t j = 0; j < n; ++j) s[j] = dotKey(j, maskRow[j]);
        } else {
            for (std::int64_t j = 0; j < n; ++j) s[j] = dotKey(j, T(0));
        }
    } else {
        if (maskRow) std::copy(maskRow, maskRow + n, s);
        else std::fill(s, s + n, T(0));
        for (std::int64_t d = 0; d < t.dim; ++d) axpy(qRow[d], kT + d * S, s, n);
    }
}

// One row of the backward, after p: ds_j = p_j (do·v_j − δ), dv_j += p_j do, dk_j += ds_j q
// (all transposed [D, S]); ds is kept for dq. One pass per dim: a single pass over the keys with
// every dim unrolled was 2-3x slower at head dim 8 (16 read-modify-write streams at once).
template <typename T>
GLR_INLINE void backwardRow(std::int64_t dim, std::int64_t S, std::int64_t n, const T* __restrict g,
                            const T* __restrict qRow, T rowDelta, const T* __restrict p, const T* __restrict vT,
                            T* __restrict ds, T* __restrict dvT, T* __restrict dkT) {
    std::fill(ds, ds + n, T(0));
    for (std::int64_t d = 0; d < dim; ++d) {
        axpy(g[d], p, dvT + d * S, n);  // dv_j += p_j do_r
        axpy(g[d], vT + d * S, ds, n);  // do_r · v_j
    }
    for (std::int64_t j = 0; j < n; ++j) ds[j] = p[j] * (ds[j] - rowDelta);
    for (std::int64_t d = 0; d < dim; ++d) axpy(qRow[d], ds, dkT + d * S, n);  // dk_j += ds_j q_r
}

template <int kDim, typename T>
GLR_INLINE void forwardImpl(const Task<T>& t, T* out, T* lse) {
    const std::int64_t S = t.keys, D = t.dim;
    std::vector<T> scratch(std::size_t(2 * D * S + S));
    T* kT = scratch.data();
    T* vT = kT + D * S;
    T* p = vT + D * S;
    transpose(t.k, kT, S, D);
    transpose(t.v, vT, S, D);
    for (std::int64_t row = 0; row < t.rows; ++row) {
        const std::int64_t n = visibleKeys(t, row);
        scoreRow<kDim>(t, kT, row, n, p);
        const T m = maxOf(p, n);
        for (std::int64_t j = 0; j < n; ++j) p[j] = expOf(p[j] - m);
        const T l = sumOf(p, n);
        for (std::int64_t d = 0; d < D; ++d) out[row * D + d] = dotOf(p, vT + d * S, n) / l;
        lse[row] = m + std::log(l);
    }
}

template <int kDim, typename T>
GLR_INLINE void backwardImpl(const Task<T>& t, const T* dOut, const T* lse, const T* delta, T* dq, T* dk, T* dv) {
    const std::int64_t S = t.keys, D = t.dim;
    std::vector<T> scratch(std::size_t(4 * D * S + 2 * S), T(0));
    T* kT = scratch.data();
    T* vT = kT + D * S;
    T* dkT = vT + D * S;  // accumulated, zero to start
    T* dvT = dkT + D * S;
    T* p = dvT + D * S;
    T* ds = p + S;
    transpose(t.k, kT, S, D);
    transpose(t.v, vT, S, D);
    for (std::int64_t row = 0; row < t.rows; ++row) {
        const std::int64_t n = visibleKeys(t, row);
        scoreRow<kDim>(t, kT, row, n, p);
        const T rowLse = lse[row];
        for (std::int64_t j = 0; j < n; ++j) p[j] = expOf(p[j] - rowLse);
        backwardRow(D, S, n, dOut + row * D, t.q + row * D, delta[row], p, vT, ds, dvT, dkT);
        for (std::int64_t d = 0; d < D; ++d) dq[row * D + d] = dotOf(ds, kT + d * S, n);
    }
    transpose(dkT, dk, D, S);
    transpose(dvT, dv, D, S);
}

// The head dims of LLaMA-family models get loops unrolled over the dim; others the generic ones.
template <typename T>
GLR_INLINE void forwardAnyDim(const Task<T>& t, T* out, T* lse) {
    switch (t.dim) {
        case 8: return forwardImpl<8>(t, out, lse);
        case 16: return forwardImpl<16>(t, out, lse);
        case 32: return forwardImpl<32>(t, out, lse);
        case 64: return forwardImpl<64>(t, out, lse);
        default: return forwardImpl<0>(t, out, lse);
    }
}

template <typename T>
GLR_INLINE void backwardAnyDim(const Task<T>& t, const T* dOut, const T* lse, const T* delta, T* dq, T* dk, T* dv) {
    switch (t.dim) {
        case 8: return backwardImpl<8>(t, dOut, lse, delta, dq, dk, dv);
        case 16: return backwardImpl<16>(t, dOut, lse, delta, dq, dk, dv);
        case 32: return backwardImpl<32>(t, dOut, lse, delta, dq, dk, dv);
        case 64: return backwardImpl<64>(t, dOut, lse, delta, dq, dk, dv);
        default: return backwardImpl<0>(t, dOut, lse, delta, dq, dk, dv);
    }
}

}  // namespace

GLR_CPU_CLONES void forward(const Task<float>& task, float* out, float* lse) { forwardAnyDim(task, out, lse); }
void forward(const Task<double>& task, double* out, double* lse) { forwardAnyDim(task, out, lse); }

GLR_CPU_CLONES void backward(const Task<float>& task, const float* dOut, const float* lse, const float* delta, float* dq,
                             float* dk, float* dv) {
    backwardAnyDim(task, dOut, lse, delta, dq, dk, dv);
}
void backward(const Task<double>& task, const double* dOut, const double* lse, const double* delta, double* dq,
              double* dk, double* dv) {
    backwardAnyDim(task, dOut, lse, delta, dq, dk, dv);
}

float expFloat(float x) { return expPoly(x); }

}  // namespace glr::attention_kernels
