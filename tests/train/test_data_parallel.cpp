// Data-parallel runs (train/data_parallel.h) started as a user starts them, `graphlora run
// --nproc 2`: two ranks compute what one process computes, stop and resume together
// bit-identically, and refuse a config or give up on a missing peer with a message instead of
// hanging. Runs on the generated item-quality split; no ../shared needed.
#include <QtTest>

#include <cmath>

#include "common/cli_runner.h"
#include "dist/communicator.h"
#include "store/run_store.h"
#include "train/checkpoint.h"
#include "train/train_fixtures.h"
#include "util/files.h"

namespace {

// The ranks sum the micro-batches' gradients in the order one process accumulates them (two
// micro-batches a step), so on the CPU the figures agree exactly; the bound leaves room only for
// a platform whose reduction adds in another order.
constexpr double kRelativeTolerance = 1e-9;

bool close(double a, double b) { return std::abs(a - b) <= kRelativeTolerance * std::max({1.0, std::abs(a), std::abs(b)}); }

}  // namespace

class TestDataParallel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString writeConfig(const QString& name, const std::string& method, double dropout, int gradAccum) {
        nlohmann::json c = glr::test::llmTestConfig(dir_.filePath("split").toStdString(), method, "1hop", "mf", "middle",
                                                    /*beta=*/0.1, /*seed=*/11);
        c["name"] = name.toStdString();
        c["method"]["lora"] = {{"dropout", dropout}};
        // max_grad_norm far above the norm: nothing is clipped, but the norm of the summed
        // gradients is logged every step, so a rank that skipped or scaled the sum shows.
        c["train"] = {{"max_steps", 6}, {"batch_size", 4}, {"grad_accum", gradAccum}, {"lr", 1e-3},
                      {"warmup_steps", 1}, {"eval_every", 3}, {"max_grad_norm", 1e6}};
        c["eval"] = {{"splits", {"test"}}, {"batch_size", 8}};
        const QString path = dir_.filePath(name + ".json");
        glr::writeFileAtomic(path.toStdString(), c.dump(2));
        return path;
    }

    QString db(const QString& name) const { return dir_.filePath(name + ".sqlite"); }

    static glr::test::CliResult run(const QStringList& args) { return glr::test::runCli(QStringList{"run"} + args, 300000); }

    static std::vector<glr::store::MetricPoint> series(glr::store::RunStore& store, std::int64_t runId) {
        std::vector<glr::store::MetricPoint> out;
        for (const auto& p : store.metricSeries(runId))
            if (p.name == "loss" || p.name == "grad_norm" || p.name == "auc") out.push_back(p);
        return out;
    }

    // Same curves (loss, gradient norm, validation AUC at each step) and the same test scores.
    static void compareRuns(const QString& dbA, std::int64_t runA, const QString& dbB, std::int64_t runB) {
        glr::store::RunStore a(dbA.toStdString()), b(dbB.toStdString());
        const auto curveA = series(a, runA), curveB = series(b, runB);
        QVERIFY(curveA.size() >= 6 * 2 + 2);
        QCOMPARE(curveB.size(), curveA.size());
        for (std::size_t i = 0; i < curveA.size(); ++i) {
            QCOMPARE(curveB[i].name, curveA[i].name);
            QCOMPARE(curveB[i].step, curveA[i].step);
            QVERIFY2(close(curveA[i].value, curveB[i].value),
                     qPrintable(QString("%1 at step %2: %3 vs %4").arg(QString::fromStdString(curveA[i].name)).arg(curveA[i].step)
                                    .arg(curveA[i].value, 0, 'g', 17).arg(curveB[i].value, 0, 'g', 17)));
        }
        const auto scoresA = a.predictions(runA, "test"), scoresB = b.predictions(runB, "test");
        QVERIFY(!scoresA.empty());
        QCOMPARE(scoresB.size(), scoresA.size());
        for (std::size_t i = 0; i < scoresA.size(); ++i) {
            QCOMPARE(scoresB[i].uid, scoresA[i].uid);
            QCOMPARE(scoresB[i].iid, scoresA[i].iid);
            QVERIFY2(close(scoresA[i].score, scoresB[i].score),
                     qPrintable(QString("test row %1: %2 vs %3").arg(i).arg(scoresA[i].score, 0, 'g', 17).arg(scoresB[i].score, 0, 'g', 17)));
        }
    }

    static double result(glr::store::RunStore& store, std::int64_t runId, const std::string& metric) {
        for (const auto& r : store.results({runId}))
            if (r.metric == metric) return r.value;
        return -1;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        if (!glr::dist::dataParallelAvailable()) QSKIP("this LibTorch has no c10d Gloo backend (Debian: libgloo-dev)");
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 10, 24, 8, 6, 5);
    }

    void twoRanksComputeWhatOneProcessDoes_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("graphlora (1-hop NGCF, 2 layers)") << "graphlora";
        QTest::newRow("collm") << "collm";
        QTest::newRow("mf") << "mf";
    }

    void twoRanksComputeWhatOneProcessDoes() {
        QFETCH(QString, method);
        const QString config = writeConfig("same-" + method, method.toStdString(), /*dropout=*/0.0, /*gradAccum=*/2);
        const auto one = run({config, "--db", db("one-" + method)});
        QVERIFY2(one.code == 0, one.err.c_str());
        const auto two = run({config, "--db", db("two-" + method), "--nproc", "2"});
        QVERIFY2(two.code == 0, two.err.c_str());
        QVERIFY2(two.outText().contains("data_parallel_ranks = 2"), two.out.c_str());
        compareRuns(db("one-" + method), 1, db("two-" + method), 1);

        glr::store::RunStore store(db("two-" + method).toStdString());
        QCOMPARE(result(store, 1, "data_parallel_ranks"), 2.0);
        // Rank 1's generator state is in the checkpoint, for a resume that draws its masks on.
        const auto checkpoints = store.artifacts(1, "checkpoint");
        QCOMPARE(checkpoints.size(), std::size_t(1));
        const auto checkpoint = glr::loadCheckpoint(checkpoints.front().path);
        QCOMPARE(checkpoint.peerCpuRngStates.size(), std::size_t(1));
        QCOMPARE(checkpoint.peerCpuRngStates.begin()->first, 1);
        QVERIFY(!checkpoint.peerCpuRngStates.at(1).equal(checkpoint.cpuRngState));
    }

    // With dropout each rank draws its own masks; stopped after step 2 and resumed, the two ranks
    // continue their streams and reach the uninterrupted run's numbers exactly.
    void stoppedRanksResumeBitIdentically() {
        const QString config = writeConfig("resume", "graphlora", /*dropout=*/0.3, /*gradAccum=*/2);
        const auto full = run({config, "--db", db("resume-full"), "--nproc", "2"});
        QVERIFY2(full.code == 0, full.err.c_str());

        const auto stopped = run({config, "--db", db("resume-cut"), "--nproc", "2", "--stop-at-step", "2"});
        QCOMPARE(stopped.code, 3);  // cancelled: resumable
        {
            glr::store::RunStore store(db("resume-cut").toStdString());
            QVERIFY(store.getRun(1).status == glr::store::RunStatus::Interrupted);
            const auto losses = store.metricSeries(1, "train", "loss");
            QCOMPARE(losses.size(), std::size_t(2));
        }
        const auto resumed = run({"--resume", "1", "--db", db("resume-cut"), "--nproc", "2"});
        QVERIFY2(resumed.code == 0, resumed.err.c_str());
        compareRuns(db("resume-full"), 1, db("resume-cut"), 1);
    }

    void refusesAStepThatLeavesARankIdle() {
        const QString config = writeConfig("idle", "graphlora", 0.0, /*gradAccum=*/1);
        const auto r = run({config, "--db", db("idle"), "--nproc", "2"});
        QVERIFY(r.code != 0 && r.code != -1);
        QVERIFY2(r.errText().contains("train.grad_accum is 1"), r.err.c_str());
        QVERIFY2(r.errText().contains("set train.batch_size=2 and train.grad_accum=2"), r.err.c_str());
        // Rank 1 hears why instead of waiting for a run that never starts.
        QVERIFY2(r.errText().contains("rank 1: the run did not start on rank 0"), r.err.c_str());
        glr::store::RunStore store(db("idle").toStdString());
        QVERIFY(store.listRuns().empty());
    }

    void aRankWithoutPeersGivesUp() {
        const QString address = "file://" + dir_.filePath("nobody/rendezvous");
        const auto r = run({"--rank", "1", "--world", "2", "--rendezvous", address, "--rank-timeout", "2"});
        QVERIFY(r.code != 0 && r.code != -1);
        QVERIFY2(r.errText().contains("rank 1 of 2 could not join the others at " + address + " within 2 s"), r.err.c_str());
    }

    void badRendezvousArgumentsAreNamed() {
        const QString config = writeConfig("args", "mf", 0.0, 2);
        struct Case {
            QStringList args;
            QString message;
        };
        const std::vector<Case> cases = {
            {{config, "--rank", "0", "--world", "2"}, "--rank and --world need --rendezvous"},
            {{config, "--rank", "2", "--world", "2", "--rendezvous", "tcp://localhost:29500"}, "rank 2 is outside 0..1"},
            {{config, "--rank", "0", "--world", "2", "--rendezvous", "tcp://localhost"}, "expected tcp://HOST:PORT"},
            {{config, "--rank", "0", "--world", "2", "--rendezvous", "file://relative/path"}, "needs an absolute path"},
            {{config, "--nproc", "2", "--rendezvous", "env"}, "--nproc starts its own ranks"},
        };
        for (const auto& c : cases) {
            const auto r = run(c.args + QStringList{"--db", db("args")});
            QVERIFY2(r.code != 0 && r.code != -1, qPrintable(c.args.join(' ')));
            QVERIFY2(r.errText().contains(c.message), qPrintable(c.args.join(' ') + ": " + r.errText()));
        }
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "test_data_parallel.moc"
