// Prepare: spec validation, the SPEC §5 protocol on a hand-worked example, ML-1M window
// arithmetic on generated data, every malformed-row class, cancellation and atomic output, and
// ml-latest-small end to end (prepare, then SplitDataset::load).
#include <QtTest>

#include <QDateTime>
#include <QTimeZone>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "data/delimited.h"
#include "data/prepare.h"
#include "data/split_dataset.h"
#include "data/synthetic.h"
#include "util/error.h"
#include "util/files.h"

using namespace glr::data;
namespace fs = std::filesystem;

namespace {

// Unix seconds of 2001-MM-DD 00:00 UTC written out by hand (not through the code under test).
constexpr std::int64_t kJan1 = 978307200;           // 2001-01-01
constexpr std::int64_t kFeb1 = kJan1 + 31 * 86400;  // 2001-02-01
constexpr std::int64_t kMar1 = kFeb1 + 28 * 86400;  // 2001-03-01
constexpr std::int64_t kApr1 = kMar1 + 31 * 86400;  // 2001-04-01
constexpr std::int64_t kDay = 86400;

// (No raw string literals in this file: moc cannot parse the multi-line ones.)
std::string handMadeSpec(const std::string& extra = "") {
    return "{\"interactions\": {\"path\": \"ratings.csv\", \"delimiter\": \",\", \"header\": true,"
           "  \"columns\": {\"user\": \"userId\", \"item\": \"movieId\", \"rating\": \"rating\","
           "               \"timestamp\": \"timestamp\"}},"
           " \"items\": {\"path\": \"movies.csv\", \"delimiter\": \",\", \"quote\": \"\\\"\", \"header\": true,"
           "  \"columns\": {\"item\": \"movieId\", \"title\": \"title\", \"genres\": \"genres\"}},"
           " \"label\": {\"rating_at_least\": 4},"
           " \"split\": {\"train\": [\"2001-01-01\", \"2001-02-01\"], \"valid\": [\"2001-02-01\", \"2001-03-01\"],"
           "  \"test\": [\"2001-03-01\", \"2001-04-01\"]}" +
           extra + "}";
}

}  // namespace

class TestPrepare : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string path(const std::string& name) const { return dir_.filePath(QString::fromStdString(name)).toStdString(); }
    std::string write(const std::string& name, const std::string& text) {
        fs::create_directories(fs::path(path(name)).parent_path());
        std::ofstream(path(name), std::ios::binary) << text;
        return path(name);
    }

    template <typename F>
    void expectError(F body, const std::vector<std::string>& needles) { glr::test::expectInputError(body, needles); }

    PrepareSpec specIn(const std::string& sub, const std::string& json) {
        return parsePrepareSpecText(json, path(sub), "spec.json");
    }

    void writeHandMadeRaw(const std::string& sub, const std::string& ratingsOverride = "") {
        // Users 10, 2, 3 (ranked numerically: uid 1 = "2", 2 = "3", 3 = "10"); see expectations below.
        const std::string ratings = ratingsOverride.empty()
            ? "userId,movieId,rating,timestamp\n"
              "10,100,5," + std::to_string(kJan1 + 4 * kDay) + "\n"           // train, pos
              "2,200,4," + std::to_string(kJan1 + 2 * kDay) + "\n"            // train, pos
              "10,200,2," + std::to_string(kJan1 + 3 * kDay) + "\n"           // train, neg
              "2,300,5," + std::to_string(kJan1 - kDay) + "\n"                // 2000-12-31: outside
              "10,300,4.0," + std::to_string(kFeb1 + 9 * kDay) + "\n"         // valid, pos
              "10,400,4.5," + std::to_string(kFeb1 + 9 * kDay) + "\n"         // valid, same second, later in file
              "2,100,3," + std::to_string(kMar1 + 4 * kDay) + "\n"            // test, neg
              "10,500,4," + std::to_string(kMar1 + 1 * kDay) + "\n"           // test, item unseen in train
              "3,100,5,2001-03-03 12:00:00\n"                                 // test, user unseen in train
              "2,400,5," + std::to_string(kApr1) + "\n"                       // end is exclusive: outside
            : ratingsOverride;
        write(sub + "/ratings.csv", ratings);
        write(sub + "/movies.csv",
              "movieId,title,genres\n100,\"Hundred, The (1990)\",Drama\n200,Two Hundred (1991),Comedy\n"
              "300,Three Hundred (1992),Action\n400,Four Hundred (1993),Action\n500,Five Hundred (1994),Horror\n"
              "600,Never Rated (1995),Drama\n");
    }

private slots:
    void specTypoNamesKeyAndSuggestion() {
        std::string json = handMadeSpec();
        json.replace(json.find("\"columns\""), 9, "\"colums\"");
        expectError([&] { specIn("s", json); }, {"spec.json", "interactions.colums", "did you mean 'columns'"});
        expectError([&] { specIn("s", handMadeSpec(", \"min_user_interaction\": 3")); },
                    {"min_user_interaction", "did you mean 'min_user_interactions'"});
    }

    void specWrongTypesNameKeyPath() {
        std::string json = handMadeSpec();
        json.replace(json.find("\"header\": true"), 14, "\"header\": \"yes\"");
        expectError([&] { specIn("s", json); }, {"interactions.header", "expected true or false", "a string"});
        expectError([&] { specIn("s", handMadeSpec(", \"min_item_interactions\": -1")); }, {"min_item_interactions", ">= 0"});
        expectError([&] { specIn("s", handMadeSpec(", \"valid_small\": {\"fraction\": 2}")); }, {"valid_small.fraction"});
        std::string badDate = handMadeSpec();
        badDate.replace(badDate.find("\"2001-02-01\""), 12, "\"2001-02-30\"");
        expectError([&] { specIn("s", badDate); }, {"split.train[1]", "bad date '2001-02-30'"});
        std::string overlap = handMadeSpec();
        overlap.replace(overlap.find("\"valid\": [\"2001-02-01\""), 22, "\"valid\": [\"2001-01-15\"");
        expectError([&] { specIn("s", overlap); }, {"train and valid windows overlap"});
        expectError([&] { specIn("s", "[1]"); }, {"expected an object"});
        expectError([&] { specIn("s", "{\"interactions\": "); }, {"not valid JSON"});
        std::string byNameNoHeader = handMadeSpec();
        byNameNoHeader.replace(byNameNoHeader.find("\"header\": true"), 14, "\"header\": false");
        expectError([&] { specIn("s", byNameNoHeader); }, {"interactions.columns.user", "0-based index"});
    }

    void specQuantilesAndPaths() {
        std::string json = handMadeSpec();
        const auto a = json.find("\"split\"");
        json = json.substr(0, a) + "\"split\": {\"quantiles\": [0.5, 0.75]}}";
        const PrepareSpec spec = specIn("q", json);
        QCOMPARE(spec.split.mode, SplitSpec::Mode::Quantiles);
        QCOMPARE(spec.interactions.path, (fs::path(path("q")) / "ratings.csv").lexically_normal().string());
        QCOMPARE(spec.items.format.quote, '"');
    }

    // The whole protocol, with the expected files worked out by hand (see writeHandMadeRaw).
    void handWorkedExample() {
        writeHandMadeRaw("hand");
        const PrepareSpec spec = specIn("hand", handMadeSpec(", \"valid_small\": {\"fraction\": 0.5, \"seed\": 1}"));
        const PrepareResult r = prepareSplits(spec, path("hand/out"));
        QCOMPARE(r.rawRows, std::int64_t(10));
        QCOMPARE(r.outsideWindows, std::int64_t(2));
        QCOMPARE(r.users, std::int64_t(3));
        QCOMPARE(r.items, std::int64_t(5));  // 600 is never rated: not in items.tsv
        const std::string header = "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
        auto t = [](std::int64_t v) { return std::to_string(v); };
        QCOMPARE(glr::readFile(path("hand/out/train.tsv")),
                 header + "1\t1\t1\t" + t(kJan1 + 2 * kDay) + "\t1\t\n"
                          "3\t1\t0\t" + t(kJan1 + 3 * kDay) + "\t1\t\n"
                          "3\t2\t1\t" + t(kJan1 + 4 * kDay) + "\t1\t\n");
        QCOMPARE(glr::readFile(path("hand/out/valid.tsv")),
                 header + "3\t3\t1\t" + t(kFeb1 + 9 * kDay) + "\t0\t2\n"
                          "3\t4\t1\t" + t(kFeb1 + 9 * kDay) + "\t0\t2 3\n");
        QCOMPARE(glr::readFile(path("hand/out/test.tsv")),
                 header + "1\t2\t0\t" + t(kMar1 + 4 * kDay) + "\t1\t1\n"
                          "2\t2\t1\t" + t(kMar1 + 2 * kDay + 43200) + "\t0\t\n"
                          "3\t5\t1\t" + t(kMar1 + 1 * kDay) + "\t0\t2 3 4\n");
        QCOMPARE(glr::readFile(path("hand/out/items.tsv")),
                 std::string("iid\ttitle\tgenres\n1\tTwo Hundred (1991)\tComedy\n2\tHundred, The (1990)\tDrama\n"
                             "3\tThree Hundred (1992)\tAction\n4\tFour Hundred (1993)\tAction\n"
                             "5\tFive Hundred (1994)\tHorror\n"));
        const std::string small = glr::readFile(path("hand/out/valid_small.tsv"));
        QCOMPARE(std::count(small.begin(), small.end(), '\n'), 2L);  // header + floor(0.5 * 2) rows
        QVERIFY(glr::readFile(path("hand/out/valid.tsv")).find(small.substr(header.size())) != std::string::npos);
        // The result loads, with the counts prepare reported.
        const SplitDataset d = SplitDataset::load(path("hand/out"));
        QCOMPARE(d.train.size(), std::size_t(3));
        QCOMPARE(d.test.history(2).size(), std::size_t(3));
        QCOMPARE(d.items.title(2), std::string("Hundred, The (1990)"));
        QCOMPARE(r.splits[2].warm, std::int64_t(1));
        const auto meta = nlohmann::json::parse(glr::readFile(path("hand/out/prepare.json")));
        QCOMPARE(meta["splits"]["test"]["rows"].get<int>(), 3);
    }

    void minimumInteractionFilterIsOnePass() {
        // A: X X X (train, valid, test); B: Y X (train); C: Y (valid); D: X Z (test).
        // Counts over the windowed rows: users A3 B2 C1 D2, items X5 Y2 Z1. With both minimums at 2
        // one pass drops C's row and D's Z row. Y is left with one row and B, D with one row each,
        // but nothing is dropped again (an iterated k-core would keep only A's rows).
        auto at = [](std::int64_t base, int day) { return std::to_string(base + day * kDay); };
        writeHandMadeRaw("filter", "userId,movieId,rating,timestamp\n"
                                   "1,100," "5," + at(kJan1, 1) + "\n"
                                   "1,100," "4," + at(kFeb1, 1) + "\n"
                                   "1,100," "4," + at(kMar1, 1) + "\n"
                                   "2,200," "5," + at(kJan1, 2) + "\n"
                                   "2,100," "1," + at(kJan1, 3) + "\n"
                                   "3,200," "5," + at(kFeb1, 2) + "\n"
                                   "4,100," "5," + at(kMar1, 2) + "\n"
                                   "4,300," "5," + at(kMar1, 3) + "\n");
        const PrepareSpec spec = specIn("filter", handMadeSpec(", \"min_user_interactions\": 2, \"min_item_interactions\": 2"));
        const PrepareResult r = prepareSplits(spec, path("filter/out"));
        QCOMPARE(r.filtered, std::int64_t(2));
        QCOMPARE(r.users, std::int64_t(3));
        QCOMPARE(r.items, std::int64_t(2));
        QCOMPARE(r.splits[0].rows, std::int64_t(3));
        QCOMPARE(r.splits[1].rows, std::int64_t(1));
        QCOMPARE(r.splits[2].rows, std::int64_t(2));
    }

    void emptySplitIsAnError() {
        writeHandMadeRaw("empty");
        // The minimums drop every valid row (items 300 and 400 have one row each).
        const PrepareSpec spec = specIn("empty", handMadeSpec(", \"min_user_interactions\": 2, \"min_item_interactions\": 2"));
        expectError([&] { prepareSplits(spec, path("empty/out")); }, {"split 'valid' is empty", "2001-02-01", "2001-03-01"});
        QVERIFY(!fs::exists(path("empty/out")));
    }

    // ML-1M's windows (months from 2000-04 as 0: train 14–23, valid 24–28, test 29–33) on generated
    // ratings.dat-format data; the expected split of every row is computed with Qt's calendar.
    void ml1mWindowArithmeticOnGeneratedDat() {
        SyntheticOptions o;
        o.rows = 30000;
        o.users = 300;
        o.items = 400;
        o.delimiter = "::";
        const SyntheticFiles files = writeSyntheticDataset(path("ml1m"), o);
        const PrepareSpec spec = parsePrepareSpecText(files.specJson, path("ml1m"), "generated spec");
        QCOMPARE(spec.split.train.startText, std::string("2001-06-01"));
        const PrepareResult r = prepareSplits(spec, path("ml1m/out"));

        std::int64_t expected[3] = {0, 0, 0}, positives[3] = {0, 0, 0}, outside = 0;
        std::ifstream in(files.ratingsPath);
        std::string line;
        while (std::getline(in, line)) {
            std::vector<std::string> f;
            for (std::size_t p = 0;;) {
                const std::size_t q = line.find("::", p);
                f.push_back(line.substr(p, q == std::string::npos ? std::string::npos : q - p));
                if (q == std::string::npos) break;
                p = q + 2;
            }
            const QDate date = QDateTime::fromSecsSinceEpoch(std::stoll(f[3]), QTimeZone::utc()).date();
            const int month = (date.year() - 2000) * 12 + (date.month() - 4);
            const int s = month >= 14 && month <= 23 ? 0 : month >= 24 && month <= 28 ? 1 : month >= 29 && month <= 33 ? 2 : -1;
            if (s < 0) {
                ++outside;
                continue;
            }
            ++expected[s];
            positives[s] += std::stoi(f[2]) >= 4;
        }
        QCOMPARE(r.outsideWindows, outside);
        for (int s = 0; s < 3; ++s) {
            QCOMPARE(r.splits[s].rows, expected[s]);
            QCOMPARE(r.splits[s].positives, positives[s]);
        }
        QVERIFY(expected[0] > 5000 && expected[1] > 2000 && expected[2] > 2000);
        const SplitDataset d = SplitDataset::load(path("ml1m/out"));
        QCOMPARE(static_cast<std::int64_t>(d.test.size()), expected[2]);
        QCOMPARE(static_cast<std::int64_t>(d.validSmall.size()), expected[1] / 2);
    }

    void malformedRowsNameFileLineField() {
        writeHandMadeRaw("bad");
        const std::string header = "userId,movieId,rating,timestamp\n1,100,5," + std::to_string(kJan1) + "\n";
        struct Case {
            std::string row;
            std::vector<std::string> needles;
        };
        const std::vector<Case> cases = {
            {"1,999,5,978307200\n", {"ratings.csv:3:", "field 'movieId' (#1)", "unknown item '999'", "movies.csv"}},
            {"1,100,four,978307200\n", {"ratings.csv:3:", "field 'rating' (#2)", "expected a number", "'four'"}},
            {"1,100,5,2001-13-01\n", {"ratings.csv:3:", "field 'timestamp' (#3)", "bad date '2001-13-01'"}},
            {"1,100,5\n", {"ratings.csv:3:", "expected 4 fields", "found 3"}},
            {"\xff,100,5,978307200\n", {"ratings.csv:3:", "field 'userId' (#0)", "invalid UTF-8"}},
        };
        for (const Case& c : cases) {
            write("bad/ratings.csv", header + c.row);
            const PrepareSpec spec = specIn("bad", handMadeSpec());
            try {
                prepareSplits(spec, path("bad/out"));
                QFAIL(("no error for " + c.row).c_str());
            } catch (const glr::InputError& e) {
                for (const auto& n : c.needles)
                    QVERIFY2(std::string(e.what()).find(n) != std::string::npos, (std::string(e.what()) + " [missing: " + n + "]").c_str());
            }
        }
        writeHandMadeRaw("bad");
        write("bad/movies.csv", "movieId,title,genres\n100,Fine (1990),Drama\n200,Am\xE9lie (2001),Comedy\n");
        expectError([&] { prepareSplits(specIn("bad", handMadeSpec()), path("bad/out")); },
                    {"movies.csv:3:", "field 'title' (#1)", "invalid UTF-8"});
        write("bad/movies.csv", "movieId,title,genres\n100,A (1990),Drama\n100,B (1991),Comedy\n");
        expectError([&] { prepareSplits(specIn("bad", handMadeSpec()), path("bad/out")); },
                    {"movies.csv:3:", "duplicate item '100'", "line 2"});
        QVERIFY(!fs::exists(path("bad/out")));
    }

    void latin1ItemsConverted() {
        writeHandMadeRaw("latin");
        write("latin/movies.csv", "movieId,title,genres\n100,Am\xE9lie (2001),Comedy\n200,B (1991),Drama\n"
                                  "300,C (1992),Drama\n400,D (1993),Drama\n500,E (1994),Drama\n");
        std::string json = handMadeSpec();
        const std::string quote = "\"quote\": \"\\\"\",";
        QVERIFY(json.find(quote) != std::string::npos);
        json.replace(json.find(quote), quote.size(), "\"encoding\": \"latin-1\",");
        prepareSplits(specIn("latin", json), path("latin/out"));
        const SplitDataset d = SplitDataset::load(path("latin/out"));
        QCOMPARE(d.items.title(2), std::string("Am\xC3\xA9lie (2001)"));
    }

    void cancelLeavesNothingBehind() {
        writeHandMadeRaw("cancel");
        PrepareOptions options;
        options.progress = [](double fraction, const std::string&) { return fraction < 0.7; };
        QVERIFY_THROWS_EXCEPTION(glr::Cancelled, prepareSplits(specIn("cancel", handMadeSpec()), path("cancel/out"), options));
        for (const auto& entry : fs::directory_iterator(path("cancel")))
            QVERIFY2(entry.path().filename().string().find("out") == std::string::npos, entry.path().c_str());
    }

    void existingOutputNeedsOverwrite() {
        writeHandMadeRaw("over");
        const PrepareSpec spec = specIn("over", handMadeSpec());
        prepareSplits(spec, path("over/out"));
        write("over/out/stale.txt", "old");
        expectError([&] { prepareSplits(spec, path("over/out")); }, {"already exists", "--force"});
        PrepareOptions options;
        options.overwrite = true;
        prepareSplits(spec, path("over/out"), options);
        QVERIFY(!fs::exists(path("over/out/stale.txt")));
        QVERIFY(fs::exists(path("over/out/train.tsv")));
        for (const auto& entry : fs::directory_iterator(path("over")))
            QVERIFY2(entry.path().filename().string()[0] != '.', entry.path().c_str());  // no temp/old dirs left
    }

    void previewParsesFirstRows() {
        writeHandMadeRaw("preview");
        const auto tables = previewSpec(specIn("preview", handMadeSpec()), 3);
        QCOMPARE(tables.size(), std::size_t(2));
        QCOMPARE(tables[0].rows.size(), std::size_t(3));
        QCOMPARE(tables[0].rows[0][1], std::string("10"));
        QCOMPARE(tables[0].rows[0][6], std::string("2001-01-05"));
        QCOMPARE(tables[1].rows[0][2], std::string("Hundred, The (1990)"));
    }

    // The shipped spec experiments/data/ml-latest-small.json; expected counts were computed
    // independently (Python csv + datetime over ratings.csv with the same windows).
    void mlLatestSmallDatedSplitThenLoad() {
        GLR_REQUIRE_SHARED("data/ml-latest-small/ratings.csv");
        const std::string specPath = glr::test::sourcePath("experiments/data/ml-latest-small.json");
        auto json = nlohmann::json::parse(glr::readFile(specPath));
        const PrepareSpec shipped = parsePrepareSpec(json, fs::path(specPath).parent_path().string(), specPath);
        const std::string tail = "/shared/data/ml-latest-small/ratings.csv";
        QVERIFY2(shipped.interactions.path.size() > tail.size() &&
                     shipped.interactions.path.compare(shipped.interactions.path.size() - tail.size(), tail.size(), tail) == 0,
                 shipped.interactions.path.c_str());
        json["interactions"]["path"] = glr::test::sharedPath("data/ml-latest-small/ratings.csv");
        json["items"]["path"] = glr::test::sharedPath("data/ml-latest-small/movies.csv");
        const PrepareSpec spec = parsePrepareSpec(json, "", "ml-latest-small");
        const PrepareResult r = prepareSplits(spec, path("mls"));
        QCOMPARE(r.rawRows, std::int64_t(100836));
        const std::int64_t rows[] = {25069, 7207, 7409}, positives[] = {13123, 2819, 3284}, warm[] = {25069, 952, 818};
        for (int s = 0; s < 3; ++s) {
            QCOMPARE(r.splits[s].rows, rows[s]);
            QCOMPARE(r.splits[s].positives, positives[s]);
            QCOMPARE(r.splits[s].warm, warm[s]);
        }
        const SplitDataset d = SplitDataset::load(path("mls"));
        QCOMPARE(static_cast<std::int64_t>(d.train.size()), rows[0]);
        QCOMPARE(static_cast<std::int64_t>(d.valid.size()), rows[1]);
        QCOMPARE(static_cast<std::int64_t>(d.test.size()), rows[2]);
        QCOMPARE(static_cast<std::int64_t>(d.validSmall.size()), rows[1] / 2);
        QCOMPARE(static_cast<std::int64_t>(d.items.count()), r.items);
        QVERIFY(d.items.title(1).find('(') != std::string::npos);  // "Title (Year)"
    }
};

QTEST_APPLESS_MAIN(TestPrepare)
#include "test_prepare.moc"
