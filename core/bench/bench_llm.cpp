// Timing loops of bench train / score / overhead over LlmStepRig (see bench_llm.h).
#include "bench/bench_llm.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "bench/bench_device.h"
#include "bench/bench_sgemm.h"
#include "bench/llm_step_rig.h"
#include "model/fused_ops.h"
#include "model/loader.h"
#include "train/cuda_graph.h"
#include "util/error.h"

namespace glr::bench {

using detail::BenchMethod;
using detail::LlmStepRig;

namespace {

constexpr int kPeakWarmup = 1, kPeakRepeats = 3;
constexpr int kPipelinedRounds = 3;  // bench overhead: alternating blocks of pipelined training steps

// Host time to issue the forward, and for training the whole step (on CUDA each returns before
// the device is done): when it is far below the device's step time, the GPU never waits for the
// host, and CUDA graphs have nothing to win; when the graph path's issue time approaches it, the
// GPU waits for GraphLoRA's host work.
struct HostTimes {
    double forwardMs = 0;
    double stepMs = 0;  // training only
};

at::Tensor issueForward(LlmStepRig& rig, bool training, HostTimes* host) {
    const double start = nowSeconds();
    at::Tensor scores = rig.forward(training);
    if (host) host->forwardMs = 1e3 * (nowSeconds() - start);
    return scores;
}

// One optimiser step as the trainer takes it (trainer.cpp), queued: forward, loss, backward,
// clipping, `update` (the optimiser) and zeroing; the loss tensor is returned unread. With an
// observer, the forward and loss+backward phases are announced as they end.
template <typename Update>
at::Tensor queueTrainStep(LlmStepRig& rig, Update&& update, HostTimes* host = nullptr, PhaseObserver* phases = nullptr) {
    const double start = nowSeconds();
    at::Tensor scores = issueForward(rig, /*training=*/true, host);
    if (phases) phases->endPhase("forward");
    at::Tensor loss = at::binary_cross_entropy_with_logits(scores.to(at::kFloat), rig.labels());
    loss.backward();
    if (phases) phases->endPhase("loss+backward");
    if (rig.maxGradNorm() > 0) clipGradNorm(rig.optimizer().groups(), rig.maxGradNorm());
    update();
    rig.optimizer().zeroGrad();
    if (host) host->stepMs = 1e3 * (nowSeconds() - start);
    return loss.detach();
}

// A queued step's loss on the host (a non-finite one ends the benchmark, as it ends a run).
double readLoss(const at::Tensor& loss, LlmStepRig& rig) {
    const double value = loss.item<double>();
    if (!std::isfinite(value))
        fail("bench: training loss is {} ({} on {})", value, detail::methodName(rig.method()), rig.model().config().source);
    return value;
}

// queueTrainStep with the optimiser's step, then the loss read (the trainer's NaN check). The
// trainer reads it only once the next step is queued; timed steps are device-synchronised either
// way, so a bench step costs the same.
double trainStep(LlmStepRig& rig, HostTimes* host = nullptr, PhaseObserver* phases = nullptr) {
    const at::Tensor loss = queueTrainStep(rig, [&rig] { rig.optimizer().step(1.0); }, host, phases);
    const double value = readLoss(loss, rig);
    if (phases) phases->endPhase("optimizer");
    return value;
}

// `steps` training steps back to back, as the trainer takes them (trainer.cpp): each loss is read
// once the next step is queued. Milliseconds per step, the device synchronised around the block.
double pipelinedStepMs(LlmStepRig& rig, int steps) {
    const at::Device device = rig.model().device();
    synchronize(device);
    const double start = nowSeconds();
    at::Tensor unread;
    for (int s = 0; s < steps; ++s) {
        at::Tensor loss = queueTrainStep(rig, [&rig] { rig.optimizer().step(1.0); });
        if (unread.defined()) readLoss(unread, rig);
        unread = loss;
    }
    readLoss(unread, rig);
    synchronize(device);
    return 1e3 * (nowSeconds() - start) / steps;
}

// Eval-mode scores copied to the host as the evaluator keeps them; returns mean |score|.
double scoreStep(LlmStepRig& rig, HostTimes* host = nullptr, PhaseObserver* phases = nullptr) {
    torch::NoGradGuard noGrad;
    at::Tensor scores = issueForward(rig, /*training=*/false, host);
    if (phases) phases->endPhase("forward");
    const double meanAbs = scores.to(at::kCPU, at::kDouble).abs().mean().item<double>();
    if (phases) phases->endPhase("copy to host");
    return meanAbs;
}

// One more step, untimed, with every dispatched operator counted; step(counter) closes its phases.
template <typename Step>
OpCounts countedStep(Step&& step) {
    OpCounter counter;
    step(&counter);
    return counter.counts();
}

// o.phaseSteps more steps of each method, A,B,A,B, with device-synchronised phase times.
template <typename Step>
void timePhasesInterleaved(const LlmBenchOptions& o, const at::Device& device, LlmBenchResult& baseline,
                           LlmBenchResult& graph, Step&& step) {
    PhaseTimer baselinePhases(device), graphPhases(device);
    for (int s = 0; s < o.phaseSteps; ++s) {
        baselinePhases.startStep();
        step(false, &baselinePhases);
        graphPhases.startStep();
        step(true, &graphPhases);
    }
    baseline.phaseMs = baselinePhases.medians();
    graph.phaseMs = graphPhases.medians();
}

template <typename Step>
double timedMs(const at::Device& device, Step&& step) {
    synchronize(device);
    const double start = nowSeconds();
    step();
    synchronize(device);
    return 1e3 * (nowSeconds() - start);
}

// o.kernelProfileSteps more steps under the profiler, on devices that run kernels.
template <typename Step>
void profileKernels(const LlmBenchOptions& o, const at::Device& device, LlmBenchResult& r, Step&& step) {
    if (device.is_cpu() || o.kernelProfileSteps <= 0) return;
    r.kernels = profileDeviceKernels(device, o.kernelProfileSteps, step);
}

double resolvePeak(const LlmBenchOptions& o, const at::Device& device, std::string& source) {
    if (o.peakFlops > 0) {
        source = "given";
        return o.peakFlops;
    }
    if (device.is_cpu()) {
        source = fmt::format("measured: at::mm [{0},{0}] fp32, best of {1} before and {1} after", o.peakSize, kPeakRepeats);
        return cpuPeakFlops(o.peakSize);
    }
    source = "989 TFLOP/s (H100/H200 SXM dense bf16)";
    return kHopperBf16PeakFlops;
}

LlmBenchResult describe(const char* mode, LlmStepRig& rig, const LlmBenchOptions& o) {
    LlmBenchResult r;
    r.mode = mode;
    r.method = detail::methodName(rig.method());
    r.model = o.model;
    r.dtype = c10::toString(rig.model().dtype());
    r.device = rig.model().device().str();
    r.batch = o.batch;
    r.seqLen = o.seqLen;
    r.warmup = o.warmup;
    if (r.mode == "train") r.maxGradNorm = rig.maxGradNorm();
    r.baseParameters = rig.model().config().parameterCount();
    r.adapterParameters = rig.adapterParameterCount();
    r.trainableParameters = rig.trainableParameterCount();
    const double base = double(r.baseParameters), adapters = double(r.adapterParameters);
    r.flopsPerToken = r.mode == "train" ? 4 * base + 6 * adapters : 2 * base;
    return r;
}

// On a shared CPU the load drifts: the peak is re-measured after the timed steps and the better
// of the two kept, so a busy moment during the first measurement cannot inflate MFU.
double refreshPeak(const LlmBenchOptions& o, const at::Device& device, double peak) {
    if (o.peakFlops > 0 || !device.is_cpu()) return peak;
    return cpuPeakFlops(o.peakSize, /*remeasure=*/true);
}

void finish(LlmBenchResult& r, std::vector<double> samplesMs, double peak, const std::string& peakSource,
            const at::Device& device) {
    r.step = summarize(std::move(samplesMs));
    r.tokensPerSecond = double(r.batch * r.seqLen) / (r.step.medianMs * 1e-3);
    r.achievedFlops = r.tokensPerSecond * r.flopsPerToken;
    r.peakFlops = peak;
    r.peakSource = peakSource;
    r.mfu = peak > 0 ? r.achievedFlops / peak : 0;
    r.peakMemoryBytes = peakMemoryBytes(device);
    r.peakMemoryKind = peakMemoryKind(device);
    r.machine = machineInfo();
}

constexpr std::size_t kKernelsInJson = 30;  // largest first; the rest are summed in busy_ms

nlohmann::json kernelTable(const std::vector<KernelTime>& table) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t k = 0; k < table.size() && k < kKernelsInJson; ++k)
        out.push_back({table[k].name, table[k].msPerStep, table[k].countPerStep});
    return out;
}

nlohmann::json kernelProfileJson(const KernelProfile& p) {
    nlohmann::json j = {{"status", p.status}};
    if (!p.profiled()) return j;
    j.update({{"steps", p.steps},
              {"busy_ms", p.busyMsPerStep},
              {"idle_ms", p.idleMsPerStep()},
              {"wall_ms", p.wallMsPerStep},
              {"activities", p.activitiesPerStep},
              {"by_name", kernelTable(p.byName)},
              {"host_waits", p.hostWaitsPerStep},
              {"host_waits_by_name", kernelTable(p.hostWaits)}});
    return j;
}

nlohmann::json resultJson(const LlmBenchResult& r) {
    nlohmann::json j = {{"benchmark", r.mode},
            {"method", r.method},
            {"model", r.model},
            {"dtype", r.dtype},
            {"device", r.device},
            {"fused_kernels", fusedKernelsEnabled()},
            {"batch", r.batch},
            {"seq_len", r.seqLen},
            {"tokens_per_step", r.batch * r.seqLen},
            {"warmup", r.warmup},
            {"steps", r.step.count},
            {"step_ms", {{"median", r.step.medianMs}, {"min", r.step.minMs}, {"max", r.step.maxMs},
                         {"mean", r.step.meanMs}, {"samples", r.step.samplesMs}}},
            {"tokens_per_s", r.tokensPerSecond},
            {"parameters", {{"base", r.baseParameters}, {"adapter", r.adapterParameters},
                            {"trainable", r.trainableParameters}}},
            {"flops_per_token", r.flopsPerToken},
            {"achieved_tflops", r.achievedFlops * 1e-12},
            {"peak_tflops", r.peakFlops * 1e-12},
            {"peak_source", r.peakSource},
            {"mfu", r.mfu},
            {"peak_memory_mib", double(r.peakMemoryBytes) / (1024.0 * 1024.0)},
            {"peak_memory_kind", r.peakMemoryKind},
            {"loss_first", r.firstLoss},
            {"loss_last", r.lastLoss},
            {"mean_abs_score", r.meanAbsScore},
            {"machine", machineJson(r.machine)}};
    if (r.maxGradNorm > 0) j["max_grad_norm"] = r.maxGradNorm;
    if (r.cudaGraph) {
        const auto& g = *r.cudaGraph;
        j["cuda_graph"] = {{"status", g.status},
                           {"eager_ms", g.eager.medianMs},
                           {"graph_ms", g.graph.medianMs},
                           {"steps", g.graph.count},
                           {"speedup", g.speedup},
                           {"max_abs_difference", g.maxAbsDifference}};
    }
    if (r.forwardHost.count > 0) j["forward_host_ms"] = r.forwardHost.medianMs;
    if (r.stepHost.count > 0) j["step_host_ms"] = r.stepHost.medianMs;
    if (!r.phaseMs.empty()) {
        nlohmann::json phases = nlohmann::json::array();
        for (const auto& [name, ms] : r.phaseMs) phases.push_back({name, ms});
        j["phase_ms"] = std::move(phases);
    }
    if (!r.kernels.status.empty()) j["kernel_profile"] = kernelProfileJson(r.kernels);
    if (r.ops.total > 0) {
        nlohmann::json phases = nlohmann::json::object();
        for (const auto& [name, n] : r.ops.phases) phases[name] = n;
        j["ops_per_step"] = {{"total", r.ops.total}, {"backward_nodes", r.ops.backwardNodes}, {"phases", phases}};
        nlohmann::json launchPhases = nlohmann::json::object();
        for (const auto& [name, n] : r.ops.launchPhases) launchPhases[name] = n;
        j["launches_per_step"] = {{"total", r.ops.launches}, {"phases", launchPhases}};
    }
    return j;
}

}  // namespace

double cpuPeakFlops(std::int64_t size, bool remeasure) {
    static std::mutex mutex;
    static std::map<std::int64_t, double> cache;
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(size);
    if (it != cache.end() && !remeasure) return it->second;
    const double peak = measureMatmulPeakFlops(size, kPeakWarmup, kPeakRepeats, "cpu", "float32");
    double& best = cache[size];
    best = std::max(best, peak);
    return best;
}

namespace {

// Host times over the timed steps, into a result's forwardHost and (training) stepHost.
struct HostTimeSamples {
    std::vector<double> forward, step;
    void add(const HostTimes& t) {
        forward.push_back(t.forwardMs);
        if (t.stepMs > 0) step.push_back(t.stepMs);
    }
    void summarizeInto(LlmBenchResult& r) {
        r.forwardHost = summarize(std::move(forward));
        if (!step.empty()) r.stepHost = summarize(std::move(step));
    }
};

// Two kinds of step timed in alternation, A, B, A, B, … so that drift hits both:
// step(second, round, host) runs A (second = false) or B, device-synchronised; the rounds after
// the warm-up are kept. bench overhead: A = the baseline method, B = GraphLoRA; --cuda-graph:
// A = an eager step, B = a replay.
struct InterleavedTimes {
    std::vector<double> firstMs, secondMs;
    HostTimeSamples firstHost, secondHost;
};

template <typename Step>
InterleavedTimes timeInterleaved(const LlmBenchOptions& o, const at::Device& device, Step&& step) {
    InterleavedTimes t;
    for (int s = 0; s < o.warmup + o.steps; ++s) {
        HostTimes hostA, hostB;
        const double a = timedMs(device, [&] { step(false, s, &hostA); });
        const double b = timedMs(device, [&] { step(true, s, &hostB); });
        if (s < o.warmup) continue;
        t.firstMs.push_back(a);
        t.secondMs.push_back(b);
        t.firstHost.add(hostA);
        t.secondHost.add(hostB);
    }
    return t;
}

// One method's rig, warm-up then timed steps of `step(rig, r, index)`; the report around them.
template <typename Step, typename After>
LlmBenchResult benchSteps(const char* mode, const LlmBenchOptions& o, Step&& step, After&& after) {
    LlmStepRig rig(detail::parseMethod(o.method), detail::loadBenchBackbone(o), o);
    const at::Device device = rig.model().device();
    std::string peakSource;
    const double peak = resolvePeak(o, device, peakSource);
    LlmBenchResult r = describe(mode, rig, o);
    resetPeakMemory(device);
    std::vector<double> samples;
    HostTimeSamples host;
    for (int s = 0; s < o.warmup + o.steps; ++s) {
        HostTimes times;
        const double ms = timedMs(device, [&] { step(rig, r, s, &times, nullptr); });
        if (s >= o.warmup) {
            samples.push_back(ms);
            host.add(times);
        }
    }
    host.summarizeInto(r);
    r.ops = countedStep([&](OpCounter* counter) { step(rig, r, o.warmup + o.steps, nullptr, counter); });
    PhaseTimer phases(device);
    for (int s = 0; s < o.phaseSteps; ++s) {
        phases.startStep();
        step(rig, r, o.warmup + o.steps + 1 + s, nullptr, &phases);
    }
    r.phaseMs = phases.medians();
    int profiled = 0;
    profileKernels(o, device, r, [&] { step(rig, r, o.warmup + o.steps + 1 + o.phaseSteps + profiled++, nullptr, nullptr); });
    after(rig, r);
    finish(r, std::move(samples), refreshPeak(o, device, peak), peakSource, device);
    return r;
}

// An eager step and a replayed one in alternation (results read on the host by both); g gets the
// medians after the warm-up rounds.
template <typename Eager, typename Replay>
void timeAlternating(const at::Device& device, const LlmBenchOptions& o, GraphReplayResult& g, Eager&& eager,
                     Replay&& replay) {
    InterleavedTimes t = timeInterleaved(o, device, [&](bool replayed, int, HostTimes*) {
        if (replayed)
            replay();
        else
            eager();
    });
    g.eager = summarize(std::move(t.firstMs));
    g.graph = summarize(std::move(t.secondMs));
    g.speedup = g.eager.medianMs / g.graph.medianMs;
    g.status = "replayed";
}

// bench score --cuda-graph: the scoring forward captured once, then replayed in alternation with
// eager steps on the same inputs. A failed capture is reported, not thrown: the eager figures stand.
GraphReplayResult timeGraphReplay(LlmStepRig& rig, const LlmBenchOptions& o) {
    GraphReplayResult g;
    const at::Device device = rig.model().device();
    torch::NoGradGuard noGrad;
    const at::Tensor eager = rig.forward(false).to(at::kCPU, at::kDouble);
    try {
        CapturedForward captured(device, [&rig] { return rig.forward(false); });
        const at::Tensor replayed = captured.replay().to(at::kCPU, at::kDouble);
        g.maxAbsDifference = (replayed - eager).abs().max().item<double>();
        timeAlternating(device, o, g, [&] { (void)scoreStep(rig); },
                        [&] { (void)captured.replay().to(at::kCPU, at::kDouble).abs().mean().item<double>(); });
    } catch (const Error& e) {
        g.status = e.what();
    }
    return g;
}

// bench train --cuda-graph: the whole training step (forward, loss, backward, clipping, Adam's
// device half, zeroing the gradients) captured once and replayed after each prepareStep, in
// alternation with eager steps on the same parameters and optimiser state. The check: from one
// saved state (parameters, Adam's moments and step), the parameters after an eager step against
// those after a replayed one (dropout draws differ between the two; --lora-dropout 0 makes them
// comparable).
GraphReplayResult timeTrainGraphReplay(LlmStepRig& rig, const LlmBenchOptions& o) {
    GraphReplayResult g;
    const at::Device device = rig.model().device();
    AdamOptimizer& optimizer = rig.optimizer();
    optimizer.setKernel(AdamKernel::Capturable);
    auto step = [&rig, &optimizer] { return queueTrainStep(rig, [&optimizer] { optimizer.applyPreparedStep(); }); };
    auto saveParameters = [&optimizer] {
        std::vector<at::Tensor> saved;
        for (const auto& group : optimizer.groups())
            for (const auto& p : group.params) saved.push_back(p.detach().clone());
        return saved;
    };
    auto restoreParameters = [&optimizer](const std::vector<at::Tensor>& saved) {
        torch::NoGradGuard noGrad;
        std::size_t k = 0;
        for (const auto& group : optimizer.groups())
            for (const auto& p : group.params) p.detach().copy_(saved[k++]);
    };
    try {
        optimizer.prepareStep(1.0);
        CapturedForward captured(device, step);
        const auto parameters = saveParameters();
        auto state = optimizer.state();  // the live moments: copied, or the eager step would move them
        for (auto& [name, tensor] : state) tensor = tensor.clone();
        optimizer.prepareStep(1.0);
        (void)step();
        const auto afterEager = saveParameters();
        restoreParameters(parameters);
        optimizer.loadState(state);
        optimizer.prepareStep(1.0);
        (void)captured.replay().item<double>();
        const auto afterReplay = saveParameters();
        for (std::size_t k = 0; k < afterEager.size(); ++k)
            g.maxAbsDifference = std::max(g.maxAbsDifference, (afterReplay[k] - afterEager[k]).abs().max().item<double>());
        timeAlternating(device, o, g, [&] { (void)trainStep(rig); }, [&] {
            optimizer.prepareStep(1.0);
            readLoss(captured.replay(), rig);
        });
    } catch (const Error& e) {
        g.status = e.what();
    }
    optimizer.setKernel(AdamKernel::Auto);
    return g;
}

void checkCudaGraphOptions(const LlmBenchOptions& o) {
    if (!o.cudaGraph) return;
    if (!cudaGraphsAvailable())
        failInput("--cuda-graph needs a CUDA build (cmake -DGRAPHLORA_CUDA=ON against a CUDA LibTorch)");
    const at::Device device = parseDevice(o.device);
    if (!device.is_cuda() && !(device.is_cpu() && cudaGraphsEmulatedOnCpu()))
        failInput("--cuda-graph needs --device cuda, not {}", o.device);
    if (o.method == "graphlora" && o.oneHop)
        failInput("--cuda-graph: graphlora cuts a new 1-hop subgraph on the host every step (its shapes and "
                  "uploads change), which a captured graph cannot replay; add --full-graph");
}

}  // namespace

LlmBenchResult benchTrain(const LlmBenchOptions& o) {
    checkCudaGraphOptions(o);
    return benchSteps(
        "train", o,
        [](LlmStepRig& rig, LlmBenchResult& r, int index, HostTimes* host, PhaseObserver* phases) {
            const double loss = trainStep(rig, host, phases);
            if (index == 0) r.firstLoss = loss;
            r.lastLoss = loss;
        },
        [&o](LlmStepRig& rig, LlmBenchResult& r) {
            if (o.cudaGraph) r.cudaGraph = timeTrainGraphReplay(rig, o);
        });
}

LlmBenchResult benchScore(const LlmBenchOptions& o) {
    checkCudaGraphOptions(o);
    return benchSteps(
        "score", o,
        [](LlmStepRig& rig, LlmBenchResult& r, int, HostTimes* host, PhaseObserver* phases) {
            r.meanAbsScore = scoreStep(rig, host, phases);
        },
        [&o](LlmStepRig& rig, LlmBenchResult& r) {
            if (o.cudaGraph) r.cudaGraph = timeGraphReplay(rig, o);
        });
}

OverheadResult benchOverhead(const LlmBenchOptions& o) {
    // One backbone for both, so the comparison sees the same weights, memory and caches.
    LlamaModel backbone = detail::loadBenchBackbone(o);
    const BenchMethod baselineMethod = detail::parseMethod(o.baseline);
    if (baselineMethod == BenchMethod::GraphLora) failInput("bench overhead: the baseline must be another method than graphlora");
    LlmStepRig base(baselineMethod, backbone, o);
    LlmStepRig graph(BenchMethod::GraphLora, backbone, o);
    const at::Device device = backbone->device();
    std::string peakSource;
    const double peak = resolvePeak(o, device, peakSource);

    OverheadResult out;
    out.baselineTrain = describe("train", base, o);
    out.graphTrain = describe("train", graph, o);
    out.baselineScore = describe("score", base, o);
    out.graphScore = describe("score", graph, o);
    InterleavedTimes train = timeInterleaved(o, device, [&](bool graphSide, int round, HostTimes* host) {
        LlmBenchResult& r = graphSide ? out.graphTrain : out.baselineTrain;
        const double loss = trainStep(graphSide ? graph : base, host);
        if (round == 0) r.firstLoss = loss;
        r.lastLoss = loss;
    });
    train.firstHost.summarizeInto(out.baselineTrain);
    train.secondHost.summarizeInto(out.graphTrain);
    out.baselineTrain.ops = countedStep([&](OpCounter* counter) { trainStep(base, nullptr, counter); });
    out.graphTrain.ops = countedStep([&](OpCounter* counter) { trainStep(graph, nullptr, counter); });
    timePhasesInterleaved(o, device, out.baselineTrain, out.graphTrain,
                          [&](bool graphSide, PhaseObserver* phases) { trainStep(graphSide ? graph : base, nullptr, phases); });
    profileKernels(o, device, out.baselineTrain, [&] { trainStep(base); });
    profileKernels(o, device, out.graphTrain, [&] { trainStep(graph); });
    {
        std::vector<double> baselineBlocks, graphBlocks;
        const int blockSteps = std::max(2, o.steps);
        for (int round = 0; round < kPipelinedRounds; ++round) {
            baselineBlocks.push_back(pipelinedStepMs(base, blockSteps));
            graphBlocks.push_back(pipelinedStepMs(graph, blockSteps));
        }
        out.baselinePipelinedMs = summarize(std::move(baselineBlocks)).medianMs;
        out.graphPipelinedMs = summarize(std::move(graphBlocks)).medianMs;
        out.trainRatioPipelined = out.graphPipelinedMs / out.baselinePipelinedMs;
    }
    finish(out.baselineTrain, std::move(train.firstMs), peak, peakSource, device);
    finish(out.graphTrain, std::move(train.secondMs), peak, peakSource, device);

    InterleavedTimes score = timeInterleaved(o, device, [&](bool graphSide, int, HostTimes* host) {
        (graphSide ? out.graphScore : out.baselineScore).meanAbsScore = scoreStep(graphSide ? graph : base, host);
    });
    score.firstHost.summarizeInto(out.baselineScore);
    score.secondHost.summarizeInto(out.graphScore);
    out.baselineScore.ops = countedStep([&](OpCounter* counter) { scoreStep(base, nullptr, counter); });
    out.graphScore.ops = countedStep([&](OpCounter* counter) { scoreStep(graph, nullptr, counter); });
    timePhasesInterleaved(o, device, out.baselineScore, out.graphScore,
                          [&](bool graphSide, PhaseObserver* phases) { scoreStep(graphSide ? graph : base, nullptr, phases); });
    profileKernels(o, device, out.baselineScore, [&] { scoreStep(base); });
    profileKernels(o, device, out.graphScore, [&] { scoreStep(graph); });
    const double peakAfter = refreshPeak(o, device, peak);
    finish(out.baselineScore, std::move(score.firstMs), peakAfter, peakSource, device);
    finish(out.graphScore, std::move(score.secondMs), peakAfter, peakSource, device);
    out.baselineTrain.peakFlops = out.graphTrain.peakFlops = peakAfter;
    for (auto* r : {&out.baselineTrain, &out.graphTrain}) r->mfu = r->achievedFlops / peakAfter;
    out.trainRatio = out.graphTrain.step.medianMs / out.baselineTrain.step.medianMs;
    out.scoreRatio = out.graphScore.step.medianMs / out.baselineScore.step.medianMs;
    return out;
}

std::string toJson(const LlmBenchResult& result) { return resultJson(result).dump(); }

// Operators GraphLoRA adds (positive) or removes (negative) over the baseline, by name, largest first.
nlohmann::json extraOps(const std::map<std::string, std::int64_t>& baseline, const std::map<std::string, std::int64_t>& graph) {
    std::vector<std::pair<std::string, std::int64_t>> diff;
    std::map<std::string, std::int64_t> all = graph;
    for (const auto& [name, n] : baseline) all[name] -= n;
    for (const auto& [name, n] : all)
        if (n != 0) diff.emplace_back(name, n);
    std::stable_sort(diff.begin(), diff.end(), [](const auto& a, const auto& b) { return std::abs(a.second) > std::abs(b.second); });
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [name, n] : diff) out.push_back({name, n});
    return out;
}

std::string toJson(const OverheadResult& r) {
    nlohmann::json j = {{"benchmark", "overhead"},
                        {"model", r.baselineTrain.model},
                        {"batch", r.baselineTrain.batch},
                        {"seq_len", r.baselineTrain.seqLen},
                        {"train_ratio", r.trainRatio},
                        {"score_ratio", r.scoreRatio},
                        {"train_ratio_pipelined", r.trainRatioPipelined},
                        {"pipelined_train_ms", {{"baseline", r.baselinePipelinedMs}, {"graphlora", r.graphPipelinedMs}}},
                        {"baseline_method", r.baselineTrain.method},
                        {"baseline", {{"train", resultJson(r.baselineTrain)}, {"score", resultJson(r.baselineScore)}}},
                        {"graphlora", {{"train", resultJson(r.graphTrain)}, {"score", resultJson(r.graphScore)}}},
                        {"graph_path_ops", {{"train", extraOps(r.baselineTrain.ops.byName, r.graphTrain.ops.byName)},
                                            {"score", extraOps(r.baselineScore.ops.byName, r.graphScore.ops.byName)}}},
                        {"graph_path_launches",
                         {{"train", extraOps(r.baselineTrain.ops.launchesByName, r.graphTrain.ops.launchesByName)},
                          {"score", extraOps(r.baselineScore.ops.launchesByName, r.graphScore.ops.launchesByName)}}}};
    auto addedByGraphPath = [&](const char* mode, const LlmBenchResult& baseline, const LlmBenchResult& graph) {
        if (!baseline.kernels.profiled() || !graph.kernels.profiled()) return;
        j["graph_path_kernels"][mode] = kernelTable(timeAdded(baseline.kernels.byName, graph.kernels.byName));
        j["graph_path_host_waits"][mode] = kernelTable(timeAdded(baseline.kernels.hostWaits, graph.kernels.hostWaits));
    };
    addedByGraphPath("train", r.baselineTrain, r.graphTrain);
    addedByGraphPath("score", r.baselineScore, r.graphScore);
    return j.dump();
}

}  // namespace glr::bench
