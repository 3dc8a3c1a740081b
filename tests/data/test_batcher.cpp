// Batches: left padding, attention mask, position ids = cumsum(mask) - 1 clamped at 0, anchors
// shifted by the padding, labels and metadata; the length-bucketed plan is a deterministic,
// resumable permutation that keeps padding small.
#include <QtTest>

#include <algorithm>
#include <numeric>
#include <set>

#include "common/test_support.h"
#include "data/batcher.h"
#include "data/rng.h"
#include "tokenizer/tokenizer.h"

using namespace glr::data;

namespace {

double paddingShare(const std::vector<int>& lengths, const std::vector<std::vector<std::int64_t>>& batches) {
    double padded = 0, real = 0;
    for (const auto& b : batches) {
        int longest = 0;
        for (auto r : b) longest = std::max(longest, lengths[r]);
        for (auto r : b) {
            real += lengths[r];
            padded += longest - lengths[r];
        }
    }
    return padded / (padded + real);
}

}  // namespace

class TestBatcher : public QObject {
    Q_OBJECT

private slots:
    void collateLeftPadsByHand() {
        EncodedPrompt a, b, c;
        a.ids = {11, 12, 13};
        a.anchors = {{1, 100}};
        b.ids = {21, 22, 23, 24, 25};
        b.anchors = {{0, 200}, {4, 201}};
        c.ids = {31};
        const TokenBatch t = collate({a, b, c}, /*padId=*/0);
        QCOMPARE(t.batchSize, std::int64_t(3));
        QCOMPARE(t.length, std::int64_t(5));
        QCOMPARE(t.inputIds, (std::vector<std::int64_t>{0, 0, 11, 12, 13, 21, 22, 23, 24, 25, 0, 0, 0, 0, 31}));
        QCOMPARE(t.attentionMask, (std::vector<std::int64_t>{0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1}));
        // cumsum(mask) - 1, clamped at 0.
        QCOMPARE(t.positionIds, (std::vector<std::int64_t>{0, 0, 0, 1, 2, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0}));
        QCOMPARE(t.anchors, (std::vector<std::int64_t>{0, 3, 100, 1, 0, 200, 1, 4, 201}));
        QCOMPARE(t.numAnchors(), std::int64_t(3));
        QCOMPARE(t.realTokens(), std::int64_t(9));
    }

    void collatePadsToABucketedLength() {
        EncodedPrompt a, b;
        a.ids = {11, 12, 13};
        a.anchors = {{1, 100}};
        b.ids = {21, 22};
        const TokenBatch t = collate({a, b}, /*padId=*/7, /*minLength=*/6);
        QCOMPARE(t.length, std::int64_t(6));
        QCOMPARE(t.inputIds, (std::vector<std::int64_t>{7, 7, 7, 11, 12, 13, 7, 7, 7, 7, 21, 22}));
        QCOMPARE(t.attentionMask, (std::vector<std::int64_t>{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1}));
        QCOMPARE(t.positionIds, (std::vector<std::int64_t>{0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 1}));
        QCOMPARE(t.anchors, (std::vector<std::int64_t>{0, 4, 100}));  // shifted by the extra padding
        QCOMPARE(t.realTokens(), std::int64_t(5));
        // A minimum below the longest prompt changes nothing.
        QCOMPARE(collate({a, b}, 7, 2).inputIds, collate({a, b}, 7).inputIds);
    }

    void makeBatchFillsLabelsAndMetadata() {
        auto tok = glr::makeByteTokenizer();
        ItemCatalog items;
        items.set(1, "Alien (1979)");
        items.set(2, "Up (2009)");
        NodeIndex nodes;
        nodes.numUsers = 5;
        nodes.numItems = 3;
        Split s;
        s.name = "test";
        s.add({4, 2, 100, 0, 0, 1, true}, {1});
        s.add({3, 1, 200, 0, 0, 0, false}, {});
        PromptEncoder enc(*tok, items, nodes);
        const TokenBatch t = makeBatch(enc, s, {1, 0}, 0);
        QCOMPARE(t.labels, (std::vector<float>{0, 1}));
        QCOMPARE(t.uids, (std::vector<std::int64_t>{3, 4}));
        QCOMPARE(t.iids, (std::vector<std::int64_t>{1, 2}));
        QCOMPARE(t.rows, (std::vector<std::int64_t>{1, 0}));
        QCOMPARE(t.notCold, (std::vector<std::uint8_t>{0, 1}));
        QCOMPARE(t.scoreTokenId, std::int64_t(enc.scoreTokenId()));
        QCOMPARE(t.numAnchors(), std::int64_t(4));
        // Row 0 of the batch is split row 1 (user 3, item 1): its anchors are nodes 3 and 5 + 1.
        QCOMPARE(t.anchors[2], std::int64_t(3));
        QCOMPARE(t.anchors[5], std::int64_t(6));
        for (std::int64_t k = 0; k < t.numAnchors(); ++k) {
            const std::int64_t row = t.anchors[3 * k], pos = t.anchors[3 * k + 1];
            QCOMPARE(t.attentionMask[row * t.length + pos], std::int64_t(1));
        }
        // The last real token of every row is the end of the prompt (the score is read there).
        for (std::int64_t b = 0; b < t.batchSize; ++b) QCOMPARE(t.attentionMask[b * t.length + t.length - 1], std::int64_t(1));
    }

    void planIsAPermutationDeterministicPerEpoch() {
        std::vector<int> lengths(1000);
        SplitMix64 rng(3);
        for (int& l : lengths) l = 50 + static_cast<int>(rng.below(400));
        BatchOptions o;
        o.batchSize = 8;
        o.seed = 42;
        const BatchPlan plan(lengths, o);
        QCOMPARE(plan.batchesPerEpoch(), std::int64_t(125));
        const auto e0 = plan.epoch(0);
        QVERIFY(e0 == BatchPlan(lengths, o).epoch(0));
        QVERIFY(e0 != plan.epoch(1));
        std::vector<std::int64_t> all;
        for (const auto& b : e0) all.insert(all.end(), b.begin(), b.end());
        std::sort(all.begin(), all.end());
        std::vector<std::int64_t> expected(1000);
        std::iota(expected.begin(), expected.end(), 0);
        QCOMPARE(all, expected);
        o.seed = 43;
        QVERIFY(e0 != BatchPlan(lengths, o).epoch(0));
    }

    void bucketingKeepsPaddingSmall() {
        std::vector<int> lengths(4000);
        SplitMix64 rng(5);
        for (int& l : lengths) l = 100 + static_cast<int>(rng.below(500));
        BatchOptions o;
        o.batchSize = 8;
        o.bucketBatches = 1;  // no bucketing: random batches
        const double plain = paddingShare(lengths, BatchPlan(lengths, o).epoch(0));
        o.bucketBatches = 32;
        const double bucketed = paddingShare(lengths, BatchPlan(lengths, o).epoch(0));
        QVERIFY2(plain > 0.25, qPrintable(QString::number(plain)));
        QVERIFY2(bucketed < 0.03, qPrintable(QString::number(bucketed)));
        // Batch order is still shuffled: lengths do not simply grow through the epoch.
        const auto batches = BatchPlan(lengths, o).epoch(0);
        int increases = 0;
        for (std::size_t k = 1; k < batches.size(); ++k) increases += lengths[batches[k][0]] > lengths[batches[k - 1][0]];
        QVERIFY(increases > 150 && increases < 350);
        // Evaluation order: sorted by length, last batch partial.
        o.shuffle = false;
        o.batchSize = 7;
        const auto eval = BatchPlan(lengths, o).epoch(0);
        QCOMPARE(eval.size(), std::size_t(572));
        QCOMPARE(eval.back().size(), std::size_t(4000 - 571 * 7));
        for (std::size_t k = 1; k < eval.size(); ++k) QVERIFY(lengths[eval[k].front()] >= lengths[eval[k - 1].back()]);
        o.dropLast = true;
        QCOMPARE(BatchPlan(lengths, o).batchesPerEpoch(), std::int64_t(571));
    }

    void batcherResumesAtAPosition() {
        auto tok = glr::makeByteTokenizer();
        ItemCatalog items;
        for (int i = 1; i <= 30; ++i) items.set(i, "Film number " + std::string(static_cast<std::size_t>(i % 7 + 1), 'x'));
        NodeIndex nodes;
        nodes.numUsers = 10;
        nodes.numItems = 31;
        Split s;
        s.name = "train";
        SplitMix64 rng(9);
        for (int r = 0; r < 53; ++r) {
            std::vector<std::int32_t> history;
            for (int h = 0, n = static_cast<int>(rng.below(6)); h < n; ++h) history.push_back(1 + static_cast<int>(rng.below(30)));
            s.add({1 + static_cast<std::int32_t>(rng.below(9)), 1 + static_cast<std::int32_t>(rng.below(30)), r, 0, 0,
                   static_cast<std::int8_t>(rng.below(2)), true},
                  history);
        }
        PromptEncoder enc(*tok, items, nodes);
        BatchOptions o;
        o.batchSize = 4;
        o.seed = 7;
        Batcher straight(enc, s, o);
        QCOMPARE(straight.batchesPerEpoch(), std::int64_t(14));
        std::vector<TokenBatch> run;
        for (int k = 0; k < 40; ++k) run.push_back(straight.next());
        QCOMPARE(straight.position(), (BatchPosition{2, 12}));
        // A fresh batcher sought to (1, 3) continues exactly where batch 17 of the run was.
        Batcher resumed(enc, s, o);
        resumed.seek({1, 3});
        for (int k = 17; k < 40; ++k) {
            const TokenBatch b = resumed.next();
            QCOMPARE(b.rows, run[k].rows);
            QCOMPARE(b.inputIds, run[k].inputIds);
            QCOMPARE(b.anchors, run[k].anchors);
        }
        QCOMPARE(resumed.batch({0, 5}).rows, run[5].rows);
        // Each epoch covers every row once.
        std::multiset<std::int64_t> epoch1;
        for (int k = 14; k < 28; ++k) epoch1.insert(run[k].rows.begin(), run[k].rows.end());
        QCOMPARE(epoch1.size(), std::size_t(53));
        QCOMPARE(std::set<std::int64_t>(epoch1.begin(), epoch1.end()).size(), std::size_t(53));
    }
};

QTEST_APPLESS_MAIN(TestBatcher)
#include "test_batcher.moc"
