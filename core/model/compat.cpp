#include "model/compat.h"

#include <ATen/Parallel.h>

#include <cmath>
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

void useAllCores(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads > 0) at::set_num_threads(threads);
}

}  // namespace glr::compat
