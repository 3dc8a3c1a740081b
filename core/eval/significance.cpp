#include "eval/significance.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "eval/metrics.h"
#include "util/error.h"

namespace glr::eval {
namespace {

constexpr double kZ975 = 1.959963984540054;  // the standard normal's 97.5 % quantile

double twoSidedP(double z) { return std::erfc(std::abs(z) / std::sqrt(2.0)); }

// 1-based ranks of `values` in ascending order, tied values sharing the mean of their ranks.
std::vector<double> midranks(const std::vector<double>& values) {
    std::vector<std::size_t> order(values.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
    std::vector<double> ranks(values.size());
    for (std::size_t begin = 0; begin < order.size();) {
        std::size_t end = begin;
        while (end < order.size() && values[order[end]] == values[order[begin]]) ++end;
        const double mid = 0.5 * double(begin + end - 1) + 1.0;
        for (std::size_t k = begin; k < end; ++k) ranks[order[k]] = mid;
        begin = end;
    }
    return ranks;
}

// DeLong's structural components of one scorer: V10 over the positives, V01 over the negatives.
struct Components {
    std::vector<double> v10, v01;
    double auc = 0;
};

Components components(const std::vector<double>& positives, const std::vector<double>& negatives) {
    const double m = double(positives.size()), n = double(negatives.size());
    std::vector<double> all(positives);
    all.insert(all.end(), negatives.begin(), negatives.end());
    const std::vector<double> rankAll = midranks(all), rankPos = midranks(positives), rankNeg = midranks(negatives);
    Components c;
    c.v10.resize(positives.size());
    c.v01.resize(negatives.size());
    // A positive's rank among all rows minus its rank among the positives = the negatives below it
    // (ties count one half); likewise a negative's = the positives below it.
    for (std::size_t i = 0; i < positives.size(); ++i) c.v10[i] = (rankAll[i] - rankPos[i]) / n;
    for (std::size_t j = 0; j < negatives.size(); ++j)
        c.v01[j] = 1.0 - (rankAll[positives.size() + j] - rankNeg[j]) / m;
    c.auc = std::accumulate(c.v10.begin(), c.v10.end(), 0.0) / m;
    return c;
}

double sampleCovariance(const std::vector<double>& x, double meanX, const std::vector<double>& y, double meanY) {
    double sum = 0;
    for (std::size_t k = 0; k < x.size(); ++k) sum += (x[k] - meanX) * (y[k] - meanY);
    return sum / double(x.size() - 1);
}

// R's default quantile (type 7): linear between the order statistics around p·(n−1).
double quantile(const std::vector<double>& sorted, double p) {
    const double h = p * double(sorted.size() - 1);
    const std::size_t lo = std::size_t(std::floor(h));
    const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
    return sorted[lo] + (h - double(lo)) * (sorted[hi] - sorted[lo]);
}

void setZ(double difference, double standardError, double& z, double& p) {
    if (standardError > 0) {
        z = difference / standardError;
        p = twoSidedP(z);
    } else {  // no spread at all: only "no difference" is consistent with the data
        z = difference == 0 ? 0 : std::copysign(INFINITY, difference);
        p = difference == 0 ? 1 : 0;
    }
}

// The NDCG cut-off a metric name asks for (10, unused, for the others); metricValue checks the rest.
int ndcgCutoff(const std::string& metric) {
    const std::string prefix = "ndcg@";
    if (metric.rfind(prefix, 0) != 0) return 10;
    const std::string digits = metric.substr(prefix.size());
    const bool number = !digits.empty() && digits.size() < 6 &&
                        std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!number || std::stoi(digits) <= 0) failInput("paired bootstrap: '{}' has no positive NDCG cut-off", metric);
    return std::stoi(digits);
}

}  // namespace

PairedAucTest delongPairedAuc(const std::vector<int>& labels, const std::vector<double>& scoresA,
                              const std::vector<double>& scoresB) {
    if (scoresA.size() != labels.size() || scoresB.size() != labels.size())
        failInput("paired AUC test: {} labels but {} and {} scores", labels.size(), scoresA.size(), scoresB.size());
    std::vector<double> posA, negA, posB, negB;
    for (std::size_t r = 0; r < labels.size(); ++r) {
        if (labels[r] != 0 && labels[r] != 1) failInput("paired AUC test: row {} has label {} (expected 0 or 1)", r, labels[r]);
        if (!std::isfinite(scoresA[r]) || !std::isfinite(scoresB[r]))
            failInput("paired AUC test: row {} has a non-finite score ({}, {})", r, scoresA[r], scoresB[r]);
        (labels[r] ? posA : negA).push_back(scoresA[r]);
        (labels[r] ? posB : negB).push_back(scoresB[r]);
    }
    if (posA.size() < 2 || negA.size() < 2)
        failInput("paired AUC test: needs at least 2 positive and 2 negative rows, got {} and {}", posA.size(),
                  negA.size());
    const Components a = components(posA, negA), b = components(posB, negB);
    const double m = double(posA.size()), n = double(negA.size());
    auto variance = [&](const std::vector<double>& x10, double meanX, const std::vector<double>& x01,
                        const std::vector<double>& y10, double meanY, const std::vector<double>& y01) {
        return sampleCovariance(x10, meanX, y10, meanY) / m + sampleCovariance(x01, meanX, y01, meanY) / n;
    };
    PairedAucTest t;
    t.positives = std::int64_t(posA.size());
    t.negatives = std::int64_t(negA.size());
    t.aucA = a.auc;
    t.aucB = b.auc;
    t.varianceA = variance(a.v10, a.auc, a.v01, a.v10, a.auc, a.v01);
    t.varianceB = variance(b.v10, b.auc, b.v01, b.v10, b.auc, b.v01);
    t.covariance = variance(a.v10, a.auc, a.v01, b.v10, b.auc, b.v01);
    t.difference = a.auc - b.auc;
    t.standardError = std::sqrt(std::max(0.0, t.varianceA + t.varianceB - 2 * t.covariance));
    setZ(t.difference, t.standardError, t.z, t.pValue);
    t.ci95Low = t.difference - kZ975 * t.standardError;
    t.ci95High = t.difference + kZ975 * t.standardError;
    return t;
}

PairedBootstrap pairedUserBootstrap(const std::vector<PairedRow>& rows, const std::string& metric, int resamples,
                                    std::uint64_t seed) {
    const int k = ndcgCutoff(metric);
    (void)metricValue(MetricSet{}, metric);  // an unknown name fails here, before any resampling
    if (resamples < 2) failInput("paired bootstrap: resamples must be at least 2, got {}", resamples);
    if (rows.empty()) failInput("paired bootstrap: no rows");

    std::map<std::int64_t, std::vector<std::size_t>> rowsOfUser;
    for (std::size_t r = 0; r < rows.size(); ++r) rowsOfUser[rows[r].uid].push_back(r);
    std::vector<const std::vector<std::size_t>*> users;
    for (const auto& [uid, list] : rowsOfUser) users.push_back(&list);

    // Each drawn user gets its own id, so that a user drawn twice counts as two users in UAUC.
    auto score = [&](const std::vector<const std::vector<std::size_t>*>& drawn, double& a, double& b) {
        std::vector<ScoredRow> sideA, sideB;
        for (std::size_t u = 0; u < drawn.size(); ++u)
            for (std::size_t r : *drawn[u]) {
                const PairedRow& row = rows[r];
                sideA.push_back({std::int64_t(u), row.label, row.scoreA, row.notCold});
                sideB.push_back({std::int64_t(u), row.label, row.scoreB, row.notCold});
            }
        a = metricValue(computeMetrics(sideA, k), metric);
        b = metricValue(computeMetrics(sideB, k), metric);
        return !std::isnan(a) && !std::isnan(b);
    };

    PairedBootstrap out;
    out.metric = metric;
    out.resamples = resamples;
    out.users = std::int64_t(users.size());
    if (!score(users, out.valueA, out.valueB))
        failInput("paired bootstrap: {} is undefined on these {} rows for {} (e.g. a single label)", metric,
                  rows.size(), std::isnan(out.valueA) ? "the first run" : "the second run");
    out.difference = out.valueA - out.valueB;

    // std::mt19937_64's output is fixed by the standard (its distributions are not), so a seed
    // gives the same draws with any standard library.
    std::mt19937_64 generator(seed);
    std::vector<double> differences;
    std::vector<const std::vector<std::size_t>*> drawn(users.size());
    for (int s = 0; s < resamples; ++s) {
        for (auto& user : drawn) {
            // u·n with u in [0, 1) can still round up to n: clamp.
            const auto k = std::size_t(double(generator() >> 11) * 0x1p-53 * double(users.size()));
            user = users[std::min(k, users.size() - 1)];
        }
        double a = 0, b = 0;
        if (score(drawn, a, b)) differences.push_back(a - b);
    }
    out.usable = int(differences.size());
    if (out.usable < 2)
        failInput("paired bootstrap: {} was defined in {} of {} resamples; too few users with both labels", metric,
                  out.usable, resamples);
    const double mean = std::accumulate(differences.begin(), differences.end(), 0.0) / double(out.usable);
    out.standardError = std::sqrt(sampleCovariance(differences, mean, differences, mean));
    std::sort(differences.begin(), differences.end());
    out.ci95Low = quantile(differences, 0.025);
    out.ci95High = quantile(differences, 0.975);
    setZ(out.difference, out.standardError, out.z, out.pValue);
    return out;
}

PooledDifference poolFixedEffect(const std::vector<double>& differences, const std::vector<double>& standardErrors) {
    if (differences.empty() || differences.size() != standardErrors.size())
        failInput("pooling: {} differences and {} standard errors", differences.size(), standardErrors.size());
    double weights = 0, weighted = 0;
    for (std::size_t i = 0; i < differences.size(); ++i) {
        const double se = standardErrors[i];
        if (!(se > 0) || !std::isfinite(se) || !std::isfinite(differences[i]))
            failInput("pooling: comparison {} has difference {} and standard error {}; only a positive, finite "
                      "standard error can be weighted",
                      i + 1, differences[i], se);
        weights += 1 / (se * se);
        weighted += differences[i] / (se * se);
    }
    PooledDifference out;
    out.comparisons = int(differences.size());
    out.difference = weighted / weights;
    out.standardError = 1 / std::sqrt(weights);
    setZ(out.difference, out.standardError, out.z, out.pValue);
    out.ci95Low = out.difference - kZ975 * out.standardError;
    out.ci95High = out.difference + kZ975 * out.standardError;
    for (std::size_t i = 0; i < differences.size(); ++i) {
        const double d = differences[i] - out.difference;
        out.q += d * d / (standardErrors[i] * standardErrors[i]);
    }
    const double df = double(differences.size() - 1);
    out.iSquared = out.q > df ? (out.q - df) / out.q : 0.0;
    return out;
}

}  // namespace glr::eval
