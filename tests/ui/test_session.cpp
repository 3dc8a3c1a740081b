// WorkbenchSession with a simulated trainer: the throttle (at most ~5 updates a second whatever
// the report rate, no metric point lost), stop → interrupted, pause blocking inside the progress
// callback, the queue (one run at a time, in order), errors turned into messages, shutdown
// during a run, and the event-loop latency probe while the worker is busy.
#include <QtTest>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <atomic>
#include <mutex>
#include <thread>

#include "logic/latency_probe.h"
#include "session/workbench_session.h"
#include "util/error.h"

using namespace glr::ui;

namespace {

// A trainer that reports `steps` steps as fast as it can (or `stepMicros` apart), with a
// validation AUC every 100 steps; it honours the callback's false like the real one.
struct FakeTrainer {
    int steps = 20000;
    int stepMicros = 0;
    std::atomic<int> calls{0};
    std::atomic<std::int64_t> lastStep{0};
    std::mutex mutex;
    std::vector<std::string> order;  // run names in the order they started

    glr::RunOutcome operator()(const glr::RunRequest& request, const glr::ProgressCallback& progress) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            order.push_back(request.configJson);
        }
        if (request.configJson == "throw") throw glr::InputError("fixture.json: train.lr: expected a number, got \"abc\"");
        glr::RunOutcome outcome;
        outcome.runId = request.resumeRunId.value_or(static_cast<std::int64_t>(order.size()));
        glr::ProgressSnapshot s;
        s.runId = outcome.runId;
        s.totalSteps = steps;
        for (int step = 1; step <= steps; ++step) {
            s.phase = "train";
            s.step = step;
            s.trainLoss = 1.0 / step;
            s.epoch = step / double(steps);
            s.elapsedSeconds = step * 1e-4;
            if (step % 100 == 0) s.metrics["valid/auc"] = 0.5 + step * 1e-6;
            ++calls;
            lastStep = step;
            if (!progress(s)) {
                outcome.status = "interrupted";
                return outcome;
            }
            if (stepMicros) std::this_thread::sleep_for(std::chrono::microseconds(stepMicros));
        }
        s.phase = "done";
        progress(s);
        outcome.status = "finished";
        outcome.results.push_back({"test", "all", "auc", 0.75, 100});
        return outcome;
    }
};

RunSpec spec(const QString& json) {
    RunSpec s;
    s.configJson = json;
    s.label = json;
    return s;
}

}  // namespace

class TestSession : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::unique_ptr<WorkbenchSession> makeSession(std::shared_ptr<FakeTrainer> trainer) {
        auto session = std::make_unique<WorkbenchSession>(
            [trainer](const glr::RunRequest& r, const glr::ProgressCallback& p) { return (*trainer)(r, p); });
        session->openStore(dir_.filePath("runs.sqlite"));
        return session;
    }

private slots:
    void throttlesProgressWithoutLosingPoints() {
        auto trainer = std::make_shared<FakeTrainer>();
        trainer->steps = 20000;
        trainer->stepMicros = 50;  // ~1–2 s of "training", 20k reports
        auto session = makeSession(trainer);
        QVector<RunProgress> batches;
        QElapsedTimer clock;
        QVector<qint64> arrival;
        connect(session.get(), &WorkbenchSession::progress, this, [&](const RunProgress& p) {
            batches << p;
            arrival << clock.elapsed();
        });
        QSignalSpy ended(session.get(), &WorkbenchSession::runEnded);
        clock.start();
        QVERIFY(session->enqueueRun(spec("a")) != 0);
        QVERIFY(ended.wait(60000));
        const double seconds = clock.elapsed() / 1000.0;
        // ≤ 5 per second (the first report goes at once), plus the final flush.
        QVERIFY2(batches.size() <= int(seconds * 5) + 2,
                 qPrintable(QString("%1 batches in %2 s").arg(batches.size()).arg(seconds)));
        QVERIFY(batches.size() >= 2);
        std::int64_t losses = 0, aucs = 0, lastStep = 0;
        for (const RunProgress& p : batches) {
            for (const auto& point : p.batch.points) {
                if (point.name == "train/loss") {
                    QCOMPARE(point.step, lastStep + 1);  // every step, in order
                    lastStep = point.step;
                    ++losses;
                }
                if (point.name == "valid/auc") ++aucs;
            }
        }
        QCOMPARE(losses, std::int64_t(20000));
        QCOMPARE(aucs, std::int64_t(200));
        QCOMPARE(batches.last().batch.latest.phase, std::string("done"));
        const auto result = ended.first().first().value<RunEnded>();
        QCOMPARE(result.status, QString("finished"));
        QCOMPARE(result.results.size(), 1);
    }

    void stopInterruptsAndPauseBlocksInsideTheCallback() {
        auto trainer = std::make_shared<FakeTrainer>();
        trainer->steps = 1000000;
        trainer->stepMicros = 20;
        auto session = makeSession(trainer);
        QSignalSpy ended(session.get(), &WorkbenchSession::runEnded);
        QSignalSpy paused(session.get(), &WorkbenchSession::pausedChanged);
        session->enqueueRun(spec("long"));
        QTRY_VERIFY_WITH_TIMEOUT(trainer->lastStep > 100, 10000);
        session->pause();
        QVERIFY(session->isPaused());
        // The worker blocks at its next progress callback: wait until the step stops moving (a
        // loaded machine may take a while to schedule it there), then check that it stays put.
        auto settled = [&] {
            const auto before = trainer->lastStep.load();
            QTest::qWait(100);
            return trainer->lastStep.load() == before;
        };
        QTRY_VERIFY_WITH_TIMEOUT(settled(), 10000);
        const auto stepWhilePaused = trainer->lastStep.load();
        QTest::qWait(400);
        QCOMPARE(trainer->lastStep.load(), stepWhilePaused);
        session->resume();
        QTRY_VERIFY_WITH_TIMEOUT(trainer->lastStep > stepWhilePaused + 50, 10000);
        session->pause();
        QTest::qWait(100);
        session->stop();  // stop releases a paused worker
        QVERIFY(ended.wait(10000));
        QCOMPARE(ended.first().first().value<RunEnded>().status, QString("interrupted"));
        QVERIFY(!session->isBusy());
        QVERIFY(!session->isPaused());
        QVERIFY(paused.count() >= 3);
    }

    void queueRunsOneAtATimeInOrder() {
        auto trainer = std::make_shared<FakeTrainer>();
        trainer->steps = 300;
        auto session = makeSession(trainer);
        QSignalSpy ended(session.get(), &WorkbenchSession::runEnded);
        session->enqueueRun(spec("first"));
        session->enqueueRun(spec("second"));
        session->enqueueRun(spec("third"), /*front=*/true);  // runs next, before "second"
        QCOMPARE(session->queue().size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 3, 20000);
        QCOMPARE(trainer->order, (std::vector<std::string>{"first", "third", "second"}));
        QVERIFY(session->queue().isEmpty());
    }

    void coreErrorsBecomeOneMessage() {
        auto trainer = std::make_shared<FakeTrainer>();
        auto session = makeSession(trainer);
        QSignalSpy errors(session.get(), &WorkbenchSession::errorOccurred);
        QSignalSpy ended(session.get(), &WorkbenchSession::runEnded);
        session->enqueueRun(spec("throw"));
        QVERIFY(ended.wait(10000));
        QCOMPARE(ended.first().first().value<RunEnded>().status, QString("failed"));
        QCOMPARE(errors.count(), 1);
        QVERIFY(errors.first().first().toString().contains("train.lr: expected a number"));
        // A session without a trainer says so instead of crashing.
        WorkbenchSession noTrainer{ExperimentRunner{}};
        noTrainer.openStore(dir_.filePath("runs.sqlite"));
        QSignalSpy noTrainerEnded(&noTrainer, &WorkbenchSession::runEnded);
        noTrainer.enqueueRun(spec("x"));
        QVERIFY(noTrainerEnded.wait(5000));
        QVERIFY(noTrainerEnded.first().first().value<RunEnded>().message.contains("no trainer"));
        // Store errors: a file that is not a database.
        QFile bogus(dir_.filePath("bogus.sqlite"));
        QVERIFY(bogus.open(QIODevice::WriteOnly));
        bogus.write("this is not a database, not even close to one................................");
        bogus.close();
        QSignalSpy storeErrors(&noTrainer, &WorkbenchSession::errorOccurred);
        QVERIFY(!noTrainer.openStore(bogus.fileName()));
        QCOMPARE(storeErrors.count(), 1);
    }

    void shutdownDuringARunStopsTheWorker() {
        auto trainer = std::make_shared<FakeTrainer>();
        trainer->steps = 100000000;
        trainer->stepMicros = 10;
        QElapsedTimer clock;
        {
            auto session = makeSession(trainer);
            session->enqueueRun(spec("endless"));
            QTRY_VERIFY_WITH_TIMEOUT(trainer->lastStep > 10, 10000);
            session->pause();  // even a paused worker must let go
            QTest::qWait(100);
            clock.start();
        }  // ~WorkbenchSession: stop, requestInterruption, quit, wait
        // A worker that does not let go blocks the destructor for good; the bound only has to tell
        // that from a slow machine's scheduling (it takes milliseconds here).
        QVERIFY2(clock.elapsed() < 10000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(trainer->lastStep < 100000000);
    }

    void eventLoopStaysResponsiveWhileTraining() {
        auto trainer = std::make_shared<FakeTrainer>();
        trainer->steps = 100000000;
        trainer->stepMicros = 0;  // the worker reports as fast as it can
        auto session = makeSession(trainer);
        int batches = 0;
        connect(session.get(), &WorkbenchSession::progress, this, [&] { ++batches; });
        session->enqueueRun(spec("busy"));
        QTRY_VERIFY_WITH_TIMEOUT(trainer->lastStep > 1000, 10000);
        const LatencyReport report = measureEventLoopLatency(2000, 20);
        qInfo().noquote() << report.summary() << QStringLiteral("(%1 progress batches)").arg(batches);
        session->stop();
        QVERIFY(session->waitUntilIdle(10000));
        // Bounds that hold on a loaded CI machine: the event loop kept ticking, never froze, and
        // the GUI thread spent little CPU on the batches. The lateness percentiles (the issue's
        // target: p99 < 50 ms) are printed above; docs/workbench.md records measured ones.
        QVERIFY2(report.ticks > 25, qPrintable(report.summary()));
        QVERIFY2(!report.froze(), qPrintable(report.summary()));
        QVERIFY2(report.busyShare < 0.25, qPrintable(report.summary()));
    }
};

QTEST_MAIN(TestSession)
#include "test_session.moc"
