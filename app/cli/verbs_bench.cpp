// graphlora bench … — benchmarks that need no dataset. Each benchmark is one subcommand, added
// by a registerBenchXxx(bench) function below and listed in registerBenchVerbs; every one
// prints a human-readable table and then its figures as one JSON object on the last line
// (`--json` prints the JSON only; `--out FILE` also appends that line to FILE), built with
// emitBenchReport so all benchmarks look alike. Each uses every core unless --threads says.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_kernels.h"
#include "bench/bench_llm.h"
#include "bench/bench_sgemm.h"
#include "cli/verbs.h"
#include "data/synthetic.h"
#include "gnn/bench_gnn.h"
#include "model/compat.h"
#include "util/error.h"

namespace glr::cli {

namespace {

// A benchmark's result: a title, label/value rows for people, and JSON for scripts.
struct BenchReport {
    std::string title;
    std::vector<std::pair<std::string, std::string>> rows;
    nlohmann::json json;
};

// Options every benchmark takes.
struct CommonBenchOptions {
    bool jsonOnly = false;
    std::string outFile;  // append the JSON line here
    int threads = 0;      // 0: every core
};

void addCommonOptions(CLI::App* cmd, const std::shared_ptr<CommonBenchOptions>& common) {
    cmd->add_flag("--json", common->jsonOnly, "print only the JSON line");
    cmd->add_option("--out", common->outFile, "also append the JSON line to this file");
    cmd->add_option("--threads", common->threads, "intra-op threads (0: every core)")
        ->capture_default_str()->check(CLI::Range(0, 4096));
}

void startBench(const CommonBenchOptions& common) { compat::prepareComputeThreads(common.threads); }

void emitBenchReport(const BenchReport& report, const CommonBenchOptions& common) {
    if (!common.jsonOnly) {
        std::size_t width = 0;
        for (const auto& [label, value] : report.rows) width = std::max(width, label.size());
        fmt::print("{}\n", report.title);
        for (const auto& [label, value] : report.rows) fmt::print("  {:<{}}  {}\n", label, width, value);
    }
    const std::string line = report.json.dump();
    fmt::print("{}\n", line);
    if (!common.outFile.empty()) {
        std::ofstream out(common.outFile, std::ios::app);
        if (!out) failInput("--out {}: cannot open the file for appending", common.outFile);
        out << line << '\n';
        if (!out.flush()) failInput("--out {}: write failed", common.outFile);
    }
}

std::string withThousands(std::int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string flopRate(double flops) {
    if (flops >= 1e12) return fmt::format("{:.2f} TFLOP/s", flops * 1e-12);
    return fmt::format("{:.2f} GFLOP/s", flops * 1e-9);
}

// "forward 1957, loss+backward 3294, …", or with a baseline the differences: "forward +189, …".
// Both lists come from the same step function, so their phases pair up in order.
template <typename T, typename Format>
std::string phaseList(const std::vector<std::pair<std::string, T>>& phases,
                      const std::vector<std::pair<std::string, T>>* baseline, Format&& format) {
    std::string out;
    for (std::size_t k = 0; k < phases.size(); ++k) {
        const auto& [phase, value] = phases[k];
        const bool paired = baseline && k < baseline->size();
        out += fmt::format("{}{} {}", k ? ", " : "", phase, format(paired ? value - (*baseline)[k].second : value, paired));
    }
    return out;
}

using PhaseCounts = std::vector<std::pair<std::string, std::int64_t>>;
std::string phaseCounts(const PhaseCounts& counts, const PhaseCounts* baseline = nullptr) {
    return phaseList(counts, baseline, [](std::int64_t n, bool difference) {
        return difference ? fmt::format("{:+}", n) : std::to_string(n);
    });
}

std::string phaseTimes(const bench::LlmBenchResult& r, const bench::LlmBenchResult* baseline = nullptr) {
    return phaseList(r.phaseMs, baseline ? &baseline->phaseMs : nullptr, [](double ms, bool difference) {
        return difference ? fmt::format("{:+.1f} ms", ms) : fmt::format("{:.1f} ms", ms);
    });
}

// "12.3 ms f, 4.5 ms g, …": the first `count` kernels of a table, with signs for differences.
std::string kernelList(const std::vector<bench::KernelTime>& table, std::size_t count, bool difference) {
    std::string out;
    for (std::size_t k = 0; k < table.size() && k < count; ++k) {
        const std::string name = bench::shortKernelName(table[k].name);
        // Two literal formats: C++20 checks format strings at compile time.
        out += k ? ", " : "";
        out += difference ? fmt::format("{:+.2f} ms {} ({:+.0f})", table[k].msPerStep, name, table[k].countPerStep)
                          : fmt::format("{:.2f} ms {} ({:.0f})", table[k].msPerStep, name, table[k].countPerStep);
    }
    return out;
}

std::string deviceTime(const bench::KernelProfile& p) {
    return fmt::format("busy {:.2f} ms in {:.0f} kernels and copies, idle {:.2f} ms, {:.0f} host waits (mean of {} steps)",
                       p.busyMsPerStep, p.activitiesPerStep, p.idleMsPerStep(), p.hostWaitsPerStep, p.steps);
}

std::string machineLine(const bench::MachineInfo& m) {
    return fmt::format("{}, {} logical CPUs, {} threads, load {:.2f}, LibTorch {}, OpenBLAS kernels {}, denormals {}",
                       m.cpuModel, m.logicalCpus, m.threads, m.loadAverage1, m.torchVersion,
                       m.blasCoreType.empty() ? std::string("(its own choice)") : m.blasCoreType,
                       m.denormalsFlushed ? "flushed to zero" : "kept");
}

// ---- bench data -------------------------------------------------------------------------------

// bench data: generate N interactions, prepare them into splits, load the result (issue 4).
void registerBenchData(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("data", "Parse and prepare N generated interactions (default 1M), load the split");
    auto rows = std::make_shared<std::int64_t>(1000000);
    auto seed = std::make_shared<std::uint64_t>(7);
    auto common = std::make_shared<CommonBenchOptions>();
    cmd->add_option("--rows", *rows, "interactions to generate")->capture_default_str()->check(CLI::Range(1LL, 200000000LL));
    cmd->add_option("--seed", *seed, "generator seed")->capture_default_str();
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const data::BenchDataResult r = data::benchPrepare(*rows, *seed);
        BenchReport report;
        report.title = fmt::format("bench data: {} generated interactions (ML-1M-shaped, dated ML-1M windows)", r.rows);
        report.rows = {
            {"generate (write CSV)", fmt::format("{:.3f} s", r.generateSeconds)},
            {"prepare (parse..write)", fmt::format("{:.3f} s (cpu {:.3f} s)", r.prepareSeconds, r.prepareCpuSeconds)},
            {"  rows/s", fmt::format("{:.0f}", r.rowsPerSecond)},
        };
        nlohmann::json stages = nlohmann::json::object();
        for (const auto& [stage, seconds] : r.stages) {
            if (stage != "total") report.rows.emplace_back("  " + stage, fmt::format("{:.3f} s", seconds));
            stages[stage] = seconds;
        }
        report.rows.emplace_back("prepared rows (train+valid+test)", std::to_string(r.preparedRows));
        report.rows.emplace_back("load prepared split", fmt::format("{:.3f} s (cpu {:.3f} s)", r.loadSeconds, r.loadCpuSeconds));
        report.json = {{"benchmark", "data"},          {"rows", r.rows},
                       {"prepared_rows", r.preparedRows}, {"generate_s", r.generateSeconds},
                       {"prepare_s", r.prepareSeconds}, {"load_s", r.loadSeconds},
                       {"prepare_cpu_s", r.prepareCpuSeconds}, {"load_cpu_s", r.loadCpuSeconds},
                       {"rows_per_s", r.rowsPerSecond},  {"stages_s", stages}};
        emitBenchReport(report, *common);
    });
}

// ---- bench train / score / overhead ------------------------------------------------------------

void addLlmOptions(CLI::App* cmd, const std::shared_ptr<bench::LlmBenchOptions>& o, bool withMethod) {
    cmd->add_option("--model", o->model, "named shape (tiny, stories260K, llama-1.1b, llama-7b) or a checkpoint path")
        ->capture_default_str();
    if (withMethod)
        cmd->add_option("--method", o->method, "lora-only, graphlora, collm, cora or tallrec (text-only LoRA)")
            ->capture_default_str()->check(CLI::IsMember({"lora-only", "graphlora", "collm", "cora", "tallrec"}));
    cmd->add_option("--batch", o->batch, "rows per step")->capture_default_str();
    cmd->add_option("--seq-len", o->seqLen, "tokens per row")->capture_default_str();
    cmd->add_option("--dtype", o->dtype, "frozen weights: auto, float32, bfloat16, float16")->capture_default_str();
    cmd->add_option("--device", o->device, "cpu, cuda, cuda:N")->capture_default_str();
    cmd->add_option("--warmup", o->warmup, "untimed steps first")->capture_default_str()->check(CLI::Range(0, 100000));
    cmd->add_option("--steps", o->steps, "timed steps")->capture_default_str()->check(CLI::Range(1, 100000));
    cmd->add_option("--seed", o->seed, "random weights, inputs and graph")->capture_default_str();
    cmd->add_option("--phase-steps", o->phaseSteps,
                    "further steps timed phase by phase, the device synchronised at each phase end (0: none)")
        ->capture_default_str()->check(CLI::Range(0, 100000));
    cmd->add_option("--kernel-profile-steps", o->kernelProfileSteps,
                    "CUDA: further steps under LibTorch's profiler: the device's time per step by kernel, its idle "
                    "time and the host's waits for it (0: none)")
        ->capture_default_str()->check(CLI::Range(0, 1000));
    cmd->add_option("--lora-r", o->loraR, "LoRA rank")->capture_default_str()->check(CLI::Range(1, 65536));
    cmd->add_option("--lora-alpha", o->loraAlpha, "LoRA alpha")->capture_default_str();
    cmd->add_option("--lora-dropout", o->loraDropout, "LoRA dropout")->capture_default_str();
    cmd->add_option("--lora-targets", o->loraTargets, "adapted projections")->capture_default_str()->delimiter(',');
    cmd->add_flag("--mask", o->attentionMask,
                  "pass an all-ones attention mask, as for a padded batch (default: none, as the trainer does "
                  "for a batch without padding)");
    cmd->add_option("--users", o->users, "graph users")->capture_default_str();
    cmd->add_option("--items", o->items, "graph items")->capture_default_str();
    cmd->add_option("--interactions", o->interactions, "graph edges (user-item pairs)")->capture_default_str();
    cmd->add_option("--mf-dim", o->mfDim, "MF embedding width d")->capture_default_str();
    cmd->add_option("--gnn", o->gnnType, "graph encoder")->capture_default_str()
        ->check(CLI::IsMember({"ngcf", "lightgcn", "gcn", "identity"}));
    cmd->add_option("--gnn-layers", o->gnnLayers, "encoder layers")->capture_default_str();
    cmd->add_option("--gnn-dim", o->gnnDim, "encoder width")->capture_default_str();
    cmd->add_flag("--full-graph{false}", o->oneHop, "propagate over the full graph instead of the batch's 1-hop subgraph");
    cmd->add_option("--inject-layer", o->injectLayer, "GraphLoRA injection layer (negative counts from the top)")
        ->capture_default_str();
    cmd->add_option("--peak-tflops", o->peakFlops, "device peak for MFU in TFLOP/s (default: measured on CPU, 989 on CUDA)")
        ->transform([](const std::string& s) { return std::to_string(std::stod(s) * 1e12); });
    cmd->add_option("--peak-size", o->peakSize, "square size of the CPU sgemm peak measurement")->capture_default_str();
}

void addClippingOption(CLI::App* cmd, const std::shared_ptr<bench::LlmBenchOptions>& o) {
    cmd->add_option("--max-grad-norm", o->maxGradNorm,
                    "clip the global gradient norm of each training step to this before the optimiser step, as "
                    "train.max_grad_norm does (0: no clipping, the trainer's default)")
        ->capture_default_str();
}

void addLlmRows(BenchReport& report, const bench::LlmBenchResult& r) {
    const bool train = r.mode == "train";
    report.rows.emplace_back(fmt::format("step (median of {})", r.step.count),
                             fmt::format("{:.1f} ms  (min {:.1f}, max {:.1f})", r.step.medianMs, r.step.minMs, r.step.maxMs));
    if (r.forwardHost.count > 0)
        report.rows.emplace_back("forward issued by the host in", fmt::format("{:.1f} ms (median)", r.forwardHost.medianMs));
    if (r.stepHost.count > 0)
        report.rows.emplace_back("step issued by the host in", fmt::format("{:.1f} ms (median; forward, backward, optimiser)",
                                                                           r.stepHost.medianMs));
    report.rows.emplace_back("tokens/s", fmt::format("{:.0f}", r.tokensPerSecond));
    report.rows.emplace_back("parameters", fmt::format("base {}, adapter {}, trainable {}", withThousands(r.baseParameters),
                                                       withThousands(r.adapterParameters), withThousands(r.trainableParameters)));
    report.rows.emplace_back("FLOPs/token", fmt::format("{} = {}", train ? "4·N_base + 6·N_adapter" : "2·N_base",
                                                        withThousands(static_cast<std::int64_t>(r.flopsPerToken))));
    report.rows.emplace_back("achieved", flopRate(r.achievedFlops));
    report.rows.emplace_back("peak", fmt::format("{} ({})", flopRate(r.peakFlops), r.peakSource));
    report.rows.emplace_back("MFU", fmt::format("{:.3f}", r.mfu));
    report.rows.emplace_back("peak memory", fmt::format("{:.1f} MiB ({})", double(r.peakMemoryBytes) / 1048576.0, r.peakMemoryKind));
    if (train) report.rows.emplace_back("loss first / last", fmt::format("{:.4f} / {:.4f}", r.firstLoss, r.lastLoss));
    else report.rows.emplace_back("mean |score|", fmt::format("{:.4f}", r.meanAbsScore));
    if (r.maxGradNorm > 0) report.rows.emplace_back("gradient clipping", fmt::format("global norm <= {:g}", r.maxGradNorm));
    if (r.cudaGraph && r.cudaGraph->status == "replayed") {
        const auto& g = *r.cudaGraph;
        report.rows.emplace_back("CUDA graph (interleaved)",
                                 fmt::format("replay {:.2f} ms vs eager {:.2f} ms (median of {}): {:.2f}x; {} {:.3g}",
                                             g.graph.medianMs, g.eager.medianMs, g.graph.count, g.speedup,
                                             train ? "parameters after one step, replayed vs eager, differ by at most"
                                                   : "scores differ by at most",
                                             g.maxAbsDifference));
    } else if (r.cudaGraph) {
        report.rows.emplace_back("CUDA graph", r.cudaGraph->status);
    }
    if (r.ops.total > 0) {
        report.rows.emplace_back("operators/step", fmt::format("{} ({})", r.ops.total, phaseCounts(r.ops.phases)));
        report.rows.emplace_back("launches/step", fmt::format("{} ({})", r.ops.launches, phaseCounts(r.ops.launchPhases)));
    }
    if (!r.phaseMs.empty())
        report.rows.emplace_back("phases (synchronised)", phaseTimes(r));
    if (r.kernels.profiled()) {
        report.rows.emplace_back("device time (profiled)", deviceTime(r.kernels));
        report.rows.emplace_back("largest kernels", kernelList(r.kernels.byName, 6, false));
        report.rows.emplace_back("host waits", kernelList(r.kernels.hostWaits, 4, false));
    } else if (!r.kernels.status.empty()) {
        report.rows.emplace_back("device time", r.kernels.status);
    }
}

std::string llmTitle(const char* what, const bench::LlmBenchResult& r) {
    return fmt::format("bench {}: {} on {}, {} x {} tokens, {} on {}", what, r.method, r.model, r.batch, r.seqLen,
                       r.dtype, r.device);
}

void registerBenchLlm(CLI::App& bench, const char* name, bool train) {
    auto* cmd = bench.add_subcommand(name, train ? "Training step time, tokens/s, MFU and peak memory of an LLM method"
                                                 : "Scoring (inference) step time, tokens/s, MFU and peak memory");
    auto o = std::make_shared<bench::LlmBenchOptions>();
    auto common = std::make_shared<CommonBenchOptions>();
    addLlmOptions(cmd, o, true);
    if (train) addClippingOption(cmd, o);
    cmd->add_flag("--cuda-graph", o->cudaGraph,
                  fmt::format("also capture {} as a CUDA graph and replay it, interleaved with eager steps (CUDA "
                              "builds; static shapes: not graphlora's 1-hop subgraph, use --full-graph)",
                              train ? "the whole training step (forward, backward, Adam)" : "the scoring forward"));
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const bench::LlmBenchResult r = train ? bench::benchTrain(*o) : bench::benchScore(*o);
        BenchReport report;
        report.title = llmTitle(name, r);
        addLlmRows(report, r);
        report.rows.emplace_back("machine", machineLine(r.machine));
        report.json = nlohmann::json::parse(bench::toJson(r));
        emitBenchReport(report, *common);
    });
}

void registerBenchOverhead(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("overhead", "GraphLoRA vs a baseline method (LoRA-only) step-time ratios, interleaved in one process");
    auto o = std::make_shared<bench::LlmBenchOptions>();
    auto common = std::make_shared<CommonBenchOptions>();
    addLlmOptions(cmd, o, false);
    addClippingOption(cmd, o);
    cmd->add_option("--baseline", o->baseline,
                    "method GraphLoRA is compared with: lora-only (its whole cost), collm (MF trained as well: the "
                    "graph path alone), tallrec or cora")
        ->capture_default_str()->check(CLI::IsMember({"lora-only", "collm", "tallrec", "cora"}));
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const bench::OverheadResult r = bench::benchOverhead(*o);
        const std::string& base = r.baselineTrain.method;
        BenchReport report;
        report.title = fmt::format("bench overhead: graphlora / {} on {}, {} x {} tokens, {} on {}, steps interleaved", base,
                                   r.baselineTrain.model, r.baselineTrain.batch, r.baselineTrain.seqLen, r.baselineTrain.dtype,
                                   r.baselineTrain.device);
        auto pair = [&](const char* label, const bench::LlmBenchResult& a, const bench::LlmBenchResult& b, auto&& value) {
            report.rows.emplace_back(label, fmt::format("{} {}, graphlora {}", base, value(a), value(b)));
        };
        auto row = [&](const char* label, const bench::LlmBenchResult& a, const bench::LlmBenchResult& b, double ratio) {
            report.rows.emplace_back(label, fmt::format("{} {:.1f} ms, graphlora {:.1f} ms  ->  ratio {:.3f}", base,
                                                        a.step.medianMs, b.step.medianMs, ratio));
        };
        auto tokens = [](const bench::LlmBenchResult& x) { return fmt::format("{:.0f}", x.tokensPerSecond); };
        row("train step (median)", r.baselineTrain, r.graphTrain, r.trainRatio);
        report.rows.emplace_back("train, one step in flight",
                                 fmt::format("{} {:.1f} ms, graphlora {:.1f} ms  ->  ratio {:.3f} (as the trainer runs: "
                                             "steps back to back, each loss read after the next is queued)",
                                             base, r.baselinePipelinedMs, r.graphPipelinedMs, r.trainRatioPipelined));
        row("score step (median)", r.baselineScore, r.graphScore, r.scoreRatio);
        // Against the step times above: where GraphLoRA's issue time nears its step time on a GPU,
        // the device waits for the host.
        pair("train step issued by host", r.baselineTrain, r.graphTrain,
             [](const bench::LlmBenchResult& x) { return fmt::format("{:.1f} ms", x.stepHost.medianMs); });
        pair("score forward issued by host", r.baselineScore, r.graphScore,
             [](const bench::LlmBenchResult& x) { return fmt::format("{:.1f} ms", x.forwardHost.medianMs); });
        pair("train tokens/s", r.baselineTrain, r.graphTrain, tokens);
        pair("score tokens/s", r.baselineScore, r.graphScore, tokens);
        auto phasesRow = [&](const char* label, const bench::LlmBenchResult& a, const bench::LlmBenchResult& b) {
            if (a.phaseMs.empty()) return;
            report.rows.emplace_back(label, fmt::format("{} {}; graphlora {}", base, phaseTimes(a), phaseTimes(b, &a)));
        };
        phasesRow("train phases (synchronised)", r.baselineTrain, r.graphTrain);
        phasesRow("score phases (synchronised)", r.baselineScore, r.graphScore);
        auto countsRow = [&](const char* label, std::int64_t a, std::int64_t b, const PhaseCounts& aPhases,
                             const PhaseCounts& bPhases) {
            report.rows.emplace_back(label, fmt::format("{} {}, graphlora {}  ->  {:+} ({})", base, a, b, b - a,
                                                        phaseCounts(bPhases, &aPhases)));
        };
        const auto &ta = r.baselineTrain.ops, &tb = r.graphTrain.ops, &sa = r.baselineScore.ops, &sb = r.graphScore.ops;
        countsRow("train operators/step", ta.total, tb.total, ta.phases, tb.phases);
        countsRow("train launches/step", ta.launches, tb.launches, ta.launchPhases, tb.launchPhases);
        countsRow("score operators/step", sa.total, sb.total, sa.phases, sb.phases);
        countsRow("score launches/step", sa.launches, sb.launches, sa.launchPhases, sb.launchPhases);
        // Device time by kernel (CUDA): whether GraphLoRA's extra step time is kernels it adds or
        // time the device waits.
        auto kernelRows = [&](const char* mode, const bench::LlmBenchResult& a, const bench::LlmBenchResult& b) {
            if (a.kernels.profiled() && b.kernels.profiled()) {
                report.rows.emplace_back(fmt::format("{} device time (profiled)", mode),
                                         fmt::format("{} {}; graphlora {}", base, deviceTime(a.kernels), deviceTime(b.kernels)));
                report.rows.emplace_back(fmt::format("{} kernels graphlora adds", mode),
                                         kernelList(bench::timeAdded(a.kernels.byName, b.kernels.byName), 6, true));
                const auto waits = bench::timeAdded(a.kernels.hostWaits, b.kernels.hostWaits);
                if (!waits.empty())
                    report.rows.emplace_back(fmt::format("{} host waits graphlora adds", mode), kernelList(waits, 4, true));
            } else if (!b.kernels.status.empty()) {
                report.rows.emplace_back(fmt::format("{} device time", mode), b.kernels.status);
            }
        };
        kernelRows("train", r.baselineTrain, r.graphTrain);
        kernelRows("score", r.baselineScore, r.graphScore);
        pair("trainable parameters", r.baselineTrain, r.graphTrain,
             [](const bench::LlmBenchResult& x) { return withThousands(x.trainableParameters); });
        report.rows.emplace_back("machine", machineLine(r.graphScore.machine));
        report.json = nlohmann::json::parse(bench::toJson(r));
        emitBenchReport(report, *common);
    });
}

// ---- bench gnn / sgemm ------------------------------------------------------------------------

void registerBenchGnn(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("gnn", "Full-graph propagation on a generated Amazon-Book-sized graph (sparse matmul)");
    auto o = std::make_shared<gnn::GnnBenchOptions>();
    auto common = std::make_shared<CommonBenchOptions>();
    cmd->add_option("--users", o->numUsers, "users")->capture_default_str();
    cmd->add_option("--items", o->numItems, "items")->capture_default_str();
    cmd->add_option("--interactions", o->interactions, "unique user-item pairs (Â has twice as many non-zeros)")->capture_default_str();
    cmd->add_option("--dim", o->dim, "feature width")->capture_default_str();
    cmd->add_option("--layers", o->layers, "propagation layers")->capture_default_str();
    cmd->add_option("--warmup", o->warmup, "untimed repetitions")->capture_default_str();
    cmd->add_option("--repeats", o->repeats, "timed repetitions")->capture_default_str();
    cmd->add_option("--seed", o->seed, "graph generator seed")->capture_default_str();
    cmd->add_option("--subgraph-rows", o->subgraphRows,
                    "rows (a user and an item each) per batch for the 1-hop subgraph cut; 0 skips it")
        ->capture_default_str();
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const gnn::GnnBenchResult r = gnn::benchGnn(*o);
        BenchReport report;
        report.title = fmt::format("bench gnn: {} nodes, {} non-zeros, dim {}, {} layers, {} threads (median of {})",
                                   withThousands(r.nodes), withThousands(r.nonZeros), r.dim, r.layers, r.threads, r.repeats);
        report.rows = {
            {"build Â (once)", fmt::format("{:.1f} ms", r.buildMs)},
            {"spmm Â x (CSR kernel)", fmt::format("{:.2f} ms  ({:.2f} GFLOP/s)", r.spmmMs, r.spmmGigaflops)},
            {"spmm Â x (torch sparse COO)", fmt::format("{:.2f} ms  (max |diff| {:.2g})", r.spmmTorchCooMs, r.maxAbsDifference)},
            {"LightGCN forward", fmt::format("{:.2f} ms", r.lightgcnForwardMs)},
            {"LightGCN forward+backward", fmt::format("{:.2f} ms", r.lightgcnForwardBackwardMs)},
            {"NGCF forward+backward", fmt::format("{:.2f} ms", r.ngcfForwardBackwardMs)},
        };
        if (o->subgraphRows > 0)
            report.rows.emplace_back(
                fmt::format("1-hop subgraph cut, {} rows (host)", o->subgraphRows),
                fmt::format("{:.3f} ms  ({:.0f} nodes, {:.0f} non-zeros, median of {} batches)", r.subgraphCutMs,
                            r.subgraphNodes, r.subgraphNonZeros, o->subgraphBatches));
        report.json = nlohmann::json::parse(gnn::toJson(r));
        report.json["benchmark"] = "gnn";
        const bench::MachineInfo m = bench::machineInfo();
        report.json["machine"] = bench::machineJson(m);
        report.rows.emplace_back("machine", machineLine(m));
        emitBenchReport(report, *common);
    });
}

void registerBenchSgemm(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("sgemm", "Matmul peak, and the fraction of it a model shape's layer GEMMs reach");
    auto o = std::make_shared<bench::SgemmOptions>();
    auto common = std::make_shared<CommonBenchOptions>();
    cmd->add_option("--shape", o->shape, "model shape whose layer GEMMs to time")->capture_default_str();
    cmd->add_option("--rows", o->rows, "M = B·T tokens per GEMM")->capture_default_str();
    cmd->add_option("--peak-size", o->peakSize, "square size of the peak measurement")->capture_default_str();
    cmd->add_option("--device", o->device, "cpu, cuda, cuda:N")->capture_default_str();
    cmd->add_option("--dtype", o->dtype, "float32, bfloat16, float16")->capture_default_str();
    cmd->add_option("--warmup", o->warmup, "untimed products per case")->capture_default_str();
    cmd->add_option("--repeats", o->repeats, "timed products per case")->capture_default_str();
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const bench::SgemmResult r = bench::benchSgemm(*o);
        BenchReport report;
        report.title = fmt::format("bench sgemm: {} layer GEMMs, M = {} rows, {} on {}, {} threads", r.shape, o->rows, r.dtype,
                                   r.device, r.threads);
        report.rows.emplace_back(fmt::format("peak [{0}x{0}]·[{0}x{0}]", r.peakSize),
                                 fmt::format("{:.1f} GFLOP/s best, {:.1f} median", r.peakGflops, r.peakMedianGflops));
        for (const auto& c : r.cases)
            report.rows.emplace_back(fmt::format("{} [{}x{}]·[{}x{}]", c.name, c.m, c.k, c.k, c.n),
                                     fmt::format("{:8.2f} ms  {:7.1f} GFLOP/s  {:.2f} of peak", c.bestMs, c.gflops, c.fractionOfPeak));
        report.json = nlohmann::json::parse(bench::toJson(r));
        report.rows.emplace_back("machine", machineLine(bench::machineInfo()));
        emitBenchReport(report, *common);
    });
}

void registerBenchKernels(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("kernels", "Fused CUDA kernels (RoPE, SwiGLU) against the ops they replace: time and agreement");
    auto o = std::make_shared<bench::KernelBenchOptions>();
    auto common = std::make_shared<CommonBenchOptions>();
    cmd->add_option("--model", o->shape, "model shape whose activations to use")->capture_default_str();
    cmd->add_option("--batch", o->batch, "rows")->capture_default_str();
    cmd->add_option("--seq-len", o->seqLen, "tokens per row")->capture_default_str();
    cmd->add_option("--device", o->device, "cuda, cuda:N")->capture_default_str();
    cmd->add_option("--dtype", o->dtype, "bfloat16, float16, float32")->capture_default_str();
    cmd->add_option("--warmup", o->warmup, "untimed repetitions per round")->capture_default_str();
    cmd->add_option("--repeats", o->repeats, "timed repetitions per round (3 alternating rounds)")->capture_default_str();
    addCommonOptions(cmd, common);
    cmd->callback([=] {
        startBench(*common);
        const bench::KernelBenchResult r = bench::benchKernels(*o);
        BenchReport report;
        report.title = fmt::format("bench kernels: {} activations, B = {}, T = {}, {} on {} (forward + backward)", r.shape,
                                   r.batch, r.seqLen, r.dtype, r.device);
        for (const auto& c : r.cases)
            report.rows.emplace_back(
                c.name, fmt::format("fused {:.3f} ms, composed {:.3f} ms, {:.2f}x; max rel. difference output {:.2g}, "
                                    "gradient {:.2g}",
                                    c.fusedMs, c.composedMs, c.speedup, c.outputRelativeError, c.gradientRelativeError));
        report.json = nlohmann::json::parse(bench::toJson(r));
        report.rows.emplace_back("machine", machineLine(bench::machineInfo()));
        emitBenchReport(report, *common);
    });
}

}  // namespace

void registerBenchVerbs(CLI::App& app) {
    auto* bench = app.add_subcommand("bench", "Benchmarks with generated data or random weights (table + JSON)");
    bench->require_subcommand(1);
    registerBenchLlm(*bench, "train", true);
    registerBenchLlm(*bench, "score", false);
    registerBenchOverhead(*bench);
    registerBenchGnn(*bench);
    registerBenchSgemm(*bench);
    registerBenchKernels(*bench);
    registerBenchData(*bench);
}

}  // namespace glr::cli
