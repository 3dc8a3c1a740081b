#include "train/optimizer.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <ATen/Dispatch.h>
#include <ATen/core/grad_mode.h>
#include <ATen/Parallel.h>

#include "model/compat.h"
#include "util/error.h"

namespace glr {

AdamOptimizer::AdamOptimizer(std::vector<ParamGroup> groups, double beta1, double beta2, double eps)
    : groups_(std::move(groups)), beta1_(beta1), beta2_(beta2), eps_(eps) {
    for (const auto& g : groups_) {
        GLR_CHECK(g.names.size() == g.params.size(), "optimizer group '{}': names and params differ", g.name);
        std::vector<at::Tensor> m, v;
        for (const auto& p : g.params) {
            m.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous));
            v.push_back(at::zeros_like(p, at::MemoryFormat::Contiguous));
        }
        expAvg_.push_back(std::move(m));
        expAvgSq_.push_back(std::move(v));
    }
}

namespace {

// One parameter's update: its state and the scalars of its group for this step.
struct ParamUpdate {
    at::Tensor param, grad, expAvg, expAvgSq;
    double stepSize = 0;     // −lr / (1 − β1ᵗ)
    double decayFactor = 1;  // AdamW: 1 − lr·wd
    double l2 = 0;           // Adam: g + l2·θ
};

// Whether the one-pass CPU loop can update it: dense CPU float/double, everything one dtype.
bool fusedOnCpu(const ParamUpdate& u) {
    const at::ScalarType t = u.param.scalar_type();
    return u.param.device().is_cpu() && (t == at::kFloat || t == at::kDouble) && u.grad.scalar_type() == t &&
           u.grad.layout() == at::kStrided && u.param.is_contiguous() && u.grad.is_contiguous() &&
           u.expAvg.is_contiguous() && u.expAvgSq.is_contiguous();  // layout first: sparse has no strides
}

// θ, m, v in one pass over memory, in parallel chunks (each element is independent, so the result
// does not depend on the thread count): the _foreach ops' sequence, element by element.
template <typename T>
void fusedAdamCpu(const ParamUpdate& u, double beta1, double beta2, double bias2, double eps) {
    T* p = u.param.data_ptr<T>();
    const T* g = u.grad.data_ptr<T>();
    T* m = u.expAvg.data_ptr<T>();
    T* v = u.expAvgSq.data_ptr<T>();
    const T b1 = T(beta1), b2 = T(beta2), oneMinusB1 = T(1.0 - beta1), oneMinusB2 = T(1.0 - beta2);
    const T decay = T(u.decayFactor), l2 = T(u.l2), step = T(u.stepSize), bias = T(bias2), epsilon = T(eps);
    at::parallel_for(0, u.param.numel(), 16384, [&](std::int64_t begin, std::int64_t end) {
        T* __restrict pp = p;
        const T* __restrict gg = g;
        T* __restrict mm = m;
        T* __restrict vv = v;
        for (std::int64_t i = begin; i < end; ++i) {
            const T grad = gg[i] + l2 * pp[i];  // l2 = 0 for AdamW groups
            const T theta = pp[i] * decay;        // decay = 1 for Adam groups
            const T mi = mm[i] * b1 + oneMinusB1 * grad;
            const T vi = vv[i] * b2 + oneMinusB2 * grad * grad;
            mm[i] = mi;
            vv[i] = vi;
            pp[i] = theta + step * mi / (std::sqrt(vi / bias) + epsilon);
        }
    });
}

// m ← β1 m + (1−β1) g,  v ← β2 v + (1−β2) g², for every tensor of the lists.
void updateMoments(at::TensorList m, at::TensorList v, at::TensorList grads, double beta1, double beta2) {
    at::_foreach_mul_(m, beta1);
    at::_foreach_add_(m, grads, 1.0 - beta1);
    at::_foreach_mul_(v, beta2);
    at::_foreach_addcmul_(v, grads, grads, 1.0 - beta2);
}

}  // namespace

// CPU parameters: one pass over each tensor's memory (fusedAdamCpu). The _foreach ops make about
// nine, which at GraphLoRA's 824k-entry MF table cost more than the model's LoRA update.
// Elsewhere (CUDA), and for the rare tensor the CPU loop does not take: every group in one pass of
// _foreach ops, the per-group learning rates and decay factors as per-tensor scalar lists. On a
// GPU each op is one multi-tensor launch for all parameters (a 7B model's LoRA alone has 128
// tensors; GraphLoRA adds the MF, encoder and P groups), so the step costs the same few launches
// whatever the number of groups. Either way results do not depend on how parameters are grouped.
void AdamOptimizer::step(double lrScale) {
    if (kernel_ == AdamKernel::Capturable) {
        prepareStep(lrScale);
        applyPreparedStep();
        return;
    }
    at::NoGradGuard noGrad;
    ++step_;
    const double bias1 = 1.0 - std::pow(beta1_, double(step_));
    const double bias2 = 1.0 - std::pow(beta2_, double(step_));
    std::vector<ParamUpdate> updates;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        const double lr = g.lr * lrScale;
        for (std::size_t pi = 0; pi < g.params.size(); ++pi) {
            const at::Tensor& grad = g.params[pi].grad();
            if (!grad.defined()) continue;
            ParamUpdate u{g.params[pi], grad, expAvg_[gi][pi], expAvgSq_[gi][pi], -lr / bias1};
            if (g.decoupledWeightDecay) u.decayFactor = 1.0 - lr * g.weightDecay;
            else u.l2 = g.weightDecay;
            updates.push_back(std::move(u));
        }
    }
    std::vector<const ParamUpdate*> rest;
    for (const auto& u : updates) {
        if (kernel_ == AdamKernel::Auto && fusedOnCpu(u)) {
            AT_DISPATCH_FLOATING_TYPES(u.param.scalar_type(), "glr_fused_adam_cpu",
                                       [&] { fusedAdamCpu<scalar_t>(u, beta1_, beta2_, bias2, eps_); });
        } else {
            rest.push_back(&u);
        }
    }
    if (rest.empty()) return;
    std::vector<at::Tensor> params, grads, m, v, decayed;
    std::vector<at::Scalar> stepSizes, decayFactors;
    std::map<double, std::vector<std::size_t>> byL2;  // one _foreach_add per distinct L2 weight
    for (const ParamUpdate* u : rest) {
        if (u->l2 != 0) byL2[u->l2].push_back(params.size());
        params.push_back(u->param);
        grads.push_back(u->grad);
        m.push_back(u->expAvg);
        v.push_back(u->expAvgSq);
        stepSizes.emplace_back(u->stepSize);
        if (u->decayFactor != 1.0) {
            decayed.push_back(u->param);
            decayFactors.emplace_back(u->decayFactor);
        }
    }
    for (const auto& [l2, indices] : byL2) {  // Adam's L2: g + wd·θ
        std::vector<at::Tensor> g, p;
        for (std::size_t i : indices) {
            g.push_back(grads[i]);
            p.push_back(params[i]);
        }
        std::vector<at::Tensor> withL2 = at::_foreach_add(g, p, l2);
        for (std::size_t k = 0; k < indices.size(); ++k) grads[indices[k]] = withL2[k];
    }
    if (!decayed.empty()) at::_foreach_mul_(decayed, decayFactors);  // AdamW: θ ← (1 − lr·wd)·θ
    updateMoments(m, v, grads, beta1_, beta2_);
    std::vector<at::Tensor> denom = at::_foreach_div(v, bias2);
    at::_foreach_sqrt_(denom);
    at::_foreach_add_(denom, eps_);
    at::_foreach_addcdiv_(params, m, denom, stepSizes);
}

void AdamOptimizer::prepareStep(double lrScale) {
    GLR_CHECK(kernel_ == AdamKernel::Capturable, "optimizer: prepareStep needs the capturable kernel");
    at::NoGradGuard noGrad;
    if (stepSizeOnDevice_.empty())
        for (const auto& g : groups_) {
            const auto options = at::TensorOptions().dtype(at::kDouble).device(
                g.params.empty() ? at::Device(at::kCPU) : g.params.front().device());
            stepSizeOnDevice_.push_back(at::zeros({}, options));
            decayOnDevice_.push_back(at::ones({}, options));
            invSqrtBias2OnDevice_.push_back(at::ones({}, options));
        }
    ++step_;
    const double bias1 = 1.0 - std::pow(beta1_, double(step_));
    const double bias2 = 1.0 - std::pow(beta2_, double(step_));
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        const double lr = g.lr * lrScale;
        stepSizeOnDevice_[gi].fill_(-lr / bias1);
        decayOnDevice_[gi].fill_(g.decoupledWeightDecay ? 1.0 - lr * g.weightDecay : 1.0);
        invSqrtBias2OnDevice_[gi].fill_(1.0 / std::sqrt(bias2));
    }
}

// The Foreach sequence with the scalars that change from step to step taken from device tensors
// (compat::scaleInPlace): √v/√(1−β2ᵗ) for √(v/(1−β2ᵗ)), and m/denom scaled for addcdiv's value.
// Group by group: this path runs inside a captured graph, where the launch count is paid once.
void AdamOptimizer::applyPreparedStep() {
    GLR_CHECK(!stepSizeOnDevice_.empty(), "optimizer: applyPreparedStep before prepareStep");
    at::NoGradGuard noGrad;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        std::vector<at::Tensor> params, grads, m, v;
        for (std::size_t pi = 0; pi < g.params.size(); ++pi) {
            const at::Tensor& grad = g.params[pi].grad();
            if (!grad.defined()) continue;
            params.push_back(g.params[pi]);
            grads.push_back(grad);
            m.push_back(expAvg_[gi][pi]);
            v.push_back(expAvgSq_[gi][pi]);
        }
        if (params.empty()) continue;
        if (!g.decoupledWeightDecay && g.weightDecay != 0)  // Adam's L2: g + wd·θ
            grads = at::_foreach_add(grads, params, g.weightDecay);
        if (g.decoupledWeightDecay && g.weightDecay != 0)  // AdamW: θ ← (1 − lr·wd)·θ
            compat::scaleInPlace(params, decayOnDevice_[gi]);
        updateMoments(m, v, grads, beta1_, beta2_);
        std::vector<at::Tensor> denom = at::_foreach_sqrt(v);
        compat::scaleInPlace(denom, invSqrtBias2OnDevice_[gi]);
        at::_foreach_add_(denom, eps_);
        std::vector<at::Tensor> update = at::_foreach_div(m, denom);
        compat::scaleInPlace(update, stepSizeOnDevice_[gi]);
        at::_foreach_add_(params, update);
    }
}

void AdamOptimizer::zeroGrad() {
    for (auto& g : groups_)
        for (auto& p : g.params)
            if (p.grad().defined()) p.mutable_grad() = at::Tensor();
}

std::map<std::string, at::Tensor> AdamOptimizer::state() const {
    std::map<std::string, at::Tensor> out;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi)
        for (std::size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
            const std::string key = groups_[gi].name + "." + groups_[gi].names[pi];
            out[key + ".exp_avg"] = expAvg_[gi][pi];
            out[key + ".exp_avg_sq"] = expAvgSq_[gi][pi];
        }
    out["__step"] = at::full({1}, step_, at::kLong);
    return out;
}

void AdamOptimizer::loadState(const std::map<std::string, at::Tensor>& state) {
    at::NoGradGuard noGrad;
    auto it = state.find("__step");
    GLR_CHECK(it != state.end() && it->second.numel() == 1, "optimizer state: missing '__step'");
    step_ = it->second.item<std::int64_t>();
    for (std::size_t gi = 0; gi < groups_.size(); ++gi)
        for (std::size_t pi = 0; pi < groups_[gi].params.size(); ++pi) {
            const std::string key = groups_[gi].name + "." + groups_[gi].names[pi];
            for (auto [suffix, target] : {std::pair<const char*, at::Tensor*>{".exp_avg", &expAvg_[gi][pi]},
                                          {".exp_avg_sq", &expAvgSq_[gi][pi]}}) {
                auto s = state.find(key + suffix);
                GLR_CHECK(s != state.end(), "optimizer state: missing '{}{}'", key, suffix);
                GLR_CHECK(s->second.sizes() == target->sizes(),
                          "optimizer state: '{}{}' has shape {} but the parameter has {}", key, suffix,
                          c10::str(s->second.sizes()), c10::str(target->sizes()));
                target->copy_(s->second);
            }
        }
}

std::int64_t AdamOptimizer::parameterCount() const {
    std::int64_t n = 0;
    for (const auto& g : groups_)
        for (const auto& p : g.params) n += p.numel();
    return n;
}

at::Tensor clipGradNorm(const std::vector<ParamGroup>& groups, double maxNorm) {
    GLR_CHECK(maxNorm > 0 && std::isfinite(maxNorm), "gradient clipping: the maximum norm must be positive, got {}", maxNorm);
    at::NoGradGuard noGrad;
    std::vector<at::Tensor> grads;
    for (const auto& g : groups)
        for (const auto& p : g.params)
            if (p.grad().defined()) grads.push_back(p.grad());
    if (grads.empty()) return at::Tensor();
    // ‖g‖ = sqrt(Σ ‖g_i‖²), the per-tensor norms combined in fp64.
    std::vector<at::Tensor> norms = at::_foreach_norm(grads);
    const at::ScalarType first = norms.front().scalar_type();
    if (std::any_of(norms.begin(), norms.end(), [first](const at::Tensor& n) { return n.scalar_type() != first; }))
        for (auto& n : norms) n = n.to(at::kDouble);  // stack takes one dtype
    const at::Tensor total = at::stack(norms).to(at::kDouble).square().sum().sqrt();
    const at::Tensor factor = (maxNorm / (total + 1e-6)).clamp_max(1.0);
    compat::scaleInPlace(grads, factor);
    return total;
}

double learningRateScale(const std::string& schedule, std::int64_t step, std::int64_t warmupSteps,
                         std::int64_t totalSteps) {
    if (warmupSteps > 0 && step < warmupSteps) return double(step + 1) / double(warmupSteps);
    if (schedule == "constant" || totalSteps <= warmupSteps) return 1.0;
    const double progress =
        std::min(1.0, double(step - warmupSteps) / double(std::max<std::int64_t>(1, totalSteps - warmupSteps)));
    if (schedule == "linear") return 1.0 - progress;
    return 0.5 * (1.0 + std::cos(M_PI * progress));  // cosine
}

}  // namespace glr
