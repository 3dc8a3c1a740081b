// The sparse adjacency: normalisation, the CSR kernel against torch's sparse and dense products,
// its gradient, thread-count independence, subgraphs, and malformed input.
#include <QtTest>

#include <cmath>
#include <cstring>
#include <random>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "common/host_reads.h"
#include "common/test_support.h"
#include "gnn/data_bridge.h"
#include "gnn/graph_adjacency.h"
#include "gnn_fixtures.h"
#include "util/error.h"

using namespace glr::gnn;

namespace {


template <typename Fn>
void expectInputError(Fn fn, const char* needle) {
    glr::test::expectInputError(fn, {needle});
}

}  // namespace

class TestGraphAdjacency : public QObject {
    Q_OBJECT

private slots:
    void normalisationByHand() {
        // 4 users (user 3 isolated), 3 items; the duplicate pair (1,1) is one edge.
        CsrGraph s = bipartiteStructure(4, 3, {{0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 2}});
        QCOMPARE(s.numNodes, std::int64_t(7));
        QCOMPARE(s.nnz(), std::int64_t(8));  // 4 distinct pairs, both directions
        GraphAdjacency g = GraphAdjacency::fromStructure(s);
        at::Tensor a = g.normalized().toDense();
        // deg(user0) = 2, deg(item0 = node 4) = 1, deg(item1 = node 5) = 2, deg(user2) = deg(item2) = 1
        QVERIFY(std::abs(a[0][4].item<float>() - float(1 / std::sqrt(2.0))) < 1e-7);
        QVERIFY(std::abs(a[0][5].item<float>() - 0.5f) < 1e-7);
        QVERIFY(std::abs(a[5][1].item<float>() - float(1 / std::sqrt(2.0))) < 1e-7);
        QCOMPARE(a[2][6].item<float>(), 1.0f);
        QCOMPARE(a[3].abs().sum().item<float>(), 0.0f);  // isolated user: empty row
        QVERIFY(g.normalized().symmetric());

        // With self loops: D̃ = D + 1, so user0 (3) — item1 (3) is 1/3, the diagonal 1/d̃.
        at::Tensor l = g.withSelfLoops().toDense();
        QVERIFY(std::abs(l[0][5].item<float>() - 1.0f / 3.0f) < 1e-7);
        QVERIFY(std::abs(l[0][0].item<float>() - 1.0f / 3.0f) < 1e-7);
        QCOMPARE(l[3][3].item<float>(), 1.0f);  // isolated node: only its self loop
        QVERIFY(std::abs(l[4][4].item<float>() - 0.5f) < 1e-7);
    }

    void fixtureGraphFromPairsEqualsEdgeIndex() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        auto f = glr::test::loadGnnFixture(glr::test::sharedPath("fixtures/gnn.safetensors"));
        const std::int64_t users = f["num_users"].item<std::int64_t>(), items = f["num_items"].item<std::int64_t>();
        std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
        for (std::int64_t p = 0; p < f["pairs"].size(0); ++p)
            pairs.emplace_back(f["pairs"][p][0].item<std::int64_t>(), f["pairs"][p][1].item<std::int64_t>());
        CsrGraph fromPairs = bipartiteStructure(users, items, pairs);
        CsrGraph fromEdges = structureFromEdges(users + items, glr::test::toVector(f["edge_index"][0]),
                                                glr::test::toVector(f["edge_index"][1]));
        QVERIFY(fromPairs.rowPtr == fromEdges.rowPtr);
        QVERIFY(fromPairs.col == fromEdges.col);
    }

    void kernelMatchesTorchSparseAndDense() {
        torch::manual_seed(0);
        // 80k non-zeros: several row chunks, dense item rows and sparse user rows.
        GraphAdjacency g = GraphAdjacency::fromStructure(glr::test::randomBipartite(3000, 1000, 40000, 1).structure());
        at::Tensor x = at::randn({g.numNodes(), 16});
        at::Tensor y = g.normalized().propagate(x);
        at::Tensor reference = g.normalized().propagateReference(x);
        at::Tensor dense = at::mm(g.normalized().toDense().to(at::kDouble), x.to(at::kDouble));
        QVERIFY(glr::test::tensorRelativeError(y, dense) < 1e-6);
        QVERIFY(glr::test::tensorRelativeError(reference, dense) < 1e-6);
        // double features run the same kernel in double
        at::Tensor yDouble = g.normalized().propagate(x.to(at::kDouble));
        QVERIFY(glr::test::tensorRelativeError(yDouble, dense) < 1e-12);
    }

    void libraryCsrPathMatchesKernelWithGradients() {
        // The path propagate() takes off the CPU, run here on the CPU against the kernel.
        torch::manual_seed(3);
        GraphAdjacency g = GraphAdjacency::fromStructure(glr::test::randomBipartite(500, 300, 4000, 3).structure());
        std::vector<const SparseAdjacency*> matrices{&g.normalized()};
        if (g.hasSelfLoops()) matrices.push_back(&g.withSelfLoops());
        for (const SparseAdjacency* a : matrices) {
            at::Tensor x1 = at::randn({g.numNodes(), 8}, at::TensorOptions().dtype(at::kDouble)).requires_grad_(true);
            at::Tensor x2 = x1.detach().clone().requires_grad_(true);
            at::Tensor weights = at::randn({g.numNodes(), 8}, at::TensorOptions().dtype(at::kDouble));
            at::Tensor y1 = a->propagate(x1);
            glr::test::HostReadCounter hostReads;  // the GPU path: no value read back (each would sync)
            at::Tensor y2 = a->propagateLibraryCsr(x2);
            (y2 * weights).sum().backward();
            QVERIFY2(hostReads.reads() == 0, hostReads.describe().c_str());
            QVERIFY(glr::test::tensorRelativeError(y2, y1) < 1e-12);
            (y1 * weights).sum().backward();
            QVERIFY(glr::test::tensorRelativeError(x2.grad(), x1.grad()) < 1e-12);
        }
    }

    void resultDoesNotDependOnThreadCount() {
        torch::manual_seed(1);
        GraphAdjacency g = GraphAdjacency::fromStructure(glr::test::randomBipartite(3000, 1000, 40000, 2).structure());
        at::Tensor x = at::randn({g.numNodes(), 32});
        const int threads = at::get_num_threads();
        at::set_num_threads(1);
        at::Tensor one = g.normalized().propagate(x);
        at::set_num_threads(4);
        at::Tensor four = g.normalized().propagate(x);
        at::set_num_threads(threads);
        QVERIFY(at::equal(one, four));
    }

    void gradientIsTransposedProduct() {
        // A directed (non-symmetric) matrix, so Âᵀ differs from Â.
        CsrGraph directed;
        directed.numNodes = 4;
        directed.rowPtr = {0, 2, 3, 3, 5};
        directed.col = {1, 3, 2, 0, 1};
        directed.values = {0.5f, -1.0f, 2.0f, 0.25f, 3.0f};
        SparseAdjacency a = SparseAdjacency::fromCsr(directed);
        QVERIFY(!a.symmetric());
        at::Tensor x = at::randn({4, 3}, at::kDouble).requires_grad_(true);
        at::Tensor weights = at::randn({4, 3}, at::kDouble);
        (a.propagate(x) * weights).sum().backward();
        at::Tensor dense = a.toDense().to(at::kDouble);
        QVERIFY(glr::test::tensorRelativeError(x.grad(), at::mm(dense.t(), weights)) < 1e-12);
        QVERIFY(glr::test::tensorRelativeError(a.propagate(x.detach()), at::mm(dense, x.detach())) < 1e-12);
    }

    void subgraphKeepsFullGraphCoefficients() {
        const glr::test::RandomBipartite random = glr::test::randomBipartite(50, 30, 200, 3);
        GraphAdjacency g = GraphAdjacency::fromStructure(random.structure());
        const std::vector<std::int64_t> nodes = random.oneHopNodes({5, 60, 5}).nodes;
        QVERIFY(nodes.size() > 2);
        GraphAdjacency sub = g.subgraph(nodes);
        QCOMPARE(sub.numNodes(), std::int64_t(nodes.size()));
        at::Tensor full = g.normalized().toDense();
        at::Tensor local = sub.normalized().toDense();
        at::Tensor index = at::tensor(nodes, at::kLong);
        QVERIFY(at::equal(local, full.index_select(0, index).index_select(1, index)));
        at::Tensor fullLoops = g.withSelfLoops().toDense();
        QVERIFY(at::equal(sub.withSelfLoops().toDense(), fullLoops.index_select(0, index).index_select(1, index)));

        // Induced from a symmetric graph, the subgraph is symmetric without building its transpose;
        // its backward (Âᵀ g, the matrix itself) still matches the dense transpose.
        QVERIFY(g.normalized().symmetric());
        QVERIFY(sub.normalized().symmetric());
        at::Tensor x = at::randn({sub.numNodes(), 3}, at::kDouble).requires_grad_(true);
        at::Tensor weights = at::randn({sub.numNodes(), 3}, at::kDouble);
        (sub.normalized().propagate(x) * weights).sum().backward();
        at::Tensor dense = local.to(at::kDouble);
        QVERIFY(glr::test::tensorRelativeError(x.grad(), at::mm(dense.t(), weights)) < 1e-12);

        // Only Â when asked: the self-loop variant is left out, with the same Â.
        GraphAdjacency plain = g.subgraph(nodes, /*withSelfLoops=*/false);
        QVERIFY(!plain.hasSelfLoops());
        QVERIFY(sub.hasSelfLoops());
        QVERIFY(at::equal(plain.normalized().toDense(), local));
        QVERIFY(plain.normalized().symmetric());

        // A directed graph's subgraph keeps the check: its transpose is built.
        CsrGraph directed;
        directed.numNodes = 3;
        directed.rowPtr = {0, 1, 2, 2};
        directed.col = {1, 2};
        directed.values = {1.0f, 2.0f};
        GraphAdjacency directedSub = GraphAdjacency::fromNormalized(directed).subgraph({0, 1, 2});
        QVERIFY(!directedSub.normalized().symmetric());
    }

    void dataModuleCsrConverts() {
        glr::data::CsrMatrix m;
        m.rows = m.cols = 3;
        m.rowPtr = {0, 1, 2, 2};
        m.colIdx = {1, 0};
        m.values = {0.5f, 0.5f};
        CsrGraph g = toCsrGraph(m);
        QCOMPARE(g.numNodes, std::int64_t(3));
        QVERIFY(g.col == m.colIdx && g.values == m.values);
        QVERIFY(SparseAdjacency::fromCsr(g).symmetric());
        m.cols = 4;
        expectInputError([&] { toCsrGraph(m); }, "must be square");
        m.cols = 3;
        m.colIdx = {1, 3};
        expectInputError([&] { toCsrGraph(m, "train graph"); }, "train graph: col[1] = 3");
    }

    void malformedInputIsReported() {
        expectInputError([] { bipartiteStructure(2, 2, {{0, 2}}); }, "item index 2");
        expectInputError([] { normalizeSymmetric(structureFromEdges(3, {0}, {1}), false); }, "not symmetric");
        CsrGraph bad;
        bad.numNodes = 2;
        bad.rowPtr = {0, 1, 2};
        bad.col = {1, 5};
        expectInputError([&] { SparseAdjacency::fromCsr(bad); }, "col[1] = 5");
        bad.col = {1, 0};
        bad.rowPtr = {0, 2, 1};
        expectInputError([&] { SparseAdjacency::fromCsr(bad); }, "rowPtr decreases");
        bad.rowPtr = {0, 1};
        expectInputError([&] { SparseAdjacency::fromCsr(bad); }, "rowPtr has 2 entries");
        expectInputError([&] { inducedSubgraph(normalizeSymmetric(structureFromEdges(2, {0, 1}, {1, 0}), false), {0, 0}); },
                         "listed twice");
        GraphAdjacency noLoops = GraphAdjacency::fromNormalized(normalizeSymmetric(structureFromEdges(2, {0, 1}, {1, 0}), false));
        QVERIFY_THROWS_EXCEPTION(glr::Error, noLoops.withSelfLoops());
        at::Tensor wrongRows = at::zeros({3, 2});
        QVERIFY_THROWS_EXCEPTION(glr::Error, noLoops.normalized().propagate(wrongRows));
    }
};

QTEST_APPLESS_MAIN(TestGraphAdjacency)
#include "test_graph_adjacency.moc"
