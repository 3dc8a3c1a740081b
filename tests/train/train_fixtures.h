#pragma once
// Small prepared splits written on the fly for trainer tests (the format of data/split_dataset.h).
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <QtTest>

#include <nlohmann/json.hpp>

namespace glr::test {

struct SplitRow {
    int uid, iid, label;
    long long timestamp;
    int notCold;
    std::vector<int> history;
};

inline void writeSplit(const std::string& path, const std::vector<SplitRow>& rows) {
    std::ofstream out(path);
    out << "uid\tiid\tlabel\ttimestamp\tnot_cold\thistory\n";
    for (const auto& r : rows) {
        out << r.uid << '\t' << r.iid << '\t' << r.label << '\t' << r.timestamp << '\t' << r.notCold << '\t';
        for (std::size_t i = 0; i < r.history.size(); ++i) out << (i ? " " : "") << r.history[i];
        out << '\n';
    }
}

inline void writeItems(const std::string& path, int items, const std::string& title) {
    std::ofstream out(path);
    out << "iid\ttitle\n";
    for (int i = 1; i <= items; ++i) out << i << '\t' << title << '\n';
}

// Items 1..items/2 are "liked" (label 1 for every user), the rest "disliked". Titles are all the
// same word, so the prompt carries no information: only the graph of training positives (and,
// for rows a method trains on, memorised ids) can tell the two kinds of item apart. Every user
// has `perUser` training rows (half liked, half disliked) and `testPerUser` test rows on items
// it has not rated. `dir` is created when missing.
inline void writeItemQualitySplit(const std::string& dir, int users, int items, int perUser, int testPerUser,
                                  unsigned seed) {
    std::filesystem::create_directories(dir);
    std::mt19937 rng(seed);
    const int liked = items / 2;
    std::vector<SplitRow> train, valid, test;
    long long t = 1000000;
    for (int u = 1; u <= users; ++u) {
        std::vector<int> good, bad;
        for (int i = 1; i <= liked; ++i) good.push_back(i);
        for (int i = liked + 1; i <= items; ++i) bad.push_back(i);
        std::shuffle(good.begin(), good.end(), rng);
        std::shuffle(bad.begin(), bad.end(), rng);
        std::vector<int> history;
        int g = 0, b = 0;
        for (int k = 0; k < perUser; ++k) {
            const bool pos = k % 2 == 0;
            const int iid = pos ? good[g++] : bad[b++];
            train.push_back({u, iid, pos ? 1 : 0, t++, 1, history});
            if (pos) history.push_back(iid);
        }
        for (int k = 0; k < testPerUser; ++k) {
            const bool pos = k % 2 == 0;
            const int iid = pos ? good[g++] : bad[b++];
            auto& target = (k < 2) ? valid : test;
            target.push_back({u, iid, pos ? 1 : 0, t++, 1, history});
        }
    }
    writeSplit(dir + "/train.tsv", train);
    writeSplit(dir + "/valid.tsv", valid);
    writeSplit(dir + "/test.tsv", test);
    writeItems(dir + "/items.tsv", items, "Film");
}

// An experiment config (JSON) for an LLM method on a tiny random model and a split written by
// writeItemQualitySplit: MF d = 16, NGCF 2 × 16, injection at the last layer with α = 1 and β.
// Callers add their own train / eval keys.
inline nlohmann::json llmTestConfig(const std::string& splitDir, const std::string& method, const std::string& neighborhood,
                                    const std::string& collmEmbedding, const std::string& position, double beta,
                                    std::int64_t seed) {
    nlohmann::json m = {{"name", method},
                        {"mf", {{"dim", 16}, {"trainable", true}}},
                        {"gnn", {{"type", "ngcf"}, {"layers", 2}, {"dim", 16}, {"neighborhood", neighborhood}}},
                        {"inject", {{"layers", {-1}}, {"alpha", 1.0}, {"beta", beta}, {"position", position}}}};
    if (method == "collm") m["collm"] = {{"embedding", collmEmbedding}};
    return {{"seed", seed},
            {"data", {{"dir", splitDir}, {"valid_split", "valid"}, {"max_history", 3}, {"max_length", 512}}},
            {"model", {{"shape", "tiny"}}},
            {"method", m}};
}

// Data rows naming every trained LLM method and variant: columns method, neighborhood (1hop /
// full), collmEmbedding (mf / lightgcn / sasrec) and position (middle / pre). Call from a
// `<test>_data()` slot.
inline void addTrainedLlmMethodRows() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("neighborhood");
    QTest::addColumn<QString>("collmEmbedding");
    QTest::addColumn<QString>("position");
    QTest::newRow("graphlora 1-hop") << "graphlora" << "1hop" << "mf" << "middle";
    QTest::newRow("graphlora full graph") << "graphlora" << "full" << "mf" << "middle";
    QTest::newRow("graphlora pre-A") << "graphlora" << "1hop" << "mf" << "pre";
    QTest::newRow("lora-only, MF trained") << "lora-only" << "1hop" << "mf" << "middle";
    QTest::newRow("tallrec") << "tallrec" << "1hop" << "mf" << "middle";
    QTest::newRow("collm-mf") << "collm" << "1hop" << "mf" << "middle";
    QTest::newRow("collm-lightgcn") << "collm" << "1hop" << "lightgcn" << "middle";
    QTest::newRow("collm-sas") << "collm" << "1hop" << "sasrec" << "middle";
    QTest::newRow("cora") << "cora" << "1hop" << "mf" << "middle";
}

}  // namespace glr::test
