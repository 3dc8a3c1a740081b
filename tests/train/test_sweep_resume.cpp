// Sweeps that outlive the process that launched them: `graphlora sweep --resume` completes a sweep
// (finished points skipped, interrupted runs resumed, missing points started, failed ones named),
// and `--slurm` writes a job array whose task i completes point i the same way.
#include <QtTest>

#include <csignal>

#include "common/cli_runner.h"
#include "store/run_store.h"
#include "store/sweep_resume.h"
#include "train/train_fixtures.h"
#include "util/files.h"

using glr::store::PointAction;
using glr::store::RunStatus;

class TestSweepResume : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    static glr::store::RunRecord record(std::int64_t id, RunStatus status, const nlohmann::json& params) {
        glr::store::RunRecord r;
        r.id = id;
        r.status = status;
        r.sweepParams = params;
        return r;
    }

    // A sweep of MF runs over `grid` (a few steps each) on the generated split.
    QString writeSweep(const QString& name, const nlohmann::json& grid, int steps = 4) {
        nlohmann::json base = {{"seed", 1},
                               {"data", {{"dir", dir_.filePath("split").toStdString()}, {"valid_split", "valid"}}},
                               {"method", {{"name", "mf"}, {"mf", {{"dim", 8}}}}},
                               {"train", {{"max_steps", steps}, {"batch_size", 8}, {"lr", 1e-2}, {"eval_every", steps > 100 ? steps : 2}}},
                               {"eval", {{"splits", {"test"}}}}};
        const QString path = dir_.filePath(name + ".json");
        glr::writeFileAtomic(path.toStdString(), nlohmann::json{{"name", name.toStdString()}, {"base", base}, {"grid", grid}}.dump(2));
        return path;
    }

    static glr::test::CliResult cli(const QStringList& args) { return glr::test::runCli(args, 300000); }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 10, 24, 8, 6, 5);
    }

    void planFollowsTheNewestRunOfEachPoint() {
        const std::vector<nlohmann::json> points = {{{"seed", 1}}, {{"seed", 2}}, {{"seed", 3}}, {{"seed", 4}},
                                                    {{"seed", 5}}, {{"seed", 6}}};
        const std::vector<glr::store::RunRecord> runs = {
            record(1, RunStatus::Finished, points[0]),
            record(7, RunStatus::Failed, points[0]),       // a finished run anywhere: done
            record(2, RunStatus::Failed, points[1]),
            record(8, RunStatus::Interrupted, points[1]),  // the newest decides
            record(3, RunStatus::Running, points[2]),
            record(4, RunStatus::Failed, points[3]),
            record(5, RunStatus::Queued, points[4]),
            record(6, RunStatus::Finished, {{"seed", 99}}),  // another point's parameters
        };
        const auto plans = glr::store::planSweepResume(points, runs, /*retryFailed=*/false);
        QCOMPARE(plans.size(), points.size());
        const std::vector<std::pair<PointAction, std::int64_t>> expected = {
            {PointAction::Done, 1}, {PointAction::Resume, 8}, {PointAction::Running, 3},
            {PointAction::Failed, 4}, {PointAction::Resume, 5}, {PointAction::Start, 0}};
        for (std::size_t i = 0; i < plans.size(); ++i) {
            QCOMPARE(plans[i].index, i);
            QVERIFY2(plans[i].action == expected[i].first, glr::store::toString(plans[i].action));
            QCOMPARE(plans[i].runId, expected[i].second);
        }
        QVERIFY(glr::store::planSweepResume(points, runs, /*retryFailed=*/true)[3].action == PointAction::Resume);
    }

    // The job array's script run as Slurm would run task 0, a point interrupted by hand, then
    // --resume on one machine: every point ends finished with one run each.
    void slurmTasksAndResumeCompleteASweep() {
        const QString db = dir_.filePath("slurm.sqlite");
        const QString script = dir_.filePath("array.sbatch");
        const auto made = cli({"sweep", writeSweep("seeds", {{"seed", {1, 2, 3}}}), "--db", db, "--slurm", script, "--jobs", "2",
                               "--slurm-option=--gres=gpu:1"});
        QVERIFY2(made.code == 0, made.err.c_str());
        const QString text = QString::fromStdString(glr::readFile(script.toStdString()));
        QVERIFY2(text.contains("#SBATCH --array=0-2%2\n"), qPrintable(text));
        QVERIFY(text.contains("#SBATCH --gres=gpu:1\n"));
        QVERIFY(text.contains("#SBATCH --signal=B:INT@120\n"));
        QVERIFY(text.contains("sweep --resume 1 --point \"$SLURM_ARRAY_TASK_ID\" --db " + db));
        {
            glr::store::RunStore store(db.toStdString());
            QVERIFY(store.listRuns().empty());  // --slurm only writes the script
        }

        QProcess task;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("SLURM_ARRAY_TASK_ID", "0");
        task.setProcessEnvironment(env);
        task.start("bash", {script});
        QVERIFY(task.waitForFinished(300000));
        QVERIFY2(task.exitCode() == 0, task.readAllStandardError().constData());

        // Point 1 stopped after two steps, as a preempted task leaves it.
        const auto manifest = nlohmann::json::parse(glr::readFile(dir_.filePath("slurm-artifacts/sweep-1/points.json").toStdString()));
        QCOMPARE(manifest.size(), std::size_t(3));
        const auto cut = cli({"run", QString::fromStdString(manifest[1]["config"].get<std::string>()), "--db", db, "--sweep-id", "1",
                              "--sweep-params", QString::fromStdString(manifest[1]["params"].dump()), "--stop-at-step", "2"});
        QCOMPARE(cut.code, 3);

        const auto resumed = cli({"sweep", "--resume", "1", "--db", db});
        QVERIFY2(resumed.code == 0, resumed.err.c_str());
        QVERIFY2(resumed.errText().contains("3 of 3 points: 1 done: 0 (run 1); 1 start: 2; 1 resume: 1 (run 2)"), resumed.err.c_str());
        {
            glr::store::RunStore store(db.toStdString());
            const auto runs = store.listRuns();
            QCOMPARE(runs.size(), std::size_t(3));
            for (const auto& r : runs) QVERIFY2(r.status == RunStatus::Finished, r.name.c_str());
            QCOMPARE(store.metricSeries(2, "train", "loss").size(), std::size_t(4));  // one point per step
            QCOMPARE(store.getSweep(1).runIds.size(), std::size_t(3));
            // Files live beside the store under its own name: another store in this folder
            // (the other tests') never shares a run's directory.
            const auto checkpoint = store.artifacts(1, "checkpoint");
            QCOMPARE(checkpoint.size(), std::size_t(1));
            QCOMPARE(QString::fromStdString(checkpoint.front().path), dir_.filePath("slurm-artifacts/run-1/checkpoint.safetensors"));
        }
        const auto again = cli({"sweep", "--resume", "1", "--db", db});
        QVERIFY2(again.code == 0, again.err.c_str());
        QVERIFY2(again.errText().contains("3 done"), again.err.c_str());

        const auto outside = cli({"sweep", "--resume", "1", "--point", "3", "--db", db});
        QVERIFY(outside.code != 0);
        QVERIFY2(outside.errText().contains("--point 3 is outside 0..2"), outside.err.c_str());
    }

    void failedPointsAreNamedAndRetriedOnRequest() {
        const QString db = dir_.filePath("failing.sqlite");
        const auto first = cli({"sweep", writeSweep("dirs", {{"data.dir", {dir_.filePath("split").toStdString(), "/nonexistent/split"}}}),
                                "--db", db});
        QVERIFY(first.code != 0);
        QVERIFY2(first.errText().contains("1 of 2 runs failed") && first.errText().contains("--retry-failed"), first.err.c_str());

        const auto resumed = cli({"sweep", "--resume", "1", "--db", db});
        QVERIFY(resumed.code != 0);
        QVERIFY2(resumed.errText().contains("1 done: 0 (run 1); 1 failed: 1 (run 2)"), resumed.err.c_str());
        QVERIFY2(resumed.errText().contains("point 1 failed as run 2 (--retry-failed resumes failed runs)"), resumed.err.c_str());

        const auto retried = cli({"sweep", "--resume", "1", "--db", db, "--retry-failed"});
        QVERIFY(retried.code != 0);  // the data is still missing
        QVERIFY2(retried.errText().contains("1 resume: 1 (run 2)"), retried.err.c_str());
        glr::store::RunStore store(db.toStdString());
        QCOMPARE(store.listRuns().size(), std::size_t(2));  // retried in place, not as a third run
    }

    // Slurm signals the array task's main process (--signal=B:INT) and Ctrl-C the whole group; the
    // sweep passes the signal on, so the run checkpoints and stops as interrupted, not killed.
    void aStoppedSweepStopsItsRunsCleanly() {
        const QString db = dir_.filePath("signal.sqlite");
        QProcess sweep;
        sweep.start(GRAPHLORA_CLI_PATH, {"sweep", writeSweep("long", {{"seed", {1, 2}}}, /*steps=*/2000000), "--db", db});
        QVERIFY(sweep.waitForStarted());
        bool running = false;
        for (int i = 0; i < 600 && !running; ++i) {
            QTest::qWait(100);
            try {
                glr::store::RunStore store(db.toStdString(), {/*create=*/false, /*reapDeadRuns=*/false});
                const auto runs = store.listRuns();
                running = !runs.empty() && runs.front().status == RunStatus::Running;
            } catch (const std::exception&) {
            }
        }
        QVERIFY2(running, qPrintable("the sweep's first run never started: " + sweep.readAllStandardError()));
        QTest::qWait(500);
        ::kill(static_cast<pid_t>(sweep.processId()), SIGINT);  // the sweep process only, not its run
        QVERIFY(sweep.waitForFinished(120000));
        const QString err = sweep.readAllStandardError();
        QCOMPARE(sweep.exitCode(), 3);
        QVERIFY2(err.contains("sweep 1 stopped; continue it with: graphlora sweep --resume 1"), qPrintable(err));
        glr::store::RunStore store(db.toStdString());
        const auto runs = store.listRuns();
        QCOMPARE(runs.size(), std::size_t(1));  // the second point was not started
        QVERIFY2(runs.front().status == RunStatus::Interrupted, qPrintable(QString::fromStdString(runs.front().error)));
        QVERIFY(!store.artifacts(runs.front().id, "checkpoint").empty());
    }

    void sweepsWithoutAListOfPointsAreRefused() {
        const QString db = dir_.filePath("old.sqlite");
        {
            glr::store::RunStore store(db.toStdString());
            store.createSweep("old", {{"seed", {1}}});
        }
        const auto r = cli({"sweep", "--resume", "1", "--db", db});
        QVERIFY(r.code != 0);
        QVERIFY2(r.errText().contains("points.json is missing"), r.err.c_str());
        const auto mixed = cli({"sweep", "x.json", "--point", "1", "--db", db});
        QVERIFY2(mixed.errText().contains("--point and --retry-failed go with --resume"), mixed.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestSweepResume)
#include "test_sweep_resume.moc"
