#pragma once
// Ranking metrics of SPEC §6, computed from per-row predictions (uid, label, score, not_cold).
//
//   AUC        over all rows; tied scores count one half (sklearn roc_auc_score).
//   UAUC       unweighted mean of per-user AUC over users having both labels (CoLLM).
//   UAUC-w     the same mean weighted by each user's number of positives.
//   NDCG@k     per user, sklearn ndcg_score(k) with tied scores averaged (_tie_averaged_dcg),
//              mean over users with at least one positive and at least two rows.
//
// Each is reported on all rows, the warm (not_cold) and cold subsets, and per user-degree bucket
// (users grouped by their number of training interactions). Everything is O(n log n): one sort
// by score for AUC, one sort by (user, score) for the per-user metrics.
//
// A metric that is undefined for a set of rows (AUC with one class, UAUC with no user having both
// labels, …) is NaN in MetricSet and left out of records().
#include <cstdint>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

namespace glr::eval {

struct ScoredRow {
    std::int64_t uid = 0;
    int label = 0;       // 0 or 1
    double score = 0;    // any monotone score (logit or probability)
    bool notCold = true; // user and item both seen in train
};

inline constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

struct MetricSet {
    double auc = kUndefined;
    double uauc = kUndefined;
    double uaucWeighted = kUndefined;
    double ndcg = kUndefined;        // NDCG@k, k from EvaluationOptions (10 by default)
    std::int64_t rows = 0;
    std::int64_t positives = 0;
    std::int64_t users = 0;          // distinct users among the rows
    std::int64_t uaucUsers = 0;      // users with both labels (the UAUC denominators' support)
    std::int64_t ndcgUsers = 0;      // users with a positive and at least two rows
};

// Users whose training degree d satisfies lower <= d < upper (upper < 0: no upper bound).
struct DegreeBucket {
    std::int64_t lower = 0;
    std::int64_t upper = -1;
    // "degree_0", "degree_1-4", "degree_20+": the subset name recorded in the store.
    std::string name() const;
    bool contains(std::int64_t degree) const { return degree >= lower && (upper < 0 || degree < upper); }
};

// Buckets from increasing lower edges: {0, 1, 5, 20} -> [0,1) [1,5) [5,20) [20,inf).
// Throws InputError when the edges are empty, negative or not strictly increasing.
std::vector<DegreeBucket> degreeBuckets(const std::vector<std::int64_t>& lowerEdges);

struct DegreeBucketMetrics {
    DegreeBucket bucket;
    MetricSet metrics;  // metrics.users = evaluated users falling in the bucket
};

// One value the experiment store records: subset "all" / "warm" / "cold" / a degree bucket name;
// metric "auc" / "uauc" / "uauc_weighted" / "ndcg@10"; n_rows = rows of the subset.
struct MetricRecord {
    std::string subset;
    std::string metric;
    double value = 0;
    std::int64_t rows = 0;
};

struct EvaluationOptions {
    int ndcgK = 10;
    // Lower edges of the user-degree buckets; empty = no degree breakdown.
    std::vector<std::int64_t> degreeEdges = {0, 1, 5, 20};
};

struct EvaluationReport {
    int ndcgK = 10;
    MetricSet all, warm, cold;
    std::vector<DegreeBucketMetrics> byDegree;
    // Flattened, defined metrics only, in a stable order (all, warm, cold, then degree buckets).
    std::vector<MetricRecord> records() const;
};

// A metric of `m` by the name the store records it under: "auc", "uauc", "uauc_weighted" or
// "ndcg@<k>" (the NDCG of `m`, whatever k it was computed with). Throws InputError for another name.
double metricValue(const MetricSet& m, const std::string& metric);

// AUC of one set of rows (ties one half); NaN unless both labels occur.
double rocAuc(const std::vector<int>& labels, const std::vector<double>& scores);

// sklearn ndcg_score(y_true=[labels], y_score=[scores], k) for one user (ties averaged).
// Returns 0 for a user without positives (as sklearn does).
double ndcgAtK(const std::vector<int>& labels, const std::vector<double>& scores, int k);

// All metrics over the given rows (no subset split). Throws InputError for a label other than
// 0/1 or a non-finite score, naming the row.
MetricSet computeMetrics(const std::vector<ScoredRow>& rows, int ndcgK = 10);

// Metrics on all / warm / cold rows and per user-degree bucket. userTrainDegree maps uid to its
// number of training interactions; users absent from it have degree 0.
EvaluationReport evaluate(const std::vector<ScoredRow>& rows,
                          const std::unordered_map<std::int64_t, std::int64_t>& userTrainDegree,
                          const EvaluationOptions& options = {});

}  // namespace glr::eval
