// Blocked CPU attention (see cpu_attention.h): the autograd function around the row kernels of
// cpu_attention_kernels.h, one (batch, KV head) task per parallel work item; the G query heads of
// a KV group are stacked as G·T rows of one task.
#include "model/cpu_attention.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "model/cpu_attention_kernels.h"

namespace glr {

namespace {

// The (batch, KV head) task `task` of a [B,Hkv,·,·] problem, as the row kernels see it.
template <typename T>
attention_kernels::Task<T> taskOf(const at::Tensor& qs, const at::Tensor& k, const at::Tensor& v, const at::Tensor& mask,
                                  bool isCausal, std::int64_t group, std::int64_t task) {
    const std::int64_t kvHeads = qs.size(1), rows = qs.size(2), keys = k.size(2), dim = qs.size(3);
    const std::int64_t tokens = rows / group, b = task / kvHeads;
    attention_kernels::Task<T> t;
    t.q = qs.data_ptr<T>() + task * rows * dim;
    t.k = k.data_ptr<T>() + task * keys * dim;
    t.v = v.data_ptr<T>() + task * keys * dim;
    if (mask.defined() && mask.numel() > 0) t.mask = mask.data_ptr<T>() + (mask.size(0) == 1 ? 0 : b) * tokens * keys;
    t.rows = rows;
    t.tokens = tokens;
    t.keys = keys;
    t.dim = dim;
    t.causal = isCausal;
    return t;
}

class BlockedAttention : public torch::autograd::Function<BlockedAttention> {
public:
    // qs: queries already scaled, [B,Hkv,G·T,D] contiguous; k, v: [B,Hkv,S,D] contiguous; mask
    // [1|B,1,T,S] contiguous or empty; float or double.
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qs, const at::Tensor& k,
                              const at::Tensor& v, const at::Tensor& mask, bool isCausal, std::int64_t group) {
        at::Tensor out = at::empty_like(qs);
        at::Tensor lse = at::empty({qs.size(0), qs.size(1), qs.size(2)}, qs.options());
        AT_DISPATCH_FLOATING_TYPES(qs.scalar_type(), "glr_blocked_attention", [&] {
            const std::int64_t rows = qs.size(2), dim = qs.size(3);
            at::parallel_for(0, qs.size(0) * qs.size(1), 1, [&](std::int64_t begin, std::int64_t end) {
                for (std::int64_t task = begin; task < end; ++task)
                    attention_kernels::forward(taskOf<scalar_t>(qs, k, v, mask, isCausal, group, task),
                                               out.data_ptr<scalar_t>() + task * rows * dim,
                                               lse.data_ptr<scalar_t>() + task * rows);
            });
        });
        ctx->save_for_backward({qs, k, v, out, lse});
        ctx->saved_data["mask"] = mask;
        ctx->saved_data["causal"] = isCausal;
        ctx->saved_data["group"] = group;
        return out;
    }

    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                   torch::autograd::variable_list grads) {
        auto saved = ctx->get_saved_variables();
        const at::Tensor &qs = saved[0], &k = saved[1], &v = saved[2], &out = saved[3], &lse = saved[4];
        const at::Tensor mask = ctx->saved_data["mask"].toTensor();
        const bool isCausal = ctx->saved_data["causal"].toBool();
        const std::int64_t group = ctx->saved_data["group"].toInt();
        at::Tensor dOut = grads[0].contiguous();
        at::Tensor dq = at::empty_like(qs), dk = at::empty_like(k), dv = at::empty_like(v);
        at::Tensor delta = (dOut * out).sum(-1).contiguous();  // [B,Hkv,G·T]
        AT_DISPATCH_FLOATING_TYPES(qs.scalar_type(), "glr_blocked_attention_backward", [&] {
            const std::int64_t rows = qs.size(2), dim = qs.size(3), keys = k.size(2);
            at::parallel_for(0, qs.size(0) * qs.size(1), 1, [&](std::int64_t begin, std::int64_t end) {
                for (std::int64_t task = begin; task < end; ++task)
                    attention_kernels::backward(taskOf<scalar_t>(qs, k, v, mask, isCausal, group, task),
                                                dOut.data_ptr<scalar_t>() + task * rows * dim,
                                                lse.data_ptr<scalar_t>() + task * rows,
                                                delta.data_ptr<scalar_t>() + task * rows,
                                                dq.data_ptr<scalar_t>() + task * rows * dim,
                                                dk.data_ptr<scalar_t>() + task * keys * dim,
                                                dv.data_ptr<scalar_t>() + task * keys * dim);
            });
        });
        return {dq, dk, dv, at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor blockedCpuAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& additiveMask, bool isCausal) {
    // The row kernels run in float or double; other precisions are computed in float.
    if (q.scalar_type() != at::kFloat && q.scalar_type() != at::kDouble) {
        const at::Tensor mask = additiveMask.defined() ? additiveMask.to(at::kFloat) : additiveMask;
        return blockedCpuAttention(q.to(at::kFloat), k.to(at::kFloat), v.to(at::kFloat), mask, isCausal)
            .to(q.scalar_type());
    }
    const std::int64_t batch = q.size(0), heads = q.size(1), kvHeads = k.size(1), tokens = q.size(2), dim = q.size(3);
    const std::int64_t group = heads / kvHeads;
    const double scale = 1.0 / std::sqrt(static_cast<double>(dim));
    // Query heads of one KV group stacked along the rows: [B,Hkv,G·T,D]. The scale is applied
    // here, outside the custom function, so autograd carries it to q. Causality is the kernels'
    // key limit, not a mask: keys past it are skipped rather than added as −1e9 and exponentiated.
    at::Tensor qs = (q * scale).reshape({batch, kvHeads, group * tokens, dim}).contiguous();
    at::Tensor mask = additiveMask.defined() ? additiveMask.to(q.scalar_type()).contiguous() : at::empty({0}, q.options());
    at::Tensor out = BlockedAttention::apply(qs, k.contiguous(), v.contiguous(), mask, isCausal, group);
    return out.view({batch, heads, tokens, dim});
}

}  // namespace glr
