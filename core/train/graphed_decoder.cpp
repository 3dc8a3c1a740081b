#include "train/graphed_decoder.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>

#include <fmt/format.h>

#include "util/error.h"

namespace glr {

std::vector<at::Tensor*> inputSlots(DecoderInputs& in) {
    return {&in.ids, &in.embeds, &in.mask, &in.positions, &in.anchors, &in.signal, &in.coraWeight};
}

std::vector<const at::Tensor*> inputSlots(const DecoderInputs& in) {
    return {&in.ids, &in.embeds, &in.mask, &in.positions, &in.anchors, &in.signal, &in.coraWeight};
}

std::vector<std::int64_t> shapeKey(const DecoderInputs& inputs) {
    std::vector<std::int64_t> key;
    for (const at::Tensor* t : inputSlots(inputs)) {
        if (!t->defined()) {
            key.push_back(-1);
            continue;
        }
        key.push_back(static_cast<std::int64_t>(t->scalar_type()));
        key.push_back(t->requires_grad() ? 1 : 0);
        key.push_back(t->dim());
        for (auto size : t->sizes()) key.push_back(size);
    }
    return key;
}

std::string describeShape(const DecoderInputs& in) {
    const at::Tensor& tokens = in.embeds.defined() ? in.embeds : in.ids;
    std::string s = tokens.defined() ? fmt::format("{} rows x {} tokens", tokens.size(0), tokens.size(1)) : "no tokens";
    if (in.anchors.defined()) s += fmt::format(", {} anchors", in.anchors.size(0));
    return s;
}

DecoderInputs cloneAsBuffers(const DecoderInputs& inputs) {
    DecoderInputs buffers;
    const auto from = inputSlots(inputs);
    const auto to = inputSlots(buffers);
    for (std::size_t i = 0; i < from.size(); ++i) {
        if (!from[i]->defined()) continue;
        *to[i] = from[i]->detach().clone();
        if (from[i]->requires_grad()) to[i]->requires_grad_(true);
    }
    return buffers;
}

void copyIntoBuffers(DecoderInputs& buffers, const DecoderInputs& inputs) {
    at::NoGradGuard noGrad;  // the buffers that require gradients are leaves: filled, not recorded
    const auto from = inputSlots(inputs);
    const auto to = inputSlots(buffers);
    for (std::size_t i = 0; i < from.size(); ++i)
        if (from[i]->defined()) to[i]->copy_(*from[i], /*non_blocking=*/true);
}

double largestDifference(const at::Tensor& a, const at::Tensor& b) {
    return (a.detach().to(at::kDouble) - b.detach().to(at::kDouble)).abs().max().item<double>();
}

double scaleOf(const at::Tensor& t) { return std::max(1.0, t.detach().abs().max().item<double>()); }

std::int64_t bucketedLength(std::int64_t longest, std::int64_t multiple, std::int64_t maxLength) {
    GLR_CHECK(multiple >= 1, "length bucket must be >= 1, got {}", multiple);
    const std::int64_t rounded = (longest + multiple - 1) / multiple * multiple;
    return std::max(longest, std::min(rounded, maxLength));
}

}  // namespace glr
