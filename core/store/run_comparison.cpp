#include "store/run_comparison.h"

#include <set>

#include <fmt/format.h>

#include "eval/significance.h"
#include "store/results_table.h"
#include "store/run_store.h"
#include "util/error.h"

namespace glr::store {
namespace {

std::vector<PredictionRow> storedPredictions(RunStore& store, std::int64_t id, const std::string& split) {
    store.getRun(id);  // "run N not found" first
    auto rows = store.predictions(id, split);
    if (rows.empty()) failInput("run {} has no predictions for split '{}'", id, split);
    return rows;
}

}  // namespace

RunComparison compareRuns(RunStore& store, const ComparisonRequest& request) {
    const auto& o = request;
    if (o.runA == o.runB) failInput("compare: both runs are {}; name two different runs", o.runA);
    if (o.subset != "all" && o.subset != "warm" && o.subset != "cold")
        failInput("compare: the subset must be all, warm or cold, got '{}'", o.subset);
    if (o.metrics.empty()) failInput("compare: no metric to test");
    const auto a = storedPredictions(store, o.runA, o.split), b = storedPredictions(store, o.runB, o.split);
    const PredictionPairs pairs = pairPredictions(a, b);
    if (pairs.labelMismatches > 0)
        failInput("compare: {} rows carry different labels in runs {} and {}: they were not evaluated on the same data",
                  pairs.labelMismatches, o.runA, o.runB);
    std::vector<eval::PairedRow> rows;
    for (const auto& [i, j] : pairs.matched) {
        if ((o.subset == "warm" && !a[i].notCold) || (o.subset == "cold" && a[i].notCold)) continue;
        rows.push_back({a[i].uid, a[i].label, a[i].score, b[j].score, a[i].notCold});
    }
    if (rows.empty())
        failInput("compare: runs {} and {} share no scored {} rows of split '{}' ({} and {} rows stored): they "
                  "evaluated different rows (another seed or eval.max_rows)",
                  o.runA, o.runB, o.subset, o.split, a.size(), b.size());

    RunComparison out;
    out.request = o;
    out.rows = std::int64_t(rows.size());
    out.onlyA = std::int64_t(pairs.onlyA);
    out.onlyB = std::int64_t(pairs.onlyB);
    std::set<std::int64_t> users;
    for (const auto& r : rows) users.insert(r.uid);
    out.users = std::int64_t(users.size());
    for (const std::string& metric : o.metrics) {
        if (metric == "auc") {
            std::vector<int> labels;
            std::vector<double> scoresA, scoresB;
            for (const auto& r : rows) {
                labels.push_back(r.label);
                scoresA.push_back(r.scoreA);
                scoresB.push_back(r.scoreB);
            }
            const auto t = eval::delongPairedAuc(labels, scoresA, scoresB);
            out.lines.push_back({metric, "DeLong, paired", t.aucA, t.aucB, t.difference, t.standardError, t.ci95Low,
                                 t.ci95High, t.z, t.pValue});
        } else {
            const auto t = eval::pairedUserBootstrap(rows, metric, o.resamples, o.seed);
            out.lines.push_back({metric,
                                 fmt::format("paired bootstrap over {} users, {} of {} resamples usable", t.users,
                                             t.usable, t.resamples),
                                 t.valueA, t.valueB, t.difference, t.standardError, t.ci95Low, t.ci95High, t.z,
                                 t.pValue});
        }
    }
    return out;
}

std::vector<PooledLine> poolComparisons(const std::vector<RunComparison>& comparisons) {
    std::vector<PooledLine> out;
    if (comparisons.size() < 2) return out;
    const auto& first = comparisons.front().lines;
    for (std::size_t m = 0; m < first.size(); ++m) {
        std::vector<double> differences, errors;
        for (const auto& c : comparisons) {
            if (c.lines.size() != first.size() || c.lines[m].metric != first[m].metric)
                failInput("pooling: the comparisons test different metrics");
            differences.push_back(c.lines[m].difference);
            errors.push_back(c.lines[m].standardError);
        }
        const eval::PooledDifference p = eval::poolFixedEffect(differences, errors);
        out.push_back({first[m].metric, p.comparisons, p.difference, p.standardError, p.ci95Low, p.ci95High, p.z,
                       p.pValue, p.q, p.iSquared});
    }
    return out;
}

}  // namespace glr::store
