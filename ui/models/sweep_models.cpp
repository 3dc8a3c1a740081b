#include "models/sweep_models.h"

#include <QJsonDocument>

namespace glr::ui {

QJsonArray parseGridValues(const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return {};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(('[' + trimmed + ']').toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && doc.isArray()) return doc.array();
    // Bare words: a list of strings.
    QJsonArray words;
    for (const QString& part : trimmed.split(',', Qt::SkipEmptyParts)) {
        QString word = part.trimmed();
        if (word.size() >= 2 && word.startsWith('"') && word.endsWith('"')) word = word.mid(1, word.size() - 2);
        if (!word.isEmpty()) words.append(word);
    }
    return words;
}

QString gridValueLabel(const QJsonValue& value) {
    if (value.isArray()) {
        QStringList parts;
        for (const QJsonValue& v : value.toArray()) parts << gridValueLabel(v);
        return parts.join(',');
    }
    if (value.isString()) return value.toString();
    if (value.isBool()) return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble()) return QString::number(value.toDouble(), 'g', 10);
    if (value.isNull()) return QStringLiteral("null");
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

// ---- SweepGridModel ---------------------------------------------------------------------------

SweepGridModel::SweepGridModel(QObject* parent) : QAbstractTableModel(parent) {}

void SweepGridModel::setRows(const QVector<Row>& rows) {
    beginResetModel();
    rows_ = rows;
    endResetModel();
    emit gridChanged();
}

void SweepGridModel::addRow(const QString& key, const QString& values) {
    beginInsertRows({}, rows_.size(), rows_.size());
    rows_.push_back({key, values});
    endInsertRows();
    emit gridChanged();
}

void SweepGridModel::removeRow(int row) {
    if (row < 0 || row >= rows_.size()) return;
    beginRemoveRows({}, row, row);
    rows_.removeAt(row);
    endRemoveRows();
    emit gridChanged();
}

QJsonObject SweepGridModel::grid() const {
    QJsonObject grid;
    for (const Row& row : rows_) {
        const QJsonArray values = parseGridValues(row.values);
        if (!row.key.trimmed().isEmpty() && !values.isEmpty()) grid[row.key.trimmed()] = values;
    }
    return grid;
}

int SweepGridModel::pointCount() const {
    const QJsonObject g = grid();
    if (g.isEmpty()) return 0;
    int n = 1;
    for (auto it = g.begin(); it != g.end(); ++it) n *= it->toArray().size();
    return n;
}

int SweepGridModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_.size(); }
int SweepGridModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : 3; }

QVariant SweepGridModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const Row& row = rows_[index.row()];
    if (role == Qt::DisplayRole || role == Qt::EditRole) {
        if (index.column() == 0) return row.key;
        if (index.column() == 1) return row.values;
        if (role == Qt::DisplayRole) return parseGridValues(row.values).size();
    }
    if (role == Qt::ToolTipRole && index.column() == 1)
        return tr("Comma-separated values: 0.1, 1, 10 — lists in brackets: [0], [1], [-1] — words: gcn, ngcf");
    return {};
}

bool SweepGridModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || role != Qt::EditRole || index.column() > 1) return false;
    Row& row = rows_[index.row()];
    (index.column() == 0 ? row.key : row.values) = value.toString();
    emit dataChanged(index, this->index(index.row(), 2));
    emit gridChanged();
    return true;
}

Qt::ItemFlags SweepGridModel::flags(const QModelIndex& index) const {
    auto f = QAbstractTableModel::flags(index);
    if (index.column() < 2) f |= Qt::ItemIsEditable;
    return f;
}

QVariant SweepGridModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {"Config key", "Values", "Count"};
    return section < 3 ? tr(names[section]) : QVariant();
}

// ---- SweepResultsModel ------------------------------------------------------------------------

SweepResultsModel::SweepResultsModel(QObject* parent) : QAbstractTableModel(parent) {}

QVector<SweepResultsModel::Metric> SweepResultsModel::metricsOf(const QVector<RunSummary>& runs) {
    QVector<Metric> out;
    auto add = [&](const Metric& m) {
        for (const Metric& e : out)
            if (e.label == m.label) return;
        out << m;
    };
    // Validation series first: the layer sweep of the paper plots validation AUC.
    for (const RunSummary& run : runs)
        for (auto it = run.series.begin(); it != run.series.end(); ++it)
            if (it.key().startsWith(QLatin1String("valid"))) {
                add({it.key() + QObject::tr(" (best)"), it.key(), true, false});
                add({it.key() + QObject::tr(" (last)"), it.key(), true, true});
            }
    for (const RunSummary& run : runs)
        for (auto it = run.results.begin(); it != run.results.end(); ++it)
            if (it.key().contains('/')) add({it.key(), it.key(), false, false});
    for (const RunSummary& run : runs)
        if (run.series.contains(QStringLiteral("train/loss"))) add({QStringLiteral("train/loss (last)"), QStringLiteral("train/loss"), true, true});
    return out;
}

std::optional<double> SweepResultsModel::valueOf(const RunSummary& run, const Metric& metric) {
    if (metric.series) {
        auto it = run.series.constFind(metric.key);
        if (it == run.series.constEnd()) return std::nullopt;
        return metric.last ? it->last : it->max;
    }
    auto it = run.results.constFind(metric.key);
    if (it == run.results.constEnd()) return std::nullopt;
    return *it;
}

void SweepResultsModel::setData(const QVector<RunSummary>& runs, const QStringList& keys, const Metric& metric) {
    beginResetModel();
    keys_ = keys;
    metricLabel_ = metric.label;
    points_.clear();
    for (const RunSummary& run : runs) {
        const auto value = valueOf(run, metric);
        if (!value) continue;
        const QJsonObject params = QJsonDocument::fromJson(run.sweepParamsJson.toUtf8()).object();
        QMap<QString, QJsonValue> key;
        for (const QString& k : keys) key[k] = params.value(k);
        auto it = std::find_if(points_.begin(), points_.end(), [&](const Point& p) { return p.params == key; });
        if (it == points_.end()) {
            points_.push_back({key, {}, {}, {}});
            it = points_.end() - 1;
        }
        it->values << *value;
        it->runIds << run.id;
    }
    for (Point& p : points_) p.stats = meanStd(std::vector<double>(p.values.begin(), p.values.end()));
    endResetModel();
}

int SweepResultsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : points_.size(); }
int SweepResultsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : keys_.size() + 3; }

QVariant SweepResultsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= points_.size() || role != Qt::DisplayRole) return {};
    const Point& p = points_[index.row()];
    const int c = index.column();
    if (c < keys_.size()) return gridValueLabel(p.params.value(keys_[c]));
    if (c == keys_.size()) return formatMeanStd(p.stats);
    if (c == keys_.size() + 1) return p.stats.count;
    QStringList ids;
    for (qint64 id : p.runIds) ids << QStringLiteral("#%1").arg(id);
    return ids.join(' ');
}

QVariant SweepResultsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section < keys_.size()) return keys_[section];
    if (section == keys_.size()) return metricLabel_;
    if (section == keys_.size() + 1) return tr("runs");
    return tr("run ids");
}

}  // namespace glr::ui
