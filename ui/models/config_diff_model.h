#pragma once
// Side-by-side configs of the selected runs: one row per key path, one column per run, with
// "show only differing keys" (logic/config_diff).
#include <QAbstractTableModel>

#include "logic/config_diff.h"
#include "session/snapshots.h"

namespace glr::ui {

class ConfigDiffModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit ConfigDiffModel(QObject* parent = nullptr);

    void setRuns(const QVector<RunSummary>& runs);
    void setOnlyDiffering(bool only);
    bool onlyDiffering() const { return onlyDiffering_; }
    const ConfigDiff& diff() const { return diff_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void rebuild();

    QStringList runLabels_;
    std::vector<FlatConfig> configs_;
    ConfigDiff diff_;
    bool onlyDiffering_ = true;
};

}  // namespace glr::ui
