// Blocked CPU attention (see cpu_attention.h). Per (batch, KV head) task, the G query heads of
// the group are stacked as G·T rows; each block of rows r:
//   forward:  S = (q·scale) kᵀ + mask;  m = max S;  P = exp(S − m);  l = Σ P;  o = P v / l;  lse = m + log l
//   backward: P = exp(S − lse);  dv += Pᵀ do;  dS = P ⊙ (do vᵀ − rowsum(do ⊙ o));
//             d(q·scale) = dS k;  dk += dSᵀ (q·scale)
#include "model/cpu_attention.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>

namespace glr {

namespace {

constexpr std::int64_t kRowBlock = 128;  // a [128, S] fp32 tile stays in L2 for S in the thousands

struct Shapes {
    std::int64_t batch, heads, kvHeads, group, tokens, keys, dim;
};

Shapes shapesOf(const at::Tensor& q, const at::Tensor& k) {
    Shapes s{q.size(0), q.size(1), k.size(1), q.size(1) / k.size(1), q.size(2), k.size(2), q.size(3)};
    return s;
}

// The additive mask rows for batch b as a [T,S] tile (or undefined; "no mask" travels through
// the autograd function as an empty tensor, which 1.13 requires of tensor arguments).
at::Tensor maskFor(const at::Tensor& mask, std::int64_t b) {
    if (!mask.defined() || mask.numel() == 0) return {};
    return mask.select(0, mask.size(0) == 1 ? 0 : b).select(0, 0);
}

// Keys a block of query rows [t0, t0+n) can see under causality: [0, limit).
std::int64_t keyLimit(bool isCausal, std::int64_t t0, std::int64_t n, const Shapes& s) {
    if (!isCausal) return s.keys;
    return std::clamp<std::int64_t>(t0 + n + (s.keys - s.tokens), 1, s.keys);
}

// Scores of one block: scaled queries [n,D] against keys [0,limit) plus the mask tile (which
// holds causality too when isCausal: blockedCpuAttention builds one when none is given).
at::Tensor scoreTile(const at::Tensor& qBlock, const at::Tensor& keys, const at::Tensor& maskTile, std::int64_t t0,
                     std::int64_t n, std::int64_t limit) {
    at::Tensor scores = at::mm(qBlock, keys.narrow(0, 0, limit).t());  // [n, limit]
    if (maskTile.defined()) scores.add_(maskTile.narrow(0, t0, n).narrow(1, 0, limit));
    return scores;
}

class BlockedAttention : public torch::autograd::Function<BlockedAttention> {
public:
    // qs: queries already scaled, [B,Hkv,G·T,D] contiguous; k, v: [B,Hkv,S,D] contiguous.
    static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& qs, const at::Tensor& k,
                              const at::Tensor& v, const at::Tensor& mask, bool isCausal, std::int64_t group) {
        Shapes s{qs.size(0), qs.size(1) * group, qs.size(1), group, qs.size(2) / group, k.size(2), qs.size(3)};
        at::Tensor out = at::empty_like(qs);
        at::Tensor lse = at::empty({s.batch, s.kvHeads, s.group * s.tokens}, qs.options());
        at::parallel_for(0, s.batch * s.kvHeads, 1, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t task = begin; task < end; ++task) {
                const std::int64_t b = task / s.kvHeads, h = task % s.kvHeads;
                at::Tensor q = qs[b][h], keys = k[b][h], values = v[b][h], o = out[b][h], l = lse[b][h];
                at::Tensor maskTile = maskFor(mask, b);
                for (std::int64_t g = 0; g < s.group; ++g) {
                    for (std::int64_t t0 = 0; t0 < s.tokens; t0 += kRowBlock) {
                        const std::int64_t n = std::min(kRowBlock, s.tokens - t0), row = g * s.tokens + t0;
                        const std::int64_t limit = keyLimit(isCausal, t0, n, s);
                        at::Tensor scores = scoreTile(q.narrow(0, row, n), keys, maskTile, t0, n, limit);
                        at::Tensor rowMax = at::amax(scores, 1, /*keepdim=*/true);
                        scores.sub_(rowMax).exp_();
                        at::Tensor rowSum = scores.sum(1, /*keepdim=*/true);
                        at::Tensor ob = o.narrow(0, row, n);
                        at::mm_out(ob, scores, values.narrow(0, 0, limit));
                        ob.div_(rowSum);
                        l.narrow(0, row, n).copy_(rowSum.log_().add_(rowMax).squeeze(1));
                    }
                }
            }
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
        Shapes s{qs.size(0), qs.size(1) * group, qs.size(1), group, qs.size(2) / group, k.size(2), qs.size(3)};
        at::Tensor dOut = grads[0].contiguous();
        at::Tensor dq = at::empty_like(qs), dk = at::zeros_like(k), dv = at::zeros_like(v);
        at::Tensor delta = (dOut * out).sum(-1);  // [B,Hkv,G·T]
        at::parallel_for(0, s.batch * s.kvHeads, 1, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t task = begin; task < end; ++task) {
                const std::int64_t b = task / s.kvHeads, h = task % s.kvHeads;
                at::Tensor q = qs[b][h], keys = k[b][h], values = v[b][h], l = lse[b][h], d = delta[b][h];
                at::Tensor go = dOut[b][h], gq = dq[b][h], gk = dk[b][h], gv = dv[b][h];
                at::Tensor maskTile = maskFor(mask, b);
                for (std::int64_t g = 0; g < s.group; ++g) {
                    for (std::int64_t t0 = 0; t0 < s.tokens; t0 += kRowBlock) {
                        const std::int64_t n = std::min(kRowBlock, s.tokens - t0), row = g * s.tokens + t0;
                        const std::int64_t limit = keyLimit(isCausal, t0, n, s);
                        at::Tensor qb = q.narrow(0, row, n), gob = go.narrow(0, row, n);
                        at::Tensor p = scoreTile(qb, keys, maskTile, t0, n, limit);
                        p.sub_(l.narrow(0, row, n).unsqueeze(1)).exp_();
                        at::Tensor gvVisible = gv.narrow(0, 0, limit), gkVisible = gk.narrow(0, 0, limit);
                        gvVisible.addmm_(p.t(), gob);
                        at::Tensor ds = at::mm(gob, values.narrow(0, 0, limit).t());
                        ds.sub_(d.narrow(0, row, n).unsqueeze(1)).mul_(p);
                        at::Tensor gqb = gq.narrow(0, row, n);
                        at::mm_out(gqb, ds, keys.narrow(0, 0, limit));
                        gkVisible.addmm_(ds.t(), qb);
                    }
                }
            }
        });
        return {dq, dk, dv, at::Tensor(), at::Tensor(), at::Tensor()};
    }
};

}  // namespace

at::Tensor blockedCpuAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               const at::Tensor& additiveMask, bool isCausal) {
    const Shapes s = shapesOf(q, k);
    const double scale = 1.0 / std::sqrt(static_cast<double>(s.dim));
    // Query heads of one KV group stacked along the rows: [B,Hkv,G·T,D]. The scale is applied
    // here, outside the custom function, so autograd carries it to q.
    at::Tensor qs = (q * scale).reshape({s.batch, s.kvHeads, s.group * s.tokens, s.dim}).contiguous();
    at::Tensor mask;
    if (additiveMask.defined()) {
        mask = additiveMask.to(q.scalar_type()).contiguous();
    } else if (isCausal) {  // one causal tile for every block, bottom-right aligned
        at::Tensor future = at::ones({s.tokens, s.keys}, q.options().dtype(at::kBool)).triu_(s.keys - s.tokens + 1);
        mask = at::zeros({1, 1, s.tokens, s.keys}, q.options()).masked_fill_(future.view({1, 1, s.tokens, s.keys}), -1e9);
    } else {
        mask = at::empty({0}, q.options());
    }
    at::Tensor out = BlockedAttention::apply(qs, k.contiguous(), v.contiguous(), mask, isCausal, s.group);
    return out.view({s.batch, s.heads, s.tokens, s.dim});
}

}  // namespace glr
