// Issue 7's "no host synchronisation inside a training step", through the trainer's own
// recommenders (not the bench rig): for every LLM method, a training step (forward, loss,
// backward, clipping, optimiser) and a scoring forward run no operator that reads a value back
// to the host. On a GPU each such read waits for everything queued; here the CPU runs the same
// code, so the audit holds wherever the code path is shared. The scores' copy to the host and the
// loss read come after the step, as in the trainer and the evaluator.
#include <QtTest>

#include <cmath>

#include <torch/torch.h>

#include "common/host_reads.h"
#include "config/experiment_config.h"
#include "data/split_dataset.h"
#include "train/optimizer.h"
#include "train/recommender_factory.h"
#include "train/train_fixtures.h"

class TestStepHostReads : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    glr::config::ExperimentConfig configFor(const std::string& method, const std::string& neighborhood,
                                            const std::string& collmEmbedding, const std::string& position) const {
        nlohmann::json c = glr::test::llmTestConfig(dir_.filePath("split").toStdString(), method, neighborhood,
                                                    collmEmbedding, position, /*beta=*/0.1, /*seed=*/3);
        c["name"] = "host-reads";
        c["train"] = {{"batch_size", 4}, {"max_grad_norm", 1.0}};
        return glr::config::parseExperimentConfig(c);
    }

    void run(const std::string& methodName, const std::string& neighborhood, const std::string& collmEmbedding,
             const std::string& position) {
        const QString method = QString::fromStdString(methodName);
        const auto cfg = configFor(methodName, neighborhood, collmEmbedding, position);
        auto dataset = std::make_shared<const glr::data::SplitDataset>(glr::data::SplitDataset::load(cfg.data.dir));
        auto model = glr::makeRecommender(cfg, dataset);
        glr::AdamOptimizer optimizer(model->parameterGroups());
        const auto trainBatch = model->planBatches("train", {0, 1, 2, 3}, 4, 1, true).front();
        const auto validBatch = model->planBatches("valid", {0, 1, 2, 3}, 4, 0, false).front();
        const at::Tensor labels = at::tensor({1.0f, 0.0f, 1.0f, 0.0f});

        for (int step = 0; step < 2; ++step) {  // the second step runs with optimiser state
            glr::test::HostReadCounter hostReads;
            const at::Tensor logits = model->forward("train", trainBatch, /*training=*/true);
            const at::Tensor loss = at::binary_cross_entropy_with_logits(logits.to(at::kFloat), labels);
            loss.backward();
            glr::clipGradNorm(optimizer.groups(), *cfg.train.maxGradNorm);
            optimizer.step(1.0);
            optimizer.zeroGrad();
            QVERIFY2(hostReads.reads() == 0, qPrintable(QString("%1 training step %2: %3").arg(method).arg(step)
                                                            .arg(hostReads.describe().c_str())));
            QVERIFY(std::isfinite(loss.item<double>()));
        }
        {
            torch::NoGradGuard noGrad;
            glr::test::HostReadCounter hostReads;
            const at::Tensor scores = model->forward("valid", validBatch, /*training=*/false);
            QVERIFY2(hostReads.reads() == 0, qPrintable(QString("%1 scoring: %2").arg(method).arg(hostReads.describe().c_str())));
            QCOMPARE(scores.numel(), std::int64_t(validBatch.size()));
        }
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 12, 20, 6, 4, 2);
    }

    void stepsReadNothingBack_data() {
        glr::test::addTrainedLlmMethodRows();
    }

    void stepsReadNothingBack() {
        QFETCH(QString, method);
        QFETCH(QString, neighborhood);
        QFETCH(QString, collmEmbedding);
        QFETCH(QString, position);
        try {
            run(method.toStdString(), neighborhood.toStdString(), collmEmbedding.toStdString(), position.toStdString());
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
    }
};

QTEST_APPLESS_MAIN(TestStepHostReads)
#include "test_step_host_reads.moc"
