// The experiment store: schema creation, run records, series, results, predictions, sweeps,
// crash detection (a child process SIGKILLed in the middle of writes), concurrent readers and
// clear errors for bad paths. Also the results-table formatting against hand-computed numbers.
#include <QtTest>

#include <sqlite3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/full_disk.h"
#include "common/test_support.h"
#include "config/experiment_config.h"
#include "store/results_table.h"
#include "store/run_store.h"
#include "util/build_info.h"
#include "util/error.h"

using namespace glr::store;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

template <typename Fn>
std::string errorOf(Fn&& fn) {
    try {
        fn();
    } catch (const glr::Error& e) {
        return e.what();
    }
    return "";
}

// A count straight from SQLite, bypassing RunStore (independent check of what is on disk).
std::int64_t rawCount(const std::string& dbPath, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(dbPath.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return -1;
    sqlite3_stmt* stmt = nullptr;
    std::int64_t value = -1;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

void rawExec(const std::string& dbPath, const std::string& sql) {
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(dbPath.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    std::string message = err ? err : "";
    sqlite3_free(err);
    sqlite3_close(db);
    QVERIFY2(rc == SQLITE_OK, message.c_str());
}

NewRun simpleRun(const std::string& name, const std::string& method = "graphlora", std::int64_t seed = 1) {
    NewRun run;
    run.name = name;
    run.method = method;
    run.dataset = "ml1m-collm";
    run.seed = seed;
    run.configJson = json{{"method", {{"name", method}}}, {"seed", seed}}.dump();
    run.configHash = "h-" + name;
    run.groupHash = "g-" + method;
    run.torchVersion = "1.13.1";
    run.device = "cpu";
    return run;
}

}  // namespace

class TestRunStore : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    std::string db(const std::string& name) const { return (fs::path(tmp_.path().toStdString()) / name).string(); }

private slots:
    void createsSchemaInAnEmptyFile() {
        std::string path = db("empty.sqlite");
        std::ofstream(path).close();  // zero bytes: SQLite treats it as a new database
        RunStore store(path);
        QCOMPARE(store.schemaVersion(), RunStore::latestSchemaVersion());
        QVERIFY(RunStore::latestSchemaVersion() >= 1);
        QCOMPARE(rawCount(path, "SELECT version FROM schema_version"), std::int64_t(RunStore::latestSchemaVersion()));
        QCOMPARE(rawCount(path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                                "('runs', 'metrics', 'results', 'predictions', 'artifacts', 'sweeps', 'sweep_runs')"),
                 std::int64_t(7));
        QCOMPARE(rawCount(path, "SELECT COUNT(*) FROM pragma_journal_mode WHERE journal_mode = 'wal'"), std::int64_t(1));
        auto id = store.createRun(simpleRun("a"));
        store.close();
        // Reopening an up-to-date store migrates nothing and keeps the data.
        RunStore again(path);
        QCOMPARE(again.getRun(id).name, std::string("a"));
        QCOMPARE(rawCount(path, "SELECT COUNT(*) FROM schema_version"), std::int64_t(1));
    }

    void refusesNewerSchema() {
        std::string path = db("newer.sqlite");
        { RunStore store(path); }
        rawExec(path, "UPDATE schema_version SET version = 999");
        std::string message = errorOf([&] { RunStore store(path); });
        QVERIFY2(message.find("schema version 999 is newer") != std::string::npos, message.c_str());
        QVERIFY(message.find(path) != std::string::npos);
    }

    void badPathsGiveClearErrors() {
        std::string missingDir = db("no/such/dir/runs.sqlite");
        std::string message = errorOf([&] { RunStore store(missingDir); });
        QVERIFY2(message.find(missingDir) != std::string::npos && message.find("does not exist") != std::string::npos,
                 message.c_str());
        message = errorOf([&] { RunStore store(tmp_.path().toStdString()); });
        QVERIFY2(message.find("is a directory") != std::string::npos, message.c_str());
        std::string garbage = db("garbage.sqlite");
        std::ofstream(garbage) << std::string(4096, 'x');
        message = errorOf([&] { RunStore store(garbage); });
        QVERIFY2(message.find(garbage) != std::string::npos && message.find("not an SQLite database") != std::string::npos,
                 message.c_str());
        OpenOptions existing;
        existing.create = false;
        message = errorOf([&] { RunStore store(db("absent.sqlite"), existing); });
        QVERIFY2(message.find("no such file") != std::string::npos, message.c_str());
        QVERIFY(!fs::exists(db("absent.sqlite")));
    }

    void defaultPathFollowsEnvironment() {
        qunsetenv("GRAPHLORA_DB");
        QCOMPARE(defaultStorePath(), std::string("runs.sqlite"));
        qputenv("GRAPHLORA_DB", "/tmp/x.sqlite");
        QCOMPARE(defaultStorePath(), std::string("/tmp/x.sqlite"));
        qunsetenv("GRAPHLORA_DB");
    }

    void runLifecycle() {
        RunStore store(db("lifecycle.sqlite"));
        NewRun spec = simpleRun("first");
        spec.tags = {"baseline", "cpu"};
        spec.notes = "hello";
        auto id = store.createRun(spec);
        RunRecord run = store.getRun(id);
        QCOMPARE(toString(run.status), std::string("queued"));
        QCOMPARE(run.name, std::string("first"));
        QCOMPARE(run.tags, (std::vector<std::string>{"baseline", "cpu"}));
        QCOMPARE(run.gitCommit, std::string(glr::buildGitCommit()));
        QCOMPARE(run.gitDirty, glr::buildGitDirty());
        QCOMPARE(run.torchVersion, std::string("1.13.1"));
        QVERIFY(!run.startedAt);
        QVERIFY(std::fabs(run.createdAt - nowSeconds()) < 60);

        store.setStatus(id, RunStatus::Running);
        run = store.getRun(id);
        QCOMPARE(toString(run.status), std::string("running"));
        QCOMPARE(run.pid, std::int64_t(getpid()));
        QVERIFY(run.startedAt && run.heartbeatAt);
        store.setStatus(id, RunStatus::Failed, "loss is NaN at step 12");
        run = store.getRun(id);
        QCOMPARE(toString(run.status), std::string("failed"));
        QCOMPARE(run.error, std::string("loss is NaN at step 12"));
        QVERIFY(run.finishedAt);

        store.renameRun(id, "renamed");
        store.setTags(id, {"x"});
        store.setNotes(id, "n");
        run = store.getRun(id);
        QCOMPARE(run.name, std::string("renamed"));
        QCOMPARE(run.tags, std::vector<std::string>{"x"});
        QCOMPARE(run.notes, std::string("n"));

        QVERIFY(errorOf([&] { store.getRun(9999); }).find("run 9999 not found") != std::string::npos);
        QVERIFY(errorOf([&] { store.setStatus(9999, RunStatus::Finished); }).find("run 9999 not found") !=
                std::string::npos);
        QVERIFY(errorOf([&] { store.appendMetric(9999, {1, 0, "train", "loss", 1.0, 0}); }).find("not found") !=
                std::string::npos);
    }

    void newRunFromConfig() {
        auto cfg = glr::config::parseExperimentConfig(
            {{"name", "demo"}, {"seed", 7}, {"data", {{"dir", "/data/ml1m-collm"}}}, {"tags", {"t"}}});
        NewRun spec = NewRun::fromConfig(cfg, "1.13.1");
        QCOMPARE(spec.method, std::string("graphlora"));
        QCOMPARE(spec.dataset, std::string("ml1m-collm"));
        QCOMPARE(spec.seed, std::int64_t(7));
        QCOMPARE(spec.configHash, cfg.hash);
        QCOMPARE(spec.groupHash, glr::config::configGroupHash(cfg.canonical));
        RunStore store(db("fromconfig.sqlite"));
        auto run = store.getRun(store.createRun(spec));
        QCOMPARE(run.config(), cfg.canonical);
        QCOMPARE(run.tags, std::vector<std::string>{"t"});
    }

    void filtersAndOrder() {
        RunStore store(db("filters.sqlite"));
        auto a = store.createRun(simpleRun("alpha", "graphlora"));
        auto b = store.createRun(simpleRun("beta", "tallrec"));
        NewRun tagged = simpleRun("gamma", "graphlora");
        tagged.tags = {"ablation"};
        auto c = store.createRun(tagged);
        store.setStatus(b, RunStatus::Finished);
        auto all = store.listRuns();
        QCOMPARE(all.size(), std::size_t(3));
        QCOMPARE(all[0].id, c);  // newest first
        RunFilter f;
        f.method = "graphlora";
        QCOMPARE(store.listRuns(f).size(), std::size_t(2));
        f = {};
        f.status = RunStatus::Finished;
        QCOMPARE(store.listRuns(f).front().id, b);
        f = {};
        f.tag = "ablation";
        QCOMPARE(store.listRuns(f).size(), std::size_t(1));
        f = {};
        f.nameContains = "ph";
        QCOMPARE(store.listRuns(f).front().id, a);
        f = {};
        f.ids = {a, c};
        QCOMPARE(store.listRuns(f).size(), std::size_t(2));
        f = {};
        f.limit = 1;
        QCOMPARE(store.listRuns(f).size(), std::size_t(1));
    }

    void seriesResultsPredictionsArtifacts() {
        std::string path = db("data.sqlite");
        RunStore store(path);
        auto id = store.createRun(simpleRun("r"));
        std::vector<MetricPoint> points;
        for (int step = 1; step <= 10; ++step) {
            points.push_back({step, step / 10.0, "train", "loss", 1.0 / step, 0});
            if (step % 5 == 0) points.push_back({step, step / 10.0, "valid", "auc", 0.6 + step / 100.0, 0});
        }
        store.appendMetrics(id, points);
        store.appendMetric(id, {11, 1.1, "train", "loss", std::nan(""), 0});  // NaN survives as NaN
        auto loss = store.metricSeries(id, "train", "loss");
        QCOMPARE(loss.size(), std::size_t(11));
        QCOMPARE(loss[2].value, 1.0 / 3);
        QVERIFY(std::isnan(loss.back().value));
        QVERIFY(loss[0].wallTime > 0);
        QCOMPARE(store.metricSeries(id, "", "", 8).size(), std::size_t(4));  // steps 9, 10, 10(valid), 11
        auto summaries = store.metricSummaries(id);
        QCOMPARE(summaries.size(), std::size_t(2));
        QCOMPARE(summaries[1].split, std::string("valid"));
        QCOMPARE(summaries[1].last, 0.7);
        QCOMPARE(summaries[1].max, 0.7);
        QCOMPARE(summaries[1].min, 0.65);
        QCOMPARE(summaries[1].count, std::int64_t(2));

        store.writeResults(id, {{0, "test", "all", "auc", 0.71, 7331}, {0, "test", "warm", "auc", 0.73, 4153}});
        store.writeResults(id, {{0, "test", "all", "auc", 0.72, 7331}});  // upsert
        auto results = store.results({id});
        QCOMPARE(results.size(), std::size_t(2));
        QCOMPARE(results[0].value, 0.72);
        QCOMPARE(results[0].runId, id);
        QCOMPARE(results[1].nRows, std::int64_t(4153));
        QCOMPARE(store.results({}, "valid").size(), std::size_t(0));

        std::vector<PredictionRow> rows;
        for (int i = 0; i < 5000; ++i) rows.push_back({i % 838 + 1, i % 3255 + 1, i % 2, i * 0.001 - 2.5, i % 3 != 0});
        store.writePredictions(id, "test", rows);
        store.writePredictions(id, "test", rows);  // replaces, does not duplicate
        auto back = store.predictions(id, "test");
        QCOMPARE(back.size(), rows.size());
        QCOMPARE(back[4999].score, rows[4999].score);
        QCOMPARE(back[4999].notCold, rows[4999].notCold);
        QCOMPARE(store.predictionSplits(id), std::vector<std::string>{"test"});

        store.addArtifact(id, "checkpoint", "/ckpt/step100", 100);
        store.addArtifact(id, "best_checkpoint", "/ckpt/best", 50);
        QCOMPARE(store.artifacts(id).size(), std::size_t(2));
        QCOMPARE(store.artifacts(id, "best_checkpoint").front().step, std::int64_t(50));
        // Registering the same file again (a resumed run) updates it instead of listing it twice.
        const std::int64_t best = store.artifacts(id, "best_checkpoint").front().id;
        QCOMPARE(store.addArtifact(id, "best_checkpoint", "/ckpt/best", 80), best);
        QCOMPARE(store.artifacts(id).size(), std::size_t(2));
        QCOMPARE(store.artifacts(id, "best_checkpoint").front().step, std::int64_t(80));

        // Deleting cascades to every table.
        store.deleteRun(id);
        for (const char* table : {"metrics", "results", "predictions", "artifacts"})
            QCOMPARE(rawCount(path, std::string("SELECT COUNT(*) FROM ") + table), std::int64_t(0));
        QVERIFY(errorOf([&] { store.deleteRun(id); }).find("not found") != std::string::npos);
    }

    void sweepsGroupRuns() {
        RunStore store(db("sweeps.sqlite"));
        json grid = {{"seed", {1, 2}}};
        auto sweep = store.createSweep("seeds", grid, {{"name", "seeds"}});
        NewRun r1 = simpleRun("s1");
        r1.sweepId = sweep;
        r1.sweepParams = {{"seed", 1}};
        auto a = store.createRun(r1);
        auto b = store.createRun(simpleRun("s2"));
        store.addRunToSweep(sweep, b, {{"seed", 2}});
        auto record = store.getSweep(sweep);
        QCOMPARE(record.name, std::string("seeds"));
        QCOMPARE(record.grid, grid);
        QCOMPARE(record.runIds, (std::vector<std::int64_t>{a, b}));
        QCOMPARE(store.getRun(a).sweepId.value_or(-1), sweep);
        QCOMPARE(store.getRun(b).sweepParams, (json{{"seed", 2}}));
        RunFilter f;
        f.sweepId = sweep;
        QCOMPARE(store.listRuns(f).size(), std::size_t(2));
        QCOMPARE(store.listSweeps().size(), std::size_t(1));
        QVERIFY(errorOf([&] { store.addRunToSweep(999, a, {}); }).find("sweep 999 not found") != std::string::npos);
    }

    void transactionsRollBack() {
        RunStore store(db("tx.sqlite"));
        auto id = store.createRun(simpleRun("t"));
        QVERIFY(!errorOf([&] {
                     store.transaction([&] {
                         store.appendMetric(id, {1, 0, "train", "loss", 1.0, 0});
                         throw glr::Error("boom");
                     });
                 }).empty());
        QCOMPARE(store.metricSeries(id).size(), std::size_t(0));
        store.transaction([&] {
            store.appendMetric(id, {1, 0, "train", "loss", 1.0, 0});
            store.heartbeat(id);
        });
        QCOMPARE(store.metricSeries(id).size(), std::size_t(1));
    }

    void staleHeartbeatMarksInterrupted() {
        std::string path = db("stale.sqlite");
        RunStore store(path);
        auto id = store.createRun(simpleRun("stale"));
        store.setStatus(id, RunStatus::Running);
        QCOMPARE(store.reapDeadRuns(), 0);  // our own pid is alive, heartbeat fresh
        rawExec(path, "UPDATE runs SET heartbeat_at = heartbeat_at - 7200");
        OpenOptions options;
        options.staleAfterSeconds = 3600;
        RunStore other(path, options);
        auto run = other.getRun(id);
        QCOMPARE(toString(run.status), std::string("interrupted"));
        QVERIFY2(run.error.find("no heartbeat") != std::string::npos, run.error.c_str());
    }

    // The durability test: a child process writes metrics and predictions as fast as it
    // can; the parent SIGKILLs it mid-write. The store must open cleanly, hold every batch the
    // child reported committed (and no partial batch), and list the run as interrupted.
    void sigkillMidWriteLeavesConsistentStore() {
        const std::string path = db("sigkill.sqlite");
        constexpr int kBatch = 200;
        constexpr int kPredictions = 20000;
        std::int64_t runId = 0;
        {
            RunStore store(path);
            runId = store.createRun(simpleRun("victim"));
        }  // closed: no connection crosses fork()
        int fds[2];
        QCOMPARE(pipe(fds), 0);
        pid_t child = fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            close(fds[0]);
            try {
                RunStore store(path);
                store.setStatus(runId, RunStatus::Running);
                std::vector<PredictionRow> predictions(kPredictions, PredictionRow{1, 2, 1, 0.5, true});
                for (std::int64_t step = 0;; ++step) {
                    std::vector<MetricPoint> batch;
                    for (int i = 0; i < kBatch; ++i) batch.push_back({step, 0, "train", "loss", double(i), 0});
                    store.appendMetrics(runId, batch);
                    if (step % 4 == 0) store.writePredictions(runId, "test", predictions);
                    store.heartbeat(runId);
                    if (write(fds[1], &step, sizeof(step)) != sizeof(step)) _exit(2);
                }
            } catch (...) {
                _exit(3);
            }
        }
        close(fds[1]);
        std::int64_t lastAcked = -1, step = 0;
        while (lastAcked < 30 && read(fds[0], &step, sizeof(step)) == sizeof(step)) lastAcked = step;
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);  // reaped: kill(pid, 0) now fails with ESRCH
        close(fds[0]);
        QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child ended before it was killed");
        QVERIFY(lastAcked >= 30);

        RunStore store(path);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        auto runs = store.listRuns();
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(toString(runs[0].status), std::string("interrupted"));
        QVERIFY2(runs[0].error.find(std::to_string(child)) != std::string::npos, runs[0].error.c_str());
        QVERIFY(runs[0].finishedAt);
        // Every acknowledged batch is there, and batches are whole.
        auto series = store.metricSeries(runId, "train", "loss");
        QVERIFY(std::int64_t(series.size()) >= (lastAcked + 1) * kBatch);
        QCOMPARE(series.size() % kBatch, std::size_t(0));
        for (std::int64_t s = 0; s <= lastAcked; ++s)
            QCOMPARE(rawCount(path, "SELECT COUNT(*) FROM metrics WHERE step = " + std::to_string(s)), std::int64_t(kBatch));
        std::size_t predictions = store.predictions(runId, "test").size();
        QCOMPARE(predictions, std::size_t(kPredictions));
        // The store keeps working afterwards.
        store.appendMetric(runId, {lastAcked + 1000, 0, "train", "loss", 1.0, 0});
        QCOMPARE(rawCount(path, "PRAGMA quick_check") == -1, false);
    }

    // The disk fills while a run writes: the error says so and names the store; the write is rolled
    // back, and every run, metric and status stored before it stays readable.
    void fullDiskLosesNothingStored() {
        const std::string path = db("full.sqlite");
        std::int64_t keptId = 0;
        {
            RunStore store(path);
            keptId = store.createRun(simpleRun("kept"));
            std::vector<MetricPoint> points;
            for (int i = 0; i < 100; ++i) points.push_back({i, 0, "train", "loss", double(i), 0});
            store.appendMetrics(keptId, points);
            store.setStatus(keptId, RunStatus::Finished);
        }
        // Room for a little more, not for 20,000 predictions (~0.5 MB).
        const std::uintmax_t limit = fs::file_size(path) + 16384;
        const std::string message = glr::test::errorUnderFileSizeLimit(limit, [&] {
            RunStore store(path);
            const std::int64_t id = store.createRun(simpleRun("overflow"));
            const std::vector<PredictionRow> predictions(20000, PredictionRow{1, 2, 1, 0.5, true});
            store.writePredictions(id, "test", predictions);
        });
        QVERIFY2(message.find("experiment store " + path) != std::string::npos, message.c_str());
        QVERIFY2(message.find("is the disk full?") != std::string::npos, message.c_str());

        RunStore store(path);
        QCOMPARE(store.integrityCheck(), std::string("ok"));
        QVERIFY(store.getRun(keptId).status == RunStatus::Finished);
        QCOMPARE(store.metricSeries(keptId, "train", "loss").size(), std::size_t(100));
        QCOMPARE(rawCount(path, "SELECT COUNT(*) FROM predictions"), std::int64_t(0));
        store.appendMetric(keptId, {100, 0, "train", "loss", 1.0, 0});  // and it works once there is room
        QCOMPARE(store.metricSeries(keptId, "train", "loss").size(), std::size_t(101));
    }

    // One writer thread and several readers, each with its own connection (the UI + trainer
    // pattern): no SQLITE_BUSY escapes, readers see a growing, consistent series.
    void concurrentReadersWhileWriting() {
        const std::string path = db("concurrent.sqlite");
        std::int64_t runId = 0;
        {
            RunStore store(path);
            runId = store.createRun(simpleRun("busy"));
        }
        std::atomic<bool> done{false};
        std::atomic<int> failures{0};
        std::string firstFailure;
        std::mutex failureMutex;
        auto record = [&](const std::exception& e) {
            std::lock_guard<std::mutex> lock(failureMutex);
            if (failures++ == 0) firstFailure = e.what();
        };
        std::atomic<int> reads{0};
        std::thread writer([&] {
            try {
                RunStore store(path);
                // Start writing once every reader is reading, so reads overlap writes.
                while (reads < 3 && failures == 0) std::this_thread::yield();
                store.setStatus(runId, RunStatus::Running);
                for (int step = 0; step < 150; ++step) {
                    std::vector<MetricPoint> batch;
                    for (int i = 0; i < 50; ++i) batch.push_back({step, 0, "train", "loss", double(step), 0});
                    store.appendMetrics(runId, batch);
                    store.heartbeat(runId);
                }
                store.setStatus(runId, RunStatus::Finished);
            } catch (const std::exception& e) {
                record(e);
            }
            done = true;
        });
        std::vector<std::thread> readers;
        for (int r = 0; r < 3; ++r)
            readers.emplace_back([&] {
                try {
                    RunStore store(path);
                    std::size_t previous = 0;
                    bool first = true;
                    while (first || !done) {
                        first = false;
                        auto runs = store.listRuns();
                        auto series = store.metricSeries(runId, "train", "loss");
                        if (series.size() < previous || series.size() % 50 != 0)
                            throw glr::Error("inconsistent read: " + std::to_string(series.size()));
                        previous = series.size();
                        if (runs.size() != 1) throw glr::Error("run list changed size");
                        ++reads;
                    }
                } catch (const std::exception& e) {
                    record(e);
                }
            });
        writer.join();
        for (auto& t : readers) t.join();
        QVERIFY2(failures == 0, firstFailure.c_str());
        QVERIFY(reads > 3);
        RunStore store(path);
        QCOMPARE(store.metricSeries(runId).size(), std::size_t(150 * 50));
        QCOMPARE(toString(store.getRun(runId).status), std::string("finished"));
    }

    // Mean ± sample std over seeds, best in bold, labels that tell same-method rows apart —
    // against numbers computed by hand: AUC {0.70, 0.72, 0.74} -> 0.7200 ± 0.0200.
    void resultsTableGroupsSeeds() {
        auto run = [](std::int64_t id, const std::string& method, const json& config, std::int64_t seed) {
            RunRecord r;
            r.id = id;
            r.name = method + std::to_string(id);
            r.method = method;
            json canonical = config;
            canonical["seed"] = seed;
            r.configJson = canonical.dump();
            r.groupHash = glr::config::configGroupHash(canonical);
            r.seed = seed;
            return r;
        };
        json g1 = {{"method", {{"name", "graphlora"}, {"inject", {{"layers", {1}}}}}}};
        json g2 = {{"method", {{"name", "graphlora"}, {"inject", {{"layers", {3}}}}}}};
        json t = {{"method", {{"name", "tallrec"}}}};
        std::vector<RunRecord> runs = {run(1, "graphlora", g1, 1), run(2, "graphlora", g1, 2), run(3, "graphlora", g1, 3),
                                       run(4, "graphlora", g2, 1), run(5, "tallrec", t, 1)};
        std::vector<ResultRow> results = {
            {1, "test", "all", "auc", 0.70, 100}, {2, "test", "all", "auc", 0.72, 100}, {3, "test", "all", "auc", 0.74, 100},
            {4, "test", "all", "auc", 0.65, 100}, {5, "test", "all", "auc", 0.60, 100}, {5, "test", "cold", "auc", 0.55, 40},
            {1, "valid", "all", "auc", 0.99, 10}};
        ResultsTableOptions options;
        options.metrics = {"auc"};
        options.subsets = {"all", "cold"};
        auto table = buildResultsTable(runs, results, options);
        QCOMPARE(table.rows.size(), std::size_t(3));
        QCOMPARE(table.rows[0].runIds, (std::vector<std::int64_t>{1, 2, 3}));
        QCOMPARE(table.rows[0].cells[0]->n, 3);
        QVERIFY(std::fabs(table.rows[0].cells[0]->mean - 0.72) < 1e-12);
        QVERIFY(std::fabs(table.rows[0].cells[0]->std - 0.02) < 1e-12);
        QCOMPARE(table.rows[0].label, std::string("graphlora (inject.layers=[1])"));
        QCOMPARE(table.rows[2].label, std::string("tallrec"));
        QCOMPARE(std::string(formatResultsTable(table, TableFormat::Markdown)),
                 std::string("| Method | Runs | AUC | Cold AUC |\n"
                             "|---|---:|---:|---:|\n"
                             "| graphlora (inject.layers=[1]) | 3 | **0.7200 ± 0.0200** | – |\n"
                             "| graphlora (inject.layers=[3]) | 1 | 0.6500 | – |\n"
                             "| tallrec | 1 | 0.6000 | 0.5500 |\n"));
        std::string latex = formatResultsTable(table, TableFormat::Latex);
        QVERIFY2(latex.find("\\textbf{0.7200 $\\pm$ 0.0200}") != std::string::npos, latex.c_str());
        QVERIFY(latex.find("graphlora (inject.layers=[1])") != std::string::npos);
        std::string csv = formatResultsTable(table, TableFormat::Csv);
        QVERIFY2(csv.rfind("label,method,runs,run_ids,AUC mean,AUC std,Cold AUC mean,Cold AUC std\n", 0) == 0, csv.c_str());
        QVERIFY(csv.find("tallrec,tallrec,1,5,0.6,0,0.55,0\n") != std::string::npos);

        // Without grouping every run is its own row.
        options.groupSeeds = false;
        QCOMPARE(buildResultsTable(runs, results, options).rows.size(), std::size_t(5));
    }

    void csvExportsHaveStableColumns() {
        RunRecord r;
        r.id = 3;
        r.name = "a,b";
        r.method = "mf";
        r.status = RunStatus::Finished;
        r.createdAt = 0;
        r.finishedAt = 86400 + 61;
        QCOMPARE(runsCsv({r}), std::string("run_id,name,method,status,created,finished\n"
                                           "3,\"a,b\",mf,finished,1970-01-01T00:00:00Z,1970-01-02T00:01:01Z\n"));
        QCOMPARE(resultsCsv({r}, {{3, "test", "warm", "auc", 0.5, 10}}),
                 std::string("run_id,run_name,method,split,subset,metric,value\n3,\"a,b\",mf,test,warm,auc,0.5\n"));
        QCOMPARE(predictionsCsv({{1, 2, 1, 0.25, true}, {3, 4, 0, -1.5, false}}),
                 std::string("uid,iid,label,score,not_cold\n1,2,1,0.25,1\n3,4,0,-1.5,0\n"));
        QCOMPARE(metricDisplayName("ndcg@10"), std::string("NDCG@10"));
        QCOMPARE(csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
    }

    // Rows match by (uid, iid); a pair scored twice matches occurrence by occurrence, whatever
    // the order the runs stored their rows in.
    void predictionsPairRowForRow() {
        const std::vector<PredictionRow> a = {{1, 10, 1, 0.9, true}, {1, 10, 1, 0.8, true}, {2, 20, 0, 0.1, true},
                                              {3, 30, 1, 0.5, false}};
        const std::vector<PredictionRow> b = {{2, 20, 0, 0.2, true}, {1, 10, 1, 0.7, true}, {4, 40, 0, 0.3, true},
                                              {1, 10, 1, 0.6, true}, {3, 30, 0, 0.4, false}};
        const PredictionPairs pairs = pairPredictions(a, b);
        QCOMPARE(pairs.matched.size(), std::size_t(3));
        QCOMPARE(pairs.matched[0], std::make_pair(std::size_t(0), std::size_t(1)));  // first (1,10) with first
        QCOMPARE(pairs.matched[1], std::make_pair(std::size_t(1), std::size_t(3)));  // second with second
        QCOMPARE(pairs.matched[2], std::make_pair(std::size_t(2), std::size_t(0)));
        QCOMPARE(pairs.labelMismatches, std::size_t(1));  // (3,30): label 1 in a, 0 in b
        QCOMPARE(pairs.onlyA, std::size_t(0));
        QCOMPARE(pairs.onlyB, std::size_t(1));  // (4,40)
        const PredictionPairs reversed = pairPredictions(b, a);
        QCOMPARE(reversed.onlyA, std::size_t(1));
        QCOMPARE(reversed.onlyB, std::size_t(0));
    }

    // Runs from another store (a GPU machine's, a Slurm job's) come over with everything they
    // recorded, once: a second import copies nothing, a running run stays behind.
    void importCopiesRunsOnce() {
        const std::string there = db("import-there.sqlite"), here = db("import-here.sqlite");
        std::int64_t first = 0, resumed = 0, running = 0, sweep = 0;
        {
            RunStore source(there);
            sweep = source.createSweep("seeds", {{"seed", {1, 2}}}, {{"name", "seeds"}});
            NewRun a = simpleRun("a", "graphlora", 1);
            a.sweepId = sweep;
            a.sweepParams = {{"seed", 1}};
            first = source.createRun(a);
            source.appendMetrics(first, {{1, 0.5, "train", "loss", 0.7, 0}, {2, 1.0, "valid", "auc", std::nan(""), 0}});
            source.writeResults(first, {{0, "test", "all", "auc", 0.61, 40}});
            source.writePredictions(first, "test", {{5, 9, 1, 0.25, true}, {5, 10, 0, -1.5, false}});
            source.addArtifact(first, "checkpoint", "/elsewhere/run-1/checkpoint.safetensors", 2);
            source.setStatus(first, RunStatus::Finished);
            NewRun b = simpleRun("b", "graphlora", 2);
            b.resumedFrom = first;
            resumed = source.createRun(b);
            source.setStatus(resumed, RunStatus::Interrupted, "stopped at step 3; resumable");
            running = source.createRun(simpleRun("c"));
            source.setStatus(running, RunStatus::Running);
        }
        RunStore store(here);
        const auto existing = store.createRun(simpleRun("local"));  // ids here differ from ids there
        const auto report = store.importRuns(there);
        QCOMPARE(report.imported.size(), std::size_t(2));
        QCOMPARE(report.stillRunning, (std::vector<std::int64_t>{running}));
        QCOMPARE(report.sweepsCreated, std::int64_t(1));
        const std::int64_t copy = report.imported[0].second, copyResumed = report.imported[1].second;
        QCOMPARE(report.imported[0].first, first);
        QVERIFY(copy != first && copy != existing);

        const auto run = store.getRun(copy);
        QCOMPARE(run.name, std::string("a"));
        QVERIFY(run.status == RunStatus::Finished);
        QCOMPARE(run.configHash, std::string("h-a"));
        const auto series = store.metricSeries(copy);
        QCOMPARE(series.size(), std::size_t(2));
        QCOMPARE(series[0].value, 0.7);
        QVERIFY(std::isnan(series[1].value));  // NaN stays NaN (stored as NULL)
        const auto results = store.results({copy});
        QCOMPARE(results.size(), std::size_t(1));
        QCOMPARE(results[0].value, 0.61);
        QCOMPARE(results[0].nRows, std::int64_t(40));
        const auto predictions = store.predictions(copy, "test");
        QCOMPARE(predictions.size(), std::size_t(2));
        QCOMPARE(predictions[1].score, -1.5);
        QCOMPARE(predictions[1].notCold, false);
        const auto artifacts = store.artifacts(copy);
        QCOMPARE(artifacts.size(), std::size_t(1));
        QCOMPARE(artifacts[0].path, std::string("/elsewhere/run-1/checkpoint.safetensors"));
        QCOMPARE(artifacts[0].step, std::int64_t(2));
        QCOMPARE(store.getRun(copyResumed).resumedFrom.value_or(-1), copy);
        QCOMPARE(store.getRun(copyResumed).error, std::string("stopped at step 3; resumable"));
        QCOMPARE(run.sweepParams, (json{{"seed", 1}}));
        QCOMPARE(store.getSweep(*run.sweepId).name, std::string("seeds"));

        const auto again = store.importRuns(there);
        QVERIFY(again.imported.empty());
        QCOMPARE(again.alreadyHere.size(), std::size_t(2));
        QCOMPARE(again.alreadyHere[0], (std::pair<std::int64_t, std::int64_t>{first, copy}));
        QCOMPARE(again.sweepsCreated, std::int64_t(0));
        QCOMPARE(store.listRuns().size(), std::size_t(3));
        QCOMPARE(store.listSweeps().size(), std::size_t(1));
        QCOMPARE(store.getSweep(*run.sweepId).runIds.size(), std::size_t(1));

        QVERIFY(errorOf([&] { store.importRuns(there, {first, 77}); }).find("has no run 77") != std::string::npos);
        QVERIFY(errorOf([&] { store.importRuns(db("missing.sqlite")); }).find("is not a file") != std::string::npos);
        QVERIFY(errorOf([&] { store.importRuns(here); }).find("is this store") != std::string::npos);
        {
            std::ofstream notAStore(db("notes.sqlite"));
            notAStore << "not a database";
        }
        QVERIFY(!errorOf([&] { store.importRuns(db("notes.sqlite")); }).empty());
        rawExec(db("other.sqlite"), "CREATE TABLE t (x INTEGER)");
        QVERIFY(errorOf([&] { store.importRuns(db("other.sqlite")); }).find("not a GraphLoRA experiment store") != std::string::npos);
        QCOMPARE(store.listRuns().size(), std::size_t(3));  // nothing half-copied
        QCOMPARE(store.integrityCheck(), std::string("ok"));
    }
};

QTEST_APPLESS_MAIN(TestRunStore)
#include "test_run_store.moc"
