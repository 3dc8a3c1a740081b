#include "bench/bench_sgemm.h"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "bench/bench_common.h"
#include "bench/bench_device.h"
#include "model/llama_config.h"
#include "model/loader.h"
#include "util/error.h"

namespace glr::bench {

namespace {

// Times `work` (synchronised): returns the per-repeat milliseconds.
template <typename Work>
std::vector<double> timeRepeats(const at::Device& device, int warmup, int repeats, Work work) {
    for (int w = 0; w < warmup; ++w) work();
    synchronize(device);
    std::vector<double> ms;
    for (int r = 0; r < repeats; ++r) {
        const double start = nowSeconds();
        work();
        synchronize(device);
        ms.push_back(1e3 * (nowSeconds() - start));
    }
    return ms;
}

void checkCounts(int warmup, int repeats) {
    if (warmup < 0 || repeats <= 0) failInput("sgemm: --warmup must be >= 0 and --repeats > 0");
}

}  // namespace

double measureMatmulPeakFlops(std::int64_t size, int warmup, int repeats, const std::string& deviceName,
                              const std::string& dtypeName, double* medianFlops) {
    if (size <= 0 || size > 32768) failInput("sgemm: peak size {} must be in 1..32768", size);
    checkCounts(warmup, repeats);
    const at::Device device = parseDevice(deviceName);
    const auto options = at::TensorOptions().device(device).dtype(parseModelDType(dtypeName, device, "sgemm dtype"));
    torch::NoGradGuard noGrad;
    at::Tensor a = at::randn({size, size}, options), b = at::randn({size, size}, options);
    at::Tensor c = at::empty({size, size}, options);
    const auto stats = summarize(timeRepeats(device, warmup, repeats, [&] { at::mm_out(c, a, b); }));
    const double flops = 2.0 * double(size) * double(size) * double(size);
    if (medianFlops) *medianFlops = flops / (stats.medianMs * 1e-3);
    return flops / (stats.minMs * 1e-3);
}

SgemmResult benchSgemm(const SgemmOptions& o) {
    if (o.rows <= 0 || o.rows > (1 << 20)) failInput("sgemm: --rows {} must be in 1..1048576", o.rows);
    checkCounts(o.warmup, o.repeats);
    const LlamaConfig config = LlamaConfig::named(o.shape);
    const at::Device device = parseDevice(o.device);
    const auto options = at::TensorOptions().device(device).dtype(parseModelDType(o.dtype, device, "sgemm dtype"));

    SgemmResult result;
    result.shape = o.shape;
    result.device = device.str();
    result.dtype = c10::toString(options.dtype().toScalarType());
    result.peakSize = o.peakSize;
    result.threads = at::get_num_threads();
    result.peakGflops = 1e-9 * measureMatmulPeakFlops(o.peakSize, o.warmup, o.repeats, o.device, o.dtype,
                                                      &result.peakMedianGflops);
    result.peakMedianGflops *= 1e-9;

    const std::int64_t h = config.hiddenSize, kv = config.kvDim(), q = config.qDim(), inter = config.intermediateSize;
    struct Shape {
        const char* name;
        std::int64_t in, out;
    };
    const std::vector<Shape> shapes = {
        {"q_proj / o_proj", h, q},    {"k_proj / v_proj", h, kv},         {"qkv (fused, as run)", h, q + 2 * kv},
        {"gate_proj / up_proj", h, inter}, {"gate+up (fused, as run)", h, 2 * inter}, {"down_proj", inter, h},
    };
    torch::NoGradGuard noGrad;
    for (const auto& s : shapes) {
        at::Tensor x = at::randn({o.rows, s.in}, options), w = at::randn({s.out, s.in}, options);
        const auto stats = summarize(timeRepeats(device, o.warmup, o.repeats, [&] { (void)at::linear(x, w); }));
        SgemmCase c;
        c.name = s.name;
        c.m = o.rows;
        c.k = s.in;
        c.n = s.out;
        c.bestMs = stats.minMs;
        c.medianMs = stats.medianMs;
        c.gflops = 2e-9 * double(c.m) * double(c.k) * double(c.n) / (c.bestMs * 1e-3);
        c.fractionOfPeak = result.peakGflops > 0 ? c.gflops / result.peakGflops : 0;
        result.cases.push_back(c);
    }
    return result;
}

std::string toJson(const SgemmResult& r) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : r.cases)
        cases.push_back({{"name", c.name}, {"m", c.m}, {"k", c.k}, {"n", c.n}, {"best_ms", c.bestMs},
                         {"median_ms", c.medianMs}, {"gflops", c.gflops}, {"fraction_of_peak", c.fractionOfPeak}});
    const MachineInfo m = machineInfo();
    nlohmann::json j = {{"benchmark", "sgemm"},
                        {"shape", r.shape},
                        {"device", r.device},
                        {"dtype", r.dtype},
                        {"threads", r.threads},
                        {"peak_size", r.peakSize},
                        {"peak_gflops", r.peakGflops},
                        {"peak_median_gflops", r.peakMedianGflops},
                        {"cases", cases},
                        {"machine", machineJson(m)}};
    return j.dump();
}

}  // namespace glr::bench
