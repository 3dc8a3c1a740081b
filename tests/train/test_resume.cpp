// A run stopped mid-way and resumed reaches bit-identical results to an uninterrupted one (CPU),
// and a NaN loss stops the run naming the step.
#include <QtTest>

#include <map>

#include <cmath>

#include "common/test_support.h"
#include "store/run_store.h"
#include "train/checkpoint.h"
#include "train/experiment_runner.h"
#include "train/train_fixtures.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/files.h"

class TestResume : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string config(const std::string& method, int steps) {
        nlohmann::json c = {
            {"name", "resume-" + method},
            {"seed", 7},
            {"data", {{"dir", dir_.filePath("split").toStdString()}, {"valid_split", "valid"}, {"max_history", 2}, {"max_length", 512}}},
            {"model", {{"shape", "tiny"}}},
            {"method", {{"name", method}, {"mf", {{"dim", 16}}}, {"gnn", {{"type", "ngcf"}, {"layers", 1}, {"dim", 16}}}}},
            {"train", {{"max_steps", steps}, {"batch_size", 4}, {"lr", 1e-3}, {"warmup_steps", 2}, {"eval_every", 3}}},
            {"eval", {{"splits", {"test"}}, {"batch_size", 8}}}};
        return c.dump();
    }

    glr::RunOutcome run(const std::string& method, const glr::ProgressCallback& progress, std::optional<std::int64_t> resume = {}) {
        glr::RunRequest request;
        if (!resume) request.configJson = config(method, 6);
        request.storePath = dir_.filePath("runs.sqlite").toStdString();
        request.resumeRunId = resume;
        return glr::runExperiment(request, progress);
    }

private slots:
    void initTestCase() {
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 8, 24, 6, 6, 3);
    }

    void resumedRunIsBitIdentical() {
        for (const std::string method : {"graphlora", "mf"}) {
            auto full = run(method, {});
            QCOMPARE(full.status, std::string("finished"));

            auto stopped = run(method, [](const glr::ProgressSnapshot& s) { return !(s.phase == "train" && s.step == 2); });
            QCOMPARE(stopped.status, std::string("interrupted"));
            glr::store::RunStore store(dir_.filePath("runs.sqlite").toStdString());
            QVERIFY(store.getRun(stopped.runId).status == glr::store::RunStatus::Interrupted);

            auto resumed = run(method, {}, stopped.runId);
            QCOMPARE(resumed.status, std::string("finished"));
            QCOMPARE(resumed.runId, stopped.runId);

            auto a = store.predictions(full.runId, "test");
            auto b = store.predictions(resumed.runId, "test");
            QVERIFY(!a.empty());
            QCOMPARE(a.size(), b.size());
            for (std::size_t i = 0; i < a.size(); ++i) {
                QCOMPARE(a[i].uid, b[i].uid);
                QCOMPARE(a[i].iid, b[i].iid);
                QVERIFY2(a[i].score == b[i].score, qPrintable(QString("%1: row %2 differs: %3 vs %4")
                                                                  .arg(QString::fromStdString(method)).arg(i)
                                                                  .arg(a[i].score, 0, 'g', 17).arg(b[i].score, 0, 'g', 17)));
            }
            // The loss curve continues where it stopped: one loss point per step, no duplicates.
            auto losses = store.metricSeries(resumed.runId, "train", "loss");
            QCOMPARE(losses.size(), std::size_t(6));
        }
    }

    // A process killed after storing points past its last checkpoint: the resumed run trains
    // those steps again and its curve still has one point per step, the resumed run's.
    void pointsPastTheCheckpointAreReplaced() {
        auto stopped = run("mf", [](const glr::ProgressSnapshot& s) { return !(s.phase == "train" && s.step == 2); });
        QCOMPARE(stopped.status, std::string("interrupted"));
        {
            glr::store::RunStore store(dir_.filePath("runs.sqlite").toStdString());
            // The stop comes after the step queued when it was asked for: checkpointed at step 3.
            const auto stored = std::int64_t(store.metricSeries(stopped.runId, "train", "loss").size());
            QCOMPARE(stored, std::int64_t(3));
            store.appendMetrics(stopped.runId, {{stored + 1, 0.5, "train", "loss", 99.0, 0}, {stored + 2, 0.6, "train", "loss", 99.0, 0}});
        }
        QCOMPARE(run("mf", {}, stopped.runId).status, std::string("finished"));
        glr::store::RunStore store(dir_.filePath("runs.sqlite").toStdString());
        const auto losses = store.metricSeries(stopped.runId, "train", "loss");
        QCOMPARE(losses.size(), std::size_t(6));
        for (std::size_t k = 0; k < losses.size(); ++k) {
            QCOMPARE(losses[k].step, std::int64_t(k + 1));
            QVERIFY(losses[k].value != 99.0);
        }
    }

    // Both generator states survive the file (the device one is what CUDA runs resume dropout
    // masks from), and an invalid state is refused with a message instead of crashing.
    void checkpointKeepsGeneratorStates() {
        glr::Checkpoint cp;
        cp.position.step = 3;
        cp.parameters["lora.w"] = at::randn({2, 3});
        cp.cpuRngState = glr::captureCpuRngState();
        cp.deviceRngState = at::randint(0, 256, {16}, at::kByte);
        const std::string path = dir_.filePath("generators.ckpt").toStdString();
        glr::saveCheckpoint(path, cp);
        const glr::Checkpoint back = glr::loadCheckpoint(path);
        QVERIFY(back.cpuRngState.equal(cp.cpuRngState));
        QVERIFY(back.deviceRngState.defined() && back.deviceRngState.equal(cp.deviceRngState));
        QVERIFY(!glr::captureDeviceRngState(at::Device(at::kCPU)).defined());
        QVERIFY_THROWS_EXCEPTION(glr::InputError, glr::restoreCpuRngState(at::zeros({3}, at::kByte)));
    }

    // A damaged checkpoint is refused before a run resumes from it: a flipped bit in a parameter,
    // or in the digest's own key. Checkpoints from before the digest (format version 1) still load.
    void damagedCheckpointIsRefused() {
        glr::Checkpoint cp;
        cp.position.step = 3;
        cp.parameters["lora.w"] = at::arange(64, at::kFloat);
        const std::string path = dir_.filePath("damaged.ckpt").toStdString();
        glr::saveCheckpoint(path, cp);
        const std::string bytes = glr::readFile(path);
        auto rewrite = [&](std::string changed) {
            glr::writeFileAtomic(path, changed);
            return path;
        };
        std::string flipped = bytes;
        flipped[bytes.size() - 10] ^= 0x04;
        glr::test::expectInputError([&] { glr::loadCheckpoint(rewrite(flipped)); }, {"damaged.ckpt", "checksum"});
        std::string keyless = bytes;
        const std::size_t key = keyless.find(glr::io::kDigestKey);
        keyless[key + 1] ^= 0x01;  // "grap…" -> "gsap…": no digest entry any more
        glr::test::expectInputError([&] { glr::loadCheckpoint(rewrite(keyless)); }, {"damaged.ckpt", "no 'graphlora.sha256'"});
        std::string legacy = keyless;
        legacy.replace(legacy.find("graphlora-checkpoint/2"), 22, "graphlora-checkpoint/1");
        QCOMPARE(glr::loadCheckpoint(rewrite(legacy)).position.step, std::int64_t(3));
    }

    // Gradient clipping acts. Adam ignores a gradient's scale except through eps (1e-8), so the
    // norm is clipped far below eps: the update then shrinks to ~norm/eps of its size and the MF
    // run's predictions barely leave their start, while an unclipped run moves them.
    void gradientClippingLimitsTheUpdate() {
        auto scores = [&](const std::vector<std::string>& overrides) {
            glr::RunRequest request;
            request.configJson = config("mf", 6);
            request.overrides = overrides;
            request.storePath = dir_.filePath("clip.sqlite").toStdString();
            const auto outcome = glr::runExperiment(request, {});
            glr::store::RunStore store(request.storePath);
            std::vector<double> out;
            for (const auto& p : store.predictions(outcome.runId, "test")) out.push_back(p.score);
            return out;
        };
        const auto start = scores({"train.max_steps=1", "train.lr=1e-12"});  // ≈ the initial tables
        const auto free = scores({});
        const auto clipped = scores({"train.max_grad_norm=1e-12"});
        QCOMPARE(free.size(), start.size());
        QCOMPARE(clipped.size(), start.size());
        double moveFree = 0, moveClipped = 0;
        for (std::size_t i = 0; i < start.size(); ++i) {
            QVERIFY(std::isfinite(clipped[i]));
            moveFree += std::abs(free[i] - start[i]);
            moveClipped += std::abs(clipped[i] - start[i]);
        }
        QVERIFY2(moveClipped < 0.5 * moveFree, qPrintable(QString("clipped %1 vs free %2").arg(moveClipped).arg(moveFree)));
    }

    // The trainer reads a step's loss only once the next step is queued, so its reports run one
    // step behind; each reported loss must still be the one stored for the step it names (the
    // UI's live curve is drawn from these reports).
    void progressReportsEachLossWithItsStep() {
        std::map<std::int64_t, double> reported;
        auto outcome = run("graphlora", [&](const glr::ProgressSnapshot& s) {
            if (s.phase == "train" && s.step > 0) reported[s.step] = s.trainLoss;
            return true;
        });
        QCOMPARE(outcome.status, std::string("finished"));
        glr::store::RunStore store(dir_.filePath("runs.sqlite").toStdString());
        const auto losses = store.metricSeries(outcome.runId, "train", "loss");
        QCOMPARE(losses.size(), std::size_t(6));
        QCOMPARE(reported.size(), std::size_t(6));  // every step reported, the last one included
        for (const auto& point : losses) {
            QVERIFY2(reported.count(point.step), qPrintable(QString("step %1 not reported").arg(point.step)));
            QCOMPARE(reported[point.step], point.value);
        }
    }

    void finishedRunCannotResume() {
        auto full = run("mf", {});
        QVERIFY_THROWS_EXCEPTION(glr::InputError, run("mf", {}, full.runId));
    }

    void nanLossStopsNamingTheStep() {
        glr::RunRequest request;
        request.configJson = config("mf", 6);
        request.overrides = {"train.lr=1e30", "train.warmup_steps=0"};
        request.storePath = dir_.filePath("runs.sqlite").toStdString();
        try {
            glr::runExperiment(request, {});
            QFAIL("expected the run to fail");
        } catch (const glr::Error& e) {
            // Step 1's loss is computed before any update; the 1e30 update it feeds makes step 2's
            // loss non-finite. The trainer reads a step's loss only once the next step is queued,
            // and must still name the step whose loss it was.
            QVERIFY2(QString(e.what()).contains("at step 2 "), e.what());
        }
        // What was logged before the failure is kept: step 1's finite loss.
        glr::store::RunStore store(request.storePath);
        std::int64_t failedRun = 0;  // the store is shared with the other cases: the newest run
        for (const auto& r : store.listRuns()) failedRun = std::max(failedRun, r.id);
        const auto losses = store.metricSeries(failedRun, "train", "loss");
        QCOMPARE(losses.size(), std::size_t(1));
        QCOMPARE(losses.front().step, std::int64_t(1));
        QVERIFY(std::isfinite(losses.front().value));
    }
};

QTEST_APPLESS_MAIN(TestResume)
#include "test_resume.moc"
