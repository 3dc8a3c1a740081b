#pragma once
// Runs panel: the store's runs in a sortable, filterable table (quick filters for method,
// dataset, status and tag, plus the filter language: `auc > 0.7 method:graphlora`), best/last
// metric columns, the selected run's config and details, a comparison of several runs' configs
// ("show only differing keys"), and rename / tag / delete / resume / export.
#include <QWidget>

#include "session/snapshots.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QCheckBox;
class QSplitter;
class QTabWidget;
class QTableView;
class QTextBrowser;

namespace glr::ui {

class ConfigDiffModel;
class SignificanceView;
class RunsFilterProxy;
class RunsTableModel;
class WorkbenchSession;

class RunsPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunsPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    QVector<qint64> selectedRunIds() const;
    QVector<RunSummary> selectedRuns() const;
    void selectRuns(const QVector<qint64>& runIds);
    void setFilterText(const QString& expression);
    void setQuickFilters(const QString& method, const QString& dataset, const QString& status, const QString& tag);
    int visibleRunCount() const;
    QString filterError() const;

    // Actions without dialogs (the buttons ask, then call these).
    bool renameSelected(const QString& name);
    bool setTagsOfSelected(const QStringList& tags);
    bool deleteSelected();
    bool resumeSelected();
    bool exportRunsCsv(const QString& path) const;  // every visible run, one row each
    void showComparison();  // switches the details to the config diff of the selection
    void setOnlyDifferingKeys(bool only);

    RunsTableModel& model() const { return *model_; }
    ConfigDiffModel& diffModel() const { return *diffModel_; }
    QTableView& table() const { return *table_; }
    SignificanceView& significance() const { return *significance_; }
    QString shownConfig() const;

    void saveLayout() const;
    void restoreLayout();

public slots:
    void reloadNow();  // synchronous (screenshots, tests)

signals:
    void selectionChanged(const QVector<qint64>& runIds);

private:
    void setRuns(const QVector<RunSummary>& runs);
    void updateDetails();
    void updateQuickFilterChoices();
    void applyQuickFilters();
    void onProgress(const RunProgress& progress);

    WorkbenchSession& session_;
    RunsTableModel* model_;
    RunsFilterProxy* proxy_;
    ConfigDiffModel* diffModel_;
    QComboBox* methodFilter_;
    QComboBox* datasetFilter_;
    QComboBox* statusFilter_;
    QComboBox* tagFilter_;
    QLineEdit* filterEdit_;
    QLabel* filterMessage_;
    QTableView* table_;
    QSplitter* splitter_;
    QTabWidget* details_;
    QPlainTextEdit* configView_;
    QTextBrowser* detailsView_;
    QTableView* diffView_;
    QCheckBox* onlyDiffering_;
    SignificanceView* significance_;
    QPushButton* renameButton_;
    QPushButton* tagButton_;
    QPushButton* deleteButton_;
    QPushButton* resumeButton_;
    QPushButton* compareButton_;
    QLabel* countLabel_;
};

}  // namespace glr::ui
