// The Experiment panel: a form generated from core's schema, validated live with exactly the
// messages core gives the CLI (compared against glr::config::validateConfig on the same JSON),
// the canonical hash (compared against glr::config::configHash), method presets enabling the
// fields that matter, JSON load/save, and Run refused without a trainer.
#include <QtTest>

#include <QFile>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include "config/config_schema.h"
#include "config/experiment_config.h"
#include "models/config_form_model.h"
#include "panels/experiment_panel.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

using namespace glr::ui;

class TestExperimentPanel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::unique_ptr<WorkbenchSession> session_;
    std::unique_ptr<ExperimentPanel> panel_;

    static nlohmann::json json(const ExperimentPanel& panel) { return nlohmann::json::parse(panel.configJson().toStdString()); }

private slots:
    void initTestCase() {
        SettingsStorage::useFile(dir_.filePath("settings.ini"));
        session_ = std::make_unique<WorkbenchSession>(ExperimentRunner{});
        QVERIFY(session_->openStore(dir_.filePath("runs.sqlite")));
        panel_ = std::make_unique<ExperimentPanel>(*session_);
    }

    void cleanupTestCase() {
        panel_.reset();
        session_.reset();
        SettingsStorage::useFile(QString());
    }

    void defaultsAreValidAndHashedLikeTheCli() {
        panel_->model().resetToDefaults();
        panel_->validateNow();
        QVERIFY2(panel_->lastCheck().valid(), qPrintable(panel_->issueMessages().join("; ")));
        const auto canonical = glr::config::canonicalJson(json(*panel_), panel_->baseDir().toStdString());
        QCOMPARE(panel_->hashText().toStdString(), glr::config::configHash(canonical));
        QCOMPARE(panel_->hashText().size(), 64);
    }

    void typedValuesGiveTheCliMessages() {
        QVERIFY(panel_->setFieldText("train.lr", "abc"));
        QVERIFY(panel_->setFieldText("method.gnn.type", "ngcf"));
        panel_->model().setValue("method.gnn.type", QStringLiteral("gat"));  // outside the schema
        QVERIFY(panel_->setFieldText("method.inject.layers", "0, x"));
        panel_->validateNow();
        QVERIFY(!panel_->lastCheck().valid());
        // The same JSON through core's validation gives the same messages, in the same order.
        QStringList expected;
        for (const auto& issue : glr::config::validateConfig(json(*panel_))) expected << QString::fromStdString(issue.message);
        QCOMPARE(panel_->issueMessages(), expected);
        QVERIFY(expected.size() >= 3);
        QVERIFY(panel_->issueMessages().join('\n').contains("train.lr: expected a number"));
        QVERIFY(panel_->issueMessages().join('\n').contains("method.gnn.type"));
        QVERIFY(panel_->hashText().isEmpty());
        // Fixing the fields clears the issues.
        QVERIFY(panel_->setFieldText("train.lr", "3e-4"));
        QVERIFY(panel_->setFieldText("method.gnn.type", "lightgcn"));
        QVERIFY(panel_->setFieldText("method.inject.layers", "0, 2"));
        panel_->validateNow();
        QVERIFY2(panel_->lastCheck().valid(), qPrintable(panel_->issueMessages().join("; ")));
        QCOMPARE(json(*panel_)["train"]["lr"].get<double>(), 3e-4);
        QCOMPARE(json(*panel_)["method"]["inject"]["layers"], nlohmann::json::array({0, 2}));
    }

    void unknownKeysInTheJsonGetADidYouMean() {
        nlohmann::json config = json(*panel_);
        config["train"]["lrr"] = 0.1;
        QVERIFY(panel_->model().setJson(QString::fromStdString(config.dump())));
        panel_->validateNow();
        QVERIFY2(panel_->issueMessages().join('\n').contains("did you mean 'train.lr'"),
                 qPrintable(panel_->issueMessages().join('\n')));
        config["train"].erase("lrr");
        QVERIFY(panel_->model().setJson(QString::fromStdString(config.dump())));
        QString error;
        QVERIFY(!panel_->model().setJson("{ not json", &error));
        QVERIFY(error.contains("not valid JSON"));
    }

    void presetsSetTheMethodAndEnableItsFields() {
        for (const QString& method : ConfigFormModel::presetMethods()) {
            panel_->applyPreset(method);
            panel_->validateNow();
            QVERIFY2(panel_->lastCheck().valid(), qPrintable(method + ": " + panel_->issueMessages().join("; ")));
            QCOMPARE(QString::fromStdString(json(*panel_)["method"]["name"].get<std::string>()), method);
            // Every field is enabled exactly when the schema says the method uses it.
            for (const auto& field : glr::config::describeSchema()) {
                QCOMPARE(panel_->isFieldEnabled(QString::fromStdString(field.path)), field.appliesTo(method.toStdString()));
            }
        }
        panel_->applyPreset("mf");
        QVERIFY(!panel_->isFieldEnabled("method.lora.r"));
        QVERIFY(panel_->isFieldEnabled("method.mf.dim"));
        QCOMPARE(json(*panel_)["train"]["lr"].get<double>(), 1e-3);
        panel_->applyPreset("lora-only");
        QVERIFY(panel_->isFieldEnabled("method.lora.r"));
        QCOMPARE(panel_->fieldText("method.mf.trainable"), QString("false"));
    }

    void loadAndSaveJson() {
        panel_->applyPreset("graphlora");
        QVERIFY(panel_->setFieldText("name", "saved-run"));
        QVERIFY(panel_->setFieldText("seed", "7"));
        const QString path = dir_.filePath("saved.json");
        QVERIFY(panel_->saveFile(path));
        panel_->model().resetToDefaults();
        QCOMPARE(panel_->fieldText("name"), QString());
        QVERIFY(panel_->loadFile(path));
        QCOMPARE(panel_->fieldText("name"), QString("saved-run"));
        QCOMPARE(panel_->fieldText("seed"), QString("7"));
        QCOMPARE(panel_->baseDir(), dir_.path());
        // The saved file is a config the CLI loads.
        const auto cfg = glr::config::loadExperimentConfig(path.toStdString());
        QCOMPARE(cfg.name, std::string("saved-run"));
        QCOMPARE(cfg.seed, std::int64_t(7));
        QVERIFY(!panel_->loadFile(dir_.filePath("missing.json")));
    }

    void runIsRefusedWithoutATrainer() {
        QSignalSpy errors(session_.get(), &WorkbenchSession::errorOccurred);
        QSignalSpy ended(session_.get(), &WorkbenchSession::runEnded);
        panel_->validateNow();
        // The button is disabled with the reason; calling run() anyway ends in one clear message.
        const qint64 ticket = panel_->run();
        QVERIFY(ticket != 0);
        QVERIFY(ended.wait(5000));
        QVERIFY(ended.first().first().value<RunEnded>().message.contains("no trainer"));
        QCOMPARE(errors.count(), 1);
    }
};

QTEST_MAIN(TestExperimentPanel)
#include "test_experiment_panel.moc"
