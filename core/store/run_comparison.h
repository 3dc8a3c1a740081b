#pragma once
// Two runs tested against each other on the evaluation rows both scored: their stored predictions
// paired row for row (pairPredictions), then eval/significance.h's paired tests — DeLong for AUC,
// a user bootstrap for UAUC, weighted UAUC and NDCG@k. `graphlora compare` and the workbench's
// Runs panel show the result.
#include <cstdint>
#include <string>
#include <vector>

namespace glr::store {

class RunStore;

struct ComparisonRequest {
    std::int64_t runA = 0, runB = 0;
    std::string split = "test";
    std::string subset = "all";  // all, warm (user and item seen in training) or cold
    std::vector<std::string> metrics{"auc", "uauc"};  // auc, uauc, uauc_weighted, ndcg@<k>
    int resamples = 1000;        // bootstrap resamples (every metric but AUC)
    std::uint64_t seed = 0;      // bootstrap seed
};

struct ComparisonLine {
    std::string metric;
    std::string test;  // "DeLong, paired" or "paired bootstrap over N users, …"
    double valueA = 0, valueB = 0, difference = 0, standardError = 0, ci95Low = 0, ci95High = 0, z = 0, pValue = 1;
};

struct RunComparison {
    ComparisonRequest request;
    std::int64_t rows = 0, users = 0;  // the paired rows of the subset, and their users
    std::int64_t onlyA = 0, onlyB = 0;  // rows of the split only one run scored (left out)
    std::vector<ComparisonLine> lines;  // one per requested metric, in order
};

// Several independent comparisons (one pair of runs per seed, say), each metric's differences
// pooled by eval::poolFixedEffect.
struct PooledLine {
    std::string metric;
    int pairs = 0;
    double difference = 0, standardError = 0, ci95Low = 0, ci95High = 0, z = 0, pValue = 1;
    double q = 0, iSquared = 0;  // Cochran's Q and I²: how much the pairs disagree beyond chance
};

// Throws InputError: same run twice, an unknown subset or metric, a run without predictions for
// the split, rows whose labels differ between the runs, no shared rows, or a metric undefined on
// them.
RunComparison compareRuns(RunStore& store, const ComparisonRequest& request);

// One line per metric of the comparisons (which must test the same metrics in the same order);
// empty for fewer than two comparisons.
std::vector<PooledLine> poolComparisons(const std::vector<RunComparison>& comparisons);

}  // namespace glr::store
