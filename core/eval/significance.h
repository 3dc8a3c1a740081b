#pragma once
// Is one run better than another on the same rows? Paired tests of SPEC §6's metrics between two
// scorers of the same evaluation rows (two runs' stored predictions).
//
//   AUC: DeLong, DeLong & Clarke-Pearson (1988), the test of two correlated ROC curves, as R's
//   pROC computes it (roc.test(method = "delong", paired = TRUE)). With m positives X_i and n
//   negatives Y_j, ψ(x, y) = 1 if x > y, ½ if x = y, 0 otherwise, per scorer r:
//     V10_i = (1/n) Σ_j ψ(X_i, Y_j)   V01_j = (1/m) Σ_i ψ(X_i, Y_j)   AUC = mean V10 = mean V01
//     S10, S01 = 2×2 sample covariances (divisor m−1, n−1) of (V10ᵃ, V10ᵇ) and (V01ᵃ, V01ᵇ)
//     Var(AUCᵃ − AUCᵇ) = (S10ᵃᵃ + S10ᵇᵇ − 2 S10ᵃᵇ)/m + (S01ᵃᵃ + S01ᵇᵇ − 2 S01ᵃᵇ)/n
//     z = (AUCᵃ − AUCᵇ)/√Var, two-sided p = erfc(|z|/√2), 95% CI = difference ± 1.96·√Var.
//   The V's come from midranks (Sun & Xu 2014), so the test is O(N log N).
//
//   UAUC, weighted UAUC, NDCG@k: no closed form, so a paired bootstrap over users: users are
//   drawn with replacement (a user drawn twice counts twice), both runs are scored on the same
//   draw, and the differences' spread gives the standard error (z and p as above, pROC's
//   bootstrap convention) and the percentile 95% interval.
#include <cstdint>
#include <string>
#include <vector>

namespace glr::eval {

struct PairedAucTest {
    double aucA = 0, aucB = 0;
    double varianceA = 0, varianceB = 0, covariance = 0;  // DeLong estimates
    double difference = 0;     // aucA − aucB
    double standardError = 0;  // of the difference
    double z = 0, pValue = 1;
    double ci95Low = 0, ci95High = 0;  // of the difference
    std::int64_t positives = 0, negatives = 0;
};

// labels 0/1; scores finite. Throws InputError naming the row for anything else, and when only
// one label occurs (AUC is undefined). Identical scorers give difference 0, z 0 and p 1.
PairedAucTest delongPairedAuc(const std::vector<int>& labels, const std::vector<double>& scoresA,
                              const std::vector<double>& scoresB);

// One evaluation row scored by both runs.
struct PairedRow {
    std::int64_t uid = 0;
    int label = 0;
    double scoreA = 0, scoreB = 0;
    bool notCold = true;
};

struct PairedBootstrap {
    std::string metric;          // "auc", "uauc", "uauc_weighted" or "ndcg@<k>"
    double valueA = 0, valueB = 0, difference = 0;  // on the rows as they are
    double standardError = 0;    // of the difference over the usable resamples
    double z = 0, pValue = 1;
    double ci95Low = 0, ci95High = 0;  // percentile interval of the difference
    int resamples = 0;           // drawn
    int usable = 0;              // in which the metric was defined for both runs
    std::int64_t users = 0;      // distinct users among the rows (what is resampled)
};

// The metric names computeMetrics reports for these rows: auc, uauc, uauc_weighted, ndcg@<k>.
// Throws InputError for another name, resamples < 2, or a metric undefined on the rows themselves.
PairedBootstrap pairedUserBootstrap(const std::vector<PairedRow>& rows, const std::string& metric, int resamples,
                                    std::uint64_t seed);

// Independent paired comparisons (e.g. one per seed, each on its own rows) combined by the
// fixed-effect, inverse-variance rule: w_i = 1/SE_i², pooled d = Σ w_i d_i / Σ w_i,
// SE = 1/√Σ w_i, z = d/SE, two-sided p, 95% CI d ± 1.96·SE; Cochran's Q = Σ w_i (d_i − d)² and
// I² = max(0, (Q − (k−1))/Q), the share of the spread between comparisons beyond chance.
struct PooledDifference {
    double difference = 0, standardError = 0, z = 0, pValue = 1, ci95Low = 0, ci95High = 0;
    double q = 0, iSquared = 0;
    int comparisons = 0;
};

// Throws InputError when the lists differ in length, are empty, or a standard error is not
// positive and finite (a comparison without spread cannot be weighted).
PooledDifference poolFixedEffect(const std::vector<double>& differences, const std::vector<double>& standardErrors);

}  // namespace glr::eval
