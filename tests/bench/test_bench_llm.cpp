// Smoke test of the benchmarks: each runs one or two steps on the `tiny` shape and its figures are
// checked against numbers worked out by hand (parameter counts, FLOPs per token, the MFU and
// tokens/s arithmetic, the loss of an untrained scorer), never against timings.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "bench/bench_kernels.h"
#include "common/host_reads.h"
#include "train/cuda_graph.h"
#include "bench/bench_llm.h"
#include "bench/bench_sgemm.h"
#include "bench/llm_step_rig.h"
#include "model/fused_ops.h"
#include "model/lora.h"
#include "train/optimizer.h"
#include "util/error.h"

using namespace glr::bench;

namespace {

// `tiny`: width 64, 2 layers, 4 heads (head dim 16), 2 KV heads, MLP 172, vocab 512, untied head.
//   embed + head 2·512·64 = 65,536; per layer q 64·64 + k 32·64 + v 32·64 + o 64·64 = 12,288,
//   gate/up/down 3·64·172 = 33,024, two norms 128 → 45,440; final norm 64.
constexpr std::int64_t kTinyBase = 65536 + 2 * 45440 + 64;  // 156,480
// LoRA r=8 on q (A 8·64 + B 64·8) and v (A 8·64 + B 32·8), 2 layers.
constexpr std::int64_t kTinyAdapter = 2 * ((8 * 64 + 64 * 8) + (8 * 64 + 32 * 8));  // 3,584
// φ with d = 16: Linear(16 → 160) + Linear(160 → 64), biases included.
constexpr std::int64_t kProjector = 16 * 160 + 160 + 160 * 64 + 64;  // 13,024
// The MF table trained by CoLLM and GraphLoRA: (40 users + 60 items) × 16.
constexpr std::int64_t kMfTable = 100 * 16;
// CoRA's G: Linear(2·16 → 64·8).
constexpr std::int64_t kCoraGenerator = 32 * 512 + 512;  // 16,896

LlmBenchOptions tinyOptions(const std::string& method) {
    LlmBenchOptions o;
    o.model = "tiny";
    o.method = method;
    o.batch = 2;
    o.seqLen = 24;
    o.warmup = 1;
    o.steps = 1;
    o.users = 40;
    o.items = 60;
    o.interactions = 300;
    o.mfDim = 16;
    o.gnnDim = 16;
    o.gnnLayers = 2;
    o.peakFlops = 1e11;  // given, so the test does not measure the machine
    o.phaseSteps = 1;
    return o;
}

void checkCommon(const LlmBenchResult& r, const LlmBenchOptions& o) {
    QCOMPARE(r.method, o.method);
    QCOMPARE(r.batch, o.batch);
    QCOMPARE(r.seqLen, o.seqLen);
    QCOMPARE(r.step.count, o.steps);
    QVERIFY(r.step.medianMs > 0 && std::isfinite(r.step.medianMs));
    QVERIFY(r.step.minMs <= r.step.medianMs && r.step.medianMs <= r.step.maxMs);
    // The host's issue time of the forward is part of the step (on the CPU, all of the forward).
    QCOMPARE(r.forwardHost.count, o.steps);
    QVERIFY(r.forwardHost.medianMs > 0 && r.forwardHost.medianMs <= r.step.maxMs);
    // A training step's issue time holds its forward's, and is itself part of the step; scoring
    // has a forward only.
    if (r.mode == "train") {
        QCOMPARE(r.stepHost.count, o.steps);
        QVERIFY(r.stepHost.minMs >= r.forwardHost.minMs && r.stepHost.medianMs <= r.step.maxMs);
    } else {
        QCOMPARE(r.stepHost.count, 0);
    }
    QCOMPARE(r.baseParameters, kTinyBase);
    QCOMPARE(r.adapterParameters, kTinyAdapter);
    const double tokens = double(o.batch * o.seqLen);
    QVERIFY(std::abs(r.tokensPerSecond - tokens / (r.step.medianMs * 1e-3)) <= 1e-9 * r.tokensPerSecond);
    QVERIFY(std::abs(r.achievedFlops - r.tokensPerSecond * r.flopsPerToken) <= 1e-9 * r.achievedFlops);
    QCOMPARE(r.peakFlops, 1e11);
    QVERIFY(std::abs(r.mfu - r.achievedFlops / 1e11) <= 1e-12);
    QVERIFY(r.mfu > 0);
    QVERIFY(r.peakMemoryBytes > 0);
    QVERIFY(!toJson(r).empty());
    // The timed phases are the counted phases, in the same order.
    QCOMPARE(r.phaseMs.size(), r.ops.phases.size());
    for (std::size_t k = 0; k < r.phaseMs.size(); ++k) {
        QCOMPARE(r.phaseMs[k].first, r.ops.phases[k].first);
        QVERIFY(r.phaseMs[k].second >= 0 && std::isfinite(r.phaseMs[k].second));
    }
}

}  // namespace

class TestBenchLlm : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { at::set_num_threads(1); }

    void trainEachMethod_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<qlonglong>("trainable");  // -1: checked separately
        QTest::newRow("lora-only") << "lora-only" << qlonglong(kTinyAdapter + kProjector);
        QTest::newRow("collm") << "collm" << qlonglong(kTinyAdapter + kProjector + kMfTable);
        QTest::newRow("cora") << "cora" << qlonglong(kTinyAdapter + kCoraGenerator);
        QTest::newRow("tallrec") << "tallrec" << qlonglong(kTinyAdapter);
        QTest::newRow("graphlora") << "graphlora" << qlonglong(-1);
    }
    void trainEachMethod() {
        QFETCH(QString, method);
        QFETCH(qlonglong, trainable);
        const LlmBenchOptions o = tinyOptions(method.toStdString());
        const LlmBenchResult r = benchTrain(o);
        checkCommon(r, o);
        QCOMPARE(r.mode, std::string("train"));
        QCOMPARE(r.flopsPerToken, 4.0 * kTinyBase + 6.0 * kTinyAdapter);
        if (trainable >= 0) {
            QCOMPARE(r.trainableParameters, std::int64_t(trainable));
        } else {  // GraphLoRA also trains the MF table, the GNN and P
            QVERIFY(r.trainableParameters > kTinyAdapter + kProjector + kMfTable);
        }
        // B starts at zero, so the first step scores with the frozen model alone: random weights
        // (σ = 0.02) give |score| ≲ 0.5 and a loss near ln 2.
        QVERIFY2(std::abs(r.firstLoss - std::log(2.0)) < 0.3, qPrintable(QString::number(r.firstLoss)));
        QVERIFY(std::isfinite(r.lastLoss));
    }

    void scoreEachMethod_data() {
        QTest::addColumn<QString>("method");
        for (const char* m : {"lora-only", "graphlora", "collm", "cora", "tallrec"}) QTest::newRow(m) << m;
    }
    void scoreEachMethod() {
        QFETCH(QString, method);
        const LlmBenchOptions o = tinyOptions(method.toStdString());
        const LlmBenchResult r = benchScore(o);
        checkCommon(r, o);
        QCOMPARE(r.mode, std::string("score"));
        QCOMPARE(r.flopsPerToken, 2.0 * kTinyBase);
        QVERIFY(std::isfinite(r.meanAbsScore) && r.meanAbsScore > 0 && r.meanAbsScore < 1);
    }

    void noMaskAndFullGraph() {
        LlmBenchOptions o = tinyOptions("graphlora");
        o.attentionMask = false;
        o.oneHop = false;
        const LlmBenchResult r = benchTrain(o);
        checkCommon(r, o);
    }

    // --max-grad-norm clips as the trainer does; the report says so. A limit far below the
    // gradient norm shrinks Adam's first update by ~norm/eps, so the loss barely moves.
    void clippedTraining() {
        LlmBenchOptions o = tinyOptions("lora-only");
        o.steps = 3;
        o.maxGradNorm = 1e-12;
        const LlmBenchResult clipped = benchTrain(o);
        checkCommon(clipped, o);
        QCOMPARE(clipped.maxGradNorm, 1e-12);
        QVERIFY(toJson(clipped).find("\"max_grad_norm\":1e-12") != std::string::npos);
        o.maxGradNorm = 0;
        const LlmBenchResult free = benchTrain(o);
        QVERIFY(toJson(free).find("max_grad_norm") == std::string::npos);
        QCOMPARE(clipped.firstLoss, free.firstLoss);  // same weights and inputs
        QVERIFY2(std::abs(clipped.lastLoss - clipped.firstLoss) < std::abs(free.lastLoss - free.firstLoss),
                 qPrintable(QString("clipped %1 -> %2, free %3 -> %4").arg(clipped.firstLoss).arg(clipped.lastLoss)
                                .arg(free.firstLoss).arg(free.lastLoss)));
        o.maxGradNorm = -1;
        QVERIFY_EXCEPTION_THROWN(benchTrain(o), glr::InputError);
    }

    // --cuda-graph is checked before anything loads: it needs a CUDA build and device, static
    // shapes (not graphlora's per-step 1-hop subgraph), and applies to scoring only.
    void cudaGraphOptions() {
        LlmBenchOptions o = tinyOptions("tallrec");
        o.cudaGraph = true;
        QVERIFY_EXCEPTION_THROWN(benchTrain(o), glr::InputError);
        auto message = [](const LlmBenchOptions& options) {
            try {
                benchScore(options);
            } catch (const glr::InputError& e) {
                return std::string(e.what());
            }
            return std::string("no error");
        };
        if (!glr::cudaGraphsAvailable()) {
            QVERIFY2(message(o).find("CUDA build") != std::string::npos, message(o).c_str());
            QVERIFY_EXCEPTION_THROWN(glr::CapturedForward(at::Device("cpu"), [] { return at::ones({1}); }),
                                     glr::Error);
            return;
        }
        QVERIFY2(message(o).find("--device cuda") != std::string::npos, message(o).c_str());
        o.device = "cuda";
        o.method = "graphlora";
        QVERIFY2(message(o).find("--full-graph") != std::string::npos, message(o).c_str());
    }

    // The code around a capture, run with the CPU emulation (each replay runs the captured
    // function again): scoring replays match eager scores exactly; a training step replayed from
    // a saved state (parameters, Adam's moments and step restored, dropout off) leaves the
    // parameters exactly where the eager step did, so the state handling and the capturable
    // optimiser halves are right; timings come out.
    void cudaGraphBenchAroundTheCapture() {
        glr::emulateCudaGraphsOnCpu(true);
        struct Off {
            ~Off() { glr::emulateCudaGraphsOnCpu(false); }
        } off;
        LlmBenchOptions o = tinyOptions("tallrec");
        o.cudaGraph = true;
        o.steps = 2;
        const LlmBenchResult score = benchScore(o);
        QVERIFY(score.cudaGraph.has_value());
        QCOMPARE(QString::fromStdString(score.cudaGraph->status), QString("replayed"));
        QCOMPARE(score.cudaGraph->maxAbsDifference, 0.0);
        QCOMPARE(score.cudaGraph->graph.count, 2);
        QVERIFY(score.cudaGraph->speedup > 0);
        QVERIFY(toJson(score).find("\"cuda_graph\":{") != std::string::npos);
        for (const char* method : {"lora-only", "collm", "graphlora"}) {
            LlmBenchOptions t = tinyOptions(method);
            t.cudaGraph = true;
            t.oneHop = false;  // graphlora: the full graph, static
            t.loraDropout = 0;
            t.maxGradNorm = 1.0;
            t.steps = 2;
            const LlmBenchResult train = benchTrain(t);
            QVERIFY(train.cudaGraph.has_value());
            QVERIFY2(train.cudaGraph->status == "replayed", train.cudaGraph->status.c_str());
            QVERIFY2(train.cudaGraph->maxAbsDifference == 0.0,
                     qPrintable(QString("%1: %2").arg(method).arg(train.cudaGraph->maxAbsDifference)));
            QCOMPARE(train.cudaGraph->eager.count, 2);
        }
    }

    // After two steps the graph path has received gradients: step 1 moves B away from zero, so
    // step 2's loss depends on the injected signal and the encoder's weights change.
    void graphPathIsTrained() {
        using namespace glr::bench::detail;
        const LlmBenchOptions o = tinyOptions("graphlora");
        LlmStepRig rig(BenchMethod::GraphLora, loadBenchBackbone(o), o);
        std::vector<at::Tensor> before;
        const auto& groups = rig.optimizer().groups();
        const auto gnn = std::find_if(groups.begin(), groups.end(), [](const auto& g) { return g.name == "gnn"; });
        QVERIFY(gnn != groups.end());
        for (const auto& p : gnn->params) before.push_back(p.detach().clone());
        for (int step = 0; step < 2; ++step) {
            at::Tensor loss = at::binary_cross_entropy_with_logits(rig.forward(true), rig.labels());
            loss.backward();
            rig.optimizer().step(1.0);
            rig.optimizer().zeroGrad();
        }
        double change = 0;
        for (std::size_t i = 0; i < before.size(); ++i) change += (gnn->params[i].detach() - before[i]).abs().sum().item<double>();
        QVERIFY(change > 0);
        for (const auto& m : glr::loraModules(rig.model())) QVERIFY(m->loraB().abs().sum().item<double>() > 0);
    }

    // The optimiser path a GPU runs (_foreach ops, one multi-tensor launch each): all groups go
    // through one pass, so GraphLoRA's MF, encoder and P groups add no call over LoRA-only's.
    void foreachOptimiserMakesOnePassOverAllGroups() {
        using namespace glr::bench::detail;
        const LlmBenchOptions o = tinyOptions("graphlora");
        const glr::LlamaModel backbone = loadBenchBackbone(o);
        for (BenchMethod method : {BenchMethod::LoraOnly, BenchMethod::GraphLora}) {
            LlmStepRig rig(method, backbone, o);
            QVERIFY(rig.optimizer().groups().size() >= 2);
            rig.optimizer().setKernel(glr::AdamKernel::Foreach);
            at::binary_cross_entropy_with_logits(rig.forward(true), rig.labels()).backward();
            OpCounts counts;
            {
                OpCounter counter;
                rig.optimizer().step(1.0);
                counts = counter.counts();
            }
            rig.optimizer().zeroGrad();
            const QString what = QString::fromStdString(methodName(method));
            QVERIFY2(counts.byName["aten::_foreach_addcdiv_"] == 1, qPrintable(what));
            QVERIFY2(counts.byName["aten::_foreach_mul_"] == 3, qPrintable(what));  // decay, m, v
        }
    }

    // No host synchronisation inside a training step (issue 7): none of the operators that read
    // a value back to the host (on a GPU each waits for everything queued) runs in the forward,
    // backward, gradient clipping or optimiser step of any method, on the CPU's optimiser path or
    // the one a GPU takes. The trainer reads the loss once, after the step is queued.
    void trainingStepsNeverReadTheHost() {
        using namespace glr::bench::detail;
        for (const char* name : {"tallrec", "lora-only", "graphlora", "collm", "cora"}) {
            const LlmBenchOptions o = tinyOptions(name);
            LlmStepRig rig(parseMethod(name), loadBenchBackbone(o), o);
            for (glr::AdamKernel kernel : {glr::AdamKernel::Auto, glr::AdamKernel::Foreach}) {
                rig.optimizer().setKernel(kernel);
                glr::test::HostReadCounter hostReads;
                at::Tensor loss = at::binary_cross_entropy_with_logits(rig.forward(true), rig.labels());
                loss.backward();
                glr::clipGradNorm(rig.optimizer().groups(), 1.0);
                rig.optimizer().step(1.0);
                rig.optimizer().zeroGrad();
                QVERIFY2(hostReads.reads() == 0, qPrintable(QString("%1: %2").arg(name).arg(hostReads.describe().c_str())));
                QVERIFY(std::isfinite(loss.item<double>()));  // read once the step is queued, as the trainer does
            }
        }
    }

    void overheadInterleaved() {
        LlmBenchOptions o = tinyOptions("graphlora");
        o.steps = 2;
        const OverheadResult r = benchOverhead(o);
        QCOMPARE(r.baselineTrain.method, std::string("lora-only"));
        QCOMPARE(r.graphTrain.method, std::string("graphlora"));
        QCOMPARE(r.baselineScore.step.count, 2);
        QVERIFY(std::abs(r.trainRatio - r.graphTrain.step.medianMs / r.baselineTrain.step.medianMs) < 1e-12);
        QVERIFY(std::abs(r.scoreRatio - r.graphScore.step.medianMs / r.baselineScore.step.medianMs) < 1e-12);
        QVERIFY(r.trainRatio > 0 && r.scoreRatio > 0);
        QVERIFY(toJson(r).find("\"train_ratio\"") != std::string::npos);
        QVERIFY(r.baselinePipelinedMs > 0 && r.graphPipelinedMs > 0);
        QVERIFY(std::abs(r.trainRatioPipelined - r.graphPipelinedMs / r.baselinePipelinedMs) < 1e-12);
        QVERIFY(toJson(r).find("\"train_ratio_pipelined\"") != std::string::npos);
        // The host's issue times of the timed steps, both methods: whole training steps, scoring
        // forwards (each part of its step).
        for (const LlmBenchResult* train : {&r.baselineTrain, &r.graphTrain}) {
            QCOMPARE(train->stepHost.count, 2);
            QVERIFY(train->stepHost.medianMs > 0 && train->stepHost.medianMs <= train->step.maxMs);
        }
        for (const LlmBenchResult* score : {&r.baselineScore, &r.graphScore}) {
            QCOMPARE(score->forwardHost.count, 2);
            QCOMPARE(score->stepHost.count, 0);
        }
        QVERIFY(toJson(r).find("\"step_host_ms\"") != std::string::npos);
        // Counted operators: the NGCF encoder's LeakyReLU (one per layer, o.gnnLayers = 2) is the
        // graph path's alone; a scoring step runs no backward.
        auto count = [](const OpCounts& c, const char* name) {
            auto it = c.byName.find(name);
            return it == c.byName.end() ? std::int64_t(0) : it->second;
        };
        QCOMPARE(count(r.baselineTrain.ops, "aten::leaky_relu"), std::int64_t(0));
        QCOMPARE(count(r.graphTrain.ops, "aten::leaky_relu"), std::int64_t(2));
        QCOMPARE(count(r.graphTrain.ops, "LeakyReluBackward0"), std::int64_t(2));
        QCOMPARE(count(r.graphScore.ops, "aten::leaky_relu"), std::int64_t(2));
        QCOMPARE(r.baselineScore.ops.backwardNodes, std::int64_t(0));
        QVERIFY(r.baselineTrain.ops.backwardNodes > 0);
        QVERIFY(r.graphTrain.ops.total > r.baselineTrain.ops.total);
        // The phases partition the step: forward, loss+backward, optimizer.
        QCOMPARE(r.graphTrain.ops.phases.size(), std::size_t(3));
        std::int64_t sum = 0;
        for (const auto& phase : r.graphTrain.ops.phases) sum += phase.second;
        QCOMPARE(sum, r.graphTrain.ops.total);
        QCOMPARE(r.graphScore.ops.phases.front().first, std::string("forward"));
        QVERIFY(toJson(r).find("\"graph_path_ops\"") != std::string::npos);
        // Phase times for both, named as the counted phases.
        for (const LlmBenchResult* x : {&r.baselineTrain, &r.graphTrain, &r.baselineScore, &r.graphScore}) {
            QCOMPARE(x->phaseMs.size(), x->ops.phases.size());
            QCOMPARE(x->phaseMs.front().first, std::string("forward"));
        }
        QVERIFY(toJson(r).find("\"phase_ms\"") != std::string::npos);
    }

    // Against CoLLM, which trains the MF table too, GraphLoRA differs by the graph path alone:
    // the encoder and P are its only extra trainable parameters, the LeakyReLUs its only extra
    // activations.
    void overheadAgainstAnotherBaseline() {
        LlmBenchOptions o = tinyOptions("graphlora");
        o.baseline = "collm";
        o.phaseSteps = 0;
        const OverheadResult r = benchOverhead(o);
        QCOMPARE(r.baselineTrain.method, std::string("collm"));
        QCOMPARE(r.graphScore.method, std::string("graphlora"));
        QVERIFY(r.baselineTrain.phaseMs.empty());
        // NGCF 2 × (W1, W2: 16·16 + 16) and P: Linear(16 + 2·16 → 8) (NGCF concatenates its
        // input and every layer's output)
        QCOMPARE(r.graphTrain.trainableParameters - r.baselineTrain.trainableParameters,
                 std::int64_t(2 * 2 * (16 * 16 + 16) + (48 * 8 + 8)));
        QVERIFY(toJson(r).find("\"baseline_method\":\"collm\"") != std::string::npos);
        o.baseline = "graphlora";
        QVERIFY_EXCEPTION_THROWN(benchOverhead(o), glr::InputError);
    }

    void operatorCounter() {
        const at::Tensor a = at::ones({3}).set_requires_grad(true);
        OpCounts counts;
        {
            OpCounter counter;
            QVERIFY_EXCEPTION_THROWN(OpCounter{}, glr::Error);  // one at a time
            at::Tensor b = at::exp(a).sum();
            b.backward();
            counts = counter.counts();
        }
        QCOMPARE(counts.byName.at("aten::exp"), std::int64_t(1));  // the backward multiplies, no exp
        QCOMPARE(counts.byName.at("ExpBackward0"), std::int64_t(1));
        QCOMPARE(counts.byName.at("SumBackward0"), std::int64_t(1));
        QVERIFY(counts.backwardNodes >= 2);  // the two nodes (and AccumulateGrad)
        OpCounter again;  // the first has ended
        QCOMPARE(again.counts().total, std::int64_t(0));
    }

    // Launches: computing operators with no computing operator inside; views, allocations and
    // autograd nodes are not launches.
    void launchCounter() {
        const at::Tensor a = at::ones({4, 3}).set_requires_grad(true);
        const at::Tensor w = at::ones({3, 2});
        OpCounts forward, step;
        {
            OpCounter counter;
            at::Tensor c = a.t().contiguous();       // transpose: a view; contiguous: one copy
            at::Tensor d = at::mm(a, w).view({-1});  // one product; the view launches nothing
            at::Tensor z = at::zeros({5});           // an allocation and one fill
            counter.endPhase("forward");
            forward = counter.counts();
            (c.sum() + d.sum()).backward();
            counter.endPhase("backward");
            step = counter.counts();
            QVERIFY(z.defined());
        }
        QCOMPARE(forward.launches, std::int64_t(3));
        QCOMPARE(forward.launchesByName.at("aten::copy_"), std::int64_t(1));
        QCOMPARE(forward.launchesByName.at("aten::mm"), std::int64_t(1));
        for (const char* none : {"aten::t", "aten::transpose", "aten::contiguous", "aten::clone", "aten::view",
                                 "aten::zeros", "aten::empty"})
            QVERIFY2(forward.launchesByName.count(none) == 0, none);
        for (const char* node : {"SumBackward0", "MmBackward0", "torch::autograd::AccumulateGrad"})
            QVERIFY2(step.launchesByName.count(node) == 0, node);
        QCOMPARE(step.launchPhases.size(), std::size_t(2));
        QCOMPARE(step.launchPhases[0].second, std::int64_t(3));
        QVERIFY(step.launchPhases[1].second >= 3);  // the gradient's product, ones and sum
        const auto& counts = step;
        QVERIFY(counts.launches < counts.total);
        std::int64_t sum = 0;
        for (const auto& [name, n] : counts.launchesByName) sum += n;
        QCOMPARE(sum, counts.launches);
    }

    void sgemmCasesFollowTheShape() {
        SgemmOptions o;
        o.shape = "tiny";
        o.rows = 32;
        o.peakSize = 96;
        o.warmup = 0;
        o.repeats = 1;
        const SgemmResult r = benchSgemm(o);
        QCOMPARE(int(r.cases.size()), 6);
        QVERIFY(r.peakGflops > 0);
        // q (64→64), k/v (64→32), fused qkv (64→128), gate/up (64→172), fused (64→344), down (172→64)
        const std::vector<std::pair<std::int64_t, std::int64_t>> kn = {{64, 64}, {64, 32}, {64, 128}, {64, 172}, {64, 344}, {172, 64}};
        for (std::size_t i = 0; i < kn.size(); ++i) {
            QCOMPARE(r.cases[i].m, std::int64_t(32));
            QCOMPARE(r.cases[i].k, kn[i].first);
            QCOMPARE(r.cases[i].n, kn[i].second);
            QVERIFY(r.cases[i].gflops > 0);
            QVERIFY(std::abs(r.cases[i].fractionOfPeak - r.cases[i].gflops / r.peakGflops) < 1e-12);
        }
    }

    void badOptionsAreInputErrors() {
        LlmBenchOptions o = tinyOptions("graphlora-typo");
        QVERIFY_EXCEPTION_THROWN(benchTrain(o), glr::InputError);
        o = tinyOptions("lora-only");
        o.seqLen = 5000;  // tiny's context is 1024
        QVERIFY_EXCEPTION_THROWN(benchScore(o), glr::InputError);
        o = tinyOptions("lora-only");
        o.model = "no-such-shape";
        QVERIFY_EXCEPTION_THROWN(benchScore(o), glr::InputError);
        SgemmOptions s;
        s.rows = 0;
        QVERIFY_EXCEPTION_THROWN(benchSgemm(s), glr::InputError);
    }

    // The device-time table: per-step sums by name, largest first; the idle rest of the wall time.
    void kernelProfileSumsByName() {
        const std::vector<DeviceActivity> activities{
            {"gemm", 300}, {"copy", 20}, {"gemm", 500}, {"add", 20}, {"add", 60}, {"copy", 20}};
        const KernelProfile p = summarizeDeviceActivity(activities, {}, 2, /*wallMs=*/3.0);
        QVERIFY(p.profiled());
        QCOMPARE(p.steps, 2);
        QCOMPARE(p.busyMsPerStep, 0.46);  // 920 µs over 2 steps
        QCOMPARE(p.activitiesPerStep, 3.0);
        QCOMPARE(p.wallMsPerStep, 1.5);
        QCOMPARE(p.idleMsPerStep(), 1.5 - 0.46);
        QCOMPARE(int(p.byName.size()), 3);
        QCOMPARE(p.byName[0].name, std::string("gemm"));
        QCOMPARE(p.byName[0].msPerStep, 0.4);
        QCOMPARE(p.byName[0].countPerStep, 1.0);
        QCOMPARE(p.byName[1].name, std::string("add"));  // 0.04 ms/step
        QCOMPARE(p.byName[2].name, std::string("copy"));  // 0.02 ms/step
        // Wall time below the busy sum (clock granularity) is no negative idle time.
        QCOMPARE(summarizeDeviceActivity(activities, {}, 2, 0.5).idleMsPerStep(), 0.0);
    }

    // What GraphLoRA adds: per-name differences, kernels of one side only included, equal ones left
    // out, largest |ms| first.
    void kernelTimeAddedIsTheDifferenceByName() {
        const KernelProfile base = summarizeDeviceActivity({{"gemm", 1000}, {"sdpa", 400}, {"adam", 50}}, {}, 1, 2);
        const KernelProfile graph =
            summarizeDeviceActivity({{"gemm", 1000}, {"sdpa", 400}, {"adam", 80}, {"spmm", 30}, {"spmm", 30}, {"index", 100}}, {}, 1, 2);
        const std::vector<KernelTime> added = timeAdded(base.byName, graph.byName);
        QCOMPARE(int(added.size()), 3);  // gemm and sdpa are equal
        QCOMPARE(added[0].name, std::string("index"));
        QCOMPARE(added[0].msPerStep, 0.1);
        QCOMPARE(added[1].name, std::string("spmm"));
        QCOMPARE(added[1].countPerStep, 2.0);
        QCOMPARE(added[2].name, std::string("adam"));
        QVERIFY(std::abs(added[2].msPerStep - 0.03) < 1e-12);
        const std::vector<KernelTime> removed = timeAdded(graph.byName, base.byName);
        QCOMPARE(removed[0].name, std::string("index"));
        QCOMPARE(removed[0].msPerStep, -0.1);
        QCOMPARE(removed[1].countPerStep, -2.0);
    }

    // The host's waits for the device: counted per step and by call, apart from device work.
    void hostWaitsAreCountedApart() {
        QVERIFY(isHostWait("cudaStreamSynchronize"));
        QVERIFY(isHostWait("cudaEventSynchronize"));
        QVERIFY(isHostWait("cudaDeviceSynchronize"));
        QVERIFY(isHostWait("cudaMemcpy"));
        QVERIFY(isHostWait("cuMemcpyDtoH_v2"));
        QVERIFY(!isHostWait("cudaMemcpyAsync"));
        QVERIFY(!isHostWait("cudaLaunchKernel"));
        QVERIFY(!isHostWait("cudaEventRecord"));
        const KernelProfile base = summarizeDeviceActivity({{"gemm", 900}}, {{"cudaEventSynchronize", 800}, {"cudaEventSynchronize", 900}}, 1, 2);
        const KernelProfile graph = summarizeDeviceActivity(
            {{"gemm", 900}}, {{"cudaEventSynchronize", 800}, {"cudaEventSynchronize", 900}, {"cudaStreamSynchronize", 300}}, 1, 2);
        QCOMPARE(base.hostWaitsPerStep, 2.0);
        QCOMPARE(base.busyMsPerStep, 0.9);  // waits are host time, not device time
        QCOMPARE(base.hostWaits[0].countPerStep, 2.0);
        const std::vector<KernelTime> added = timeAdded(base.hostWaits, graph.hostWaits);
        QCOMPARE(int(added.size()), 1);
        QCOMPARE(added[0].name, std::string("cudaStreamSynchronize"));
        QCOMPARE(added[0].countPerStep, 1.0);
    }

    void shortKernelNames() {
        QCOMPARE(shortKernelName("void at::native::(anonymous namespace)::indexSelectLargeIndex<float, long, unsigned "
                                 "int, 2, 2, -2, true>(at::cuda::detail::TensorInfo<float, unsigned int>, long)"),
                 std::string("indexSelectLargeIndex"));
        QCOMPARE(shortKernelName("void at::native::vectorized_elementwise_kernel<4, at::native::CUDAFunctor_add<float>, "
                                 "std::array<char*, 3ul> >(int, at::native::CUDAFunctor_add<float>, std::array<char*, 3ul>)"),
                 std::string("vectorized_elementwise_kernel"));
        QCOMPARE(shortKernelName("void glr_rope_forward(float const*, float*, int)"), std::string("glr_rope_forward"));
        QCOMPARE(shortKernelName("Memcpy HtoD (Pinned -> Device)"), std::string("Memcpy HtoD (Pinned -> Device)"));
        const std::string cublas = "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64_warpgroupsize1x1x1_execute";
        QCOMPARE(shortKernelName(cublas), cublas.substr(0, 57) + "...");
    }

    // Only devices that run kernels are profiled: on the CPU nothing runs and the reason is given;
    // CPU benchmarks carry no kernel table.
    void kernelProfileOnlyOnDevices() {
        int ran = 0;
        const KernelProfile p = profileDeviceKernels(at::Device(at::kCPU), 3, [&] { ++ran; });
        QCOMPARE(ran, 0);
        QVERIFY(!p.profiled());
        QVERIFY2(p.status.find("cpu runs every operator on the host") != std::string::npos, p.status.c_str());
        LlmBenchOptions o = tinyOptions("lora-only");
        o.kernelProfileSteps = 3;
        const LlmBenchResult r = benchScore(o);
        QVERIFY(r.kernels.status.empty());
        QVERIFY(!QString::fromStdString(toJson(r)).contains("kernel_profile"));
    }

    // Builds without the CUDA kernels say so instead of timing nothing, and the model's fused
    // entry points decline CPU tensors so that the composed formulas run.
    void kernelsNeedACudaBuild() {
        const at::Tensor x = at::randn({1, 3, 2, 8}), angles = at::randn({1, 3, 1, 8});
        QVERIFY(!glr::fusedRotary(x, angles.cos(), angles.sin()).defined());
        QVERIFY(!glr::fusedSwiglu(at::randn({3, 8})).defined());
        if (glr::fusedKernelsBuilt()) QSKIP("this build has the fused kernels (CUDA LibTorch)");
        QVERIFY(!glr::fusedKernelsEnabled());
        try {
            benchKernels(KernelBenchOptions{});
            QFAIL("bench kernels ran without kernels");
        } catch (const glr::InputError& e) {
            QVERIFY2(QString(e.what()).contains("no fused kernels"), e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestBenchLlm)
#include "test_bench_llm.moc"
