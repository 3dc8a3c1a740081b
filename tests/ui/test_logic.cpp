// Plain UI logic (no widgets): curve smoothing, seed groups, config diffs, mean ± std
// and the progress throttle. Expected numbers are worked out by hand in the comments.
#include <QtTest>
#include <QJsonObject>
#include <QJsonDocument>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

#include "logic/aggregate.h"
#include "logic/config_diff.h"
#include "logic/latency_probe.h"
#include "logic/parallel_coordinates.h"
#include "logic/progress_coalescer.h"
#include "logic/run_pairing.h"
#include "logic/seed_groups.h"
#include "logic/decimation.h"
#include "logic/smoothing.h"

using namespace glr::ui;

namespace {

glr::ProgressSnapshot snapshot(const std::string& phase, std::int64_t step, double loss,
                               std::map<std::string, double> metrics = {}) {
    glr::ProgressSnapshot s;
    s.phase = phase;
    s.step = step;
    s.trainLoss = loss;
    s.epoch = step / 100.0;
    s.elapsedSeconds = step * 0.01;
    s.metrics = std::move(metrics);
    return s;
}

}  // namespace

class TestLogic : public QObject {
    Q_OBJECT
private slots:
    void runsPairBySeedAcrossTwoExperiments() {
        auto run = [](qint64 id, const char* group, qint64 seed) {
            RunSummary r;
            r.id = id;
            r.groupHash = group;
            r.method = group;
            r.seed = seed;
            r.name = QStringLiteral("run%1").arg(id);
            return r;
        };
        const RunPairing two = pairRunsForTest({run(7, "g", 1), run(3, "l", 9)});
        QVERIFY(two.problem.isEmpty());
        QCOMPARE(two.pairs, (QVector<QPair<qint64, qint64>>{{7, 3}}));
        // Seeds matched one to one, whatever the order selected; A = the first run's experiment.
        const RunPairing seeds = pairRunsForTest({run(5, "l", 2), run(1, "g", 1), run(2, "g", 2), run(4, "l", 1)});
        QVERIFY2(seeds.problem.isEmpty(), qPrintable(seeds.problem));
        QCOMPARE(seeds.pairs, (QVector<QPair<qint64, qint64>>{{4, 1}, {5, 2}}));
        QCOMPARE(seeds.labelA, QString("l (2 seeds)"));
        QVERIFY(!pairRunsForTest({run(1, "g", 1)}).problem.isEmpty());
        QVERIFY(pairRunsForTest({run(1, "g", 1), run(2, "g", 2), run(4, "l", 1)}).problem.contains("seeds differ"));
        QVERIFY(pairRunsForTest({run(1, "g", 1), run(2, "l", 1), run(3, "m", 1)}).problem.contains("3 experiments"));
        QVERIFY(pairRunsForTest({run(1, "g", 1), run(2, "g", 1), run(3, "l", 1)}).problem.contains("same seed"));
    }

    // Three seeds logged at partly different steps; run B logged step 2 twice (a resume), so its
    // last value counts. Aligned: A [1 2 3], B [3 4 –], C [5 – 7]; x = wall time, averaged.
    void seedGroupsMatchStepsAndAverageSmoothedSeeds() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const AlignedSeedGroup group = alignSeedGroup({{{1, 2, 3}, {10, 20, 30}, {1, 2, 3}},
                                                       {{1, 2, 2}, {12, 21, 22}, {3, 9, 4}},
                                                       {{1, 3}, {14, 34}, {5, 7}}});
        QCOMPARE(group.steps, (QVector<qint64>{1, 2, 3}));
        QCOMPARE(group.x, (QVector<double>{12, 21, 32}));  // (10+12+14)/3, (20+22)/2, (30+34)/2
        QCOMPARE(group.rawMean, (QVector<double>{3, 3, 5}));
        QCOMPARE(group.members.size(), 3);
        QCOMPARE(group.members[1][1], 4.0);
        QVERIFY(std::isnan(group.members[1][2]) && std::isnan(group.members[2][1]));

        // No smoothing: step 1 {1,3,5} → 3 ± 2; step 2 {2,4} → 3 ± √2; step 3 {3,7} → 5 ± √8.
        const SeedBand plain = seedBand(group.members, 0);
        QCOMPARE(plain.mean, (QVector<double>{3, 3, 5}));
        QCOMPARE(plain.count, (QVector<int>{3, 2, 2}));
        QCOMPARE(plain.std[0], 2.0);
        QVERIFY(std::abs(plain.std[1] - std::sqrt(2.0)) < 1e-12);
        QVERIFY(std::abs(plain.std[2] - std::sqrt(8.0)) < 1e-12);

        // Weight 0.5, each seed smoothed first (debiased EMA; a gap neither updates nor counts):
        //   A 1, 1.25/0.75 = 1.6667, 2.125/0.875 = 2.428571;  B 3, 2.75/0.75 = 3.6667;
        //   C 5, –, (0.5·2.5 + 0.5·7)/0.75 = 6.3333.
        // Step 2: (1.6667+3.6667)/2 = 2.6667 ± 2/√2; step 3: 4.380952 ± 3.904762/√2 = 2.761084.
        const SeedBand smooth = seedBand(group.members, 0.5);
        QVERIFY(std::abs(smooth.mean[0] - 3) < 1e-12 && std::abs(smooth.std[0] - 2) < 1e-12);
        QVERIFY(std::abs(smooth.mean[1] - 8.0 / 3) < 1e-12);
        QVERIFY(std::abs(smooth.std[1] - std::sqrt(2.0)) < 1e-12);
        QVERIFY2(std::abs(smooth.mean[2] - 4.380952) < 1e-6, qPrintable(QString::number(smooth.mean[2], 'g', 10)));
        QVERIFY2(std::abs(smooth.std[2] - 2.761084) < 1e-6, qPrintable(QString::number(smooth.std[2], 'g', 10)));

        // A step no seed has a finite value at: mean and deviation NaN, count 0.
        const SeedBand empty = seedBand({{1, nan}, {2, nan}}, 0);
        QCOMPARE(empty.count, (QVector<int>{2, 0}));
        QVERIFY(std::isnan(empty.mean[1]) && std::isnan(empty.std[1]));

        // x stepping back (a resumed run's epoch) is put in order, the members with it.
        const AlignedSeedGroup back = alignSeedGroup({{{1, 2}, {0.5, 0.1}, {7, 8}}, {{1, 2}, {0.5, 0.1}, {9, 10}}});
        QCOMPARE(back.steps, (QVector<qint64>{2, 1}));
        QCOMPARE(back.x, (QVector<double>{0.1, 0.5}));
        QCOMPARE(back.members[1], (QVector<double>{10, 9}));
    }

    void decimationKeepsShortCurvesWhole() {
        const std::vector<double> y{3, 1, 2};
        QCOMPARE(minMaxDecimation(y, 10), (std::vector<std::size_t>{0, 1, 2}));
        QCOMPARE(minMaxDecimation({}, 10), std::vector<std::size_t>{});
    }

    void decimationKeepsEndsSpikesAndGaps() {
        // 100,000 points of a gentle slope with one spike up, one down and one NaN.
        std::vector<double> y(100000);
        for (std::size_t i = 0; i < y.size(); ++i) y[i] = 1.0 - 1e-6 * double(i);
        y[12345] = 50;
        y[67890] = -50;
        y[40000] = std::numeric_limits<double>::quiet_NaN();
        const std::vector<std::size_t> keep = minMaxDecimation(y, 1000);
        QVERIFY2(keep.size() <= 1000 && keep.size() >= 500, qPrintable(QString::number(keep.size())));
        QVERIFY(std::is_sorted(keep.begin(), keep.end()));
        QVERIFY(std::adjacent_find(keep.begin(), keep.end()) == keep.end());  // unique
        QCOMPARE(keep.front(), std::size_t(0));
        QCOMPARE(keep.back(), y.size() - 1);
        for (std::size_t wanted : {std::size_t(12345), std::size_t(67890), std::size_t(40000)})
            QVERIFY2(std::binary_search(keep.begin(), keep.end(), wanted), qPrintable(QString::number(wanted)));
        // Each kept point's bucket extremes: the drawn range equals the full range.
        double lo = 1e9, hi = -1e9;
        for (std::size_t i : keep)
            if (std::isfinite(y[i])) lo = std::min(lo, y[i]), hi = std::max(hi, y[i]);
        QCOMPARE(lo, -50.0);
        QCOMPARE(hi, 50.0);
    }

    void smoothingMatchesHandComputedWeightedAverages() {
        // Debiased EMA at step n = sum_i w^(n-i) y_i / sum_i w^(n-i).
        const auto s = debiasedEma({1, 2, 3}, 0.5);
        QCOMPARE(s.size(), std::size_t(3));
        QVERIFY(std::abs(s[0] - 1.0) < 1e-12);
        QVERIFY(std::abs(s[1] - (0.5 * 1 + 2) / 1.5) < 1e-12);             // 1.6667
        QVERIFY(std::abs(s[2] - (0.25 * 1 + 0.5 * 2 + 3) / 1.75) < 1e-12);  // 2.4286
    }

    void smoothingZeroWeightIsIdentityAndConstantStaysConstant() {
        const std::vector<double> raw{0.7, 0.1, 0.9, 0.3};
        QCOMPARE(debiasedEma(raw, 0.0), raw);
        const std::vector<double> flat(50, 0.693);
        QCOMPARE(debiasedEma(flat, 0.99), flat);
    }

    void smoothingSkipsNonFiniteValues() {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const auto s = debiasedEma({1, nan, 3}, 0.5);
        QVERIFY(std::isnan(s[1]));
        // The NaN does not count: the third value is the second sample, (0.5·1 + 3) / 1.5.
        QVERIFY(std::abs(s[2] - 3.5 / 1.5) < 1e-12);
    }

    void smoothingStartsAtFirstValueNotZero() {
        // Without debiasing an EMA with w = 0.9 would start at 0.1·y0.
        const auto s = debiasedEma({5, 5.5, 4.5}, 0.9);
        QVERIFY(std::abs(s[0] - 5) < 1e-12);
        QVERIFY(s[1] > 5 && s[1] < 5.5);
    }

    void configDiffKeepsOnlyDifferingKeys() {
        const auto a = flattenConfigJson(R"({"seed": 1, "train": {"lr": 0.0001, "epochs": 1},
            "method": {"name": "graphlora", "inject": {"layers": [-1], "alpha": 1.0}}})");
        const auto b = flattenConfigJson(R"({"seed": 2, "train": {"lr": 1e-4, "epochs": 1},
            "method": {"name": "graphlora", "inject": {"layers": [0, 1], "alpha": 1}}})");
        const auto c = flattenConfigJson(R"({"seed": 1, "train": {"lr": 0.0001, "epochs": 1},
            "method": {"name": "graphlora", "inject": {"layers": [-1], "alpha": 1.0}}, "notes": "x"})");
        QCOMPARE(a.at("method.inject.layers"), QString("[-1]"));
        QCOMPARE(a.at("train.lr"), b.at("train.lr"));  // 0.0001 == 1e-4 numerically
        const ConfigDiff diff = diffConfigs({a, b, c});
        QCOMPARE(diff.keys, QStringList({"method.inject.layers", "notes", "seed"}));
        QCOMPARE(diff.values[0][1].value(), QString("[0,1]"));
        QVERIFY(!diff.values[1][0].has_value());  // notes missing from a
        QCOMPARE(diff.values[1][2].value(), QString("x"));
        QCOMPARE(diff.values[2][1].value(), QString("2"));
        const ConfigDiff all = diffConfigs({a, b}, false);
        QCOMPARE(all.keys.size(), 6);
        QString error;
        QVERIFY(flattenConfigJson("{not json", &error).empty());
        QVERIFY(error.contains("config JSON"));
    }

    void meanStdUsesSampleDeviation() {
        // values 0.70, 0.72, 0.74: mean 0.72, sample std = sqrt((0.0004+0+0.0004)/2) = 0.02.
        const MeanStd m = meanStd({0.70, 0.72, 0.74});
        QCOMPARE(m.count, 3);
        QVERIFY(std::abs(m.mean - 0.72) < 1e-12);
        QVERIFY(std::abs(m.std - 0.02) < 1e-12);
        QCOMPARE(formatMeanStd(m), QString("0.7200 ± 0.0200"));
        QCOMPARE(formatMeanStd(meanStd({0.5})), QString("0.5000"));
        QCOMPARE(formatMeanStd(meanStd({})), QString("–"));
        const auto byLayer = aggregateByX({{2, 0.6}, {0, 0.5}, {2, 0.8}, {0, 0.5}});
        QCOMPARE(byLayer.size(), std::size_t(2));
        QVERIFY(std::abs(byLayer.at(2).mean - 0.7) < 1e-12);
        QVERIFY(std::abs(byLayer.at(2).std - std::sqrt(0.02)) < 1e-12);
        QCOMPARE(byLayer.at(0).std, 0.0);
        const auto byLabel = aggregateByLabel({{"mf", 1}, {"graphlora", 3}, {"mf", 2}});
        QCOMPARE(byLabel.front().first, QString("mf"));
        QCOMPARE(byLabel.front().second.mean, 1.5);
    }

    void percentileInterpolatesLikeNumpy() {
        // numpy.percentile([1,2,3,4], 99) = 3 + 0.97·1 = 3.97
        QVERIFY(std::abs(percentile({4, 1, 3, 2}, 99) - 3.97) < 1e-12);
        QCOMPARE(percentile({4, 1, 3, 2}, 50), 2.5);
        QCOMPARE(percentile({}, 99), 0.0);
    }

    void coalescerThrottlesButKeepsEveryPoint() {
        ProgressCoalescer coalescer(0.2);
        int batches = 0;
        std::vector<MetricPoint> received;
        glr::ProgressSnapshot last;
        // 1000 training steps reported over one second: at most ~5 batches plus the first.
        for (int step = 1; step <= 1000; ++step) {
            const double now = step * 0.001;
            auto metrics = step >= 500 ? std::map<std::string, double>{{"valid/auc", 0.6}}
                                       : std::map<std::string, double>{};
            if (coalescer.add(snapshot("train", step, 1.0 / step, metrics), now)) {
                auto batch = coalescer.take(now);
                ++batches;
                received.insert(received.end(), batch.points.begin(), batch.points.end());
                last = batch.latest;
            }
        }
        if (coalescer.hasPending()) {
            auto batch = coalescer.take(1.0);
            ++batches;
            received.insert(received.end(), batch.points.begin(), batch.points.end());
            last = batch.latest;
        }
        QVERIFY2(batches <= 7, qPrintable(QString::number(batches)));
        QCOMPARE(last.step, std::int64_t(1000));
        int lossPoints = 0, aucPoints = 0;
        for (const auto& p : received) {
            if (p.name == "train/loss") ++lossPoints;
            if (p.name == "valid/auc") {
                ++aucPoints;
                QCOMPARE(p.step, std::int64_t(500));
            }
        }
        QCOMPARE(lossPoints, 1000);
        QCOMPARE(aucPoints, 1);
    }

    void coalescerThrottlesPhaseChangesAndReportsHeldBatches() {
        ProgressCoalescer coalescer(0.2);
        QVERIFY(coalescer.add(snapshot("train", 1, 0.9), 0.0));  // the first report goes at once
        coalescer.take(0.0);
        QVERIFY(!coalescer.add(snapshot("train", 2, 0.8), 0.01));
        QVERIFY(!coalescer.add(snapshot("train", 2, 0.8), 0.02));  // same step reported twice
        // A fast trainer flips to eval and back many times a second: still throttled.
        QVERIFY(!coalescer.add(snapshot("eval", 2, 0.8, {{"valid/auc", 0.61}}), 0.03));
        QVERIFY(!coalescer.add(snapshot("train", 3, 0.7, {{"valid/auc", 0.61}}), 0.04));
        QVERIFY(!coalescer.add(snapshot("eval", 3, 0.7, {{"valid/auc", 0.62}}), 0.05));
        // The trainer goes quiet (a long evaluation): the held batch becomes due by time alone.
        QVERIFY(!coalescer.due(0.19));
        QVERIFY(coalescer.due(0.2));
        const auto batch = coalescer.take(0.2);
        QVERIFY(!coalescer.due(10.0));  // nothing pending
        QCOMPARE(batch.snapshots, 5);
        QCOMPARE(batch.latest.phase, std::string("eval"));
        // Points: loss at steps 2 and 3 (once each), valid/auc 0.61 then 0.62.
        QCOMPARE(batch.points.size(), std::size_t(4));
        QCOMPARE(batch.points[0].name, std::string("train/loss"));
        QCOMPARE(batch.points[1].name, std::string("valid/auc"));
        QCOMPARE(batch.points[1].value, 0.61);
        QCOMPARE(batch.points[3].value, 0.62);
    }

    // Numeric keys spanning two decades go on a log axis, others linear; grid values that are not
    // numbers are spaced in the grid's order; the metric spans its own range; a run without a
    // key gets NaN there (a gap in its line).
    void parallelCoordinatesPlaceEveryRun() {
        using glr::ui::ParallelRun;
        const QMap<QString, QJsonArray> grid = {{"train.lr", QJsonArray{1e-4, 1e-3, 1e-2}},
                                                {"method.inject.layers", QJsonArray{QJsonArray{0}, QJsonArray{-1}}},
                                                {"method.inject.beta", QJsonArray{0.1, 0.2, 0.3}}};
        const QVector<ParallelRun> runs = {
            {1, QJsonObject{{"train.lr", 1e-4}, {"method.inject.layers", QJsonArray{0}}, {"method.inject.beta", 0.1}}, 0.60},
            {2, QJsonObject{{"train.lr", 1e-3}, {"method.inject.layers", QJsonArray{-1}}, {"method.inject.beta", 0.2}}, 0.70},
            {3, QJsonObject{{"train.lr", 1e-2}, {"method.inject.layers", QJsonArray{-1}}}, 0.65},
        };
        const QStringList keys = {"train.lr", "method.inject.layers", "method.inject.beta"};
        const auto pc = glr::ui::parallelCoordinates(runs, keys, grid, "test/auc",
                                                     [](const QJsonValue& v) { return QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)); });
        QCOMPARE(pc.axes.size(), 4);
        QCOMPARE(pc.axes[0].title, QString("train.lr"));
        QVERIFY(pc.axes[0].logScale);     // 1e-4 … 1e-2: two decades
        QVERIFY(!pc.axes[2].logScale);    // 0.1 … 0.3
        QCOMPARE(pc.axes[3].title, QString("test/auc"));
        QCOMPARE(pc.lines.size(), 3);
        auto near = [](double a, double b) { return std::abs(a - b) < 1e-12; };
        QVERIFY(near(pc.lines[0].positions[0], 0.0));
        QVERIFY(near(pc.lines[1].positions[0], 0.5));  // 1e-3 is half way in log10
        QVERIFY(near(pc.lines[2].positions[0], 1.0));
        QVERIFY(near(pc.lines[0].positions[1], 0.0));  // [0] first in the grid
        QVERIFY(near(pc.lines[1].positions[1], 1.0));  // [-1] second
        QVERIFY(near(pc.lines[1].positions[2], 0.5));  // β 0.2 of 0.1 … 0.3
        QVERIFY(std::isnan(pc.lines[2].positions[2])); // no β recorded
        QVERIFY(near(pc.lines[0].positions[3], 0.0));  // AUC 0.60 of 0.60 … 0.70
        QVERIFY(near(pc.lines[2].positions[3], 0.5));
        QVERIFY(near(pc.metricMin, 0.60) && near(pc.metricMax, 0.70));
        QCOMPARE(pc.axes[0].ticks.size(), 3);
        QCOMPARE(pc.axes[1].ticks.value(1.0), QString("[[-1]]"));
        QCOMPARE(pc.axes[3].ticks.value(0.0), QString("0.6"));
        // One value only: the middle of its axis.
        const auto single = glr::ui::parallelCoordinates({runs[0]}, {"train.lr"}, {{"train.lr", QJsonArray{1e-4}}}, "m",
                                                         [](const QJsonValue&) { return QString(); });
        QVERIFY(near(single.lines[0].positions[0], 0.5));
        QVERIFY(near(single.lines[0].positions[1], 0.5));
    }
};

QTEST_APPLESS_MAIN(TestLogic)
#include "test_logic.moc"
