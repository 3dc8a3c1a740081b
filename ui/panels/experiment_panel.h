#pragma once
// Experiment: a form over the experiment config generated from core's schema (one widget per key,
// greyed out where the chosen method ignores it), method presets, a raw JSON view, live validation
// with exactly the CLI's messages, the canonical hash, load/save, and Run / Add to queue.
#include <QHash>
#include <QWidget>

#include "session/core_access.h"

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTimer;

namespace glr::ui {

class ConfigFormModel;
class WorkbenchSession;

class ExperimentPanel : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentPanel(WorkbenchSession& session, QWidget* parent = nullptr);

    ConfigFormModel& model() const { return *model_; }
    QString configJson() const;
    QString baseDir() const;

    bool loadFile(const QString& path);  // errors go to the issue list
    bool saveFile(const QString& path);
    void applyPreset(const QString& method);
    // Sets a field through its widget, as a user typing would (text as typed in the form).
    bool setFieldText(const QString& path, const QString& text);
    QString fieldText(const QString& path) const;
    bool isFieldEnabled(const QString& path) const;

    void validateNow();
    const ConfigCheck& lastCheck() const { return check_; }
    QStringList issueMessages() const;
    QString hashText() const;

    qint64 run(bool front = true);  // "Run": next in the queue; returns the ticket (0 = refused)
    qint64 addToQueue();

signals:
    void runQueued(qint64 ticket);

private:
    struct FieldEditor {
        SchemaFieldView field;
        QWidget* widget = nullptr;
        QLabel* label = nullptr;
    };
    QWidget* buildForm();
    QWidget* makeEditor(const SchemaFieldView& field);
    void updateEditors();  // model → widgets
    void commitEditor(const QString& path);  // widget → model
    void onModelChanged();

    WorkbenchSession& session_;
    ConfigFormModel* model_;
    QVector<SchemaFieldView> schema_;
    QHash<QString, FieldEditor> editors_;
    QComboBox* preset_;
    QTabWidget* views_;
    QPlainTextEdit* jsonEdit_;
    QListWidget* issues_;
    QLabel* hash_;
    QLabel* source_;
    QPushButton* runButton_;
    QPushButton* queueButton_;
    QTimer* validateTimer_;
    QTimer* jsonTimer_;
    ConfigCheck check_;
    bool updating_ = false;
};

}  // namespace glr::ui
