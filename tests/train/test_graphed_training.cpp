// train.cuda_graphs: the decoder's forward and backward captured per bucketed batch shape and
// replayed behind one autograd node. On this CPU the capture is emulated (each replay runs the
// captured work again on the graph's own buffers), which tests everything around a real capture:
// inputs refilled into the right buffers, gradients handed back to the eager parts (ID-slot
// projector, graph path, CoRA's generator, MF) and to the adapters, one pair per shape, the check
// at capture and the fallback to eager steps. Training with graphs must leave every trainable
// tensor where eager training leaves it.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "common/test_support.h"
#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "train/cuda_graph.h"
#include "train/graphed_training.h"
#include "train/optimizer.h"
#include "train/recommender_factory.h"
#include "train/train_fixtures.h"
#include "util/error.h"

namespace {

struct EmulatedGraphs {
    EmulatedGraphs() { glr::emulateCudaGraphsOnCpu(true); }
    ~EmulatedGraphs() { glr::emulateCudaGraphsOnCpu(false); }
};

// scores[b] = Σ_t,h embeds[b,t,h]·w[h] + bias: a decoder small enough to check by hand.
glr::DecoderFunction toyDecoder(const at::Tensor& w, const at::Tensor& bias) {
    return [w, bias](const glr::DecoderInputs& in) { return at::matmul(in.embeds, w).sum(1) + bias; };
}

glr::DecoderInputs embedsOnly(const at::Tensor& embeds) {
    glr::DecoderInputs in;
    in.embeds = embeds;
    return in;
}

double largestRelative(const at::Tensor& a, const at::Tensor& b) {
    return ((a - b).abs() / (1 + b.abs())).max().item<double>();
}

}  // namespace

class TestGraphedTraining : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    glr::config::ExperimentConfig configFor(const std::string& method, const std::string& neighborhood,
                                            const std::string& collmEmbedding, const std::string& position, bool graphs,
                                            int padToMultipleOf, double dropout = 0.0) const {
        nlohmann::json c = glr::test::llmTestConfig(dir_.filePath("split").toStdString(), method, neighborhood,
                                                    collmEmbedding, position, /*beta=*/0.5, /*seed=*/9);
        c["name"] = "graphed-training";
        c["method"]["lora"] = {{"dropout", dropout}};
        c["train"] = {{"batch_size", 4}, {"cuda_graphs", graphs}, {"pad_to_multiple_of", padToMultipleOf}, {"lr", 1e-2}};
        return glr::config::parseExperimentConfig(c);
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 12, 20, 6, 4, 2);
    }

    void gradientsReachInputsAndParameters() {
        EmulatedGraphs emulated;
        const at::Tensor w = at::randn({3}).requires_grad_(true);
        const at::Tensor bias = at::randn({1}).requires_grad_(true);
        glr::GraphedTraining graphs(at::Device("cpu"), toyDecoder(w, bias), {w, bias}, /*deterministic=*/true);
        for (int batch = 0; batch < 3; ++batch) {  // the first captures; the others refill the buffers
            const at::Tensor source = at::randn({2, 4, 3}).requires_grad_(true);
            const at::Tensor embeds = source * 2;  // an eager part in front of the graph
            w.mutable_grad() = at::Tensor();
            bias.mutable_grad() = at::Tensor();
            const at::Tensor scores = graphs.forward(embedsOnly(embeds));
            QVERIFY(at::allclose(scores, at::matmul(embeds, w).sum(1) + bias));
            (scores * at::tensor({1.0f, -3.0f})).sum().backward();
            // d/dsource = 2·w·seed[b] at every token; d/dw = Σ seed[b]·embeds[b,t]; d/dbias = Σ seed.
            const at::Tensor seed = at::tensor({1.0f, -3.0f}).view({2, 1, 1});
            QVERIFY(at::allclose(source.grad(), (2 * seed * w.detach()).expand({2, 4, 3})));
            QVERIFY(at::allclose(w.grad(), (seed * embeds.detach()).sum(at::IntArrayRef{0, 1})));
            QVERIFY(at::allclose(bias.grad(), at::tensor({-2.0f})));
        }
        QCOMPARE(graphs.graphCount(), 1);
        QCOMPARE(graphs.replays(), std::int64_t(3));
        QVERIFY2(graphs.notes().find("1 forward/backward pairs captured, 3 passes replayed") != std::string::npos,
                 graphs.notes().c_str());
        // Another shape, another pair.
        graphs.forward(embedsOnly(at::randn({3, 4, 3}).requires_grad_(true))).sum().backward();
        QCOMPARE(graphs.graphCount(), 2);
    }

    void aCaptureThatDisagreesFallsBackToEager() {
        EmulatedGraphs emulated;
        const at::Tensor w = at::randn({3}).requires_grad_(true);
        int calls = 0;
        // Reads state that is not among its inputs: what a graph would freeze at capture.
        glr::GraphedTraining graphs(
            at::Device("cpu"),
            [&](const glr::DecoderInputs& in) { return at::matmul(in.embeds, w).sum(1) * double(++calls); }, {w},
            /*deterministic=*/true);
        const at::Tensor embeds = at::randn({2, 4, 3});
        const at::Tensor scores = graphs.forward(embedsOnly(embeds));
        QVERIFY(!graphs.active());
        QVERIFY2(graphs.notes().find("training CUDA graphs off: the graph for 2 rows x 4 tokens replayed scores") == 0,
                 graphs.notes().c_str());
        QVERIFY(at::allclose(scores, at::matmul(embeds, w).sum(1) * double(calls)));  // the eager step
        scores.sum().backward();
        QVERIFY(w.grad().defined());
        QCOMPARE(graphs.eagerSteps(), std::int64_t(1));
    }

    void aFailedCaptureFallsBackToEager() {
        EmulatedGraphs emulated;
        const at::Tensor w = at::randn({3}).requires_grad_(true);
        int calls = 0;
        glr::GraphedTraining graphs(
            at::Device("cpu"),
            [&](const glr::DecoderInputs& in) {
                if (++calls == 3) glr::fail("operation not permitted when stream is capturing");
                return at::matmul(in.embeds, w).sum(1);
            },
            {w}, /*deterministic=*/true);
        graphs.forward(embedsOnly(at::randn({2, 4, 3}))).sum().backward();
        QVERIFY(!graphs.active());
        QVERIFY2(graphs.notes().find("capturing 2 rows x 4 tokens failed (operation not permitted") != std::string::npos,
                 graphs.notes().c_str());
    }

    void cpuRunsWithoutEmulationAreRefused() {
        const auto cfg = configFor("tallrec", "1hop", "mf", "middle", true, 16);
        auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
        glr::test::expectInputError([&] { glr::makeRecommender(cfg, dataset); },
                                    {"train.cuda_graphs: CUDA graphs need model.device = cuda"});
    }

    // With LoRA dropout the check at capture cannot compare exactly (the replay draws other masks
    // than the eager run beside it); it compares scores loosely and gradient norms, and must let
    // a correct capture through.
    void dropoutRunsPassTheCheckAtCapture() {
        EmulatedGraphs emulated;
        const auto cfg = configFor("graphlora", "1hop", "mf", "middle", true, 16, /*dropout=*/0.05);
        auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
        auto model = glr::makeRecommender(cfg, dataset);
        glr::AdamOptimizer optimizer(model->parameterGroups());
        for (const auto& batch : std::vector<std::vector<std::int64_t>>{{0, 1, 2, 3}, {7, 20, 33, 46}, {0, 1, 2, 3}}) {
            const at::Tensor logits = model->forward("train", batch, /*training=*/true);
            at::binary_cross_entropy_with_logits(logits.to(at::kFloat), at::tensor({1.0f, 0.0f, 1.0f, 0.0f})).backward();
            optimizer.step(1.0);
            optimizer.zeroGrad();
        }
        const std::string notes = model->runtimeNotes();
        QVERIFY2(notes.find("training CUDA graphs: ") == 0, notes.c_str());
        for (const auto& [name, tensor] : model->trainableState())
            QVERIFY2(at::isfinite(tensor).all().item<bool>(), name.c_str());
    }

    void trainingMatchesEagerTraining_data() {
        glr::test::addTrainedLlmMethodRows();
    }

    // Three optimiser steps over batches of different lengths, eagerly and through the graphs:
    // every trainable tensor must end where eager training leaves it. Unpadded (multiple 1) the
    // graphs compute what eager autograd computes; padded to multiples of 16 tokens, fp32 rounding
    // in the longer masked attention moves them slightly.
    void trainingMatchesEagerTraining() {
        QFETCH(QString, method);
        QFETCH(QString, neighborhood);
        QFETCH(QString, collmEmbedding);
        QFETCH(QString, position);
        EmulatedGraphs emulated;
        try {
            auto train = [&](bool graphs, int multiple, std::string* notes) {
                const auto cfg = configFor(method.toStdString(), neighborhood.toStdString(), collmEmbedding.toStdString(),
                                           position.toStdString(), graphs, multiple);
                auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
                auto model = glr::makeRecommender(cfg, dataset);
                glr::AdamOptimizer optimizer(model->parameterGroups());
                const std::vector<std::vector<std::int64_t>> batches{{0, 1, 2, 3}, {7, 20, 33, 46}, {0, 1, 2, 3}};
                for (const auto& batch : batches) {
                    const at::Tensor logits = model->forward("train", batch, /*training=*/true);
                    const at::Tensor labels = at::tensor({1.0f, 0.0f, 1.0f, 0.0f});
                    at::binary_cross_entropy_with_logits(logits.to(at::kFloat), labels).backward();
                    optimizer.step(1.0);
                    optimizer.zeroGrad();
                }
                if (notes) *notes = model->runtimeNotes();
                return model->trainableState();
            };
            const auto eager = train(false, 16, nullptr);
            for (const auto& [multiple, tolerance] : {std::pair{1, 1e-6}, std::pair{16, 1e-4}}) {
                std::string notes;
                const auto graphed = train(true, multiple, &notes);
                QVERIFY2(notes.find("training CUDA graphs: ") == 0, notes.c_str());
                QCOMPARE(graphed.size(), eager.size());
                for (const auto& [name, tensor] : eager) {
                    const double difference = largestRelative(graphed.at(name), tensor);
                    QVERIFY2(difference <= tolerance, qPrintable(QString("%1, multiple %2: %3 differs by %4")
                                                                     .arg(method).arg(multiple)
                                                                     .arg(QString::fromStdString(name)).arg(difference)));
                }
            }
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestGraphedTraining)
#include "test_graphed_training.moc"
