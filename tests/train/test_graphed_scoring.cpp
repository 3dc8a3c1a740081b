// eval.cuda_graphs: scoring through one captured graph per bucketed batch shape. On this CPU the
// capture is emulated (each replay runs the captured function again, on the graph's own input
// buffers), which tests everything around a real capture: the bucketed padding, the inputs
// copied into the right buffers, one graph per shape, the per-anchor graph signal, the check at
// capture and the fallback to eager scoring. Every LLM method's scores must match its eager
// scores (fp32, within 1e-5 relative: only the amount of left padding differs).
#include <QtTest>

#include <cmath>
#include <fstream>

#include <torch/torch.h>

#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "gnn/device_upload.h"
#include "train/cuda_graph.h"
#include "train/evaluator.h"
#include "train/graphed_scoring.h"
#include "train/recommender_factory.h"
#include "train/train_fixtures.h"
#include "common/test_support.h"
#include "util/error.h"

namespace {

std::string storiesBin() { return glr::test::sharedPath("models/stories260K/stories260K.bin"); }

struct EmulatedGraphs {
    EmulatedGraphs() { glr::emulateCudaGraphsOnCpu(true); }
    ~EmulatedGraphs() { glr::emulateCudaGraphsOnCpu(false); }
};

bool sameValues(const at::Tensor& a, const at::Tensor& b) { return a.sizes() == b.sizes() && at::equal(a, b); }

// A batch of token ids [rows, length] and nothing else.
glr::DecoderInputs idsOnly(std::vector<std::int64_t> values, std::int64_t rows, std::int64_t length) {
    glr::DecoderInputs in;
    in.ids = at::tensor(values, at::kLong).view({rows, length});
    return in;
}

}  // namespace

class TestGraphedScoring : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    nlohmann::json configJson(const std::string& method, const std::string& neighborhood,
                              const std::string& collmEmbedding, const std::string& position, bool graphs,
                              bool pretrained, int padToMultipleOf = 16) const {
        nlohmann::json c = glr::test::llmTestConfig(dir_.filePath("split").toStdString(), method, neighborhood,
                                                    collmEmbedding, position, /*beta=*/0.5, /*seed=*/5);
        c["name"] = "graphed-scoring";
        if (pretrained) c["model"] = {{"checkpoint", storiesBin()}};
        c["eval"] = {{"cuda_graphs", graphs}, {"pad_to_multiple_of", padToMultipleOf}, {"batch_size", 3}};
        return c;
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 12, 20, 6, 4, 2);
        // Titles of different words and lengths: text prompts then differ from row to row, in
        // content and in length (several length buckets).
        const char* words[] = {"Alien", "The Quiet Harbour", "Up", "A Long Winter in the North", "Heat",
                               "Moonlight Over Distant Hills", "Jaws", "Brave"};
        std::ofstream items(dir_.filePath("split/items.tsv").toStdString());
        items << "iid\ttitle\n";
        for (int i = 1; i <= 20; ++i) items << i << '\t' << words[i % 8] << " (" << 1960 + 3 * i << ")\n";
    }

    void bucketedLengthRoundsUpWithinTheModel() {
        QCOMPARE(glr::bucketedLength(1, 64, 2048), std::int64_t(64));
        QCOMPARE(glr::bucketedLength(64, 64, 2048), std::int64_t(64));
        QCOMPARE(glr::bucketedLength(65, 64, 2048), std::int64_t(128));
        QCOMPARE(glr::bucketedLength(2000, 64, 2048), std::int64_t(2048));  // not past the positions
        QCOMPARE(glr::bucketedLength(100, 64, 90), std::int64_t(100));      // never below the prompt
        QCOMPARE(glr::bucketedLength(7, 1, 2048), std::int64_t(7));
    }

    void oneGraphPerShapeRefilledPerBatch() {
        EmulatedGraphs emulated;
        int calls = 0;
        glr::GraphedScoring graphs(at::Device("cpu"), [&](const glr::DecoderInputs& in) {
            ++calls;
            return in.ids.sum(1).to(at::kFloat);
        });
        QCOMPARE(graphs.notes(), std::string());
        const at::Tensor first = graphs.score(idsOnly({1, 2, 3, 4}, 2, 2));
        QVERIFY(sameValues(first, at::tensor({3.0f, 7.0f})));
        const int callsAtCapture = calls;
        // Same shape, new values: the graph's buffers are refilled, nothing is captured again.
        const at::Tensor second = graphs.score(idsOnly({10, 20, 30, 40}, 2, 2));
        QVERIFY(sameValues(second, at::tensor({30.0f, 70.0f})));
        QCOMPARE(calls, callsAtCapture + 1);  // one replay
        QVERIFY(sameValues(first, at::tensor({3.0f, 7.0f})));  // results are copies, not the graph's buffer
        // Another shape gets a graph of its own.
        QVERIFY(sameValues(graphs.score(idsOnly({1, 1, 1, 1, 1, 1}, 3, 2)), at::tensor({2.0f, 2.0f, 2.0f})));
        QCOMPARE(graphs.graphCount(), 2);
        QCOMPARE(graphs.replays(), std::int64_t(3));
        QCOMPARE(graphs.eagerBatches(), std::int64_t(0));
        QVERIFY(graphs.active());
        QVERIFY2(graphs.notes().find("2 captured, 3 batches replayed") != std::string::npos, graphs.notes().c_str());
    }

    void shapesPastTheLimitScoreEagerly() {
        EmulatedGraphs emulated;
        glr::GraphedScoring graphs(at::Device("cpu"), [](const glr::DecoderInputs& in) { return in.ids.sum(1).to(at::kFloat); },
                                   /*maxGraphs=*/1);
        graphs.score(idsOnly({1, 2}, 1, 2));
        QVERIFY(sameValues(graphs.score(idsOnly({1, 2, 3}, 1, 3)), at::tensor({6.0f})));
        QCOMPARE(graphs.graphCount(), 1);
        QCOMPARE(graphs.eagerBatches(), std::int64_t(1));
        QVERIFY2(graphs.notes().find("1 eager past the 1-graph limit") != std::string::npos, graphs.notes().c_str());
    }

    void aReplayThatDisagreesTurnsGraphsOff() {
        EmulatedGraphs emulated;
        int calls = 0;
        // Reads state that is not among its inputs: what a graph would freeze at capture.
        glr::GraphedScoring graphs(at::Device("cpu"), [&](const glr::DecoderInputs& in) {
            return in.ids.sum(1).to(at::kFloat) + float(++calls);
        });
        const at::Tensor scores = graphs.score(idsOnly({1, 2, 3, 4}, 2, 2));
        QVERIFY(!graphs.active());
        QCOMPARE(graphs.graphCount(), 0);
        QVERIFY(sameValues(scores, at::tensor({3.0f, 7.0f}) + float(calls)));  // scored eagerly after all
        QVERIFY2(graphs.notes().find("off: the graph for 2 rows x 2 tokens replayed scores up to") != std::string::npos,
                 graphs.notes().c_str());
        graphs.score(idsOnly({1, 2, 3, 4}, 2, 2));
        QCOMPARE(graphs.eagerBatches(), std::int64_t(2));
    }

    void aFailedCaptureFallsBackToEager() {
        EmulatedGraphs emulated;
        int calls = 0;
        glr::GraphedScoring graphs(at::Device("cpu"), [&](const glr::DecoderInputs& in) {
            if (++calls == 2) glr::fail("operation not permitted when stream is capturing");
            return in.ids.sum(1).to(at::kFloat);
        });
        QVERIFY(sameValues(graphs.score(idsOnly({1, 2, 3, 4}, 2, 2)), at::tensor({3.0f, 7.0f})));
        QVERIFY(!graphs.active());
        QVERIFY2(graphs.notes().find("capturing 2 rows x 2 tokens failed (operation not permitted") != std::string::npos,
                 graphs.notes().c_str());
        QVERIFY(sameValues(graphs.score(idsOnly({5, 5, 5, 5}, 2, 2)), at::tensor({10.0f, 10.0f})));
    }

    void hostReadbackKeepsItsOwnCopy() {
        at::Tensor scores = at::tensor({1.0f, 2.0f});
        glr::gnn::HostReadback readback(scores);
        scores.fill_(9.0f);  // refilled before the read, as a graph's output buffer would be
        QVERIFY(sameValues(readback.get(), at::tensor({1.0f, 2.0f})));
    }

    void cpuRunsWithoutEmulationAreRefused() {
        const auto cfg = glr::config::parseExperimentConfig(configJson("tallrec", "1hop", "mf", "middle", true, false));
        auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
        glr::test::expectInputError([&] { glr::makeRecommender(cfg, dataset); },
                                    {"eval.cuda_graphs: CUDA graphs need model.device = cuda"});
    }

    void scoresMatchEagerScoring_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("neighborhood");
        QTest::addColumn<QString>("collmEmbedding");
        QTest::addColumn<QString>("position");
        // Text-only prompts need a pretrained model: a random one's score hardly depends on the
        // prompt, so mishandled padding would go unnoticed.
        QTest::addColumn<bool>("pretrained");
        QTest::newRow("graphlora 1-hop") << "graphlora" << "1hop" << "mf" << "middle" << false;
        QTest::newRow("graphlora full graph") << "graphlora" << "full" << "mf" << "middle" << false;
        QTest::newRow("graphlora pre-A") << "graphlora" << "1hop" << "mf" << "pre" << false;
        QTest::newRow("lora-only, MF trained") << "lora-only" << "1hop" << "mf" << "middle" << false;
        QTest::newRow("tallrec, stories260K") << "tallrec" << "1hop" << "mf" << "middle" << true;
        QTest::newRow("icl, stories260K") << "icl" << "1hop" << "mf" << "middle" << true;
        QTest::newRow("collm-mf") << "collm" << "1hop" << "mf" << "middle" << false;
        QTest::newRow("collm-sas") << "collm" << "1hop" << "sasrec" << "middle" << false;
        QTest::newRow("cora") << "cora" << "1hop" << "mf" << "middle" << false;
        QTest::newRow("graphlora 1-hop, stories260K") << "graphlora" << "1hop" << "mf" << "middle" << true;
    }

    void scoresMatchEagerScoring() {
        QFETCH(QString, method);
        QFETCH(QString, neighborhood);
        QFETCH(QString, collmEmbedding);
        QFETCH(QString, position);
        QFETCH(bool, pretrained);
        if (pretrained) GLR_REQUIRE_SHARED("models/stories260K/stories260K.bin");
        EmulatedGraphs emulated;
        try {
            auto make = [&](bool graphs, int padToMultipleOf) {
                const auto cfg = glr::config::parseExperimentConfig(
                    configJson(method.toStdString(), neighborhood.toStdString(), collmEmbedding.toStdString(),
                               position.toStdString(), graphs, pretrained, padToMultipleOf));
                auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
                return glr::makeRecommender(cfg, dataset);
            };
            auto eager = make(false, 16);
            // Trained-looking adapters (B is zero at initialisation, which would hide every
            // injection): the same random state in every model.
            auto state = eager->trainableState();
            at::Generator generator = at::detail::createCPUGenerator(11);
            for (auto& [name, tensor] : state)
                if (tensor.is_floating_point())
                    tensor = tensor + 0.2 * at::randn(tensor.sizes(), generator, tensor.options());
            eager->loadTrainableState(state);
            const auto rows = glr::evaluationRows(*eager, "valid", 0, 0);
            const auto expected = glr::scoreRows(*eager, "valid", rows, 3, {});
            double spread = 0;
            for (double score : expected.scores) spread = std::max(spread, std::fabs(score - expected.scores[0]));
            QVERIFY2(spread > 1e-4, "the scores do not depend on the rows; the comparison would prove nothing");
            QCOMPARE(eager->runtimeNotes(), std::string());

            // Without extra padding the graphs compute exactly what the eager path computes;
            // padded to multiples of 16 tokens only the masked part of attention grows, which
            // moves fp32 scores by rounding (~1e-5 relative measured on stories260K).
            for (const auto& [multiple, tolerance] : {std::pair{1, 0.0}, std::pair{16, 1e-4}}) {
                auto graphed = make(true, multiple);
                graphed->loadTrainableState(state);
                const auto actual = glr::scoreRows(*graphed, "valid", rows, 3, {});
                QCOMPARE(actual.rowIndices, expected.rowIndices);
                double largest = 0;
                for (std::size_t i = 0; i < expected.scores.size(); ++i)
                    largest = std::max(largest, std::fabs(actual.scores[i] - expected.scores[i]) / (1 + std::fabs(expected.scores[i])));
                QVERIFY2(largest <= tolerance, qPrintable(QString("%1, padded to a multiple of %2: relative difference %3")
                                                              .arg(method).arg(multiple).arg(largest)));
                const std::string notes = graphed->runtimeNotes();
                QVERIFY2(notes.find("scoring CUDA graphs: ") == 0 && notes.find("batches replayed") != std::string::npos,
                         notes.c_str());
            }
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestGraphedScoring)
#include "test_graphed_scoring.moc"
