// Graph encoders against PyG (LGConv, GCNConv) and SPEC §3.3's NGCF formula (fixtures/gnn.safetensors),
// gradients into the node features, and subgraph propagation against the full graph.
#include <QtTest>

#include <random>

#include <torch/torch.h>

#include "common/test_support.h"
#include "gnn/gcn.h"
#include "gnn/lightgcn.h"
#include "gnn/ngcf.h"
#include "gnn/subgraph.h"
#include "gnn_fixtures.h"
#include "util/error.h"

using namespace glr::gnn;
namespace data = glr::data;
using glr::test::tensorRelativeError;

namespace {

constexpr double kFixtureTolerance = 1e-5;

struct FixtureGraph {
    std::map<std::string, at::Tensor> tensors;
    GraphAdjacency graph;
};

FixtureGraph loadFixture() {
    FixtureGraph f;
    f.tensors = glr::test::loadGnnFixture(glr::test::sharedPath("fixtures/gnn.safetensors"));
    const std::int64_t nodes = f.tensors["num_users"].item<std::int64_t>() + f.tensors["num_items"].item<std::int64_t>();
    f.graph = GraphAdjacency::fromStructure(structureFromEdges(nodes, glr::test::toVector(f.tensors["edge_index"][0]),
                                                               glr::test::toVector(f.tensors["edge_index"][1])));
    return f;
}


// Central differences of sum(encoder(x) ⊙ weights) for every entry of x, in double.
at::Tensor numericGradient(GraphEncoderImpl& encoder, const at::Tensor& x, const GraphAdjacency& graph,
                           const at::Tensor& weights) {
    constexpr double kStep = 1e-6;
    at::NoGradGuard noGrad;
    at::Tensor grad = at::zeros_like(x);
    at::Tensor probe = x.clone();
    auto flat = probe.view({-1});
    for (std::int64_t i = 0; i < flat.numel(); ++i) {
        const double original = flat[i].item<double>();
        flat[i] = original + kStep;
        const double plus = (encoder.forward(probe, graph) * weights).sum().item<double>();
        flat[i] = original - kStep;
        const double minus = (encoder.forward(probe, graph) * weights).sum().item<double>();
        flat[i] = original;
        grad.view({-1})[i] = (plus - minus) / (2 * kStep);
    }
    return grad;
}

}  // namespace

class TestEncoders : public QObject {
    Q_OBJECT

private slots:
    void lightgcnMatchesPyG() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        FixtureGraph f = loadFixture();
        LightGcnEncoder encoder(8, 3);
        at::Tensor out = encoder->forward(f.tensors["E0"], f.graph);
        const double error = tensorRelativeError(out, f.tensors["lightgcn_3layer_mean"]);
        qInfo("LightGCN (3 layers) vs PyG: relative error %.3g", error);
        QVERIFY2(error < kFixtureTolerance, qPrintable(QString("relative error %1").arg(error)));
        QCOMPARE(encoder->outputDim(), std::int64_t(8));
    }

    void gcnMatchesPyG() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        FixtureGraph f = loadFixture();
        GcnEncoder encoder(8, 4, 1);
        {
            at::NoGradGuard noGrad;
            encoder->layer(0)->weight.copy_(f.tensors["gcn_weight"]);
            encoder->layer(0)->bias.copy_(f.tensors["gcn_bias"]);
        }
        at::Tensor out = encoder->forward(f.tensors["E0"], f.graph);
        const double error = tensorRelativeError(out, f.tensors["gcn_out"]);
        qInfo("GCN vs PyG GCNConv: relative error %.3g", error);
        QVERIFY2(error < kFixtureTolerance, qPrintable(QString("relative error %1").arg(error)));
        QCOMPARE(encoder->outputDim(), std::int64_t(4));
        auto names = encoder->named_parameters().keys();
        QVERIFY(std::find(names.begin(), names.end(), "layers.0.weight") != names.end());
    }

    void ngcfMatchesSpec() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        FixtureGraph f = loadFixture();
        for (bool concat : {false, true}) {
            NgcfEncoder encoder(8, 8, 1, concat);
            {
                at::NoGradGuard noGrad;
                encoder->layer(0)->w1->weight.copy_(f.tensors["ngcf_W1"]);
                encoder->layer(0)->w1->bias.copy_(f.tensors["ngcf_b1"]);
                encoder->layer(0)->w2->weight.copy_(f.tensors["ngcf_W2"]);
                encoder->layer(0)->w2->bias.copy_(f.tensors["ngcf_b2"]);
            }
            at::Tensor out = encoder->forward(f.tensors["E0"], f.graph);
            QCOMPARE(out.size(1), encoder->outputDim());
            at::Tensor layerOut = concat ? out.slice(1, 8) : out;
            const double error = tensorRelativeError(layerOut, f.tensors["ngcf_out"]);
            qInfo("NGCF (%s) vs fixture: relative error %.3g", concat ? "concat" : "last", error);
            QVERIFY2(error < kFixtureTolerance, qPrintable(QString("relative error %1").arg(error)));
            if (concat) QVERIFY(at::equal(out.slice(1, 0, 8), f.tensors["E0"]));
        }
    }

    void gradientsReachNodeFeatures() {
        GLR_REQUIRE_SHARED("fixtures/gnn.safetensors");
        FixtureGraph f = loadFixture();
        torch::manual_seed(3);
        at::Tensor x0 = f.tensors["E0"].to(at::kDouble);
        for (const char* type : {"lightgcn", "gcn", "ngcf", "identity"}) {
            GraphEncoderOptions options;
            options.type = type;
            options.inputDim = 8;
            options.dim = 6;
            options.layers = 2;
            GraphEncoderPtr encoder = makeGraphEncoder(options);
            encoder->to(at::kDouble);
            at::Tensor weights = at::randn({12, encoder->outputDim()}, at::kDouble);
            at::Tensor x = x0.clone().requires_grad_(true);
            (encoder->forward(x, f.graph) * weights).sum().backward();
            QVERIFY2(x.grad().defined() && x.grad().abs().sum().item<double>() > 0, type);
            at::Tensor numeric = numericGradient(*encoder, x0, f.graph, weights);
            const double error = tensorRelativeError(x.grad(), numeric);
            QVERIFY2(error < 1e-7, qPrintable(QString("%1: gradient relative error %2").arg(type).arg(error)));
            for (const auto& p : encoder->parameters()) QVERIFY2(p.grad().defined(), type);
        }
    }

    void oneHopSubgraphEqualsFullGraphForOneLayer() {
        torch::manual_seed(4);
        const glr::test::RandomBipartite random = glr::test::randomBipartite(200, 100, 1500, 5);
        GraphAdjacency full = GraphAdjacency::fromStructure(random.structure());
        at::Tensor features = at::randn({full.numNodes(), 8}).requires_grad_(true);
        const data::OneHopNodes chosen = random.oneHopNodes({3, 250, 17, 3, 199, 201});
        for (const char* type : {"lightgcn", "gcn", "ngcf"}) {
            GraphEncoderOptions options;
            options.type = type;
            options.inputDim = 8;
            options.dim = 8;
            options.layers = 1;
            GraphEncoderPtr encoder = makeGraphEncoder(options);
            // The subgraph holds only what the encoder reads (Â_sl for GCN alone).
            QCOMPARE(encoder->needsSelfLoops(), std::string(type) == "gcn");
            Subgraph sub = subgraphOn(full, chosen.nodes, chosen.numSeeds, encoder->needsSelfLoops());
            QCOMPARE(sub.adjacency.hasSelfLoops(), encoder->needsSelfLoops());
            QCOMPARE(sub.numCentres, std::int64_t(5));
            at::Tensor local = encodeSubgraph(*encoder, features, sub);
            at::Tensor expected =
                encoder->forward(features, full).index_select(0, at::tensor(std::vector<std::int64_t>{3, 250, 17, 199, 201}));
            const double error = tensorRelativeError(local, expected);
            QVERIFY2(error < 1e-6, qPrintable(QString("%1: relative error %2").arg(type).arg(error)));

            // The features' gradient equals the full graph's, and only the subgraph's rows get one.
            features.mutable_grad() = at::Tensor();
            expected.sum().backward();
            const at::Tensor fullGradient = features.grad().clone();
            features.mutable_grad() = at::Tensor();
            local.sum().backward();
            const double gradientError = tensorRelativeError(features.grad(), fullGradient);
            QVERIFY2(gradientError < 1e-6, qPrintable(QString("%1: gradient relative error %2").arg(type).arg(gradientError)));
            at::Tensor touched = features.grad().abs().sum(1).ne(0).nonzero().view({-1});
            for (std::int64_t node : glr::test::toVector(touched))
                QVERIFY(std::find(sub.globalIds.begin(), sub.globalIds.end(), node) != sub.globalIds.end());
        }
        // Two layers over a 1-hop subgraph are only an approximation: they must differ somewhere.
        LightGcnEncoder deep(8, 2);
        Subgraph sub = subgraphOn(full, chosen.nodes, chosen.numSeeds);
        at::Tensor approx = encodeSubgraph(*deep, features.detach(), sub);
        at::Tensor exact = deep->forward(features.detach(), full).index_select(0, at::tensor(std::vector<std::int64_t>{3, 250, 17, 199, 201}));
        QVERIFY(tensorRelativeError(approx, exact) > 1e-4);
    }

    void factoryAndDimensions() {
        GraphEncoderOptions options;
        options.inputDim = 16;
        options.dim = 8;
        options.layers = 3;
        QCOMPARE(makeGraphEncoder(options)->outputDim(), std::int64_t(16 + 3 * 8));  // ngcf concat default
        options.ngcfCombine = "last";
        QCOMPARE(makeGraphEncoder(options)->outputDim(), std::int64_t(8));
        options.type = "lightgcn";
        QCOMPARE(makeGraphEncoder(options)->outputDim(), std::int64_t(16));
        options.type = "identity";
        GraphEncoderPtr identity = makeGraphEncoder(options);
        at::Tensor x = at::randn({5, 16});
        QVERIFY(at::equal(identity->forward(x, GraphAdjacency{}), x));
        QCOMPARE(int(identity->parameters().size()), 0);
        options.type = "gat";
        QVERIFY_THROWS_EXCEPTION(glr::InputError, makeGraphEncoder(options));
        options.type = "gcn";
        options.layers = 0;
        QVERIFY_THROWS_EXCEPTION(glr::InputError, makeGraphEncoder(options));
        options.layers = 1;
        // GCN needs the self-loop adjacency.
        GraphAdjacency plainOnly =
            GraphAdjacency::fromNormalized(normalizeSymmetric(structureFromEdges(2, {0, 1}, {1, 0}), false));
        QVERIFY_THROWS_EXCEPTION(glr::Error, makeGraphEncoder(options)->forward(at::randn({2, 16}), plainOnly));
        // wrong feature width
        QVERIFY_THROWS_EXCEPTION(glr::Error, makeGraphEncoder(options)->forward(at::randn({2, 4}), plainOnly));
    }
};

QTEST_APPLESS_MAIN(TestEncoders)
#include "test_encoders.moc"
