// The store's schema as a list of migrations. Never edit a released step: append a new one.
// Times are unix seconds (REAL). JSON columns hold text produced by nlohmann::json::dump().
#include <vector>

#include "store/run_store_impl.h"

namespace glr::store {

const std::vector<const char*>& schemaMigrations() {
    static const std::vector<const char*> migrations = {
        // ---- version 1 ----
        R"sql(
CREATE TABLE sweeps (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    grid_json   TEXT NOT NULL DEFAULT '{}',
    spec_json   TEXT NOT NULL DEFAULT 'null',
    created_at  REAL NOT NULL
);
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL DEFAULT '',
    method        TEXT NOT NULL DEFAULT '',
    dataset       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL
                  CHECK (status IN ('queued', 'running', 'finished', 'failed', 'interrupted')),
    config_json   TEXT NOT NULL DEFAULT '{}',
    config_hash   TEXT NOT NULL DEFAULT '',
    group_hash    TEXT NOT NULL DEFAULT '',
    seed          INTEGER NOT NULL DEFAULT 0,
    git_commit    TEXT NOT NULL DEFAULT '',
    git_dirty     INTEGER NOT NULL DEFAULT 0,
    torch_version TEXT NOT NULL DEFAULT '',
    device        TEXT NOT NULL DEFAULT '',
    host          TEXT NOT NULL DEFAULT '',
    created_at    REAL NOT NULL,
    started_at    REAL,
    finished_at   REAL,
    pid           INTEGER NOT NULL DEFAULT 0,
    heartbeat_at  REAL,
    tags_json     TEXT NOT NULL DEFAULT '[]',
    notes         TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    resumed_from  INTEGER REFERENCES runs(id) ON DELETE SET NULL
);
CREATE INDEX runs_by_status ON runs(status);
CREATE INDEX runs_by_group ON runs(group_hash);
CREATE TABLE sweep_runs (
    sweep_id    INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    params_json TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (sweep_id, run_id)
);
CREATE INDEX sweep_runs_by_run ON sweep_runs(run_id);
CREATE TABLE metrics (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step      INTEGER NOT NULL,
    epoch     REAL NOT NULL DEFAULT 0,
    split     TEXT NOT NULL,
    name      TEXT NOT NULL,
    value     REAL,              -- NULL holds NaN (SQLite has no NaN)
    wall_time REAL NOT NULL
);
CREATE INDEX metrics_by_series ON metrics(run_id, split, name, step);
CREATE TABLE results (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    split   TEXT NOT NULL,
    subset  TEXT NOT NULL,
    metric  TEXT NOT NULL,
    value   REAL,
    n_rows  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, split, subset, metric)
);
CREATE TABLE predictions (
    run_id   INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    split    TEXT NOT NULL,
    uid      INTEGER NOT NULL,
    iid      INTEGER NOT NULL,
    label    INTEGER NOT NULL,
    score    REAL,
    not_cold INTEGER NOT NULL
);
CREATE INDEX predictions_by_run ON predictions(run_id, split);
CREATE TABLE artifacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    path       TEXT NOT NULL,
    step       INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL
);
CREATE INDEX artifacts_by_run ON artifacts(run_id, kind);
)sql",
    };
    return migrations;
}

}  // namespace glr::store
