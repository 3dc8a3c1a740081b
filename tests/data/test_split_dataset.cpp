// Loading prepared splits (shared/data/ml1m-collm) and their statistics: the counts are the
// published CoLLM split's (SPEC §5, issue 4), checked independently with awk over the files.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "data/split_dataset.h"
#include "data/stats.h"
#include "tokenizer/tokenizer.h"
#include "util/error.h"

using namespace glr::data;

class TestSplitDataset : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    std::string write(const std::string& name, const std::string& text) {
        const std::string p = dir_.filePath(QString::fromStdString(name)).toStdString();
        std::filesystem::create_directories(std::filesystem::path(p).parent_path());
        std::ofstream(p, std::ios::binary) << text;
        return p;
    }

    void writeGoodSplit(const std::string& sub) {
        const std::string h = "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
        write(sub + "/items.tsv", "iid\ttitle\tgenres\n1\tA (1990)\tDrama\n2\tB (1991)\tComedy\n3\tC (1992)\tAction\n");
        write(sub + "/train.tsv", h + "1\t1\t1\t10\t1\t\n1\t2\t0\t11\t1\t1\n2\t2\t1\t12\t1\t\n");
        write(sub + "/valid.tsv", h + "1\t3\t1\t20\t0\t1\n");
        write(sub + "/test.tsv", h + "2\t1\t0\t30\t1\t2\n3\t3\t1\t31\t0\t\n");
    }

    template <typename F>
    void expectError(F body, const std::vector<std::string>& needles) { glr::test::expectInputError(body, needles); }

private slots:
    void smallSplitLoads() {
        writeGoodSplit("good");
        const SplitDataset d = SplitDataset::load(dir_.filePath("good").toStdString());
        QCOMPARE(d.train.size(), std::size_t(3));
        QCOMPARE(d.train.rows[1].iid, 2);
        QCOMPARE(d.train.history(1).size(), std::size_t(1));
        QCOMPARE(d.train.history(1)[0], 1);
        QCOMPARE(d.test.rows[1].notCold, false);
        QCOMPARE(d.items.genres(2), std::string("Comedy"));
        QVERIFY(!d.hasValidSmall());
        QVERIFY_THROWS_EXCEPTION(glr::InputError, d.split("valid_small"));
        const NodeIndex n = d.nodeIndex();
        QCOMPARE(n.numUsers, std::int64_t(4));
        QCOMPARE(n.numItems, std::int64_t(4));
        QCOMPARE(n.itemNode(3), std::int64_t(7));
    }

    void malformedSplitRows() {
        const std::string h = "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
        struct Case {
            std::string trainRow;
            std::vector<std::string> needles;
        };
        const std::vector<Case> cases = {
            {"1\t2\t2\t11\t1\t1\n", {"train.tsv:3:", "field 'label' (#2)", "expected 0 or 1"}},
            {"1\tx\t0\t11\t1\t1\n", {"train.tsv:3:", "field 'iid' (#1)", "integer id"}},
            {"1\t2\t0\tyesterday\t1\t1\n", {"train.tsv:3:", "field 'timestamp' (#3)"}},
            {"1\t2\t0\t11\t1\t1 x\n", {"train.tsv:3:", "field 'history' (#5)"}},
            {"1\t9\t0\t11\t1\t1\n", {"train.tsv:3:", "field 'iid' (#1)", "unknown item 9"}},
            {"1\t2\t0\t11\t1\t1 9\n", {"train.tsv:3:", "field 'history' (#5)", "unknown item 9"}},
            {"1\t2\t0\t11\t1\n", {"train.tsv:3:", "expected 6 fields"}},
        };
        for (const Case& c : cases) {
            writeGoodSplit("bad");
            write("bad/train.tsv", h + "1\t1\t1\t10\t1\t\n" + c.trainRow);
            expectError([&] { SplitDataset::load(dir_.filePath("bad").toStdString()); }, c.needles);
        }
        writeGoodSplit("missing");
        std::filesystem::remove(dir_.filePath("missing/test.tsv").toStdString());
        expectError([&] { SplitDataset::load(dir_.filePath("missing").toStdString()); }, {"missing test.tsv"});
        writeGoodSplit("header");
        write("header/valid.tsv", "user\titem\tlabel\ttimestamp\tnot_cold\thistory\n1\t3\t1\t20\t0\t1\n");
        expectError([&] { SplitDataset::load(dir_.filePath("header").toStdString()); }, {"valid.tsv", "no column named 'uid'"});
        writeGoodSplit("sparse");
        write("sparse/items.tsv", "iid\ttitle\n1\tA\n2\tB\n3\tC\n2000000000\tD\n");
        expectError([&] { SplitDataset::load(dir_.filePath("sparse").toStdString()); }, {"not dense"});
    }

    void ml1mCollmCounts() {
        GLR_REQUIRE_SHARED("data/ml1m-collm/train.tsv");
        QElapsedTimer timer;
        timer.start();
        const SplitDataset d = SplitDataset::load(glr::test::sharedPath("data/ml1m-collm"));
        const qint64 loadMs = timer.elapsed();
        QCOMPARE(d.train.size(), std::size_t(33891));
        QCOMPARE(d.valid.size(), std::size_t(10401));
        QCOMPARE(d.test.size(), std::size_t(7331));
        QCOMPARE(d.validSmall.size(), std::size_t(5200));
        QCOMPARE(d.items.count(), std::size_t(3255));
        QCOMPARE(d.items.title(1), std::string("Shawshank Redemption, The (1994)"));
        const NodeIndex n = d.nodeIndex();
        QCOMPARE(n.numUsers, std::int64_t(839));  // ids 1..838
        QCOMPARE(n.numItems, std::int64_t(3256));  // ids 1..3255
        qInfo("ML-1M split loaded in %lld ms", static_cast<long long>(loadMs));  // reported, not asserted

        const DatasetStats stats = computeStats(d);
        const nlohmann::json j = statsToJson(stats);
        // Counted with awk over the .tsv files: rows, positives, warm, cold, users, items.
        struct Expected {
            const char* split;
            int rows, positives, warm, cold, users, items;
        };
        for (const Expected& e : {Expected{"train", 33891, 18191, 33891, 0, 740, 3087},
                                  Expected{"valid", 10401, 5495, 6609, 3792, 356, 2506},
                                  Expected{"test", 7331, 3998, 4153, 3178, 320, 2203},
                                  Expected{"valid_small", 5200, 2759, 3300, 1900, 331, 1985}}) {
            const auto& s = j.at("splits").at(e.split);
            QCOMPARE(s.at("rows").get<int>(), e.rows);
            QCOMPARE(s.at("positives").get<int>(), e.positives);
            QCOMPARE(s.at("warm").get<int>(), e.warm);
            QCOMPARE(s.at("cold").get<int>(), e.cold);
            QCOMPARE(s.at("users").get<int>(), e.users);
            QCOMPARE(s.at("items").get<int>(), e.items);
        }
        QCOMPARE(j.at("items").get<int>(), 3255);
        // Mean stored history length of train rows (awk: 37.6835).
        QVERIFY(std::abs(j["splits"]["train"]["history_length"]["mean"].get<double>() - 37.6835) < 1e-3);
        const auto& degree = j.at("user_degree");
        QCOMPARE(degree.at("count").get<int>(), 740);
        std::int64_t total = 0;
        for (const auto& c : degree.at("counts")) total += c.get<std::int64_t>();
        QCOMPARE(total, std::int64_t(740));
        QCOMPARE(degree.at("edges").size(), degree.at("counts").size() + 1);
    }

    // SPEC §4: with stories260K's tokenizer, ML-1M prompts of 10 titles average "about 430 tokens
    // (p95 ≈ 494, max ≈ 574)". Measured here with the SPEC §5 template (titles unquoted, one token
    // per ID slot, BOS and the score prefix counted): mean 411, p95 452, max 555 over the rows
    // with >= 10 history titles. Wrapping titles in quotes would give 428 / 468 / 548; the SPEC's
    // exact rendering is not known, so the check is "within 10% of 430".
    void ml1mPromptLengthsWithTok512() {
        GLR_REQUIRE_SHARED("data/ml1m-collm/train.tsv");
        GLR_REQUIRE_SHARED("models/stories260K/tok512.bin");
        const SplitDataset d = SplitDataset::load(glr::test::sharedPath("data/ml1m-collm"));
        auto tok = glr::loadTokenizer(glr::test::sharedPath("models/stories260K/tok512.bin"));
        PromptOptions o;
        o.maxLength = 0;  // no truncation: the raw lengths
        const PromptEncoder enc(*tok, d.items, d.nodeIndex(), o);
        for (const Split* split : {&d.train, &d.valid, &d.test}) {
            std::vector<double> full;
            for (std::size_t r = 0; r < split->size(); ++r)
                if (split->rows[r].historyLength >= 10) full.push_back(enc.length(*split, r));
            const Distribution s = summarize(full);
            qInfo("%s, rows with 10 titles: %lld, tokens mean %.1f p95 %.0f max %.0f", split->name.c_str(),
                  static_cast<long long>(s.count), s.mean, s.p95, s.max);
            QVERIFY2(s.mean > 387 && s.mean < 473, qPrintable(QString::number(s.mean)));
            QVERIFY2(s.max < 600, qPrintable(QString::number(s.max)));
        }
        StatsOptions so;
        so.tokenizer = tok.get();
        so.prompt = o;
        const DatasetStats stats = computeStats(d, so);
        const Distribution& train = stats.splits[0].promptTokens;
        qInfo("train prompt tokens: mean %.1f p50 %.0f p95 %.0f max %.0f", train.mean, train.p50, train.p95, train.max);
        QCOMPARE(train.count, std::int64_t(33891));
    }

    void distributionSummary() {
        const Distribution d = summarize({1, 2, 2, 3, 10}, 4);
        QCOMPARE(d.count, std::int64_t(5));
        QCOMPARE(d.mean, 3.6);
        QCOMPARE(d.p50, 2.0);
        QCOMPARE(d.min, 1.0);
        QCOMPARE(d.max, 10.0);
        // Integer data: width ceil(10 / 4) = 3 -> bins [1,4) [4,7) [7,10) [10,13).
        QCOMPARE(d.edges, (std::vector<double>{1, 4, 7, 10, 13}));
        QCOMPARE(d.counts, (std::vector<std::int64_t>{4, 0, 0, 1}));
    }
};

QTEST_APPLESS_MAIN(TestSplitDataset)
#include "test_split_dataset.moc"
