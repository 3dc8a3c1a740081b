// graphlora runs list|show|delete|check|import|series, graphlora results, graphlora predictions, graphlora
// compare — reading the experiment store. Output meant for scripts (csv, json) has fixed columns;
// see results_table.h.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>

#include "cli/verbs.h"
#include "io/safetensors.h"
#include "store/results_table.h"
#include "store/run_comparison.h"
#include "store/run_filter.h"
#include "store/run_store.h"
#include "util/error.h"
#include "util/files.h"
#include "util/id_list.h"

namespace glr::cli {

namespace {

using store::RunStore;

// The store is only read here (apart from delete and marking dead runs interrupted): a missing
// file is an error rather than a new empty database.
RunStore openExisting(const std::string& db) {
    store::OpenOptions options;
    options.create = false;
    return RunStore(db.empty() ? store::defaultStorePath() : db, options);
}

std::vector<std::string> parseList(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

// Plain-text table with columns padded to their widest cell.
std::string textTable(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(headers.size());
    for (std::size_t c = 0; c < headers.size(); ++c) width[c] = headers[c].size();
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out;
        for (std::size_t c = 0; c < cells.size(); ++c)
            out += fmt::format("{:<{}}{}", cells[c], width[c], c + 1 < cells.size() ? "  " : "");
        while (!out.empty() && out.back() == ' ') out.pop_back();
        return out + "\n";
    };
    std::string out = line(headers);
    for (const auto& row : rows) out += line(row);
    return out;
}

// Keeps the runs `where` matches (core/store/run_filter.h, the Runs panel's language), in order.
// A malformed expression is an error; keys no run has are named on stderr, as likely typos.
std::vector<store::RunRecord> keepWhere(RunStore& store, std::vector<store::RunRecord> runs, const std::string& where) {
    if (where.empty()) return runs;
    const auto filter = store::FilterExpression::parse(where);
    if (!filter.isValid()) failInput("--where: {}", filter.error());
    std::vector<std::int64_t> ids;
    for (const auto& r : runs) ids.push_back(r.id);
    std::map<std::int64_t, std::vector<store::ResultRow>> results;
    if (!ids.empty())
        for (auto& row : store.results(ids)) results[row.runId].push_back(std::move(row));
    std::vector<store::FilterableRun> views;
    for (const auto& r : runs) views.push_back(store::filterableRun(r, results[r.id], store.metricSummaries(r.id)));
    std::vector<const store::FilterableRun*> pointers;
    for (const auto& v : views) pointers.push_back(&v);
    for (const auto& unknown : store::unknownFilterKeys(filter, pointers))
        fmt::print(stderr, "graphlora: warning: --where: {}\n", unknown.message());
    std::vector<store::RunRecord> kept;
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (filter.matches(views[i])) kept.push_back(std::move(runs[i]));
    return kept;
}

// ---- runs list ----------------------------------------------------------------------------------

struct ListOptions {
    std::string db, format = "table", method, status, tag, where;
    int limit = 0;
};

void runsList(const ListOptions& o) {
    auto store = openExisting(o.db);
    store::RunFilter filter;
    if (!o.method.empty()) filter.method = o.method;
    if (!o.status.empty()) filter.status = store::runStatusFromString(o.status);
    if (!o.tag.empty()) filter.tag = o.tag;
    filter.limit = o.where.empty() ? o.limit : 0;  // --limit counts the runs --where keeps
    auto runs = keepWhere(store, store.listRuns(filter), o.where);
    if (o.limit > 0 && int(runs.size()) > o.limit) runs.resize(o.limit);
    if (o.format == "csv") {
        std::fputs(store::runsCsv(runs).c_str(), stdout);
        return;
    }
    if (o.format == "json") {
        std::fputs(store::runsJson(runs).c_str(), stdout);
        return;
    }
    if (runs.empty()) {
        fmt::print("no runs in {}{}\n", store.path(), o.where.empty() ? "" : " match --where");
        return;
    }
    std::vector<std::int64_t> ids;
    for (const auto& r : runs) ids.push_back(r.id);
    std::map<std::int64_t, double> testAuc;
    for (const auto& r : store.results(ids, "test"))
        if (r.subset == "all" && r.metric == "auc") testAuc[r.runId] = r.value;
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : runs) {
        auto auc = testAuc.find(r.id);
        rows.push_back({std::to_string(r.id), r.name, r.method, store::toString(r.status), store::formatTime(r.createdAt),
                        store::formatTime(r.finishedAt),
                        auc == testAuc.end() || std::isnan(auc->second) ? "" : fmt::format("{:.4f}", auc->second)});
    }
    std::fputs(textTable({"id", "name", "method", "status", "created", "finished", "test AUC"}, rows).c_str(), stdout);
}

// ---- runs show / delete -------------------------------------------------------------------------

void runsShow(const std::string& db, std::int64_t id) {
    auto store = openExisting(db);
    auto run = store.getRun(id);
    fmt::print("run {}: {}\n", run.id, run.name.empty() ? "(unnamed)" : run.name);
    fmt::print("  method      {}\n  dataset     {}\n  status      {}{}\n", run.method, run.dataset,
               store::toString(run.status), run.error.empty() ? "" : " (" + run.error + ")");
    fmt::print("  created     {}\n  started     {}\n  finished    {}\n", store::formatTime(run.createdAt),
               store::formatTime(run.startedAt), store::formatTime(run.finishedAt));
    fmt::print("  seed        {}\n  config hash {}\n  git         {}{}\n  libtorch    {}\n  device      {}\n", run.seed,
               run.configHash, run.gitCommit, run.gitDirty ? " (dirty)" : "", run.torchVersion, run.device);
    if (!run.tags.empty()) {
        std::string tags;
        for (const auto& t : run.tags) tags += (tags.empty() ? "" : ", ") + t;
        fmt::print("  tags        {}\n", tags);
    }
    if (!run.notes.empty()) fmt::print("  notes       {}\n", run.notes);
    if (run.sweepId) fmt::print("  sweep       {} {}\n", *run.sweepId, run.sweepParams.dump());
    if (run.resumedFrom) fmt::print("  resumes     run {}\n", *run.resumedFrom);
    fmt::print("\nconfig:\n{}\n", run.config().dump(2));

    auto results = store.results({id});
    if (!results.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& r : results)
            rows.push_back({r.split, r.subset, r.metric, std::isnan(r.value) ? "nan" : fmt::format("{:.6g}", r.value),
                            std::to_string(r.nRows)});
        fmt::print("\nresults:\n{}", textTable({"split", "subset", "metric", "value", "rows"}, rows));
    }
    auto summaries = store.metricSummaries(id);
    if (!summaries.empty()) {
        std::vector<std::vector<std::string>> rows;
        for (const auto& m : summaries)
            rows.push_back({m.split, m.name, std::to_string(m.count), fmt::format("{:.6g}", m.last),
                            fmt::format("{:.6g}", m.min), fmt::format("{:.6g}", m.max), std::to_string(m.lastStep)});
        fmt::print("\nmetric series:\n{}", textTable({"split", "name", "points", "last", "min", "max", "last step"}, rows));
    }
    auto artifacts = store.artifacts(id);
    if (!artifacts.empty()) {
        fmt::print("\nartifacts:\n");
        for (const auto& a : artifacts) fmt::print("  {} (step {}): {}\n", a.kind, a.step, a.path);
    }
}

void runsDelete(const std::string& db, std::int64_t id) {
    auto store = openExisting(db);
    auto run = store.getRun(id);
    if (run.status == store::RunStatus::Running)
        failInput("run {} is running (pid {} on {}); stop it before deleting", id, run.pid, run.host);
    store.deleteRun(id);
    fmt::print("deleted run {}{}\n", id, run.name.empty() ? "" : " (" + run.name + ")");
}

// ---- runs import --------------------------------------------------------------------------------

std::string idPairs(const std::vector<std::pair<std::int64_t, std::int64_t>>& pairs) {
    std::vector<std::string> items;
    for (const auto& [there, here] : pairs) items.push_back(fmt::format("{}→{}", there, here));
    return fmt::format("{}", fmt::join(items, ", "));
}

void runsImport(const std::string& db, const std::string& source, const std::string& ids) {
    store::RunStore store(db.empty() ? store::defaultStorePath() : db);
    const auto report = store.importRuns(source, ids.empty() ? std::vector<std::int64_t>{} : parseIdList(ids, "RUN_IDS"));
    fmt::print("imported {} run{} from {}{}{}\n", report.imported.size(), report.imported.size() == 1 ? "" : "s", source,
               report.imported.empty() ? "" : " (id there→here: ", report.imported.empty() ? "" : idPairs(report.imported) + ")");
    if (!report.alreadyHere.empty())
        fmt::print("already here, not copied again: {}\n", idPairs(report.alreadyHere));
    if (!report.stillRunning.empty())
        fmt::print("still running there, left out: {}\n", fmt::join(report.stillRunning, ", "));
    if (report.sweepsCreated > 0) fmt::print("sweeps created: {}\n", report.sweepsCreated);
}

// ---- runs check ---------------------------------------------------------------------------------

struct ArtifactState {
    std::string status;
    bool bad = false;
};

// Opens every safetensors file of an artifact (a file, or a directory such as a PEFT adapter):
// the header is validated and, where the file has one, its checksum verified.
ArtifactState checkArtifact(const store::ArtifactRecord& artifact, store::RunStatus runStatus) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(artifact.path, ec)) {
        // A run that stopped before its first checkpoint registered the path but never wrote it.
        if (runStatus != store::RunStatus::Finished && artifact.kind == "checkpoint")
            return {"not written (the run stopped before its first checkpoint)", false};
        return {"missing", true};
    }
    std::vector<std::string> files;
    if (fs::is_directory(artifact.path, ec)) {
        for (const auto& entry : fs::directory_iterator(artifact.path, ec))
            if (entry.path().extension() == ".safetensors") files.push_back(entry.path().string());
    } else if (fs::path(artifact.path).extension() == ".safetensors") {
        files.push_back(artifact.path);
    }
    if (files.empty()) return {"present", false};
    std::size_t withDigest = 0;
    for (const auto& file : files) {
        try {
            withDigest += io::SafetensorsFile::open(file).metadata().count(io::kDigestKey);
        } catch (const InputError& e) {
            return {fmt::format("damaged: {}", e.what()), true};
        }
    }
    return {withDigest == files.size() ? "ok (checksum verified)" : "ok (readable; written without a checksum)", false};
}

void runsCheck(const std::string& db, const std::string& ids) {
    auto store = openExisting(db);
    const std::string integrity = store.integrityCheck();
    fmt::print("store {}: {}\n", store.path(), integrity == "ok" ? "SQLite integrity check ok" : integrity);
    store::RunFilter filter;
    filter.ids = parseIdList(ids, "RUN_IDS");
    auto runs = store.listRuns(filter);
    std::reverse(runs.begin(), runs.end());
    std::vector<std::vector<std::string>> rows;
    std::size_t artifacts = 0, bad = 0;
    for (const auto& run : runs)
        for (const auto& a : store.artifacts(run.id)) {
            const ArtifactState state = checkArtifact(a, run.status);
            ++artifacts;
            bad += state.bad ? 1 : 0;
            rows.push_back({std::to_string(run.id), a.kind, a.path, state.status});
        }
    if (!rows.empty()) std::fputs(textTable({"run", "artifact", "path", "state"}, rows).c_str(), stdout);
    if (integrity != "ok" || bad > 0)
        failInput("{} of {} artifacts missing or damaged{}", bad, artifacts,
                  integrity == "ok" ? "" : "; the store's integrity check failed");
    fmt::print("{} runs, {} artifacts: all readable\n", runs.size(), artifacts);
}

// ---- results ------------------------------------------------------------------------------------

struct ResultsOptions {
    std::string db, format = "md", runs, split, metrics = "auc,uauc", subsets = "all,warm,cold", where;
    bool noGroup = false;
    int decimals = 4;
};

void results(const ResultsOptions& o) {
    auto format = store::tableFormatFromString(o.format);
    auto store = openExisting(o.db);
    store::RunFilter filter;
    filter.ids = parseIdList(o.runs, "--runs");
    auto runs = store.listRuns(filter);
    for (auto id : filter.ids) {
        bool found = std::any_of(runs.begin(), runs.end(), [&](const auto& r) { return r.id == id; });
        if (!found) failInput("--runs: run {} not found in {}", id, store.path());
    }
    runs = keepWhere(store, std::move(runs), o.where);
    std::vector<std::int64_t> ids;
    // Oldest first reads naturally in a table (baselines are usually run first).
    std::reverse(runs.begin(), runs.end());
    for (const auto& r : runs) ids.push_back(r.id);
    if (format == store::TableFormat::Csv) {
        // The stable long form: one row per (run, split, subset, metric), every split unless --split.
        auto rows = ids.empty() ? std::vector<store::ResultRow>{} : store.results(ids, o.split);
        std::fputs(store::resultsCsv(runs, rows).c_str(), stdout);
        return;
    }
    store::ResultsTableOptions table;
    table.split = o.split.empty() ? "test" : o.split;
    table.metrics = parseList(o.metrics);
    table.subsets = parseList(o.subsets);
    table.groupSeeds = !o.noGroup;
    table.decimals = o.decimals;
    if (table.metrics.empty() || table.subsets.empty()) failInput("--metrics and --subsets must not be empty");
    auto built = store::buildResultsTable(runs, ids.empty() ? std::vector<store::ResultRow>{} : store.results(ids, table.split),
                                          table);
    if (built.rows.empty())
        failInput("no results for split '{}' in {}{}", table.split, store.path(),
                  (o.runs.empty() ? "" : " for runs " + o.runs) + (o.where.empty() ? "" : " matching --where"));
    std::fputs(store::formatResultsTable(built, format, o.decimals).c_str(), stdout);
}

// ---- runs series --------------------------------------------------------------------------------

// Writes to standard output for "" or "-", else to the file (whole or not at all), saying so.
void writeOutput(const std::string& out, const std::string& text, const std::string& what) {
    if (out.empty() || out == "-") {
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    writeFileAtomic(out, text);
    std::fprintf(stderr, "wrote %s to %s\n", what.c_str(), out.c_str());
}

struct SeriesOptions {
    std::string db, runs, keys, out;
};

void runsSeries(const SeriesOptions& o) {
    auto store = openExisting(o.db);
    const auto keys = parseList(o.keys);
    std::vector<std::pair<store::RunRecord, std::vector<store::MetricPoint>>> runs;
    std::size_t points = 0;
    for (auto id : parseIdList(o.runs, "RUN_IDS")) {
        auto series = store.metricSeriesByKeys(id, keys);
        points += series.size();
        runs.emplace_back(store.getRun(id), std::move(series));
    }
    if (points == 0 && !keys.empty())
        failInput("runs {} have no points for --keys {} (graphlora runs show ID lists a run's series)", o.runs, o.keys);
    writeOutput(o.out, store::seriesCsv(runs), fmt::format("{} points of {} runs", points, runs.size()));
}

// ---- predictions --------------------------------------------------------------------------------

void predictions(const std::string& db, std::int64_t id, const std::string& split, const std::string& out) {
    auto store = openExisting(db);
    store.getRun(id);  // "run N not found" before "no predictions"
    auto rows = store.predictions(id, split);
    if (rows.empty()) {
        auto splits = store.predictionSplits(id);
        std::string have;
        for (const auto& s : splits) have += (have.empty() ? "" : ", ") + s;
        failInput("run {} has no predictions for split '{}' ({})", id, split,
                  have.empty() ? "it has none stored" : "available: " + have);
    }
    writeOutput(out, store::predictionsCsv(rows), fmt::format("{} predictions", rows.size()));
}

// ---- compare ------------------------------------------------------------------------------------

struct CompareOptions {
    std::string db, runsA, runsB, split = "test", subset = "all", metrics = "auc,uauc", format = "table";
    int resamples = 1000, decimals = 4;
    std::uint64_t seed = 0;
};

std::string runLabel(const store::RunRecord& run) {
    return fmt::format("run {} ({}, seed {}{})", run.id, run.method, run.seed, run.name.empty() ? "" : ", " + run.name);
}

std::string pText(double p) { return p < 1e-4 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p); }

nlohmann::json comparisonJson(const store::RunComparison& c) {
    const auto& r = c.request;
    nlohmann::json out{{"run_a", r.runA}, {"run_b", r.runB}, {"split", r.split}, {"subset", r.subset},
                       {"rows", c.rows}, {"users", c.users}, {"only_a", c.onlyA}, {"only_b", c.onlyB},
                       {"seed", r.seed}, {"tests", nlohmann::json::array()}};
    for (const auto& l : c.lines)
        out["tests"].push_back({{"metric", l.metric}, {"test", l.test}, {"a", l.valueA}, {"b", l.valueB},
                                {"difference", l.difference}, {"standard_error", l.standardError},
                                {"ci95", {l.ci95Low, l.ci95High}}, {"z", l.z}, {"p", l.pValue}});
    return out;
}

std::string comparisonText(RunStore& store, const store::RunComparison& c, int d) {
    const auto& r = c.request;
    std::string out = fmt::format("{}\n  vs {}\n", runLabel(store.getRun(r.runA)), runLabel(store.getRun(r.runB)));
    out += fmt::format("{} rows of split '{}' ({}) that both runs scored, {} users{}\n\n", c.rows, r.split, r.subset,
                       c.users,
                       c.onlyA + c.onlyB > 0 ? fmt::format("; left out: {} rows only run {} scored, {} only run {}",
                                                           c.onlyA, r.runA, c.onlyB, r.runB)
                                             : "");
    std::vector<std::vector<std::string>> table;
    for (const auto& l : c.lines)
        table.push_back({store::metricDisplayName(l.metric), fmt::format("{:.{}f}", l.valueA, d),
                         fmt::format("{:.{}f}", l.valueB, d), fmt::format("{:+.{}f}", l.difference, d),
                         fmt::format("[{:+.{}f}, {:+.{}f}]", l.ci95Low, d, l.ci95High, d), fmt::format("{:.2f}", l.z),
                         pText(l.pValue), l.test});
    return out + textTable({"metric", fmt::format("run {}", r.runA), fmt::format("run {}", r.runB), "difference",
                            "95% CI", "z", "p (two-sided)", "test"},
                           table);
}

// Paired tests of run A against run B; with lists (one pair per seed, say), each pair, then the
// differences pooled over the pairs (eval::poolFixedEffect).
void compare(const CompareOptions& o) {
    const auto idsA = parseIdList(o.runsA, "RUN_A"), idsB = parseIdList(o.runsB, "RUN_B");
    if (idsA.size() != idsB.size())
        failInput("compare: {} runs in RUN_A but {} in RUN_B; the lists pair up by position", idsA.size(), idsB.size());
    auto store = openExisting(o.db);
    std::vector<store::RunComparison> comparisons;
    for (std::size_t k = 0; k < idsA.size(); ++k) {
        store::ComparisonRequest request;
        request.runA = idsA[k];
        request.runB = idsB[k];
        request.split = o.split;
        request.subset = o.subset;
        request.metrics = parseList(o.metrics);
        request.resamples = o.resamples;
        request.seed = o.seed;
        comparisons.push_back(store::compareRuns(store, request));
    }
    const std::vector<store::PooledLine> pooled = store::poolComparisons(comparisons);

    if (o.format == "json") {
        if (comparisons.size() == 1) {
            std::printf("%s\n", comparisonJson(comparisons.front()).dump().c_str());
            return;
        }
        nlohmann::json out{{"pairs", nlohmann::json::array()}, {"pooled", nlohmann::json::array()}};
        for (const auto& c : comparisons) out["pairs"].push_back(comparisonJson(c));
        for (const auto& p : pooled)
            out["pooled"].push_back({{"metric", p.metric}, {"pairs", p.pairs}, {"difference", p.difference},
                                     {"standard_error", p.standardError}, {"ci95", {p.ci95Low, p.ci95High}},
                                     {"z", p.z}, {"p", p.pValue}, {"q", p.q}, {"i_squared", p.iSquared}});
        std::printf("%s\n", out.dump().c_str());
        return;
    }
    const int d = o.decimals;
    for (std::size_t k = 0; k < comparisons.size(); ++k)
        std::printf("%s%s", k ? "\n" : "", comparisonText(store, comparisons[k], d).c_str());
    if (pooled.empty()) return;
    std::vector<std::vector<std::string>> table;
    for (const auto& p : pooled)
        table.push_back({store::metricDisplayName(p.metric), fmt::format("{:+.{}f}", p.difference, d),
                         fmt::format("[{:+.{}f}, {:+.{}f}]", p.ci95Low, d, p.ci95High, d), fmt::format("{:.2f}", p.z),
                         pText(p.pValue), fmt::format("{:.2f}", p.q), fmt::format("{:.0f}%", 100 * p.iSquared)});
    std::printf("\npooled over the %zu pairs (fixed effect, inverse-variance weights; I²: spread between pairs beyond "
                "chance)\n\n%s",
                comparisons.size(),
                textTable({"metric", "difference", "95% CI", "z", "p (two-sided)", "Cochran's Q", "I²"}, table).c_str());
}

}  // namespace

void addDbOption(CLI::App* cmd, std::string& db) {
    cmd->add_option("--db", db, "Experiment store (default: $GRAPHLORA_DB or ./runs.sqlite)");
}

constexpr const char* kWhereHelp =
    "Only runs matching this filter, as in the workbench's Runs panel: 'auc > 0.7 method:graphlora,collm', "
    "'valid/auc.max >= 0.65 and not status:failed', 'train.lr < 1e-3 method.inject.layers = [0]'";

void registerStoreVerbs(CLI::App& app) {
    // runs list|show|delete
    auto* runsCmd = app.add_subcommand("runs", "List, show, delete, check, import runs in the experiment store, or export their series");
    runsCmd->require_subcommand(1);

    auto list = std::make_shared<ListOptions>();
    auto* listCmd = runsCmd->add_subcommand("list", "List runs, newest first");
    addDbOption(listCmd, list->db);
    listCmd->add_option("--format", list->format, "table, csv (run_id,name,method,status,created,finished) or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    listCmd->add_option("--method", list->method, "Only runs of this method");
    listCmd->add_option("--status", list->status, "Only runs with this status")
        ->check(CLI::IsMember({"queued", "running", "finished", "failed", "interrupted"}));
    listCmd->add_option("--tag", list->tag, "Only runs with this tag");
    listCmd->add_option("--where", list->where, kWhereHelp);
    listCmd->add_option("--limit", list->limit, "At most this many runs")->check(CLI::NonNegativeNumber);
    listCmd->callback([list] { runsList(*list); });

    auto showDb = std::make_shared<std::string>();
    auto showId = std::make_shared<std::int64_t>(0);
    auto* showCmd = runsCmd->add_subcommand("show", "Show a run: metadata, config, results, artifacts");
    showCmd->add_option("RUN_ID", *showId, "run id")->required()->check(CLI::PositiveNumber);
    addDbOption(showCmd, *showDb);
    showCmd->callback([showDb, showId] { runsShow(*showDb, *showId); });

    auto delDb = std::make_shared<std::string>();
    auto delId = std::make_shared<std::int64_t>(0);
    auto* delCmd = runsCmd->add_subcommand("delete", "Delete a run and its metrics, results and predictions");
    delCmd->add_option("RUN_ID", *delId, "run id")->required()->check(CLI::PositiveNumber);
    addDbOption(delCmd, *delDb);
    delCmd->callback([delDb, delId] { runsDelete(*delDb, *delId); });

    auto checkDb = std::make_shared<std::string>();
    auto checkIds = std::make_shared<std::string>();
    auto* checkCmd = runsCmd->add_subcommand(
        "check", "Check the store's integrity and that every run's checkpoints and adapters are there and undamaged");
    checkCmd->add_option("RUN_IDS", *checkIds, "runs to check, e.g. 3,5-9 (default: all)");
    addDbOption(checkCmd, *checkDb);
    checkCmd->callback([checkDb, checkIds] { runsCheck(*checkDb, *checkIds); });

    auto importDb = std::make_shared<std::string>();
    auto importSource = std::make_shared<std::string>();
    auto importIds = std::make_shared<std::string>();
    auto* importCmd = runsCmd->add_subcommand(
        "import", "Copy runs from another store (a GPU machine's, a Slurm job's) into this one, with all they recorded");
    importCmd->add_option("SOURCE", *importSource, "the other store (SQLite file); only read")->required();
    importCmd->add_option("RUN_IDS", *importIds, "runs of SOURCE to copy, e.g. 3,5-9 (default: all); copied before: skipped");
    addDbOption(importCmd, *importDb);
    importCmd->callback([importDb, importSource, importIds] { runsImport(*importDb, *importSource, *importIds); });

    auto series = std::make_shared<SeriesOptions>();
    auto* seriesCmd = runsCmd->add_subcommand(
        "series", "Export runs' metric series (loss, validation metrics, …) as CSV "
                  "(run_id,run_name,split,name,step,epoch,wall_time,value)");
    seriesCmd->add_option("RUN_IDS", series->runs, "runs to export, e.g. 3,5-9")->required();
    seriesCmd->add_option("--keys", series->keys, "Only these series, comma-separated split/name: train/loss,valid/auc "
                                                  "(default: every series)");
    seriesCmd->add_option("--out", series->out, "Output CSV file (default: standard output)");
    addDbOption(seriesCmd, series->db);
    seriesCmd->callback([series] { runsSeries(*series); });

    // results
    auto res = std::make_shared<ResultsOptions>();
    auto* resCmd = app.add_subcommand("results", "Results across runs: paper-style table (mean ± std over seeds) or CSV");
    addDbOption(resCmd, res->db);
    resCmd->add_option("--format", res->format,
                       "md, latex (methods × metrics table) or csv (run_id,run_name,method,split,subset,metric,value)")
        ->check(CLI::IsMember({"md", "markdown", "csv", "latex", "tex"}));
    resCmd->add_option("--runs", res->runs, "Comma-separated run ids (default: all)");
    resCmd->add_option("--where", res->where, kWhereHelp);
    resCmd->add_option("--split", res->split, "Split to report (tables default to test; csv to every split)");
    resCmd->add_option("--metrics", res->metrics, "Table metrics, comma-separated (default auc,uauc)");
    resCmd->add_option("--subsets", res->subsets, "Table subsets, comma-separated (default all,warm,cold)");
    resCmd->add_flag("--no-group", res->noGroup, "One row per run instead of grouping seeds");
    resCmd->add_option("--decimals", res->decimals, "Digits after the decimal point")->check(CLI::Range(0, 12));
    resCmd->callback([res] { results(*res); });

    // predictions
    struct PredOptions {
        std::string db, split = "test", out;
        std::int64_t id = 0;
    };
    auto pred = std::make_shared<PredOptions>();
    auto* predCmd = app.add_subcommand("predictions", "Export a run's per-row predictions as CSV (uid,iid,label,score,not_cold)");
    predCmd->add_option("RUN_ID", pred->id, "run id")->required()->check(CLI::PositiveNumber);
    predCmd->add_option("--split", pred->split, "Split (default test)");
    predCmd->add_option("--out", pred->out, "Output CSV file (default: standard output)");
    addDbOption(predCmd, pred->db);
    predCmd->callback([pred] { predictions(pred->db, pred->id, pred->split, pred->out); });

    // compare
    auto cmp = std::make_shared<CompareOptions>();
    auto* cmpCmd = app.add_subcommand(
        "compare", "Is run A better than run B? Paired tests on the rows both scored (DeLong for AUC, a user "
                   "bootstrap for UAUC, wUAUC, NDCG@k)");
    cmpCmd->add_option("RUN_A", cmp->runsA, "run id, or ids to pair by position with RUN_B's (e.g. one per seed: 1,42,48)")
        ->required();
    cmpCmd->add_option("RUN_B", cmp->runsB, "run id, or ids (e.g. 2,43,49): several pairs are also pooled")->required();
    addDbOption(cmpCmd, cmp->db);
    cmpCmd->add_option("--split", cmp->split, "Split (default test)");
    cmpCmd->add_option("--subset", cmp->subset, "all, warm or cold rows (default all)");
    cmpCmd->add_option("--metrics", cmp->metrics, "Comma-separated: auc, uauc, uauc_weighted, ndcg@K (default auc,uauc)");
    cmpCmd->add_option("--resamples", cmp->resamples, "Bootstrap resamples (default 1000)")->check(CLI::Range(2, 1000000));
    cmpCmd->add_option("--seed", cmp->seed, "Bootstrap seed (default 0)");
    cmpCmd->add_option("--decimals", cmp->decimals, "Digits after the decimal point")->check(CLI::Range(0, 12));
    cmpCmd->add_option("--format", cmp->format, "table or json")->check(CLI::IsMember({"table", "json"}));
    cmpCmd->callback([cmp] { compare(*cmp); });
}

}  // namespace glr::cli
