#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"

namespace glr::eval {
namespace {

// Pair counting over rows already ordered by descending score: a positive ranked strictly above a
// negative counts 1, a tied pair 1/2 (the Mann–Whitney U statistic that roc_auc_score's
// trapezoids add up to). Counts stay exact integers/halves in double up to 2^52 pairs.
template <typename LabelAt, typename ScoreAt>
double aucOfDescending(std::size_t n, LabelAt labelAt, ScoreAt scoreAt) {
    double positivesAbove = 0, correctPairs = 0, positives = 0, negatives = 0;
    for (std::size_t begin = 0; begin < n;) {
        std::size_t end = begin;
        double groupPositives = 0, groupNegatives = 0;
        const double score = scoreAt(begin);
        while (end < n && scoreAt(end) == score) {
            (labelAt(end) ? groupPositives : groupNegatives) += 1;
            ++end;
        }
        correctPairs += groupNegatives * positivesAbove + 0.5 * groupPositives * groupNegatives;
        positivesAbove += groupPositives;
        positives += groupPositives;
        negatives += groupNegatives;
        begin = end;
    }
    if (positives == 0 || negatives == 0) return kUndefined;
    return correctPairs / (positives * negatives);
}

// Prefix sums of sklearn's discount 1/log2(i+2), cut to zero from rank k on:
// prefix[x] = sum of the discounts of ranks [0, x), x <= k.
std::vector<double> discountPrefix(int k) {
    std::vector<double> prefix(std::size_t(k) + 1, 0.0);
    for (int i = 0; i < k; ++i) prefix[i + 1] = prefix[i] + 1.0 / (std::log(double(i) + 2.0) / std::log(2.0));
    return prefix;
}

// NDCG@k of one user's rows ordered by descending score, ties averaged as sklearn's
// _tie_averaged_dcg: each tie group spreads its mean gain over the discounts of the ranks it spans.
template <typename LabelAt, typename ScoreAt>
double ndcgOfDescending(std::size_t n, LabelAt labelAt, ScoreAt scoreAt, const std::vector<double>& prefix) {
    const std::size_t k = prefix.size() - 1;
    auto cumulative = [&](std::size_t ranks) { return prefix[std::min(ranks, k)]; };
    double dcg = 0, positives = 0;
    for (std::size_t begin = 0; begin < n;) {
        std::size_t end = begin;
        double groupPositives = 0;
        const double score = scoreAt(begin);
        while (end < n && scoreAt(end) == score) {
            groupPositives += labelAt(end) ? 1 : 0;
            ++end;
        }
        positives += groupPositives;
        if (begin < k) dcg += groupPositives / double(end - begin) * (cumulative(end) - cumulative(begin));
        begin = end;
    }
    const double ideal = cumulative(std::size_t(positives));  // binary gains: all positives first
    return ideal == 0 ? 0.0 : dcg / ideal;
}

void validateRows(const std::vector<ScoredRow>& rows) {
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (rows[i].label != 0 && rows[i].label != 1)
            failInput("prediction row {} (uid {}): label {} is not 0 or 1", i, rows[i].uid, rows[i].label);
        if (!std::isfinite(rows[i].score))
            failInput("prediction row {} (uid {}): score is not finite ({})", i, rows[i].uid, rows[i].score);
    }
}

MetricSet computeValidated(const std::vector<ScoredRow>& rows, int ndcgK) {
    MetricSet out;
    out.rows = std::int64_t(rows.size());
    if (rows.empty()) return out;

    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows[a].score > rows[b].score; });
    out.auc = aucOfDescending(
        order.size(), [&](std::size_t i) { return rows[order[i]].label; },
        [&](std::size_t i) { return rows[order[i]].score; });

    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        if (rows[a].uid != rows[b].uid) return rows[a].uid < rows[b].uid;
        return rows[a].score > rows[b].score;
    });
    const std::vector<double> prefix = discountPrefix(ndcgK);
    double uaucSum = 0, uaucWeightedSum = 0, uaucWeight = 0, ndcgSum = 0;
    for (std::size_t begin = 0; begin < order.size();) {
        std::size_t end = begin;
        std::int64_t positives = 0;
        while (end < order.size() && rows[order[end]].uid == rows[order[begin]].uid) positives += rows[order[end++]].label;
        const std::size_t n = end - begin;
        const std::size_t* userOrder = order.data() + begin;
        auto labelAt = [&](std::size_t i) { return rows[userOrder[i]].label; };
        auto scoreAt = [&](std::size_t i) { return rows[userOrder[i]].score; };
        ++out.users;
        out.positives += positives;
        if (positives > 0 && std::size_t(positives) < n) {
            const double userAuc = aucOfDescending(n, labelAt, scoreAt);
            uaucSum += userAuc;
            uaucWeightedSum += userAuc * double(positives);
            uaucWeight += double(positives);
            ++out.uaucUsers;
        }
        if (positives > 0 && n >= 2) {
            ndcgSum += ndcgOfDescending(n, labelAt, scoreAt, prefix);
            ++out.ndcgUsers;
        }
        begin = end;
    }
    if (out.uaucUsers > 0) {
        out.uauc = uaucSum / double(out.uaucUsers);
        out.uaucWeighted = uaucWeightedSum / uaucWeight;
    }
    if (out.ndcgUsers > 0) out.ndcg = ndcgSum / double(out.ndcgUsers);
    return out;
}

template <typename Keep>
std::vector<ScoredRow> filterRows(const std::vector<ScoredRow>& rows, Keep keep) {
    std::vector<ScoredRow> out;
    for (const auto& row : rows)
        if (keep(row)) out.push_back(row);
    return out;
}

}  // namespace

std::string DegreeBucket::name() const {
    if (upper < 0) return "degree_" + std::to_string(lower) + "+";
    if (upper == lower + 1) return "degree_" + std::to_string(lower);
    return "degree_" + std::to_string(lower) + "-" + std::to_string(upper - 1);
}

std::vector<DegreeBucket> degreeBuckets(const std::vector<std::int64_t>& lowerEdges) {
    if (lowerEdges.empty()) failInput("degree buckets: at least one lower edge is needed (e.g. [0, 1, 5, 20])");
    std::vector<DegreeBucket> out;
    for (std::size_t i = 0; i < lowerEdges.size(); ++i) {
        if (lowerEdges[i] < 0) failInput("degree buckets: edge {} is negative ({})", i, lowerEdges[i]);
        if (i > 0 && lowerEdges[i] <= lowerEdges[i - 1])
            failInput("degree buckets: edges must be strictly increasing, but edge {} ({}) <= edge {} ({})", i,
                      lowerEdges[i], i - 1, lowerEdges[i - 1]);
        out.push_back({lowerEdges[i], i + 1 < lowerEdges.size() ? lowerEdges[i + 1] : -1});
    }
    return out;
}

double rocAuc(const std::vector<int>& labels, const std::vector<double>& scores) {
    GLR_CHECK(labels.size() == scores.size(), "rocAuc: {} labels but {} scores", labels.size(), scores.size());
    std::vector<std::size_t> order(labels.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return aucOfDescending(
        order.size(), [&](std::size_t i) { return labels[order[i]] != 0; }, [&](std::size_t i) { return scores[order[i]]; });
}

double ndcgAtK(const std::vector<int>& labels, const std::vector<double>& scores, int k) {
    GLR_CHECK(labels.size() == scores.size(), "ndcgAtK: {} labels but {} scores", labels.size(), scores.size());
    GLR_CHECK(k > 0, "ndcgAtK: k must be positive, got {}", k);
    std::vector<std::size_t> order(labels.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
    return ndcgOfDescending(
        order.size(), [&](std::size_t i) { return labels[order[i]] != 0; }, [&](std::size_t i) { return scores[order[i]]; },
        discountPrefix(k));
}

MetricSet computeMetrics(const std::vector<ScoredRow>& rows, int ndcgK) {
    if (ndcgK <= 0) failInput("NDCG cut-off k must be positive, got {}", ndcgK);
    validateRows(rows);
    return computeValidated(rows, ndcgK);
}

EvaluationReport evaluate(const std::vector<ScoredRow>& rows,
                          const std::unordered_map<std::int64_t, std::int64_t>& userTrainDegree,
                          const EvaluationOptions& options) {
    if (options.ndcgK <= 0) failInput("NDCG cut-off k must be positive, got {}", options.ndcgK);
    validateRows(rows);
    EvaluationReport report;
    report.ndcgK = options.ndcgK;
    report.all = computeValidated(rows, options.ndcgK);
    report.warm = computeValidated(filterRows(rows, [](const ScoredRow& r) { return r.notCold; }), options.ndcgK);
    report.cold = computeValidated(filterRows(rows, [](const ScoredRow& r) { return !r.notCold; }), options.ndcgK);
    if (options.degreeEdges.empty()) return report;

    auto degreeOf = [&](std::int64_t uid) {
        auto it = userTrainDegree.find(uid);
        return it == userTrainDegree.end() ? std::int64_t(0) : it->second;
    };
    for (const DegreeBucket& bucket : degreeBuckets(options.degreeEdges)) {
        DegreeBucketMetrics entry;
        entry.bucket = bucket;
        entry.metrics = computeValidated(
            filterRows(rows, [&](const ScoredRow& r) { return bucket.contains(degreeOf(r.uid)); }), options.ndcgK);
        report.byDegree.push_back(std::move(entry));
    }
    return report;
}

double metricValue(const MetricSet& m, const std::string& metric) {
    if (metric == "auc") return m.auc;
    if (metric == "uauc") return m.uauc;
    if (metric == "uauc_weighted") return m.uaucWeighted;
    if (metric.rfind("ndcg@", 0) == 0) return m.ndcg;
    failInput("unknown metric '{}' (expected auc, uauc, uauc_weighted or ndcg@<k>)", metric);
}

std::vector<MetricRecord> EvaluationReport::records() const {
    std::vector<MetricRecord> out;
    const std::string names[] = {"auc", "uauc", "uauc_weighted", "ndcg@" + std::to_string(ndcgK)};
    auto add = [&](const std::string& subset, const MetricSet& m) {
        for (const std::string& metric : names)
            if (const double value = metricValue(m, metric); !std::isnan(value))
                out.push_back({subset, metric, value, m.rows});
    };
    add("all", all);
    add("warm", warm);
    add("cold", cold);
    for (const auto& entry : byDegree) add(entry.bucket.name(), entry.metrics);
    return out;
}

}  // namespace glr::eval
