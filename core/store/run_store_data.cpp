// RunStore: metric series, final results, predictions, artifacts and sweeps.
#include <fmt/format.h>

#include "store/run_store.h"
#include "store/run_store_impl.h"
#include "util/error.h"

namespace glr::store {

using json = nlohmann::json;

namespace {

// "(?, ?, ?)" for an IN clause over `n` bound ids.
std::string placeholders(std::size_t n) {
    std::string out = "(";
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out + ")";
}

void requireRun(Database& db, std::int64_t runId) {
    Statement s(db, "SELECT 1 FROM runs WHERE id = ?");
    s.bind(1, runId);
    if (!s.step()) failInput("run {} not found in {}", runId, db.path());
}

}  // namespace

// ---- metric series ------------------------------------------------------------------------------

void RunStore::appendMetrics(std::int64_t runId, const std::vector<MetricPoint>& points) {
    if (points.empty()) return;
    Database& db = impl_->checkedDb();
    const double now = nowSeconds();
    transaction([&] {
        requireRun(db, runId);
        Statement s(db, "INSERT INTO metrics (run_id, step, epoch, split, name, value, wall_time) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)");
        for (const auto& p : points) {
            s.bind(1, runId).bind(2, p.step).bind(3, p.epoch).bind(4, p.split).bind(5, p.name).bind(6, p.value);
            s.bind(7, p.wallTime > 0 ? p.wallTime : now);
            s.run();
            s.reset();
        }
    });
}

std::vector<MetricPoint> RunStore::metricSeries(std::int64_t runId, const std::string& split,
                                                const std::string& name, std::optional<std::int64_t> sinceStep) {
    Statement s(impl_->checkedDb(),
                "SELECT step, epoch, split, name, value, wall_time FROM metrics WHERE run_id = ? "
                "AND (? = '' OR split = ?) AND (? = '' OR name = ?) AND (? IS NULL OR step > ?) "
                "ORDER BY step, rowid");
    s.bind(1, runId).bind(2, split).bind(3, split).bind(4, name).bind(5, name).bind(6, sinceStep).bind(7, sinceStep);
    std::vector<MetricPoint> out;
    while (s.step()) out.push_back({s.integer(0), s.real(1), s.text(2), s.text(3), s.real(4), s.real(5)});
    return out;
}

std::vector<MetricPoint> RunStore::metricSeriesByKeys(std::int64_t runId, const std::vector<std::string>& keys) {
    requireRun(impl_->checkedDb(), runId);
    if (keys.empty()) return metricSeries(runId);
    std::vector<MetricPoint> out;
    for (const auto& key : keys) {
        const auto slash = key.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == key.size())
            failInput("series key \"{}\" is not split/name (e.g. train/loss, valid/auc)", key);
        auto series = metricSeries(runId, key.substr(0, slash), key.substr(slash + 1));
        out.insert(out.end(), series.begin(), series.end());
    }
    return out;
}

std::int64_t RunStore::discardMetricsAfter(std::int64_t runId, std::int64_t step) {
    Database& db = impl_->checkedDb();
    std::int64_t discarded = 0;
    transaction([&] {
        requireRun(db, runId);
        Statement s(db, "DELETE FROM metrics WHERE run_id = ? AND step > ?");
        s.bind(1, runId).bind(2, step);
        s.run();
        discarded = db.changes();
    });
    return discarded;
}

std::vector<MetricSummary> RunStore::metricSummaries(std::int64_t runId) {
    Statement s(impl_->checkedDb(),
                "SELECT split, name, COUNT(*), MIN(value), MAX(value), MAX(step), "
                "(SELECT m2.value FROM metrics m2 WHERE m2.run_id = m.run_id AND m2.split = m.split "
                " AND m2.name = m.name ORDER BY m2.step DESC, m2.rowid DESC LIMIT 1) "
                "FROM metrics m WHERE run_id = ? GROUP BY split, name ORDER BY split, name");
    s.bind(1, runId);
    std::vector<MetricSummary> out;
    while (s.step()) {
        MetricSummary m;
        m.split = s.text(0);
        m.name = s.text(1);
        m.count = s.integer(2);
        m.min = s.real(3);
        m.max = s.real(4);
        m.lastStep = s.integer(5);
        m.last = s.real(6);
        out.push_back(m);
    }
    return out;
}

// ---- results ------------------------------------------------------------------------------------

void RunStore::writeResults(std::int64_t runId, const std::vector<ResultRow>& rows) {
    Database& db = impl_->checkedDb();
    transaction([&] {
        requireRun(db, runId);
        Statement s(db, "INSERT INTO results (run_id, split, subset, metric, value, n_rows) VALUES (?, ?, ?, ?, ?, ?) "
                        "ON CONFLICT (run_id, split, subset, metric) DO UPDATE SET value = excluded.value, "
                        "n_rows = excluded.n_rows");
        for (const auto& r : rows) {
            s.bind(1, runId).bind(2, r.split).bind(3, r.subset).bind(4, r.metric).bind(5, r.value).bind(6, r.nRows);
            s.run();
            s.reset();
        }
    });
}

std::vector<ResultRow> RunStore::results(const std::vector<std::int64_t>& runIds, const std::string& split) {
    std::string sql = "SELECT run_id, split, subset, metric, value, n_rows FROM results WHERE (? = '' OR split = ?)";
    if (!runIds.empty()) sql += " AND run_id IN " + placeholders(runIds.size());
    sql += " ORDER BY run_id, split, subset, metric";
    Statement s(impl_->checkedDb(), sql);
    s.bind(1, split).bind(2, split);
    for (std::size_t i = 0; i < runIds.size(); ++i) s.bind(int(i) + 3, runIds[i]);
    std::vector<ResultRow> out;
    while (s.step()) out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.real(4), s.integer(5)});
    return out;
}

// ---- predictions --------------------------------------------------------------------------------

void RunStore::writePredictions(std::int64_t runId, const std::string& split, const std::vector<PredictionRow>& rows) {
    Database& db = impl_->checkedDb();
    transaction([&] {
        requireRun(db, runId);
        Statement clear(db, "DELETE FROM predictions WHERE run_id = ? AND split = ?");
        clear.bind(1, runId).bind(2, split).run();
        Statement s(db, "INSERT INTO predictions (run_id, split, uid, iid, label, score, not_cold) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)");
        for (const auto& r : rows) {
            s.bind(1, runId).bind(2, split).bind(3, r.uid).bind(4, r.iid).bind(5, r.label).bind(6, r.score);
            s.bind(7, r.notCold ? 1 : 0);
            s.run();
            s.reset();
        }
    });
}

std::vector<PredictionRow> RunStore::predictions(std::int64_t runId, const std::string& split) {
    Statement s(impl_->checkedDb(), "SELECT uid, iid, label, score, not_cold FROM predictions "
                                    "WHERE run_id = ? AND split = ? ORDER BY rowid");
    s.bind(1, runId).bind(2, split);
    std::vector<PredictionRow> out;
    while (s.step()) out.push_back({s.integer(0), s.integer(1), int(s.integer(2)), s.real(3), s.integer(4) != 0});
    return out;
}

std::vector<std::string> RunStore::predictionSplits(std::int64_t runId) {
    Statement s(impl_->checkedDb(), "SELECT DISTINCT split FROM predictions WHERE run_id = ? ORDER BY split");
    s.bind(1, runId);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
}

// ---- artifacts ----------------------------------------------------------------------------------

std::int64_t RunStore::addArtifact(std::int64_t runId, const std::string& kind, const std::string& path,
                                   std::int64_t step) {
    Database& db = impl_->checkedDb();
    std::int64_t id = 0;
    transaction([&] {
        requireRun(db, runId);
        Statement existing(db, "SELECT id FROM artifacts WHERE run_id = ? AND kind = ? AND path = ?");
        existing.bind(1, runId).bind(2, kind).bind(3, path);
        if (existing.step()) {
            id = existing.integer(0);
            Statement update(db, "UPDATE artifacts SET step = ?, created_at = ? WHERE id = ?");
            update.bind(1, step).bind(2, nowSeconds()).bind(3, id).run();
            return;
        }
        Statement s(db, "INSERT INTO artifacts (run_id, kind, path, step, created_at) VALUES (?, ?, ?, ?, ?)");
        s.bind(1, runId).bind(2, kind).bind(3, path).bind(4, step).bind(5, nowSeconds()).run();
        id = db.lastInsertId();
    });
    return id;
}

std::vector<ArtifactRecord> RunStore::artifacts(std::int64_t runId, const std::string& kind) {
    Statement s(impl_->checkedDb(), "SELECT id, run_id, kind, path, step, created_at FROM artifacts "
                                    "WHERE run_id = ? AND (? = '' OR kind = ?) ORDER BY id");
    s.bind(1, runId).bind(2, kind).bind(3, kind);
    std::vector<ArtifactRecord> out;
    while (s.step()) out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.integer(4), s.real(5)});
    return out;
}

// ---- sweeps -------------------------------------------------------------------------------------

std::int64_t RunStore::createSweep(const std::string& name, const json& grid, const json& spec) {
    Database& db = impl_->checkedDb();
    Statement s(db, "INSERT INTO sweeps (name, grid_json, spec_json, created_at) VALUES (?, ?, ?, ?)");
    s.bind(1, name).bind(2, grid.dump()).bind(3, spec.dump()).bind(4, nowSeconds()).run();
    return db.lastInsertId();
}

void RunStore::addRunToSweep(std::int64_t sweepId, std::int64_t runId, const json& params) {
    Database& db = impl_->checkedDb();
    {
        Statement s(db, "SELECT 1 FROM sweeps WHERE id = ?");
        s.bind(1, sweepId);
        if (!s.step()) failInput("sweep {} not found in {}", sweepId, db.path());
    }
    requireRun(db, runId);
    Statement s(db, "INSERT OR REPLACE INTO sweep_runs (sweep_id, run_id, params_json) VALUES (?, ?, ?)");
    s.bind(1, sweepId).bind(2, runId).bind(3, params.dump()).run();
}

namespace {
SweepRecord readSweep(Database& db, const Statement& s) {
    SweepRecord sweep;
    sweep.id = s.integer(0);
    sweep.name = s.text(1);
    sweep.grid = json::parse(s.text(2), nullptr, false);
    sweep.spec = json::parse(s.text(3), nullptr, false);
    if (sweep.grid.is_discarded()) sweep.grid = json::object();
    if (sweep.spec.is_discarded()) sweep.spec = nullptr;
    sweep.createdAt = s.real(4);
    Statement members(db, "SELECT run_id FROM sweep_runs WHERE sweep_id = ? ORDER BY run_id");
    members.bind(1, sweep.id);
    while (members.step()) sweep.runIds.push_back(members.integer(0));
    return sweep;
}
}  // namespace

std::vector<SweepRecord> RunStore::listSweeps() {
    Database& db = impl_->checkedDb();
    Statement s(db, "SELECT id, name, grid_json, spec_json, created_at FROM sweeps ORDER BY id DESC");
    std::vector<SweepRecord> out;
    while (s.step()) out.push_back(readSweep(db, s));
    return out;
}

SweepRecord RunStore::getSweep(std::int64_t sweepId) {
    Database& db = impl_->checkedDb();
    Statement s(db, "SELECT id, name, grid_json, spec_json, created_at FROM sweeps WHERE id = ?");
    s.bind(1, sweepId);
    if (!s.step()) failInput("sweep {} not found in {}", sweepId, db.path());
    return readSweep(db, s);
}

}  // namespace glr::store
