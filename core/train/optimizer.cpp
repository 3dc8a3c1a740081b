#include "train/optimizer.h"

#include <cmath>

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

// Every group in one pass of _foreach ops, the per-group learning rates and decay factors as
// per-tensor scalar lists: on a GPU each op is one multi-tensor launch for all parameters (a 7B
// model's LoRA alone has 128 tensors; GraphLoRA adds the MF, encoder and P groups), so the step
// costs the same few launches whatever the number of groups. On the CPU the same per-tensor
// operations run in the same order, so results do not depend on how parameters are grouped.
void AdamOptimizer::step(double lrScale) {
    at::NoGradGuard noGrad;
    ++step_;
    const double bias1 = 1.0 - std::pow(beta1_, double(step_));
    const double bias2 = 1.0 - std::pow(beta2_, double(step_));
    std::vector<at::Tensor> params, grads, m, v, decayed;
    std::vector<at::Scalar> stepSizes, decayFactors;
    for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const auto& g = groups_[gi];
        const double lr = g.lr * lrScale;
        std::vector<at::Tensor> groupParams, groupGrads;
        for (std::size_t pi = 0; pi < g.params.size(); ++pi) {
            const at::Tensor& grad = g.params[pi].grad();
            if (!grad.defined()) continue;
            groupParams.push_back(g.params[pi]);
            groupGrads.push_back(grad);
            m.push_back(expAvg_[gi][pi]);
            v.push_back(expAvgSq_[gi][pi]);
            stepSizes.emplace_back(-lr / bias1);
        }
        if (groupParams.empty()) continue;
        if (g.decoupledWeightDecay && g.weightDecay != 0) {
            decayed.insert(decayed.end(), groupParams.begin(), groupParams.end());
            decayFactors.insert(decayFactors.end(), groupParams.size(), at::Scalar(1.0 - lr * g.weightDecay));
        } else if (g.weightDecay != 0) {
            groupGrads = at::_foreach_add(groupGrads, groupParams, g.weightDecay);  // Adam's L2: g + wd·θ
        }
        params.insert(params.end(), groupParams.begin(), groupParams.end());
        grads.insert(grads.end(), groupGrads.begin(), groupGrads.end());
    }
    if (params.empty()) return;
    if (!decayed.empty()) at::_foreach_mul_(decayed, decayFactors);  // AdamW: θ ← (1 − lr·wd)·θ
    at::_foreach_mul_(m, beta1_);
    at::_foreach_add_(m, grads, 1.0 - beta1_);
    at::_foreach_mul_(v, beta2_);
    at::_foreach_addcmul_(v, grads, grads, 1.0 - beta2_);
    std::vector<at::Tensor> denom = at::_foreach_div(v, bias2);
    at::_foreach_sqrt_(denom);
    at::_foreach_add_(denom, eps_);
    at::_foreach_addcdiv_(params, m, denom, stepSizes);
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
