#pragma once
// The loops behind blockedCpuAttention (cpu_attention.h), one (batch, KV head) task at a time, on
// raw contiguous buffers. Torch-free: no operator is dispatched inside a task, so a model of
// head dim 8 (stories260K) no longer pays for ~20 tiny ATen calls per block of query rows; keys
// and values are transposed once per task so that every inner loop runs over keys and vectorises.
//
// Per query row r (query t = r mod T of its head), over the keys it sees, j < L(t):
//   forward:  s_j = q_r·k_j + mask[t,j];  m = max s;  p_j = exp(s_j − m);  l = Σ p
//             out_r = Σ p_j v_j / l;  lse_r = m + log l
//   backward: p_j = exp(s_j − lse_r);  dv_j += p_j do_r;  ds_j = p_j (do_r·v_j − δ_r)
//             dq_r = Σ ds_j k_j;  dk_j += ds_j q_r            with δ_r = do_r·out_r
// L(t) = S, or t + 1 + (S − T) when causal (bottom-right aligned).
#include <cstdint>

namespace glr::attention_kernels {

template <typename T>
struct Task {
    const T* q = nullptr;     // [rows, D] queries, already scaled; rows = G·T (the group's heads stacked)
    const T* k = nullptr;     // [S, D]
    const T* v = nullptr;     // [S, D]
    const T* mask = nullptr;  // [T, S] additive, or nullptr
    std::int64_t rows = 0, tokens = 0, keys = 0, dim = 0;
    bool causal = false;
};

// out [rows, D], lse [rows]
void forward(const Task<float>& task, float* out, float* lse);
void forward(const Task<double>& task, double* out, double* lse);

// dOut [rows, D], lse and delta [rows] in; dq [rows, D] written, dk and dv [S, D] written.
void backward(const Task<float>& task, const float* dOut, const float* lse, const float* delta, float* dq, float* dk,
              float* dv);
void backward(const Task<double>& task, const double* dOut, const double* lse, const double* delta, double* dq,
              double* dk, double* dv);

// e^x as the float kernels compute it (tested against std::exp): at most a few ulp for
// x ≥ −87, 0 below.
float expFloat(float x);

}  // namespace glr::attention_kernels
