#include "model/compat.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstdint>
#include <thread>

namespace glr::compat {

at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& additiveMask) {
#if GLR_TORCH_AT_LEAST(2, 0)
    return at::scaled_dot_product_attention(q, k, v, additiveMask.defined() ? c10::optional<at::Tensor>(additiveMask) : c10::nullopt);
#else
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    at::Tensor scores = at::matmul(q, k.transpose(-2, -1)).mul_(scale);
    if (additiveMask.defined()) scores.add_(additiveMask);
    return at::matmul(at::softmax(scores, -1), v);
#endif
}

at::Tensor scaledDotProductAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                                     const at::Tensor& additiveMask, bool isCausal) {
    const std::int64_t heads = q.size(1), kvHeads = k.size(1);
    if (heads == kvHeads && !isCausal) return scaledDotProductAttention(q, k, v, additiveMask);
#if GLR_TORCH_AT_LEAST(2, 0)
    const c10::optional<at::Tensor> mask =
        additiveMask.defined() ? c10::optional<at::Tensor>(additiveMask) : c10::nullopt;
#if GLR_TORCH_AT_LEAST(2, 5)
    return at::scaled_dot_product_attention(q, k, v, mask, 0.0, isCausal && !mask, c10::nullopt,
                                            /*enable_gqa=*/heads != kvHeads);
#else
    at::Tensor kk = k, vv = v;
    if (heads != kvHeads) {
        kk = k.repeat_interleave(heads / kvHeads, 1);
        vv = v.repeat_interleave(heads / kvHeads, 1);
    }
    return at::scaled_dot_product_attention(q, kk, vv, mask, 0.0, isCausal && !mask);
#endif
#else
    // Query heads of one KV group are stacked along the token axis so K and V are read in place
    // rather than copied heads/kvHeads times.
    const std::int64_t batch = q.size(0), tokens = q.size(2), dim = q.size(3), keys = k.size(2);
    const std::int64_t group = heads / kvHeads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    at::Tensor qg = (q * scale).reshape({batch, kvHeads, group * tokens, dim});
    at::Tensor scores = at::matmul(qg, k.transpose(-2, -1));  // [B,Hkv,G·T,S]
    at::Tensor grouped = scores.view({batch, kvHeads, group, tokens, keys});
    if (additiveMask.defined()) {
        grouped.add_(additiveMask.unsqueeze(2));
    } else if (isCausal) {
        at::Tensor future = at::ones({tokens, keys}, q.options().dtype(at::kBool)).triu_(keys - tokens + 1);
        grouped.masked_fill_(future, -1e9);
    }
    at::Tensor out = at::matmul(at::softmax(scores, -1), v);  // [B,Hkv,G·T,D]
    return out.view({batch, heads, tokens, dim});
#endif
}

void useAllCores(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads > 0) at::set_num_threads(threads);
}

}  // namespace glr::compat
