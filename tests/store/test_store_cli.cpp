// `graphlora runs|results|predictions` run as a user would, against a store filled here with
// RunStore. Checks the script-facing CSV columns exactly and the error paths' exit codes.
#include <QtTest>

#include <QProcess>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/test_support.h"
#include "store/run_store.h"
#include "util/sha256.h"

using namespace glr::store;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

struct Result {
    int exitCode = -1;
    std::string out, err;
};

Result runCli(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QString(GRAPHLORA_CLI_PATH), args);
    Result r;
    if (!process.waitForFinished(60000)) return r;
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    r.out = process.readAllStandardOutput().toStdString();
    r.err = process.readAllStandardError().toStdString();
    return r;
}

std::string readAll(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

class TestStoreCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString db_;
    std::int64_t g1_ = 0, g2_ = 0, t_ = 0;

private slots:
    void initTestCase() {
        if (!fs::exists(GRAPHLORA_CLI_PATH))
            QSKIP("graphlora binary not built (build the `graphlora` target first)");
        // One clear failure instead of one per test when the binary cannot even start.
        if (runCli({"--help"}).exitCode == -2)
            QFAIL("graphlora crashed at startup (`graphlora --help`); nothing in this test can run");
        db_ = tmp_.filePath("runs.sqlite");
        RunStore store(db_.toStdString());
        auto make = [&](const std::string& name, const std::string& method, std::int64_t seed) {
            NewRun run;
            run.name = name;
            run.method = method;
            run.seed = seed;
            json config = {{"method", {{"name", method}}}};
            run.groupHash = "group-" + method;  // both graphlora runs differ only by seed
            config["seed"] = seed;
            run.configJson = config.dump();
            return store.createRun(run);
        };
        g1_ = make("gl-s1", "graphlora", 1);
        g2_ = make("gl-s2", "graphlora", 2);
        t_ = make("tallrec", "tallrec", 1);
        store.writeResults(g1_, {{0, "test", "all", "auc", 0.70, 100}, {0, "test", "all", "uauc", 0.60, 100}});
        store.writeResults(g2_, {{0, "test", "all", "auc", 0.74, 100}, {0, "test", "all", "uauc", 0.64, 100}});
        store.writeResults(t_, {{0, "test", "all", "auc", 0.65, 100}, {0, "valid", "all", "auc", 0.66, 50}});
        store.setStatus(g1_, RunStatus::Finished);
        store.writePredictions(g1_, "test", {{1, 10, 1, 0.75, true}, {2, 20, 0, -0.5, false}});
        store.addArtifact(g1_, "best_checkpoint", "/tmp/ckpt", 40);
    }

    void helpListsVerbs() {
        auto r = runCli({"--help"});
        QCOMPARE(r.exitCode, 0);
        for (const char* verb : {"runs", "results", "predictions"})
            QVERIFY2(r.out.find(verb) != std::string::npos, r.out.c_str());
        QCOMPARE(runCli({"runs", "list", "--help"}).exitCode, 0);
    }

    void runsListCsv() {
        auto r = runCli({"runs", "list", "--db", db_, "--format", "csv"});
        QCOMPARE(r.exitCode, 0);
        std::istringstream lines(r.out);
        std::string header, first;
        std::getline(lines, header);
        std::getline(lines, first);
        QCOMPARE(header, std::string("run_id,name,method,status,created,finished"));
        QVERIFY2(first.rfind(std::to_string(t_) + ",tallrec,tallrec,queued,", 0) == 0, first.c_str());
        QVERIFY(r.out.find(std::to_string(g1_) + ",gl-s1,graphlora,finished,") != std::string::npos);

        auto j = runCli({"runs", "list", "--db", db_, "--format", "json"});
        QCOMPARE(j.exitCode, 0);
        json parsed = json::parse(j.out);
        QCOMPARE(parsed.size(), std::size_t(3));
        QCOMPARE(parsed[2]["name"].get<std::string>(), std::string("gl-s1"));

        auto table = runCli({"runs", "list", "--db", db_});
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(table.out.find("0.7000") != std::string::npos, table.out.c_str());  // test AUC column
    }

    // --where takes the Runs panel's filter language: metrics, fields, config keys; --limit
    // counts the runs it keeps; a typo'd key is named, a malformed filter refused.
    void whereFiltersRunsAndResults() {
        auto ids = [](const std::string& csv) {
            std::vector<std::string> out;
            std::istringstream lines(csv);
            std::string line;
            std::getline(lines, line);  // header
            while (std::getline(lines, line)) out.push_back(line.substr(0, line.find(',')));
            return out;
        };
        const std::string g1 = std::to_string(g1_), g2 = std::to_string(g2_), t = std::to_string(t_);
        auto better = runCli({"runs", "list", "--db", db_, "--format", "csv", "--where", "auc > 0.72"});
        QCOMPARE(better.exitCode, 0);
        QCOMPARE(ids(better.out), std::vector<std::string>{g2});
        auto byConfig = runCli({"runs", "list", "--db", db_, "--format", "csv", "--where", "method.name:graph* seed != 2"});
        QCOMPARE(ids(byConfig.out), std::vector<std::string>{g1});
        auto notFinished = runCli({"runs", "list", "--db", db_, "--format", "csv", "--where", "!status:finished", "--limit", "1"});
        QCOMPARE(ids(notFinished.out), std::vector<std::string>{t});  // newest first: tallrec, then gl-s2
        auto results = runCli({"results", "--db", db_, "--format", "csv", "--where", "gl and uauc >= 0.6"});
        QCOMPARE(results.exitCode, 0);
        QCOMPARE(ids(results.out), (std::vector<std::string>{g1, g1, g2, g2}));  // auc and uauc of each
        auto typo = runCli({"runs", "list", "--db", db_, "--format", "csv", "--where", "acu > 0.5"});
        QCOMPARE(typo.exitCode, 0);
        QVERIFY(ids(typo.out).empty());
        QVERIFY2(typo.err.find("--where: no run has 'acu' (did you mean 'auc'?)") != std::string::npos, typo.err.c_str());
        auto malformed = runCli({"runs", "list", "--db", db_, "--where", "auc >"});
        QCOMPARE(malformed.exitCode, 1);
        QVERIFY2(malformed.err.find("--where: expected a value after '>'") != std::string::npos, malformed.err.c_str());
    }

    void databaseFromEnvironment() {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert("GRAPHLORA_DB", db_);
        auto r = runCli({"runs", "list", "--format", "csv"}, env);
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.find("gl-s2") != std::string::npos);
    }

    void resultsCsvAndTables() {
        auto r = runCli({"results", "--db", db_, "--format", "csv"});
        QCOMPARE(r.exitCode, 0);
        std::istringstream lines(r.out);
        std::string header;
        std::getline(lines, header);
        QCOMPARE(header, std::string("run_id,run_name,method,split,subset,metric,value"));
        QVERIFY2(r.out.find(std::to_string(g1_) + ",gl-s1,graphlora,test,all,auc,0.7\n") != std::string::npos, r.out.c_str());
        QVERIFY(r.out.find(std::to_string(t_) + ",tallrec,tallrec,valid,all,auc,0.66\n") != std::string::npos);
        auto onlyTest = runCli({"results", "--db", db_, "--format", "csv", "--split", "test", "--runs",
                                QString::number(t_)});
        QCOMPARE(onlyTest.out, "run_id,run_name,method,split,subset,metric,value\n" + std::to_string(t_) +
                                   ",tallrec,tallrec,test,all,auc,0.65\n");

        // Seeds grouped: AUC mean 0.72, sample std 0.0283 (|0.70-0.74|/sqrt 2).
        auto md = runCli({"results", "--db", db_, "--format", "md", "--subsets", "all"});
        QCOMPARE(md.exitCode, 0);
        QVERIFY2(md.out.find("| graphlora | 2 | **0.7200 ± 0.0283** | 0.6200 ± 0.0283 |") != std::string::npos,
                 md.out.c_str());
        QVERIFY2(md.out.find("| tallrec | 1 | 0.6500 | – |") != std::string::npos, md.out.c_str());
        auto latex = runCli({"results", "--db", db_, "--format", "latex"});
        QCOMPARE(latex.exitCode, 0);
        QVERIFY(latex.out.find("\\textbf{0.7200 $\\pm$ 0.0283}") != std::string::npos);
    }

    void predictionsExport() {
        std::string out = tmp_.filePath("pred.csv").toStdString();
        auto r = runCli({"predictions", QString::number(g1_), "--split", "test", "--db", db_, "--out",
                         QString::fromStdString(out)});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(readAll(out), std::string("uid,iid,label,score,not_cold\n1,10,1,0.75,1\n2,20,0,-0.5,0\n"));
        auto none = runCli({"predictions", QString::number(t_), "--split", "test", "--db", db_});
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.find("has no predictions for split 'test'") != std::string::npos, none.err.c_str());
        auto missing = runCli({"predictions", "999", "--db", db_});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.rfind("graphlora: error: run 999 not found", 0) == 0, missing.err.c_str());
    }

    // Every point with its step, epoch, unix wall time and value at round-trip precision, in the
    // order of --keys; a name with a comma quoted; NaN left empty; unknown keys and runs refused.
    void seriesExport() {
        std::int64_t quoted = 0;
        {
            RunStore store(db_.toStdString());
            NewRun run;
            run.name = "gl, quoted";
            run.method = "graphlora";
            quoted = store.createRun(run);
            store.appendMetrics(quoted, {{1, 0.5, "train", "loss", 0.6931471805599453, 1764000000.25},
                                         {2, 1.0, "train", "loss", std::nan(""), 1764000001.5},
                                         {2, 1.0, "valid", "auc", 0.61, 1764000002}});
        }
        const QString id = QString::number(quoted);
        auto r = runCli({"runs", "series", id, "--db", db_, "--keys", "valid/auc,train/loss"});
        QCOMPARE(r.exitCode, 0);
        const std::string run = std::to_string(quoted) + ",\"gl, quoted\",";
        QCOMPARE(r.out, "run_id,run_name,split,name,step,epoch,wall_time,value\n" +  //
                            run + "valid,auc,2,1,1764000002,0.61\n" +                //
                            run + "train,loss,1,0.5,1764000000.25,0.6931471805599453\n" +
                            run + "train,loss,2,1,1764000001.5,\n");
        const std::string out = tmp_.filePath("series.csv").toStdString();
        auto all = runCli({"runs", "series", QString("%1,%2").arg(g1_).arg(quoted), "--db", db_, "--out",
                           QString::fromStdString(out)});
        QCOMPARE(all.exitCode, 0);
        QVERIFY2(all.err.find("wrote 3 points of 2 runs") != std::string::npos, all.err.c_str());
        const std::string written = readAll(out);
        QCOMPARE(std::count(written.begin(), written.end(), '\n'), std::ptrdiff_t(4));
        auto badKey = runCli({"runs", "series", id, "--db", db_, "--keys", "loss"});
        QCOMPARE(badKey.exitCode, 1);
        QVERIFY2(badKey.err.find("\"loss\" is not split/name") != std::string::npos, badKey.err.c_str());
        auto noPoints = runCli({"runs", "series", id, "--db", db_, "--keys", "valid/uauc"});
        QCOMPARE(noPoints.exitCode, 1);
        QVERIFY2(noPoints.err.find("no points for --keys valid/uauc") != std::string::npos, noPoints.err.c_str());
        auto missing = runCli({"runs", "series", "999", "--db", db_});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.find("run 999 not found") != std::string::npos, missing.err.c_str());
    }

    // Two runs that scored the fixture's 400 rows (tests/eval/data: pROC's DeLong test of them),
    // stored in different orders, each with rows the other did not score. compare must pair the
    // shared rows and give pROC's z and p; wrong pairing would not.
    void compareRunsOnSharedRows() {
        const json fixture = json::parse(readAll(GRAPHLORA_SOURCE_DIR "/tests/eval/data/delong_proc.json"));
        const auto labels = fixture.at("label").get<std::vector<int>>();
        const auto a = fixture.at("score_a").get<std::vector<double>>();
        const auto b = fixture.at("score_b").get<std::vector<double>>();
        const QString db = tmp_.filePath("compare.sqlite");
        std::int64_t runA = 0, runB = 0, runC = 0, other = 0;
        {
            RunStore store(db.toStdString());
            auto make = [&](const std::string& method) {
                NewRun run;
                run.name = method + "-s1";
                run.method = method;
                run.seed = 1;
                run.configJson = json{{"method", {{"name", method}}}}.dump();
                return store.createRun(run);
            };
            runA = make("graphlora");
            runB = make("lora-only");
            runC = make("collm");
            other = make("tallrec");
            std::vector<PredictionRow> rowsA, rowsB, rowsC, rowsOther;
            for (std::size_t r = 0; r < labels.size(); ++r) {
                const std::int64_t uid = std::int64_t(r % 37), iid = std::int64_t(r);
                rowsA.push_back({uid, iid, labels[r], a[r], r % 3 != 0});
                rowsB.push_back({uid, iid, labels[r], b[r], r % 3 != 0});
                rowsC.push_back({uid, iid, 1 - labels[r], b[r], r % 3 != 0});
                rowsOther.push_back({uid, iid + 100000, labels[r], b[r], true});
            }
            for (int extra = 0; extra < 5; ++extra) rowsA.push_back({1, 5000 + extra, extra % 2, 0.1, true});
            for (int extra = 0; extra < 10; ++extra) rowsB.push_back({2, 6000 + extra, extra % 2, 0.2, true});
            std::reverse(rowsB.begin(), rowsB.end());
            store.writePredictions(runA, "test", rowsA);
            store.writePredictions(runB, "test", rowsB);
            store.writePredictions(runC, "test", rowsC);
            store.writePredictions(other, "test", rowsOther);
        }
        auto r = runCli({"compare", QString::number(runA), QString::number(runB), "--db", db, "--metrics", "auc,uauc",
                         "--resamples", "200", "--format", "json"});
        QCOMPARE(r.exitCode, 0);
        const json out = json::parse(r.out);
        QCOMPARE(out.at("rows").get<int>(), 400);
        QCOMPARE(out.at("only_a").get<int>(), 5);
        QCOMPARE(out.at("only_b").get<int>(), 10);
        const json& delong = out.at("tests").at(0);
        QCOMPARE(delong.at("metric").get<std::string>(), std::string("auc"));
        QVERIFY(std::abs(delong.at("z").get<double>() - fixture.at("z").get<double>()) < 1e-9);
        QVERIFY(std::abs(delong.at("p").get<double>() - fixture.at("p_value").get<double>()) < 1e-9);
        QCOMPARE(out.at("tests").at(1).at("metric").get<std::string>(), std::string("uauc"));

        auto table = runCli({"compare", QString::number(runA), QString::number(runB), "--db", db, "--subset", "warm"});
        QCOMPARE(table.exitCode, 0);
        QVERIFY2(table.out.find("266 rows of split 'test' (warm)") != std::string::npos, table.out.c_str());
        QVERIFY2(table.out.find("DeLong, paired") != std::string::npos, table.out.c_str());
        QVERIFY2(table.out.find("5 rows only run") != std::string::npos, table.out.c_str());

        // Two pairs (here the same pair twice): each listed, then pooled — the same difference with
        // the standard error divided by √2, and no spread between the pairs.
        auto twice = runCli({"compare", QString("%1,%1").arg(runA), QString("%1,%1").arg(runB), "--db", db, "--metrics",
                             "auc", "--format", "json"});
        QCOMPARE(twice.exitCode, 0);
        const json pooled = json::parse(twice.out).at("pooled").at(0);
        QCOMPARE(pooled.at("pairs").get<int>(), 2);
        const json& single = out.at("tests").at(0);
        QVERIFY(std::abs(pooled.at("difference").get<double>() - single.at("difference").get<double>()) < 1e-12);
        QVERIFY(std::abs(pooled.at("standard_error").get<double>() * std::sqrt(2.0) -
                         single.at("standard_error").get<double>()) < 1e-12);
        QCOMPARE(pooled.at("i_squared").get<double>(), 0.0);
        auto uneven = runCli({"compare", QString("%1,%2").arg(runA).arg(runA), QString::number(runB), "--db", db});
        QCOMPARE(uneven.exitCode, 1);
        QVERIFY2(uneven.err.find("pair up by position") != std::string::npos, uneven.err.c_str());

        auto same = runCli({"compare", QString::number(runA), QString::number(runA), "--db", db});
        QCOMPARE(same.exitCode, 1);
        auto disjoint = runCli({"compare", QString::number(runA), QString::number(other), "--db", db});
        QCOMPARE(disjoint.exitCode, 1);
        QVERIFY2(disjoint.err.find("share no scored") != std::string::npos, disjoint.err.c_str());
        auto flipped = runCli({"compare", QString::number(runA), QString::number(runC), "--db", db});
        QCOMPARE(flipped.exitCode, 1);
        QVERIFY2(flipped.err.find("different labels") != std::string::npos, flipped.err.c_str());
        auto noPredictions = runCli({"compare", QString::number(g1_), QString::number(t_), "--db", db_});
        QCOMPARE(noPredictions.exitCode, 1);
        QVERIFY2(noPredictions.err.find("has no predictions") != std::string::npos, noPredictions.err.c_str());
    }

    void showAndDelete() {
        auto show = runCli({"runs", "show", QString::number(g1_), "--db", db_});
        QCOMPARE(show.exitCode, 0);
        QVERIFY(show.out.find("gl-s1") != std::string::npos);
        QVERIFY(show.out.find("\"name\": \"graphlora\"") != std::string::npos);  // the config
        QVERIFY(show.out.find("best_checkpoint") != std::string::npos);
        auto del = runCli({"runs", "delete", QString::number(t_), "--db", db_});
        QCOMPARE(del.exitCode, 0);
        auto list = runCli({"runs", "list", "--db", db_, "--format", "csv"});
        QVERIFY(list.out.find("tallrec") == std::string::npos);
    }

    // `runs check`: the store's integrity and every artifact's file. A safetensors file made here
    // by the format's rule (the SHA-256 of the file with the digest's own digits as zeros) is
    // verified; one flipped bit, or a missing file, fails the check and names the artifact.
    void runsCheckFindsDamagedArtifacts() {
        const std::string dbPath = tmp_.filePath("check.sqlite").toStdString();
        const std::string dir = tmp_.filePath("check-artifacts").toStdString();
        fs::create_directories(dir);
        const std::string header = "{\"__metadata__\":{\"graphlora.sha256\":\"" + std::string(64, '0') +
                                   "\"},\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}";
        std::string bytes;
        for (int i = 0; i < 8; ++i) bytes.push_back(char((header.size() >> (8 * i)) & 0xff));
        bytes += header + std::string("\x01\x02\x03\x04", 4);
        const std::string digest = glr::sha256Hex(bytes);
        bytes.replace(bytes.find(std::string(64, '0')), 64, digest);
        const std::string checkpoint = dir + "/checkpoint.safetensors";
        std::ofstream(checkpoint, std::ios::binary) << bytes;
        std::ofstream(dir + "/notes.json") << "{}";
        std::int64_t finished = 0, stopped = 0;
        {
            RunStore store(dbPath);
            NewRun run;
            run.name = "checked";
            run.method = "graphlora";
            run.configJson = "{}";
            finished = store.createRun(run);
            store.addArtifact(finished, "checkpoint", checkpoint, 10);
            store.addArtifact(finished, "notes", dir + "/notes.json");
            store.setStatus(finished, RunStatus::Finished);
            stopped = store.createRun(run);  // stopped before its first checkpoint: nothing to check
            store.addArtifact(stopped, "checkpoint", dir + "/never-written.safetensors");
            store.setStatus(stopped, RunStatus::Interrupted);
        }
        const QString db = QString::fromStdString(dbPath);
        auto ok = runCli({"runs", "check", "--db", db});
        QVERIFY2(ok.exitCode == 0, ok.err.c_str());
        QVERIFY2(ok.out.find("integrity check ok") != std::string::npos, ok.out.c_str());
        QVERIFY2(ok.out.find("ok (checksum verified)") != std::string::npos, ok.out.c_str());
        QVERIFY2(ok.out.find("not written") != std::string::npos, ok.out.c_str());
        QVERIFY2(ok.out.find("2 runs, 3 artifacts: all readable") != std::string::npos, ok.out.c_str());

        bytes[bytes.size() - 2] ^= 0x01;
        std::ofstream(checkpoint, std::ios::binary | std::ios::trunc) << bytes;
        auto damaged = runCli({"runs", "check", QString::number(finished), "--db", db});
        QCOMPARE(damaged.exitCode, 1);
        QVERIFY2(damaged.out.find("damaged: " + checkpoint) != std::string::npos, damaged.out.c_str());
        QVERIFY2(damaged.err.find("1 of 2 artifacts missing or damaged") != std::string::npos, damaged.err.c_str());

        fs::remove(checkpoint);
        auto missing = runCli({"runs", "check", "--db", db});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.out.find("missing") != std::string::npos, missing.out.c_str());
    }

    void errorsAreOneLineAndNonZero() {
        auto r = runCli({"runs", "list", "--db", tmp_.filePath("nope.sqlite")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.find("no such file") != std::string::npos, r.err.c_str());
        QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), std::ptrdiff_t(1));
        QVERIFY(!fs::exists(tmp_.filePath("nope.sqlite").toStdString()));
        auto badFormat = runCli({"results", "--db", db_, "--format", "xls"});
        QVERIFY(badFormat.exitCode > 0 && badFormat.exitCode < 128);
        auto badRuns = runCli({"results", "--db", db_, "--runs", "1,x"});
        QCOMPARE(badRuns.exitCode, 1);
        QVERIFY2(badRuns.err.find("--runs") != std::string::npos, badRuns.err.c_str());
    }
};

QTEST_GUILESS_MAIN(TestStoreCli)
#include "test_store_cli.moc"
