// graphlora bench … — benchmarks that need no dataset. Each benchmark is one subcommand, added
// by a registerBenchXxx(bench) function below and listed in registerBenchVerbs; every one
// prints a human-readable table and then its figures as one JSON object on the last line
// (`--json` prints the JSON only), built with printBenchReport so all benchmarks look alike.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/verbs.h"
#include "data/synthetic.h"
#include "util/error.h"

namespace glr::cli {

namespace {

// A benchmark's result: a title, label/value rows for people, and JSON for scripts.
struct BenchReport {
    std::string title;
    std::vector<std::pair<std::string, std::string>> rows;
    nlohmann::json json;
};

void printBenchReport(const BenchReport& report, bool jsonOnly) {
    if (!jsonOnly) {
        std::size_t width = 0;
        for (const auto& [label, value] : report.rows) width = std::max(width, label.size());
        fmt::print("{}\n", report.title);
        for (const auto& [label, value] : report.rows) fmt::print("  {:<{}}  {}\n", label, width, value);
    }
    fmt::print("{}\n", report.json.dump());
}

// bench data: generate N interactions, prepare them into splits, load the result (issue 4).
void registerBenchData(CLI::App& bench) {
    auto* cmd = bench.add_subcommand("data", "Parse and prepare N generated interactions (default 1M), load the split");
    auto rows = std::make_shared<std::int64_t>(1000000);
    auto seed = std::make_shared<std::uint64_t>(7);
    auto jsonOnly = std::make_shared<bool>(false);
    cmd->add_option("--rows", *rows, "interactions to generate")->capture_default_str()->check(CLI::Range(1LL, 200000000LL));
    cmd->add_option("--seed", *seed, "generator seed")->capture_default_str();
    cmd->add_flag("--json", *jsonOnly, "print only the JSON line");
    cmd->callback([=] {
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
        printBenchReport(report, *jsonOnly);
    });
}

}  // namespace

void registerBenchVerbs(CLI::App& app) {
    auto* bench = app.add_subcommand("bench", "Benchmarks with generated data or random weights (table + JSON)");
    bench->require_subcommand(1);
    registerBenchData(*bench);
    // Further benchmarks (train, score, overhead, gnn) register here the same way.
}

}  // namespace glr::cli
