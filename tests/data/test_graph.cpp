// Bipartite graph of training positives: Â = D^-1/2 A D^-1/2 against a hand-computed example and
// against PyG (LightGCN's 3-layer mean in shared/fixtures/gnn.safetensors), 1-hop subgraphs and
// the seeded fan-out cap.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "data/graph.h"
#include "util/error.h"
#include "util/files.h"

using namespace glr::data;

namespace {

NodeIndex smallIndex() {
    NodeIndex n;
    n.numUsers = 3;  // uids 1, 2 (0 unused)
    n.numItems = 4;  // iids 1..3 (0 unused): item i is node 3 + i
    return n;
}

Split smallTrain() {
    Split s;
    s.name = "train";
    auto row = [](std::int32_t u, std::int32_t i, int label) {
        InteractionRow r;
        r.uid = u;
        r.iid = i;
        r.label = static_cast<std::int8_t>(label);
        r.notCold = true;
        return r;
    };
    s.add(row(1, 1, 1), {});
    s.add(row(1, 2, 1), {});
    s.add(row(2, 2, 1), {});
    s.add(row(2, 3, 1), {});
    s.add(row(1, 1, 1), {});  // duplicate pair: one edge
    s.add(row(2, 1, 0), {});  // negative: no edge
    return s;
}

// Minimal safetensors reading for the fixture (the data tests link graphlora_data only).
struct Fixture {
    std::string bytes;
    nlohmann::json header;
    std::size_t base = 0;
    explicit Fixture(const std::string& path) : bytes(glr::readFile(path)) {
        std::uint64_t n;
        std::memcpy(&n, bytes.data(), 8);
        header = nlohmann::json::parse(bytes.substr(8, n));
        base = 8 + n;
    }
    template <typename T>
    std::vector<T> get(const std::string& name) const {
        const auto& offsets = header.at(name).at("data_offsets");
        const std::size_t b = offsets[0], e = offsets[1];
        std::vector<T> out((e - b) / sizeof(T));
        std::memcpy(out.data(), bytes.data() + base + b, e - b);
        return out;
    }
};

}  // namespace

class TestGraph : public QObject {
    Q_OBJECT

private slots:
    void normalisedAdjacencyByHand() {
        const BipartiteGraph g = BipartiteGraph::fromTrainPositives(smallTrain(), smallIndex());
        // Edges u1-i1, u1-i2, u2-i2, u2-i3 = nodes 1-4, 1-5, 2-5, 2-6.
        // Degrees: node1 2, node2 2, node4 1, node5 2, node6 1; Â_uv = 1/sqrt(d_u d_v).
        const double r2 = 1.0 / std::sqrt(2.0);
        const CsrMatrix& a = g.normalized();
        QCOMPARE(a.rows, std::int64_t(7));
        QCOMPARE(a.rowPtr, (std::vector<std::int64_t>{0, 0, 2, 4, 4, 5, 7, 8}));
        QCOMPARE(a.colIdx, (std::vector<std::int64_t>{4, 5, 5, 6, 1, 1, 2, 2}));
        const std::vector<double> expected = {r2, 0.5, 0.5, r2, r2, 0.5, 0.5, r2};
        QCOMPARE(a.values.size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) QVERIFY(std::abs(a.values[k] - expected[k]) < 1e-7);
        QCOMPARE(g.numEdges(), std::int64_t(4));
        QCOMPARE(g.degree(5), std::int64_t(2));
        QCOMPARE(g.degree(0), std::int64_t(0));
        QCOMPARE(g.adjacency().values, std::vector<float>(8, 1.0f));
        QCOMPARE(g.edgeIndex(), (std::vector<std::int64_t>{1, 1, 2, 2, 4, 5, 5, 6, 4, 5, 5, 6, 1, 1, 2, 2}));
    }

    void lightgcnMeanMatchesPyG() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        const Fixture f(glr::test::sharedPath("fixtures/gnn.safetensors"));
        const auto users = f.get<std::int64_t>("num_users")[0], items = f.get<std::int64_t>("num_items")[0];
        const auto pairs = f.get<std::int64_t>("pairs");
        std::vector<std::pair<std::int32_t, std::int32_t>> p;
        for (std::size_t k = 0; k < pairs.size(); k += 2)
            p.emplace_back(static_cast<std::int32_t>(pairs[k]), static_cast<std::int32_t>(pairs[k + 1]));
        NodeIndex index;  // the fixture's numbering: users [0, U), items U + i (0-based ids)
        index.numUsers = users;
        index.numItems = items;
        const BipartiteGraph g = BipartiteGraph::fromPairs(p, index);
        // Same edges as PyG's edge_index.
        const auto edgeIndex = f.get<std::int64_t>("edge_index");
        std::set<std::pair<std::int64_t, std::int64_t>> theirs, ours;
        const std::size_t nnz = edgeIndex.size() / 2;
        for (std::size_t k = 0; k < nnz; ++k) theirs.emplace(edgeIndex[k], edgeIndex[nnz + k]);
        const auto mine = g.edgeIndex();
        for (std::int64_t k = 0; k < g.adjacency().nnz(); ++k) ours.emplace(mine[k], mine[g.adjacency().nnz() + k]);
        QVERIFY(theirs == ours);

        const auto e0 = f.get<float>("E0");
        const auto expected = f.get<float>("lightgcn_3layer_mean");
        const std::int64_t n = users + items, d = 8;
        std::vector<double> layer(e0.begin(), e0.end()), sum(layer), next(n * d);
        const CsrMatrix& a = g.normalized();
        for (int l = 0; l < 3; ++l) {
            std::fill(next.begin(), next.end(), 0.0);
            for (std::int64_t r = 0; r < n; ++r)
                for (std::int64_t k = a.rowPtr[r]; k < a.rowPtr[r + 1]; ++k)
                    for (std::int64_t c = 0; c < d; ++c) next[r * d + c] += a.values[k] * layer[a.colIdx[k] * d + c];
            layer = next;
            for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += layer[i];
        }
        std::vector<double> mean(sum.size());
        for (std::size_t i = 0; i < sum.size(); ++i) mean[i] = sum[i] / 4.0;
        const std::vector<double> ref(expected.begin(), expected.end());
        QVERIFY2(glr::test::relativeError(mean, ref) < 1e-6, qPrintable(QString::number(glr::test::relativeError(mean, ref))));
    }

    void oneHopNodesSeedsFirst() {
        const BipartiteGraph g = BipartiteGraph::fromTrainPositives(smallTrain(), smallIndex());
        // Seeds: user 1 (node 1) and item 3 (node 6), with a duplicate.
        const OneHopNodes s = g.oneHopNodes({1, 6, 1});
        QCOMPARE(s.numSeeds, std::int64_t(2));
        // Seeds first, then neighbours in adjacency order, each once: node1 -> 4, 5; node6 -> 2.
        QCOMPARE(s.nodes, (std::vector<std::int64_t>{1, 6, 4, 5, 2}));
        // A neighbour that is also a seed stays where the seeds are.
        QCOMPARE(g.oneHopNodes({4, 1}).nodes, (std::vector<std::int64_t>{4, 1, 5}));  // 4 - 1 - 5
        QVERIFY_EXCEPTION_THROWN(g.oneHopNodes({g.numNodes()}), glr::Error);
    }

    void fromIndexPairs() {
        // (user, item) index pairs, as the gnn module lists them, give the same graph.
        const std::vector<std::pair<std::int64_t, std::int64_t>> pairs = {{0, 1}, {2, 0}, {0, 1}, {1, 2}};
        NodeIndex index;
        index.numUsers = 3;
        index.numItems = 3;
        const BipartiteGraph a = BipartiteGraph::fromPairs(3, 3, pairs);
        const BipartiteGraph b = BipartiteGraph::fromPairs({{0, 1}, {2, 0}, {0, 1}, {1, 2}}, index);
        QCOMPARE(a.adjacency().rowPtr, b.adjacency().rowPtr);
        QCOMPARE(a.adjacency().colIdx, b.adjacency().colIdx);
        QCOMPARE(a.numEdges(), std::int64_t(3));
        QVERIFY_EXCEPTION_THROWN(BipartiteGraph::fromPairs(3, 3, {{0, 3}}), glr::Error);
        QVERIFY_EXCEPTION_THROWN(BipartiteGraph::fromPairs(std::int64_t(1) << 40, 3, {}), glr::Error);
    }

    void fanoutCapIsSeededAndPerNode() {
        // A star: user 1 rated items 1..20; user 2 rated item 1.
        std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
        for (int i = 1; i <= 20; ++i) pairs.emplace_back(1, i);
        pairs.emplace_back(2, 1);
        NodeIndex index;
        index.numUsers = 3;
        index.numItems = 21;
        const BipartiteGraph g = BipartiteGraph::fromPairs(pairs, index);
        SubgraphOptions o;
        o.fanout = 5;
        o.seed = 11;
        const OneHopNodes a = g.oneHopNodes({1}, o);
        QCOMPARE(a.nodes.size(), std::size_t(6));  // the seed + 5 sampled items
        for (std::size_t k = 1; k < a.nodes.size(); ++k) QVERIFY(a.nodes[k] >= 4 && a.nodes[k] <= 23);
        // The same node gets the same neighbours whatever else is in the batch.
        const OneHopNodes b = g.oneHopNodes({2, 1}, o);
        const std::set<std::int64_t> fromA(a.nodes.begin() + 1, a.nodes.end());
        const std::set<std::int64_t> inB(b.nodes.begin(), b.nodes.end());
        for (std::int64_t node : fromA) QVERIFY(inB.count(node));
        std::set<std::int64_t> expectedB = fromA;
        expectedB.insert({1, 2, index.numUsers + 1});  // the seeds, and user 2's one item (item 1)
        QCOMPARE(inB, expectedB);
        // Another seed samples differently (20 choose 5: a collision is practically impossible).
        o.seed = 12;
        const OneHopNodes c = g.oneHopNodes({1}, o);
        QVERIFY(std::set<std::int64_t>(c.nodes.begin() + 1, c.nodes.end()) != fromA);
        // Under the cap, nothing is sampled away.
        o.fanout = 50;
        QCOMPARE(g.oneHopNodes({1}, o).nodes.size(), std::size_t(21));
    }
};

QTEST_APPLESS_MAIN(TestGraph)
#include "test_graph.moc"
