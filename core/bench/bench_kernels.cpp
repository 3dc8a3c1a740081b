#include "bench/bench_kernels.h"

#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "bench/bench_common.h"
#include "bench/bench_device.h"
#include "model/fused_ops.h"
#include "model/llama_config.h"
#include "model/loader.h"
#include "util/error.h"

namespace glr::bench {

namespace {

double relativeError(const at::Tensor& got, const at::Tensor& want) {
    const double scale = want.abs().max().item<double>();
    return (got.to(at::kFloat) - want.to(at::kFloat)).abs().max().item<double>() / (scale > 0 ? scale : 1.0);
}

// f(input) forward, then the input gradient for `upstream`; returns {output, gradient}.
using Op = std::function<at::Tensor(const at::Tensor&)>;
std::pair<at::Tensor, at::Tensor> forwardBackward(const Op& op, const at::Tensor& input, const at::Tensor& upstream) {
    at::Tensor out = op(input);
    at::Tensor grad = torch::autograd::grad({out}, {input}, {upstream})[0];
    return {out, grad};
}

KernelCase compare(const std::string& name, const Op& fused, const Op& composed, const at::Tensor& input,
                   const at::Tensor& upstream, const KernelBenchOptions& o) {
    const at::Device device = input.device();
    KernelCase c;
    c.name = name;
    auto [fusedOut, fusedGrad] = forwardBackward(fused, input, upstream);
    auto [composedOut, composedGrad] = forwardBackward(composed, input, upstream);
    c.elements = composedOut.numel();
    c.outputRelativeError = relativeError(fusedOut, composedOut);
    c.gradientRelativeError = relativeError(fusedGrad, composedGrad);
    auto time = [&](const Op& op) {
        std::vector<double> samples;
        for (int i = 0; i < o.warmup + o.repeats; ++i) {
            synchronize(device);
            const double start = nowSeconds();
            forwardBackward(op, input, upstream);
            synchronize(device);
            if (i >= o.warmup) samples.push_back((nowSeconds() - start) * 1e3);
        }
        return summarize(samples).medianMs;
    };
    // Alternate so that drift in clocks or other tenants hits both sides alike.
    std::vector<double> fusedTimes, composedTimes;
    for (int round = 0; round < 3; ++round) {
        fusedTimes.push_back(time(fused));
        composedTimes.push_back(time(composed));
    }
    c.fusedMs = summarize(fusedTimes).medianMs;
    c.composedMs = summarize(composedTimes).medianMs;
    c.speedup = c.fusedMs > 0 ? c.composedMs / c.fusedMs : 0;
    return c;
}

}  // namespace

KernelBenchResult benchKernels(const KernelBenchOptions& o) {
    if (!fusedKernelsBuilt())
        failInput("bench kernels: this build has no fused kernels (they need a CUDA LibTorch and nvcc: "
                  "cmake -DGRAPHLORA_CUDA=ON, docs/benchmarks.md)");
    const at::Device device = parseDevice(o.device);
    if (!device.is_cuda()) failInput("bench kernels: --device must be a CUDA device, got '{}'", o.device);
    if (o.batch <= 0 || o.seqLen <= 0 || o.repeats <= 0 || o.warmup < 0)
        failInput("bench kernels: batch, seq-len and repeats must be positive");
    setFusedKernelsEnabled(true);
    const LlamaConfig config = LlamaConfig::named(o.shape);
    const auto options = at::TensorOptions().dtype(parseModelDType(o.dtype, device)).device(device);
    at::manual_seed(o.seed);
    const std::int64_t B = o.batch, T = o.seqLen, D = config.headDim, F = config.intermediateSize;

    KernelBenchResult r;
    r.shape = o.shape;
    r.device = device.str();
    r.dtype = o.dtype;
    r.batch = B;
    r.seqLen = T;

    {   // q of a fused q/k/v projection; any angles time and check the same as the model's
        const std::int64_t qDim = config.qDim(), width = qDim + 2 * config.kvDim();
        at::Tensor qkv = at::randn({B, T, width}, options).requires_grad_();
        const at::Tensor angles = at::rand({B, T, 1, D}, options) * (2 * M_PI);
        const at::Tensor cos = angles.cos(), sin = angles.sin();
        auto q = [&](const at::Tensor& input) { return input.narrow(-1, 0, qDim).view({B, T, config.numHeads, D}); };
        const at::Tensor upstream = at::randn({B, T, config.numHeads, D}, options);
        r.cases.push_back(compare(
            "rotary (q of fused qkv)", [&](const at::Tensor& x) { return fusedRotary(q(x), cos, sin); },
            [&](const at::Tensor& x) { return composedRotary(q(x), cos, sin); }, qkv, upstream, o));
    }
    {
        at::Tensor gateUp = at::randn({B, T, 2 * F}, options).requires_grad_();
        const at::Tensor upstream = at::randn({B, T, F}, options);
        r.cases.push_back(compare(
            "swiglu (fused gate/up)", [](const at::Tensor& x) { return fusedSwiglu(x); },
            [&](const at::Tensor& x) {
                auto parts = x.split(F, -1);
                return composedSwiglu(parts[0], parts[1]);
            },
            gateUp, upstream, o));
    }
    return r;
}

std::string toJson(const KernelBenchResult& r) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : r.cases)
        cases.push_back({{"name", c.name}, {"elements", c.elements}, {"fused_ms", c.fusedMs},
                         {"composed_ms", c.composedMs}, {"speedup", c.speedup},
                         {"output_relative_error", c.outputRelativeError},
                         {"gradient_relative_error", c.gradientRelativeError}});
    return nlohmann::json{{"benchmark", "kernels"}, {"shape", r.shape},  {"device", r.device}, {"dtype", r.dtype},
                          {"batch", r.batch},       {"seq_len", r.seqLen}, {"cases", cases}}
        .dump();
}

}  // namespace glr::bench
