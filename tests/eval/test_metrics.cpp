// Ranking metrics against sklearn's numbers (shared/fixtures/metrics.json) and hand-worked cases.
#include <QtTest>

#include <chrono>
#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "eval/metrics.h"
#include "util/error.h"
#include "util/files.h"

using namespace glr::eval;

namespace {

constexpr double kTolerance = 1e-9;

double log2Discount(int rank) { return 1.0 / std::log2(double(rank) + 2.0); }

const MetricRecord* findRecord(const std::vector<MetricRecord>& records, const std::string& subset,
                               const std::string& metric) {
    for (const auto& r : records)
        if (r.subset == subset && r.metric == metric) return &r;
    return nullptr;
}

}  // namespace

class TestMetrics : public QObject {
    Q_OBJECT

private slots:
    void aucCountsTiesOneHalf() {
        // Positives {0.5, 0.8}, negatives {0.5, 0.1}: 0.8 beats both, 0.5 beats 0.1 and ties 0.5.
        QCOMPARE(rocAuc({1, 0, 1, 0}, {0.5, 0.5, 0.8, 0.1}), 3.5 / 4.0);
        QCOMPARE(rocAuc({1, 1, 0, 0}, {0.9, 0.8, 0.2, 0.1}), 1.0);
        QCOMPARE(rocAuc({1, 0}, {0.3, 0.3}), 0.5);
        QVERIFY(std::isnan(rocAuc({1, 1}, {0.3, 0.4})));
    }

    void ndcgAveragesTies() {
        // sklearn's docstring case, binary: k=1 and a tie between a positive and a negative at the
        // top gives the tie group's mean gain, 1/2.
        QVERIFY(std::abs(ndcgAtK({1, 0, 0, 0, 0}, {1, 0, 0, 0, 1}, 1) - 0.5) < kTolerance);
        // All scores tied: every rank gets the mean gain 2/5 (sklearn test_dcg_ties, binary).
        double dcg = 0;
        for (int i = 0; i < 5; ++i) dcg += log2Discount(i) * 2.0 / 5.0;
        const double ideal = log2Discount(0) + log2Discount(1);
        QVERIFY(std::abs(ndcgAtK({1, 0, 0, 1, 0}, {0, 0, 0, 0, 0}, 10) - dcg / ideal) < kTolerance);
        // Cut-off inside a tie group: only the ranks below k count, and the ideal is cut too.
        const double cut = (1.0 / 3.0) * (log2Discount(0) + log2Discount(1)) / (log2Discount(0) + log2Discount(1));
        QVERIFY(std::abs(ndcgAtK({1, 0, 0, 1}, {0.5, 0.5, 0.5, 0.1}, 2) - cut) < kTolerance);
        QCOMPARE(ndcgAtK({0, 0}, {0.1, 0.2}, 10), 0.0);
    }

    void matchesSklearnFixture() {
        GLR_REQUIRE_SHARED("fixtures/metrics.json");
        auto json = nlohmann::json::parse(glr::readFile(glr::test::sharedPath("fixtures/metrics.json")));
        const auto& users = json.at("user");
        const auto& labels = json.at("label");
        const auto& scores = json.at("score");
        QCOMPARE(users.size(), std::size_t(2000));
        std::vector<ScoredRow> rows;
        for (std::size_t i = 0; i < users.size(); ++i)
            rows.push_back({users[i].get<std::int64_t>(), labels[i].get<int>(), scores[i].get<double>(), true});

        MetricSet m = computeMetrics(rows, 10);
        QCOMPARE(m.rows, std::int64_t(2000));
        QCOMPARE(m.uaucUsers, json.at("users_with_both_classes").get<std::int64_t>());
        auto expectNear = [](double got, double want, const char* what) {
            QVERIFY2(std::abs(got - want) < kTolerance,
                     qPrintable(QString("%1: got %2, want %3").arg(what).arg(got, 0, 'g', 17).arg(want, 0, 'g', 17)));
        };
        expectNear(m.auc, json.at("auc").get<double>(), "auc");
        expectNear(m.uauc, json.at("uauc_mean_over_users_with_both_classes").get<double>(), "uauc");
        expectNear(m.uaucWeighted, json.at("uauc_weighted_by_positives").get<double>(), "uauc_weighted");
        expectNear(m.ndcg, json.at("ndcg@10_mean_over_users_with_a_positive_and_2plus_rows").get<double>(), "ndcg@10");

        // Row order must not matter (sorting is internal).
        std::mt19937 rng(7);
        std::shuffle(rows.begin(), rows.end(), rng);
        MetricSet shuffled = computeMetrics(rows, 10);
        expectNear(shuffled.auc, m.auc, "auc after shuffle");
        expectNear(shuffled.ndcg, m.ndcg, "ndcg after shuffle");
    }

    void subsetsAndDegreeBuckets() {
        // user 1: degree 0, cold; user 2: degree 3, warm; user 3: degree 30, warm.
        std::vector<ScoredRow> rows = {
            {1, 1, 0.9, false}, {1, 0, 0.1, false},                    // user AUC 1
            {2, 1, 0.2, true},  {2, 0, 0.8, true},  {2, 1, 0.5, true}, // user AUC 0
            {3, 1, 0.3, true},  {3, 0, 0.3, true},                     // user AUC 1/2 (tie)
        };
        std::unordered_map<std::int64_t, std::int64_t> degree = {{2, 3}, {3, 30}};
        EvaluationReport report = evaluate(rows, degree, {});

        // 12 (positive, negative) pairs, 7.5 ordered correctly.
        QVERIFY(std::abs(report.all.auc - 7.5 / 12.0) < kTolerance);
        QVERIFY(std::abs(report.all.uauc - 0.5) < kTolerance);
        QVERIFY(std::abs(report.all.uaucWeighted - (1.0 * 1 + 0.0 * 2 + 0.5 * 1) / 4.0) < kTolerance);
        const double ndcgUser2 = (log2Discount(1) + log2Discount(2)) / (log2Discount(0) + log2Discount(1));
        const double ndcgUser3 = 0.5 * (log2Discount(0) + log2Discount(1));
        QVERIFY(std::abs(report.all.ndcg - (1.0 + ndcgUser2 + ndcgUser3) / 3.0) < kTolerance);

        QCOMPARE(report.warm.rows, std::int64_t(5));
        QVERIFY(std::abs(report.warm.uauc - 0.25) < kTolerance);
        QVERIFY(std::abs(report.warm.uaucWeighted - 0.5 / 3.0) < kTolerance);
        QCOMPARE(report.cold.rows, std::int64_t(2));
        QCOMPARE(report.cold.auc, 1.0);

        QCOMPARE(int(report.byDegree.size()), 4);
        QCOMPARE(QString::fromStdString(report.byDegree[0].bucket.name()), QString("degree_0"));
        QCOMPARE(QString::fromStdString(report.byDegree[1].bucket.name()), QString("degree_1-4"));
        QCOMPARE(QString::fromStdString(report.byDegree[2].bucket.name()), QString("degree_5-19"));
        QCOMPARE(QString::fromStdString(report.byDegree[3].bucket.name()), QString("degree_20+"));
        QCOMPARE(report.byDegree[0].metrics.rows, std::int64_t(2));
        QCOMPARE(report.byDegree[0].metrics.auc, 1.0);
        QCOMPARE(report.byDegree[1].metrics.rows, std::int64_t(3));
        QCOMPARE(report.byDegree[1].metrics.uauc, 0.0);
        QCOMPARE(report.byDegree[2].metrics.rows, std::int64_t(0));
        QCOMPARE(report.byDegree[3].metrics.uauc, 0.5);

        auto records = report.records();
        const MetricRecord* r = findRecord(records, "warm", "uauc");
        QVERIFY(r != nullptr);
        QCOMPARE(r->rows, std::int64_t(5));
        QVERIFY(findRecord(records, "all", "ndcg@10") != nullptr);
        QVERIFY(findRecord(records, "degree_5-19", "auc") == nullptr);  // empty bucket: undefined, not 0
        // Cold has one user with both labels, so UAUC is defined there.
        QVERIFY(findRecord(records, "cold", "uauc") != nullptr);
    }

    void badInputIsReported() {
        try {
            computeMetrics({{1, 2, 0.5, true}});
            QFAIL("label 2 accepted");
        } catch (const glr::InputError& e) {
            QVERIFY2(std::string(e.what()).find("label 2") != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(glr::InputError, computeMetrics({{1, 1, std::nan(""), true}}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, degreeBuckets({0, 5, 5}));
        QVERIFY_THROWS_EXCEPTION(glr::InputError, degreeBuckets({}));
        MetricSet empty = computeMetrics({});
        QVERIFY(std::isnan(empty.auc));
        QCOMPARE(empty.rows, std::int64_t(0));
    }

    void scalesToAMillionRows() {
        // n log n: a million rows over 50k users in well under a second on this machine.
        std::mt19937_64 rng(1);
        std::uniform_int_distribution<std::int64_t> user(0, 49'999);
        std::uniform_real_distribution<double> score(0, 1);
        std::vector<ScoredRow> rows(1'000'000);
        for (auto& r : rows) {
            r.uid = user(rng);
            r.score = std::round(score(rng) * 1000) / 1000;  // many ties
            r.label = score(rng) < r.score ? 1 : 0;          // informative: AUC well above 1/2
            r.notCold = score(rng) < 0.8;
        }
        auto start = std::chrono::steady_clock::now();
        EvaluationReport report = evaluate(rows, {}, {});
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        qInfo("evaluate(1M rows, 50k users): %.3f s", seconds);
        QVERIFY(report.all.auc > 0.7 && report.all.auc < 0.9);
    }
};

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
