#pragma once
// Dataset: pick a prepared split or raw files; the prepare-spec form with a live preview of the
// first rows as parsed; prepare in the background with progress and cancel; statistics of a
// split (rows, users, items, positives, warm/cold per split) with histograms of history length,
// user degree and prompt length.
#include <QWidget>

#include "session/core_access.h"

class QComboBox;
class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTableView;
class QTimer;

namespace glr::ui {

class HistogramPlot;
class PrepareSpecForm;
class PreviewTableModel;
class SplitStatsModel;
class WorkbenchSession;

class DatasetPanel : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    PrepareSpecForm& specForm() const { return *form_; }
    void refreshPreview();  // now, not debounced
    QString previewError() const;
    PreviewTableModel& interactionsPreview() const { return *interactionsPreview_; }
    PreviewTableModel& itemsPreview() const { return *itemsPreview_; }

    void setOutputDir(const QString& dir, bool overwrite = false);
    bool startPrepare();
    bool isPreparing() const;
    int progressValue() const;  // 0…1000

    void setSplitDir(const QString& dir);
    QString splitDir() const;
    void setTokenizer(const QString& tokenizer);  // "", "bytes" or a path
    void computeStats();
    SplitStatsModel& statsModel() const { return *statsModel_; }
    HistogramPlot& historyPlot() const { return *history_; }
    HistogramPlot& degreePlot() const { return *degree_; }
    HistogramPlot& promptPlot() const { return *prompt_; }
    QString summaryText() const;

    void showRawFiles();    // the prepare tab
    void showStatistics();  // the prepared-split tab

    void saveLayout() const;
    void restoreLayout();

signals:
    void useSplitRequested(const QString& dir);  // "Use in experiment"
    void statsShown();

private:
    void showStats(const DatasetStatsView& stats);

    WorkbenchSession& session_;
    PrepareSpecForm* form_;
    PreviewTableModel* interactionsPreview_;
    PreviewTableModel* itemsPreview_;
    SplitStatsModel* statsModel_;
    QTimer* previewTimer_;
    QLabel* previewMessage_;
    QLineEdit* outputDir_;
    QCheckBox* overwrite_;
    QPushButton* prepareButton_;
    QPushButton* cancelButton_;
    QProgressBar* progress_;
    QLabel* prepareMessage_;
    QLineEdit* splitDir_;
    QComboBox* tokenizer_;
    QComboBox* domain_;
    QLabel* summary_;
    QTableView* statsView_;
    HistogramPlot* history_;
    HistogramPlot* degree_;
    HistogramPlot* prompt_;
    QSplitter* splitter_;  // form | preview
    QTabWidget* tabs_;
};

}  // namespace glr::ui
