// graphlora data … — raw ratings to prepared splits, and what a split holds.
//   data prepare SPEC.json --out DIR [--force]
//   data stats DIR [--json] [--tokenizer PATH] [--domain movie] [--max-history 10] [--max-length N]
//   data preview SPEC.json [--rows N]
//   data generate DIR [--rows N] [--users N] [--items N] [--seed S] [--delimiter D]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/verbs.h"
#include "data/prepare.h"
#include "data/split_dataset.h"
#include "data/stats.h"
#include "data/synthetic.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"
#include "util/files.h"

namespace glr::cli {

namespace {

// One status line on stderr, redrawn at most ten times a second.
data::DataProgress stderrProgress() {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    return [last](double fraction, const std::string& message) {
        const auto now = std::chrono::steady_clock::now();
        if (fraction < 1.0 && now - *last < std::chrono::milliseconds(100)) return true;
        *last = now;
        std::fprintf(stderr, "\r%3.0f%%  %-40s", fraction * 100, message.c_str());
        if (fraction >= 1.0) std::fprintf(stderr, "\n");
        std::fflush(stderr);
        return true;
    };
}

void prepareVerb(const std::string& specPath, const std::string& outDir, bool force, bool quiet) {
    const data::PrepareSpec spec = data::loadPrepareSpec(specPath);
    data::PrepareOptions options;
    options.overwrite = force;
    if (!quiet) options.progress = stderrProgress();
    const data::PrepareResult r = data::prepareSplits(spec, outDir, options);
    fmt::print("{}: {} users, {} items ({} interactions read, {} outside the split windows, {} filtered)\n",
               r.outDir, r.users, r.items, r.rawRows, r.outsideWindows, r.filtered);
    fmt::print("{:<12} {:>9} {:>9} {:>9}\n", "split", "rows", "positives", "warm");
    for (const auto& s : r.splits) fmt::print("{:<12} {:>9} {:>9} {:>9}\n", s.name, s.rows, s.positives, s.warm);
    fmt::print("prepared in {:.2f} s\n", r.seconds("total"));
}

struct StatsArgs {
    std::string dir, tokenizer, domain = "movie", resources;
    bool json = false, textOnly = false;
    int maxHistory = 10, maxLength = 1024;
};

void statsVerb(const StatsArgs& a) {
    const data::SplitDataset dataset = data::SplitDataset::load(a.dir);
    data::StatsOptions options;
    std::unique_ptr<Tokenizer> tokenizer;
    if (!a.tokenizer.empty()) {
        tokenizer = loadTokenizer(a.tokenizer);
        options.tokenizer = tokenizer.get();
        options.prompt.domain = a.domain;
        options.prompt.maxHistory = a.maxHistory;
        options.prompt.maxLength = a.maxLength;
        options.prompt.withIdClauses = !a.textOnly;
        options.resourcesDir = a.resources;
    }
    const data::DatasetStats stats = data::computeStats(dataset, options);
    if (a.json) fmt::print("{}\n", data::statsToJson(stats).dump(2));
    else fmt::print("{}", data::statsToText(stats));
}

void previewVerb(const std::string& specPath, int rows) {
    const data::PrepareSpec spec = data::loadPrepareSpec(specPath);
    for (const auto& table : data::previewSpec(spec, rows)) {
        fmt::print("{}\n", table.title);
        std::vector<std::size_t> width(table.columns.size());
        for (std::size_t c = 0; c < width.size(); ++c) {
            width[c] = table.columns[c].size();
            for (const auto& row : table.rows) width[c] = std::max(width[c], std::min<std::size_t>(row[c].size(), 48));
        }
        auto line = [&](const std::vector<std::string>& cells) {
            std::string out = " ";
            for (std::size_t c = 0; c < cells.size(); ++c) {
                std::string cell = cells[c].size() > 48 ? cells[c].substr(0, 45) + "..." : cells[c];
                out += fmt::format(" {:<{}}", cell, width[c]);
            }
            fmt::print("{}\n", out);
        };
        line(table.columns);
        for (const auto& row : table.rows) line(row);
        fmt::print("\n");
    }
}

}  // namespace

void registerDataVerbs(CLI::App& app) {
    auto* data = app.add_subcommand("data", "Prepare raw ratings into splits, inspect prepared splits");
    data->require_subcommand(1);

    {
        auto* cmd = data->add_subcommand("prepare", "Turn raw rating files into CoLLM-protocol splits (SPEC §5)");
        auto spec = std::make_shared<std::string>();
        auto out = std::make_shared<std::string>();
        auto force = std::make_shared<bool>(false);
        auto quiet = std::make_shared<bool>(false);
        cmd->add_option("SPEC", *spec, "prepare spec (JSON; paths relative to its directory)")->required();
        cmd->add_option("--out", *out, "output split directory (written atomically)")->required();
        cmd->add_flag("--force", *force, "replace an existing output directory");
        cmd->add_flag("--quiet", *quiet, "no progress line");
        cmd->callback([=] { prepareVerb(*spec, *out, *force, *quiet); });
    }
    {
        auto* cmd = data->add_subcommand("stats", "Rows, users, items, warm/cold, distributions of a prepared split");
        auto a = std::make_shared<StatsArgs>();
        cmd->add_option("DIR", a->dir, "split directory (train/valid/test.tsv, items.tsv)")->required();
        cmd->add_flag("--json", a->json, "print JSON instead of tables");
        cmd->add_option("--tokenizer", a->tokenizer, "tokenizer file or checkpoint directory: adds prompt lengths");
        cmd->add_option("--domain", a->domain, "prompt template domain (movie, book)")->capture_default_str();
        cmd->add_option("--max-history", a->maxHistory, "history titles per prompt")->capture_default_str();
        cmd->add_option("--max-length", a->maxLength, "prompt token limit (oldest titles dropped)")->capture_default_str();
        cmd->add_flag("--text-only", a->textOnly, "the template without the ID clauses");
        cmd->add_option("--resources", a->resources, "resources directory with prompts/ (default: built-in)");
        cmd->callback([a] { statsVerb(*a); });
    }
    {
        auto* cmd = data->add_subcommand("preview", "Show the first rows of a spec's raw files as prepare parses them");
        auto spec = std::make_shared<std::string>();
        auto rows = std::make_shared<int>(10);
        cmd->add_option("SPEC", *spec, "prepare spec (JSON)")->required();
        cmd->add_option("--rows", *rows, "rows per file")->capture_default_str()->check(CLI::Range(1, 100000));
        cmd->callback([=] { previewVerb(*spec, *rows); });
    }
    {
        auto* cmd = data->add_subcommand("generate", "Write a synthetic MovieLens-like dataset and its prepare spec");
        auto dir = std::make_shared<std::string>();
        auto o = std::make_shared<data::SyntheticOptions>();
        cmd->add_option("DIR", *dir, "output directory (ratings, movies, spec.json)")->required();
        cmd->add_option("--rows", o->rows, "interactions")->capture_default_str()->check(CLI::Range(1LL, 2000000000LL));
        cmd->add_option("--users", o->users, "users")->capture_default_str()->check(CLI::Range(1, 100000000));
        cmd->add_option("--items", o->items, "items")->capture_default_str()->check(CLI::Range(1, 100000000));
        cmd->add_option("--clusters", o->clusters, "latent taste clusters")->capture_default_str()->check(CLI::Range(1, 1000));
        cmd->add_option("--seed", o->seed, "random seed")->capture_default_str();
        cmd->add_option("--delimiter", o->delimiter, "',' (CSV with header) or '::' (ML-1M .dat)")->capture_default_str();
        cmd->callback([=] {
            if (o->items < o->clusters) failInput("--items ({}) must be at least --clusters ({})", o->items, o->clusters);
            const data::SyntheticFiles files = data::writeSyntheticDataset(*dir, *o);
            const std::string specPath = *dir + "/spec.json";
            writeFileAtomic(specPath, files.specJson + "\n");
            fmt::print("{}\n{}\n{}\n", files.ratingsPath, files.moviesPath, specPath);
        });
    }
}

}  // namespace glr::cli
