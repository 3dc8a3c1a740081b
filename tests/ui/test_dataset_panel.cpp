// The Dataset panel without training: the prepare-spec form (round trip through JSON), the
// preview of parsed rows and its errors, prepare in the background with progress and cancel,
// and the statistics of the result compared with the files themselves; and the statistics of
// the shared ml1m-collm split against the numbers the data issue fixes (33,891 / 10,401 / 7,331
// rows, 4,153 warm and 3,178 cold test rows).
#include <QtTest>

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include "common/test_support.h"
#include "data/synthetic.h"
#include "models/dataset_models.h"
#include "panels/dataset_panel.h"
#include "panels/prepare_spec_form.h"
#include "plot/stat_plots.h"
#include "session/workbench_session.h"
#include "settings/settings.h"

using namespace glr::ui;

namespace {

qint64 dataRows(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return -1;
    return QString::fromUtf8(f.readAll()).count('\n') - 1;
}

}  // namespace

class TestDatasetPanel : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::unique_ptr<WorkbenchSession> session_;
    std::unique_ptr<DatasetPanel> panel_;
    glr::data::SyntheticFiles files_;

private slots:
    void initTestCase() {
        SettingsStorage::useFile(dir_.filePath("settings.ini"));
        session_ = std::make_unique<WorkbenchSession>(ExperimentRunner{});
        QVERIFY(session_->openStore(dir_.filePath("runs.sqlite")));
        panel_ = std::make_unique<DatasetPanel>(*session_);
        glr::data::SyntheticOptions options;
        options.rows = 20000;
        options.users = 400;
        options.items = 300;
        files_ = glr::data::writeSyntheticDataset(dir_.filePath("raw").toStdString(), options);
    }

    void cleanupTestCase() {
        panel_.reset();
        session_.reset();
        SettingsStorage::useFile(QString());
    }

    void specFormRoundTripsThroughJson() {
        PrepareSpecForm& form = panel_->specForm();
        QString error;
        QVERIFY2(form.setSpecJson(QString::fromStdString(files_.specJson), &error), qPrintable(error));
        const auto original = nlohmann::json::parse(files_.specJson);
        const auto fromForm = nlohmann::json::parse(form.specJson().toStdString());
        QCOMPARE(fromForm["interactions"]["path"], original["interactions"]["path"]);
        QCOMPARE(fromForm["interactions"]["columns"], original["interactions"]["columns"]);
        QCOMPARE(fromForm["items"]["columns"], original["items"]["columns"]);
        QCOMPARE(fromForm["split"], original["split"]);
        QCOMPARE(fromForm["label"]["rating_at_least"].get<double>(), original["label"]["rating_at_least"].get<double>());
    }

    void previewShowsParsedRowsAndErrors() {
        PrepareSpecForm& form = panel_->specForm();
        form.setFiles(QString::fromStdString(files_.ratingsPath), QString::fromStdString(files_.moviesPath));
        form.setDelimiter(",");
        form.setColumns("userId", "movieId", "rating", "timestamp", "movieId", "title");
        form.setQuantileSplit(0.8, 0.9);
        panel_->refreshPreview();
        QVERIFY2(panel_->previewError().isEmpty(), qPrintable(panel_->previewError()));
        QCOMPARE(panel_->interactionsPreview().rowCount(), 10);
        // The first parsed row equals the first data line of the file.
        QFile ratings(QString::fromStdString(files_.ratingsPath));
        QVERIFY(ratings.open(QIODevice::ReadOnly));
        ratings.readLine();
        const QStringList first = QString::fromUtf8(ratings.readLine()).trimmed().split(',');
        const PreviewTableView& table = panel_->interactionsPreview().table();
        QVERIFY(!table.rows.isEmpty());
        QVERIFY2(table.rows.first().contains(first.first()), qPrintable(table.rows.first().join('|')));

        form.setDelimiter("|");  // wrong delimiter: the header has no userId column then
        panel_->refreshPreview();
        QVERIFY2(!panel_->previewError().isEmpty(), "a wrong delimiter must be reported");
        QCOMPARE(panel_->interactionsPreview().rowCount(), 0);
        form.setDelimiter(",");
        panel_->refreshPreview();
        QVERIFY(panel_->previewError().isEmpty());
    }

    void preparesInTheBackgroundAndShowsStatistics() {
        const QString out = dir_.filePath("split");
        panel_->setOutputDir(out);
        QSignalSpy progress(session_.get(), &WorkbenchSession::prepareProgress);
        QSignalSpy finished(session_.get(), &WorkbenchSession::prepareFinished);
        QSignalSpy stats(panel_.get(), &DatasetPanel::statsShown);
        QVERIFY(panel_->startPrepare());
        QVERIFY(panel_->isPreparing() || !finished.isEmpty());
        QVERIFY(finished.wait(120000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QCOMPARE(finished.first().at(2).toString(), out);
        QVERIFY(progress.count() >= 1);
        QVERIFY(stats.wait(120000));
        const auto& splits = panel_->statsModel().stats().splits;
        QStringList names;
        for (const auto& s : splits) names << s.name;
        QCOMPARE(names, QStringList({"train", "valid", "test", "valid_small"}));
        for (const auto& s : splits) {
            QCOMPARE(s.rows, dataRows(out + "/" + s.name + ".tsv"));
            QCOMPARE(s.warm + s.cold, s.rows);
        }
        QCOMPARE(splits[0].cold, qint64(0));  // every train row is warm by definition
        QVERIFY(panel_->degreePlot().total() > 0);
        QVERIFY(panel_->promptPlot().total() > 0);  // byte-level prompt lengths by default

        // A second prepare into the same directory without overwrite fails with a message.
        finished.clear();
        QVERIFY(panel_->startPrepare());
        QVERIFY(finished.wait(120000));
        QVERIFY(!finished.first().at(0).toBool());
        QVERIFY(!finished.first().at(1).toString().isEmpty());
    }

    void cancelLeavesNoSplit() {
        glr::data::SyntheticOptions big;
        big.rows = 1000000;
        const auto files = glr::data::writeSyntheticDataset(dir_.filePath("big").toStdString(), big);
        panel_->specForm().setFiles(QString::fromStdString(files.ratingsPath), QString::fromStdString(files.moviesPath));
        const QString out = dir_.filePath("cancelled");
        panel_->setOutputDir(out);
        QSignalSpy finished(session_.get(), &WorkbenchSession::prepareFinished);
        QVERIFY(panel_->startPrepare());
        session_->cancelPrepare();
        QVERIFY(finished.wait(120000));
        if (finished.first().at(0).toBool()) QSKIP("prepare finished before the cancel reached it");
        QVERIFY(finished.first().at(1).toString().contains("cancelled"));
        QVERIFY(!QFile::exists(out + "/train.tsv"));
    }

    void statisticsOfTheSharedMl1mSplit() {
        GLR_REQUIRE_SHARED("data/ml1m-collm/train.tsv");
        QSignalSpy stats(panel_.get(), &DatasetPanel::statsShown);
        panel_->setTokenizer("");  // no prompt lengths: fast
        panel_->setSplitDir(QString::fromStdString(glr::test::sharedPath("data/ml1m-collm")));
        panel_->computeStats();
        QVERIFY(stats.wait(120000));
        const auto& splits = panel_->statsModel().stats().splits;
        QVERIFY(splits.size() >= 3);
        QCOMPARE(splits[0].rows, qint64(33891));
        QCOMPARE(splits[1].rows, qint64(10401));
        QCOMPARE(splits[2].rows, qint64(7331));
        QCOMPARE(splits[2].warm, qint64(4153));
        QCOMPARE(splits[2].cold, qint64(3178));
    }
};

QTEST_MAIN(TestDatasetPanel)
#include "test_dataset_panel.moc"
