// `graphlora data …` and `graphlora bench data` as a user runs them: exit codes, one-line
// errors, and the stats JSON of shared/data/ml1m-collm (issue 4's numbers).
#include <QtTest>

#include <QProcess>

#include <nlohmann/json.hpp>

#include "common/cli_runner.h"
#include "common/test_support.h"

namespace {

using glr::test::CliResult;
using glr::test::runCli;

}  // namespace

class TestDataCli : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

private slots:
    void statsJsonOfMl1mCollm() {
        GLR_REQUIRE_SHARED("data/ml1m-collm/train.tsv");
        const CliResult r = runCli({"data", "stats", QString::fromStdString(glr::test::sharedPath("data/ml1m-collm")), "--json"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const auto j = nlohmann::json::parse(r.out);
        QCOMPARE(j["splits"]["train"]["rows"].get<int>(), 33891);
        QCOMPARE(j["splits"]["valid"]["rows"].get<int>(), 10401);
        QCOMPARE(j["splits"]["test"]["rows"].get<int>(), 7331);
        QCOMPARE(j["splits"]["test"]["warm"].get<int>(), 4153);
        QCOMPARE(j["splits"]["test"]["cold"].get<int>(), 3178);
        QCOMPARE(j["items"].get<int>(), 3255);
        for (const char* key : {"rows", "users", "items", "positives", "warm", "cold"})
            QVERIFY2(j["splits"]["valid"].contains(key), key);
    }

    void generatePrepareStatsRoundTrip() {
        const QString raw = dir_.filePath("raw"), out = dir_.filePath("split");
        CliResult r = runCli({"data", "generate", raw, "--rows", "20000", "--users", "200", "--items", "300"});
        QVERIFY2(r.code == 0, r.err.c_str());
        r = runCli({"data", "preview", raw + "/spec.json", "--rows", "3"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.out.find("Movie 1 (") != std::string::npos, r.out.c_str());
        r = runCli({"data", "prepare", raw + "/spec.json", "--out", out, "--quiet"});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.out.find("valid_small") != std::string::npos, r.out.c_str());
        r = runCli({"data", "prepare", raw + "/spec.json", "--out", out, "--quiet"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("already exists") != std::string::npos, r.err.c_str());
        r = runCli({"data", "stats", out});
        QVERIFY2(r.code == 0, r.err.c_str());
        QVERIFY2(r.out.find("test") != std::string::npos, r.out.c_str());
    }

    void typoInSpecIsOneLineError() {
        const QString spec = dir_.filePath("typo.json");
        QFile f(spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"interactions\": {\"path\": \"r.csv\", \"delimitr\": \",\"}}");
        f.close();
        const CliResult r = runCli({"data", "prepare", spec, "--out", dir_.filePath("never")});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.find("interactions.delimitr") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("did you mean 'delimiter'") != std::string::npos, r.err.c_str());
        QCOMPARE(std::count(r.err.begin(), r.err.end(), '\n'), 1L);
    }

    void benchDataPrintsJson() {
        const CliResult r = runCli({"bench", "data", "--rows", "20000"});
        QVERIFY2(r.code == 0, r.err.c_str());
        const std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
        const auto j = nlohmann::json::parse(last);
        QCOMPARE(j["benchmark"].get<std::string>(), std::string("data"));
        QCOMPARE(j["rows"].get<int>(), 20000);
        QVERIFY(j["prepare_s"].get<double>() > 0);
        QVERIFY(r.out.find("prepare (parse..write)") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestDataCli)
#include "test_data_cli.moc"
