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

// Throws InputError: same run twice, an unknown subset or metric, a run without predictions for
// the split, rows whose labels differ between the runs, no shared rows, or a metric undefined on
// them.
RunComparison compareRuns(RunStore& store, const ComparisonRequest& request);

}  // namespace glr::store
