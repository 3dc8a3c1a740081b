// Paired tests between two runs' scores: DeLong's AUC test against R's pROC (tests/eval/data,
// made by make_delong_fixture.R), against its own definition pair by pair, and the paired user
// bootstrap against DeLong.
#include <QtTest>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "eval/metrics.h"
#include "eval/significance.h"
#include "util/error.h"
#include "util/files.h"

using namespace glr::eval;

namespace {

struct Fixture {
    nlohmann::json json;
    std::vector<int> labels;
    std::vector<double> a, b, c;
};

Fixture loadFixture() {
    Fixture f;
    f.json = nlohmann::json::parse(glr::readFile(GRAPHLORA_SOURCE_DIR "/tests/eval/data/delong_proc.json"));
    f.labels = f.json.at("label").get<std::vector<int>>();
    f.a = f.json.at("score_a").get<std::vector<double>>();
    f.b = f.json.at("score_b").get<std::vector<double>>();
    f.c = f.json.at("score_c").get<std::vector<double>>();
    return f;
}

void expectNear(double got, double want, double tolerance, const char* what) {
    QVERIFY2(std::abs(got - want) <= tolerance,
             qPrintable(QString("%1: got %2, want %3").arg(what).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
}

// DeLong's variance of AUCᵃ − AUCᵇ straight from its definition, every (positive, negative) pair
// compared: O(m·n), independent of the midrank shortcut.
double definitionVariance(const std::vector<int>& labels, const std::vector<double>& a, const std::vector<double>& b) {
    std::vector<std::size_t> pos, neg;
    for (std::size_t r = 0; r < labels.size(); ++r) (labels[r] ? pos : neg).push_back(r);
    auto psi = [](double x, double y) { return x > y ? 1.0 : x == y ? 0.5 : 0.0; };
    const double m = double(pos.size()), n = double(neg.size());
    std::vector<double> d10, d01;  // per row: Vᵃ − Vᵇ
    for (std::size_t i : pos) {
        double sum = 0;
        for (std::size_t j : neg) sum += psi(a[i], a[j]) - psi(b[i], b[j]);
        d10.push_back(sum / n);
    }
    for (std::size_t j : neg) {
        double sum = 0;
        for (std::size_t i : pos) sum += psi(a[i], a[j]) - psi(b[i], b[j]);
        d01.push_back(sum / m);
    }
    auto sampleVariance = [](const std::vector<double>& v) {
        double mean = 0, sum = 0;
        for (double x : v) mean += x / double(v.size());
        for (double x : v) sum += (x - mean) * (x - mean);
        return sum / double(v.size() - 1);
    };
    return sampleVariance(d10) / m + sampleVariance(d01) / n;
}

}  // namespace

class TestSignificance : public QObject {
    Q_OBJECT

private slots:
    // R's pROC 1.18: roc.test(method = "delong", paired = TRUE), var(), cov() and the test's
    // conf.int, on 400 rows with many tied scores. Tolerance 1e-12: the same formulas, summed
    // in another order.
    void delongMatchesProc() {
        const Fixture f = loadFixture();
        const PairedAucTest t = delongPairedAuc(f.labels, f.a, f.b);
        const auto& j = f.json;
        expectNear(t.aucA, j.at("auc_a").get<double>(), 1e-12, "auc a");
        expectNear(t.aucB, j.at("auc_b").get<double>(), 1e-12, "auc b");
        expectNear(t.varianceA, j.at("var_a").get<double>(), 1e-12, "var a");
        expectNear(t.varianceB, j.at("var_b").get<double>(), 1e-12, "var b");
        expectNear(t.covariance, j.at("cov_ab").get<double>(), 1e-12, "cov ab");
        expectNear(t.z, j.at("z").get<double>(), 1e-9, "z");
        expectNear(t.pValue, j.at("p_value").get<double>(), 1e-9, "p");
        expectNear(t.ci95Low, j.at("diff_ci95")[0].get<double>(), 1e-9, "ci low");
        expectNear(t.ci95High, j.at("diff_ci95")[1].get<double>(), 1e-9, "ci high");
        // pROC's single-curve DeLong interval from the same variance.
        expectNear(t.aucA - 1.959963984540054 * std::sqrt(t.varianceA), j.at("ci95_a")[0].get<double>(), 1e-9, "ci a");

        // A clearly weaker scorer: the tail of the normal (p ≈ 3e-4) matches too.
        const PairedAucTest ac = delongPairedAuc(f.labels, f.a, f.c);
        expectNear(ac.aucB, j.at("auc_c").get<double>(), 1e-12, "auc c");
        expectNear(ac.z, j.at("z_ac").get<double>(), 1e-9, "z ac");
        expectNear(ac.pValue, j.at("p_value_ac").get<double>(), 1e-9, "p ac");
        expectNear(ac.ci95Low, j.at("diff_ci95_ac")[0].get<double>(), 1e-9, "ci low ac");

        // Swapping the runs flips the sign and nothing else.
        const PairedAucTest ba = delongPairedAuc(f.labels, f.b, f.a);
        expectNear(ba.z, -t.z, 1e-12, "z swapped");
        expectNear(ba.pValue, t.pValue, 1e-12, "p swapped");
    }

    void delongMatchesItsDefinition() {
        std::mt19937_64 rng(3);
        std::normal_distribution<double> noise;
        for (int trial = 0; trial < 5; ++trial) {
            std::vector<int> labels;
            std::vector<double> a, b;
            for (int r = 0; r < 150 + 37 * trial; ++r) {
                const int label = noise(rng) > 0.3 ? 1 : 0;
                const double signal = noise(rng) + label;
                labels.push_back(label);
                a.push_back(std::round(4 * (signal + noise(rng))) / 4);  // coarse: ties within and across labels
                b.push_back(std::round(4 * (0.5 * signal + noise(rng))) / 4);
            }
            const PairedAucTest t = delongPairedAuc(labels, a, b);
            expectNear(t.standardError * t.standardError, definitionVariance(labels, a, b), 1e-14, "variance");
            expectNear(t.aucA, rocAuc(labels, a), 1e-14, "auc a");
            expectNear(t.aucB, rocAuc(labels, b), 1e-14, "auc b");
        }
    }

    void identicalScorersDoNotDiffer() {
        const Fixture f = loadFixture();
        const PairedAucTest t = delongPairedAuc(f.labels, f.a, f.a);
        QCOMPARE(t.difference, 0.0);
        QCOMPARE(t.z, 0.0);
        QCOMPARE(t.pValue, 1.0);
        std::vector<PairedRow> rows;
        for (std::size_t r = 0; r < f.labels.size(); ++r) rows.push_back({std::int64_t(r % 40), f.labels[r], f.a[r], f.a[r]});
        const PairedBootstrap same = pairedUserBootstrap(rows, "uauc", 50, 1);
        QCOMPARE(same.difference, 0.0);
        QCOMPARE(same.standardError, 0.0);
        QCOMPARE(same.pValue, 1.0);
    }

    // With one row per user, resampling users resamples rows: the bootstrap's standard error of
    // the AUC difference must agree with DeLong's. Both estimate the same quantity; 2,000
    // resamples leave a Monte Carlo error of ~2 %. Ignoring the pairing (what a bug that resampled
    // the two runs separately would do) would give 0.035 here against 0.026.
    void userBootstrapAgreesWithDelong() {
        const Fixture f = loadFixture();
        std::vector<PairedRow> rows;
        for (std::size_t r = 0; r < f.labels.size(); ++r) rows.push_back({std::int64_t(r), f.labels[r], f.a[r], f.b[r]});
        const PairedAucTest delong = delongPairedAuc(f.labels, f.a, f.b);
        const PairedBootstrap boot = pairedUserBootstrap(rows, "auc", 2000, 20261127);
        QCOMPARE(boot.users, std::int64_t(400));
        QCOMPARE(boot.usable, 2000);
        expectNear(boot.difference, delong.difference, 1e-12, "difference");
        QVERIFY2(std::abs(boot.standardError / delong.standardError - 1) < 0.08,
                 qPrintable(QString("bootstrap SE %1, DeLong SE %2").arg(boot.standardError).arg(delong.standardError)));
        QVERIFY(boot.ci95Low < boot.difference && boot.difference < boot.ci95High);
        // The same seed draws the same users.
        const PairedBootstrap again = pairedUserBootstrap(rows, "auc", 2000, 20261127);
        QCOMPARE(again.standardError, boot.standardError);
        QCOMPARE(again.ci95Low, boot.ci95Low);
    }

    // UAUC over users: a user drawn twice counts twice. Three users: on user 7 run a ranks
    // correctly and run b inverts (per-user AUC 1 vs 0); users 8 and 9 tie in both runs (1/2 vs
    // 1/2). A resample's UAUC difference is then (draws of user 7)/3, Binomial(3, 1/3)/3: mean 1/3,
    // standard deviation √2/√27 ≈ 0.272. Were repeated users merged into one, it would be
    // 1/(distinct users drawn) when user 7 is drawn, 0 otherwise: standard deviation 0.248.
    void userBootstrapCountsRepeatedUsers() {
        std::vector<PairedRow> rows = {
            {7, 1, 0.9, 0.1}, {7, 0, 0.1, 0.9},  // a right, b inverted
            {8, 1, 0.5, 0.5}, {8, 0, 0.5, 0.5},  // both tie
            {9, 1, 0.3, 0.3}, {9, 0, 0.3, 0.3},  // both tie
        };
        const PairedBootstrap boot = pairedUserBootstrap(rows, "uauc", 4000, 5);
        expectNear(boot.difference, 1.0 / 3.0, 1e-15, "difference");
        expectNear(boot.valueA, 2.0 / 3.0, 1e-15, "UAUC of a");
        QCOMPARE(boot.users, std::int64_t(3));
        // 4,000 resamples: the standard deviation's Monte Carlo error is about 0.003.
        expectNear(boot.standardError, std::sqrt(2.0 / 27.0), 0.01, "standard error");
        QCOMPARE(boot.ci95Low, 0.0);   // no draw of user 7: probability 8/27
        QCOMPARE(boot.ci95High, 1.0);  // three draws of user 7: probability 1/27, above 2.5 %
    }

    // Hand-computed: d = (0.1, 0.3), SE = (0.1, 0.2) -> weights 100, 25; pooled 17.5/125 = 0.14,
    // SE 1/√125; Q = 100·0.04² + 25·0.16² = 0.8 < 1 degree of freedom, so I² = 0.
    // d = (0, 1), SE = (0.1, 0.1) -> pooled 0.5, Q = 50, I² = 49/50.
    void poolingIsInverseVarianceWeighted() {
        const PooledDifference p = poolFixedEffect({0.1, 0.3}, {0.1, 0.2});
        expectNear(p.difference, 0.14, 1e-15, "pooled difference");
        expectNear(p.standardError, 1 / std::sqrt(125.0), 1e-15, "pooled SE");
        expectNear(p.z, 0.14 * std::sqrt(125.0), 1e-12, "z");
        expectNear(p.pValue, std::erfc(0.14 * std::sqrt(125.0) / std::sqrt(2.0)), 1e-15, "p");
        expectNear(p.q, 0.8, 1e-12, "Q");
        QCOMPARE(p.iSquared, 0.0);
        QCOMPARE(p.comparisons, 2);
        const PooledDifference spread = poolFixedEffect({0.0, 1.0}, {0.1, 0.1});
        expectNear(spread.difference, 0.5, 1e-15, "pooled difference");
        expectNear(spread.q, 50, 1e-9, "Q");
        expectNear(spread.iSquared, 0.98, 1e-12, "I²");
        // One comparison pools to itself.
        const PooledDifference one = poolFixedEffect({0.02}, {0.01});
        expectNear(one.ci95Low, 0.02 - 1.959963984540054 * 0.01, 1e-15, "single CI");
        QVERIFY_THROWS_EXCEPTION(glr::InputError, poolFixedEffect({0.1}, {0.0}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, poolFixedEffect({0.1, 0.2}, {0.1}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, poolFixedEffect({}, {}));
    }

    void badInputIsReported() {
        QVERIFY_THROWS_EXCEPTION(glr::InputError, delongPairedAuc({1, 0, 1}, {0.1, 0.2, 0.3}, {0.1, 0.2}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, delongPairedAuc({1, 0, 2, 0}, {1, 2, 3, 4}, {1, 2, 3, 4}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, delongPairedAuc({1, 0, 0}, {1, 2, 3}, {1, 2, 3}));  // one positive
        QVERIFY_THROWS_EXCEPTION(glr::InputError, delongPairedAuc({1, 0, 1, 0}, {1, NAN, 3, 4}, {1, 2, 3, 4}));
        std::vector<PairedRow> rows = {{1, 1, 0.9, 0.1}, {1, 0, 0.1, 0.9}};
        QVERIFY_THROWS_EXCEPTION(glr::InputError, pairedUserBootstrap(rows, "recall", 10, 1));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, pairedUserBootstrap(rows, "uauc", 1, 1));
        std::vector<PairedRow> oneLabel = {{1, 1, 0.9, 0.1}, {2, 1, 0.1, 0.9}};
        try {
            pairedUserBootstrap(oneLabel, "auc", 10, 1);
            QFAIL("AUC over one label accepted");
        } catch (const glr::InputError& e) {
            QVERIFY2(std::string(e.what()).find("undefined") != std::string::npos, e.what());
        }
        QCOMPARE(pairedUserBootstrap(rows, "ndcg@3", 10, 1).metric, std::string("ndcg@3"));
    }
};

QTEST_APPLESS_MAIN(TestSignificance)
#include "test_significance.moc"
