#include "model/compat.h"

#include "model/cpu_attention.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_kineto.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace glr::compat {

namespace {
// The first overload exists only where the event has durationNs; the int argument prefers it.
template <typename Event>
auto durationUsOf(const Event& event, int) -> decltype(double(event.durationNs())) {
    return double(event.durationNs()) * 1e-3;
}
template <typename Event>
double durationUsOf(const Event& event, long) {
    return double(event.durationUs());
}

// Below this many scores per head the plain matmul-softmax-matmul path is as fast.
constexpr std::int64_t kBlockedAttentionMinScores = 64 * 64;
}  // namespace

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
    const std::int64_t heads = q.size(1), kvHeads = k.size(1), tokens = q.size(2), keys = k.size(2);
#if GLR_TORCH_AT_LEAST(2, 0)
    if (isCausal && additiveMask.defined()) isCausal = false;  // the mask already holds causality
    if (isCausal && tokens != keys) {
        // SDPA's is_causal aligns top-left; decoding after a cache needs bottom-right.
        at::Tensor future = at::ones({tokens, keys}, q.options().dtype(at::kBool)).triu_(keys - tokens + 1);
        return scaledDotProductAttention(q, k, v, at::zeros({tokens, keys}, q.options()).masked_fill_(future, -1e9), false);
    }
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
    // Large CPU problems: blocked attention that keeps score tiles in cache (cpu_attention.h).
    if (q.device().is_cpu() && tokens * keys >= kBlockedAttentionMinScores)
        return blockedCpuAttention(q, k, v, additiveMask, isCausal);
    // Query heads of one KV group are stacked along the token axis so K and V are read in place
    // rather than copied heads/kvHeads times.
    const std::int64_t batch = q.size(0), dim = q.size(3);
    const std::int64_t group = heads / kvHeads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    at::Tensor qg = (q * scale).reshape({batch, kvHeads, group * tokens, dim});
    at::Tensor scores = at::matmul(qg, k.transpose(-2, -1));  // [B,Hkv,G·T,S]
    // Masks are added out of place: an in-place add into a view of `scores` would make autograd
    // clone the whole score gradient (CopySlices) in the backward pass.
    at::Tensor mask = additiveMask.defined() ? additiveMask.unsqueeze(2) : at::Tensor();  // [B,1,1,T,S]
    if (!additiveMask.defined() && isCausal)
        mask = at::zeros({tokens, keys}, q.options().requires_grad(false))
                   .masked_fill_(at::ones({tokens, keys}, q.options().dtype(at::kBool)).triu_(keys - tokens + 1), -1e9);
    if (mask.defined()) scores = (scores.view({batch, kvHeads, group, tokens, keys}) + mask).view(scores.sizes());
    at::Tensor out = at::matmul(at::softmax(scores, -1), v);  // [B,Hkv,G·T,D]
    return out.view({batch, heads, tokens, dim});
#endif
}

at::Tensor fusedRmsNorm(const at::Tensor& x, const at::Tensor& weight, double eps) {
#if GLR_TORCH_AT_LEAST(2, 8)
    if (x.is_cuda()) return at::rms_norm(x, {x.size(-1)}, weight, eps);
#endif
    (void)weight;
    (void)eps;
    return at::Tensor();
}

void scaleInPlace(at::TensorList tensors, const at::Tensor& factor) {
#if GLR_TORCH_AT_LEAST(2, 1)
    // The multi-tensor kernel takes one dtype per call; the factor in that dtype.
    std::map<at::ScalarType, std::vector<at::Tensor>> byType;
    for (const auto& t : tensors) byType[t.scalar_type()].push_back(t);
    for (auto& [type, list] : byType) at::_foreach_mul_(list, factor.to(type));
#else
    for (const auto& t : tensors) t.mul_(factor);
#endif
}

double profilerEventDurationUs(const torch::autograd::profiler::KinetoEvent& event) { return durationUsOf(event, 0); }

bool prepareComputeThreads(int threads) {
    if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
    if (threads > 0) at::set_num_threads(threads);
    const char* denormals = std::getenv("GRAPHLORA_DENORMALS");
    const bool flush = !(denormals && std::string(denormals) == "keep");
    // FTZ/DAZ are per-thread state: set here, then on each pool thread (one index each; threads
    // the pool creates later inherit it from this one).
    bool ok = at::globalContext().setFlushDenormal(flush);
    at::parallel_for(0, at::get_num_threads(), 1, [flush](std::int64_t, std::int64_t) {
        at::globalContext().setFlushDenormal(flush);
    });
    return ok && flush;
}

bool denormalsFlushed() {
#if defined(__x86_64__) || defined(_M_X64)
    constexpr unsigned kFlushToZero = 0x8000, kDenormalsAreZero = 0x0040;
    const unsigned csr = _mm_getcsr();
    return (csr & kFlushToZero) && (csr & kDenormalsAreZero);
#else
    return false;
#endif
}

}  // namespace glr::compat
