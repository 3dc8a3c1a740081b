#include "session/store_access.h"

#include <QJsonDocument>

#include "store/results_table.h"
#include "store/run_comparison.h"
#include "store/run_filter.h"
#include "store/run_store.h"
#include "store/sweep_resume.h"
#include "util/files.h"

namespace glr::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }
std::string ss(const QString& s) { return s.toStdString(); }

QDateTime toDateTime(std::optional<double> unixSeconds) {
    if (!unixSeconds || *unixSeconds <= 0) return {};
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(*unixSeconds * 1000.0), Qt::UTC);
}


std::vector<std::int64_t> toIds(const QVector<qint64>& ids) {
    return std::vector<std::int64_t>(ids.begin(), ids.end());
}

void addResults(RunSummary& summary, const std::vector<store::ResultRow>& rows) {
    for (const auto& row : rows) {
        const QString key = qs(store::resultKey(row.split, row.subset, row.metric));
        summary.results[key] = row.value;
        summary.resultRows[key] = row.nRows;
        if (row.split == "test" && row.subset == "all") {
            summary.results[qs(row.metric)] = row.value;
            summary.resultRows[qs(row.metric)] = row.nRows;
        }
    }
}

void addSeries(RunSummary& summary, const std::vector<store::MetricSummary>& series) {
    for (const auto& s : series) {
        SeriesSummary out;
        out.last = s.last;
        out.min = s.min;
        out.max = s.max;
        out.count = s.count;
        out.lastStep = s.lastStep;
        summary.series[qs(s.split) + '/' + qs(s.name)] = out;
    }
}

}  // namespace

StoreAccess::StoreAccess(const QString& path) : path_(path) {
    store::OpenOptions options;
    options.create = true;
    store_ = std::make_unique<store::RunStore>(ss(path), options);
}

StoreAccess::~StoreAccess() = default;

RunSummary toSummary(const store::RunRecord& r) {
    RunSummary s;
    s.id = r.id;
    s.name = qs(r.name);
    s.method = qs(r.method);
    s.dataset = qs(r.dataset);
    s.status = qs(store::toString(r.status));
    s.configJson = qs(r.configJson);
    s.configHash = qs(r.configHash);
    s.groupHash = qs(r.groupHash);
    s.seed = r.seed;
    for (const auto& tag : r.tags) s.tags << qs(tag);
    s.notes = qs(r.notes);
    s.error = qs(r.error);
    s.gitCommit = qs(r.gitCommit);
    s.gitDirty = r.gitDirty;
    s.device = qs(r.device);
    s.torchVersion = qs(r.torchVersion);
    s.host = qs(r.host);
    s.created = toDateTime(r.createdAt);
    s.started = toDateTime(r.startedAt);
    s.finished = toDateTime(r.finishedAt);
    s.sweepId = r.sweepId;
    if (!r.sweepParams.is_null()) s.sweepParamsJson = qs(r.sweepParams.dump());
    s.resumedFrom = r.resumedFrom;
    return s;
}

QVector<RunSummary> StoreAccess::runSummaries() {
    auto& store = *store_;
    const auto records = store.listRuns();
    std::vector<std::int64_t> ids;
    for (const auto& r : records) ids.push_back(r.id);
    const auto results = ids.empty() ? std::vector<store::ResultRow>{} : store.results(ids);

    QVector<RunSummary> out;
    out.reserve(static_cast<int>(records.size()));
    for (const auto& record : records) {
        RunSummary summary = toSummary(record);
        std::vector<store::ResultRow> own;
        for (const auto& row : results)
            if (row.runId == record.id) own.push_back(row);
        const auto series = store.metricSummaries(record.id);
        addResults(summary, own);
        addSeries(summary, series);
        summary.filterable = std::make_shared<const store::FilterableRun>(store::filterableRun(record, own, series));
        out.push_back(std::move(summary));
    }
    return out;
}

RunSummary StoreAccess::runSummary(qint64 runId) {
    auto& store = *store_;
    const auto record = store.getRun(runId);
    const auto results = store.results({runId});
    const auto series = store.metricSummaries(runId);
    RunSummary summary = toSummary(record);
    addResults(summary, results);
    addSeries(summary, series);
    summary.filterable = std::make_shared<const store::FilterableRun>(store::filterableRun(record, results, series));
    return summary;
}

QStringList StoreAccess::seriesKeys(qint64 runId) {
    auto& store = *store_;
    QStringList keys;
    for (const auto& s : store.metricSummaries(runId)) keys << qs(s.split) + '/' + qs(s.name);
    return keys;
}

QVector<SeriesPoint> StoreAccess::series(qint64 runId, const QString& key) {
    QVector<SeriesPoint> points;
    for (const auto& p : store_->metricSeriesByKeys(runId, {ss(key)}))
        points.push_back({p.step, p.epoch, p.wallTime, p.value});
    return points;
}

QVector<ResultEntry> StoreAccess::results(const QVector<qint64>& runIds, const QString& split) {
    auto& store = *store_;
    QVector<ResultEntry> out;
    for (const auto& r : store.results(toIds(runIds), ss(split)))
        out.push_back({r.runId, qs(r.split), qs(r.subset), qs(r.metric), r.value, r.nRows});
    return out;
}

QVector<SweepSummary> StoreAccess::sweeps() {
    auto& store = *store_;
    QVector<SweepSummary> out;
    for (const auto& sweep : store.listSweeps()) {
        SweepSummary s;
        s.id = sweep.id;
        s.name = qs(sweep.name);
        s.gridJson = qs(sweep.grid.dump());
        s.created = toDateTime(sweep.createdAt);
        for (auto id : sweep.runIds) s.runIds.push_back(id);
        out.push_back(std::move(s));
    }
    return out;
}

void StoreAccess::renameRun(qint64 runId, const QString& name) {
    store_->renameRun(runId, ss(name));
}

void StoreAccess::setRunTags(qint64 runId, const QStringList& tags) {
    std::vector<std::string> list;
    for (const QString& tag : tags) list.push_back(ss(tag));
    store_->setTags(runId, list);
}

void StoreAccess::deleteRun(qint64 runId) { store_->deleteRun(runId); }

qint64 StoreAccess::createSweep(const QString& name, const QString& gridJson, const QString& specJson) {
    auto grid = nlohmann::json::parse(ss(gridJson));
    auto spec = specJson.isEmpty() ? nlohmann::json(nullptr) : nlohmann::json::parse(ss(specJson));
    return store_->createSweep(ss(name), grid, spec);
}

void StoreAccess::writeSweepPoints(qint64 sweepId, const QVector<SweepPointView>& points) {
    std::vector<std::pair<glr::store::SweepPointFile, std::string>> files;
    for (const auto& p : points) files.push_back({{ss(p.name), nlohmann::json::parse(ss(p.paramsJson)), ""}, ss(p.configJson)});
    glr::store::writeSweepPoints(glr::store::sweepDirectory(ss(path_), sweepId), files);
}

SweepCompletionView StoreAccess::sweepCompletion(qint64 sweepId, bool retryFailed) {
    const auto points = glr::store::readSweepPoints(glr::store::sweepDirectory(ss(path_), sweepId), sweepId);
    std::vector<nlohmann::json> params;
    for (const auto& p : points) params.push_back(p.params);
    glr::store::RunFilter filter;
    filter.sweepId = sweepId;
    const auto plans = glr::store::planSweepResume(params, store_->listRuns(filter), retryFailed);
    SweepCompletionView view;
    for (std::size_t i = 0; i < points.size(); ++i) {
        SweepCompletionView::Point p;
        p.name = qs(points[i].name);
        p.paramsJson = qs(points[i].params.dump());
        if (plans[i].action == glr::store::PointAction::Start) p.configJson = qs(glr::readFile(points[i].configFile));
        p.action = QString::fromLatin1(glr::store::toString(plans[i].action));
        p.runId = plans[i].runId;
        view.points << p;
    }
    return view;
}

namespace {

store::ResultsTable buildTable(store::RunStore& store, const ResultsTableRequest& request) {
    store::RunFilter filter;
    filter.ids = toIds(request.runIds);
    auto runs = request.runIds.isEmpty() ? std::vector<store::RunRecord>{} : store.listRuns(filter);
    // listRuns is newest first; the table keeps the order the user selected.
    std::vector<store::RunRecord> ordered;
    for (qint64 id : request.runIds)
        for (const auto& r : runs)
            if (r.id == id) ordered.push_back(r);
    auto results = ordered.empty() ? std::vector<store::ResultRow>{} : store.results(toIds(request.runIds));
    store::ResultsTableOptions options;
    options.split = ss(request.split);
    options.metrics.clear();
    for (const QString& m : request.metrics) options.metrics.push_back(ss(m));
    options.subsets.clear();
    for (const QString& s : request.subsets) options.subsets.push_back(ss(s));
    options.groupSeeds = request.groupSeeds;
    options.decimals = request.decimals;
    return store::buildResultsTable(ordered, results, options);
}

}  // namespace

ResultsGrid StoreAccess::resultsGrid(const ResultsTableRequest& request) {
    auto& store = *store_;
    const auto table = buildTable(store, request);
    ResultsGrid grid;
    grid.split = qs(table.split);
    for (const auto& column : table.columns) grid.headers << qs(column.header);
    for (const auto& row : table.rows) {
        ResultsGrid::Row out;
        out.label = qs(row.label);
        out.method = qs(row.method);
        for (auto id : row.runIds) out.runIds.push_back(id);
        for (std::size_t c = 0; c < row.cells.size(); ++c) {
            ResultsGrid::Cell cell;
            if (row.cells[c]) {
                cell.present = true;
                cell.mean = row.cells[c]->mean;
                cell.std = row.cells[c]->std;
                cell.n = row.cells[c]->n;
                cell.rows = row.cells[c]->nRows;
            }
            cell.best = c < row.best.size() && row.best[c];
            out.cells.push_back(cell);
        }
        grid.rows.push_back(std::move(out));
    }
    return grid;
}

QString StoreAccess::resultsTable(const ResultsTableRequest& request, TableExportFormat format) {
    auto& store = *store_;
    const auto table = buildTable(store, request);
    const store::TableFormat coreFormat = format == TableExportFormat::Csv        ? store::TableFormat::Csv
                                          : format == TableExportFormat::Markdown ? store::TableFormat::Markdown
                                                                                  : store::TableFormat::Latex;
    return qs(store::formatResultsTable(table, coreFormat, request.decimals));
}

QString StoreAccess::longResultsCsv(const QVector<qint64>& runIds) {
    auto& store = *store_;
    store::RunFilter filter;
    filter.ids = toIds(runIds);
    const auto runs = store.listRuns(filter);
    return qs(store::resultsCsv(runs, store.results(toIds(runIds))));
}

QString StoreAccess::seriesCsv(const QVector<qint64>& runIds, const QStringList& keys) {
    std::vector<std::string> keyList;
    for (const QString& key : keys) keyList.push_back(key.toStdString());
    std::vector<std::pair<store::RunRecord, std::vector<store::MetricPoint>>> runs;
    for (qint64 id : runIds) runs.emplace_back(store_->getRun(id), store_->metricSeriesByKeys(id, keyList));
    return qs(store::seriesCsv(runs));
}

RunComparisonSetView StoreAccess::compareRuns(const QVector<QPair<qint64, qint64>>& pairs, const QString& split,
                                              const QString& subset, const QStringList& metrics) {
    std::vector<store::RunComparison> comparisons;
    for (const auto& [runA, runB] : pairs) {
        store::ComparisonRequest request;
        request.runA = runA;
        request.runB = runB;
        request.split = split.toStdString();
        request.subset = subset.toStdString();
        request.metrics.clear();
        for (const QString& m : metrics) request.metrics.push_back(m.toStdString());
        comparisons.push_back(store::compareRuns(*store_, request));
    }
    RunComparisonSetView out;
    for (const auto& c : comparisons) {
        RunComparisonView view;
        view.runA = c.request.runA;
        view.runB = c.request.runB;
        view.split = split;
        view.subset = subset;
        view.rows = c.rows;
        view.users = c.users;
        view.onlyA = c.onlyA;
        view.onlyB = c.onlyB;
        for (const auto& l : c.lines)
            view.lines.push_back({qs(store::metricDisplayName(l.metric)), qs(l.test), l.valueA, l.valueB, l.difference,
                                  l.ci95Low, l.ci95High, l.z, l.pValue});
        out.pairs.push_back(view);
    }
    for (const auto& p : store::poolComparisons(comparisons))
        out.pooled.push_back({qs(store::metricDisplayName(p.metric)), p.pairs, p.difference, p.ci95Low, p.ci95High, p.z,
                              p.pValue, p.iSquared});
    return out;
}

}  // namespace glr::ui
