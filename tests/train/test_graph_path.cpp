// The trainer's graph path in 1-hop mode (SPEC §3.3) against full-graph propagation: the batch's
// nodes and their neighbours as the trainer chooses them each step, the subgraph induced with the
// adjacency the encoder reads (GCN's Â_sl, the others' Â), and the anchors mapped to its rows.
// For one-layer encoders a 1-hop subgraph reproduces the full graph's rows of its centres exactly,
// so any slip in that chain (a node left out, a row mapped wrongly, the wrong adjacency) shows.
#include <QtTest>

#include <torch/torch.h>

#include "data/split_dataset.h"
#include "train/collab_embeddings.h"
#include "train/train_fixtures.h"

using glr::config::GnnType;

class TestGraphPath : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    static double relativeError(const at::Tensor& a, const at::Tensor& b) {
        return ((a - b).norm() / b.norm()).item<double>();
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), /*users=*/12, /*items=*/20,
                                         /*perUser=*/6, /*testPerUser=*/4, /*seed=*/3);
    }

    void oneHopEqualsFullGraphForOneLayer_data() {
        QTest::addColumn<int>("type");
        QTest::newRow("lightgcn") << int(GnnType::LightGCN);
        QTest::newRow("gcn") << int(GnnType::GCN);
        QTest::newRow("ngcf") << int(GnnType::NGCF);
    }

    void oneHopEqualsFullGraphForOneLayer() {
        QFETCH(int, type);
        const auto dataset = glr::data::SplitDataset::load(dir_.filePath("split").toStdString());
        const auto index = dataset.nodeIndex();
        glr::GraphPathOptions options;
        options.type = GnnType(type);
        options.layers = 1;
        options.dim = 8;
        options.inputDim = 8;
        options.oneHop = true;
        torch::manual_seed(5);
        glr::GraphPath oneHop(dataset, options);
        options.oneHop = false;
        torch::manual_seed(5);  // the same encoder weights
        glr::GraphPath full(dataset, options);

        // A batch's anchors: users and items, one repeated, as the trainer passes them (host).
        const std::vector<std::int64_t> anchors = {3, index.numUsers + 4, 7, index.numUsers + 15, 3,
                                                   index.numUsers + 1};
        const at::Tensor nodes = at::tensor(anchors, at::kLong);
        at::Tensor features = at::randn({index.numNodes(), 8}, at::kDouble).to(at::kFloat).requires_grad_(true);

        const glr::EncodedNodes local = oneHop.encode(features, nodes, /*training=*/true);
        const glr::EncodedNodes global = full.encode(features, nodes, /*training=*/true);
        QVERIFY2(local.embeddings.size(0) < index.numNodes(), "the 1-hop path encoded the whole graph");
        const at::Tensor localRows = local.embeddings.index_select(0, local.anchorRows);
        const at::Tensor globalRows = global.embeddings.index_select(0, global.anchorRows);
        QCOMPARE(localRows.sizes().vec(), (std::vector<std::int64_t>{6, full.outputDim()}));
        const double error = relativeError(localRows, globalRows);
        QVERIFY2(error < 1e-6, qPrintable(QString("anchors' rows differ: relative error %1").arg(error)));

        // The features' gradients agree too (only the subgraph's rows receive any).
        const at::Tensor weights = at::randn(localRows.sizes());
        (localRows * weights).sum().backward();
        const at::Tensor localGradient = features.grad().clone();
        features.mutable_grad() = at::Tensor();
        (globalRows * weights).sum().backward();
        const double gradientError = relativeError(localGradient, features.grad());
        QVERIFY2(gradientError < 1e-6, qPrintable(QString("gradients differ: relative error %1").arg(gradientError)));
    }
};

QTEST_APPLESS_MAIN(TestGraphPath)
#include "test_graph_path.moc"
