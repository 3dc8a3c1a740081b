// RunStore: opening, migrations, transactions, run records and crash detection. Series, results,
// predictions, artifacts and sweeps live in run_store_data.cpp.
#include "store/run_store.h"

#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "config/experiment_config.h"
#include "store/run_store_impl.h"
#include "util/build_info.h"
#include "util/error.h"

namespace glr::store {

using json = nlohmann::json;
namespace fs = std::filesystem;

// ---- free functions -----------------------------------------------------------------------------

namespace {

constexpr const char* kStatusNames[] = {"queued", "running", "finished", "failed", "interrupted"};

std::string hostName() {
    char buffer[256] = {};
    if (gethostname(buffer, sizeof(buffer) - 1) != 0) return "";
    return buffer;
}

// Columns read by readRun(), in order.
constexpr const char* kRunColumns =
    "id, name, method, dataset, status, config_json, config_hash, group_hash, seed, git_commit, "
    "git_dirty, torch_version, device, host, created_at, started_at, finished_at, pid, heartbeat_at, "
    "tags_json, notes, error, resumed_from, "
    "(SELECT sweep_id FROM sweep_runs WHERE run_id = runs.id ORDER BY sweep_id LIMIT 1), "
    "(SELECT params_json FROM sweep_runs WHERE run_id = runs.id ORDER BY sweep_id LIMIT 1)";

json parseJsonColumn(const std::string& text, const json& fallback) {
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    return value.is_discarded() ? fallback : value;
}

RunRecord readRun(const Statement& s) {
    RunRecord r;
    r.id = s.integer(0);
    r.name = s.text(1);
    r.method = s.text(2);
    r.dataset = s.text(3);
    r.status = runStatusFromString(s.text(4));
    r.configJson = s.text(5);
    r.configHash = s.text(6);
    r.groupHash = s.text(7);
    r.seed = s.integer(8);
    r.gitCommit = s.text(9);
    r.gitDirty = s.integer(10) != 0;
    r.torchVersion = s.text(11);
    r.device = s.text(12);
    r.host = s.text(13);
    r.createdAt = s.real(14);
    r.startedAt = s.optReal(15);
    r.finishedAt = s.optReal(16);
    r.pid = s.integer(17);
    r.heartbeatAt = s.optReal(18);
    json tags = parseJsonColumn(s.text(19), json::array());
    if (tags.is_array())
        for (const auto& t : tags)
            if (t.is_string()) r.tags.push_back(t.get<std::string>());
    r.notes = s.text(20);
    r.error = s.text(21);
    r.resumedFrom = s.optInteger(22);
    r.sweepId = s.optInteger(23);
    r.sweepParams = s.isNull(24) ? json(nullptr) : parseJsonColumn(s.text(24), nullptr);
    return r;
}

std::string tagsJson(const std::vector<std::string>& tags) { return json(tags).dump(); }

}  // namespace

std::string toString(RunStatus status) { return kStatusNames[int(status)]; }

RunStatus runStatusFromString(const std::string& name) {
    for (int i = 0; i < 5; ++i)
        if (name == kStatusNames[i]) return RunStatus(i);
    failInput("unknown run status \"{}\" (expected queued, running, finished, failed or interrupted)", name);
}

std::string defaultStorePath() {
    const char* env = std::getenv("GRAPHLORA_DB");
    if (env && *env) return env;
    return "runs.sqlite";
}

std::string artifactsRoot(const std::string& storePath) {
    const std::filesystem::path store = std::filesystem::absolute(storePath);
    return (store.parent_path() / (store.stem().string() + "-artifacts")).string();
}

double nowSeconds() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string formatTime(std::optional<double> unixSeconds) {
    if (!unixSeconds) return "";
    std::time_t t = std::time_t(*unixSeconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof(buffer), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buffer;
}

json RunRecord::config() const { return parseJsonColumn(configJson, json::object()); }

NewRun NewRun::fromConfig(const config::ExperimentConfig& cfg, const std::string& torchVersion) {
    NewRun run;
    run.name = cfg.name;
    run.method = config::toString(cfg.method.name);
    run.dataset = cfg.data.dir.empty() ? "" : fs::path(cfg.data.dir).filename().string();
    run.configJson = cfg.canonical.dump();
    run.configHash = cfg.hash.empty() ? config::configHash(cfg.canonical) : cfg.hash;
    run.groupHash = config::configGroupHash(cfg.canonical);
    run.seed = cfg.seed;
    run.torchVersion = torchVersion;
    run.device = cfg.model.device;
    run.tags = cfg.tags;
    run.notes = cfg.notes;
    return run;
}

// ---- lifetime -----------------------------------------------------------------------------------

RunStore::RunStore() : impl_(std::make_unique<Impl>()) {}
RunStore::RunStore(const std::string& path, const OpenOptions& options) : RunStore() { open(path, options); }
RunStore::~RunStore() = default;
// A moved-from store is closed but usable (open() again), never a null state.
RunStore::RunStore(RunStore&& other) noexcept : impl_(std::move(other.impl_)) {
    other.impl_ = std::make_unique<Impl>();
}
RunStore& RunStore::operator=(RunStore&& other) noexcept {
    if (this != &other) {
        impl_ = std::move(other.impl_);
        other.impl_ = std::make_unique<Impl>();
    }
    return *this;
}

int RunStore::latestSchemaVersion() { return int(schemaMigrations().size()); }

void RunStore::open(const std::string& path, const OpenOptions& options) {
    if (!impl_) impl_ = std::make_unique<Impl>();
    impl_->db.open(path, options.create, options.busyTimeoutMs);
    impl_->options = options;
    impl_->host = hostName();
    impl_->transactionDepth = 0;
    try {
        Database& db = impl_->db;
        // WAL lets readers (the UI, `runs list`) work while a trainer writes; NORMAL sync is
        // durable against process death (the case that matters here), not only power loss.
        db.exec("PRAGMA journal_mode = WAL", "enable WAL");
        db.exec("PRAGMA synchronous = NORMAL", "set synchronous");
        db.exec("PRAGMA foreign_keys = ON", "enable foreign keys");

        // One migration per transaction; the version is re-read inside each transaction so two
        // processes opening a new file at once do not both apply a step.
        const auto& migrations = schemaMigrations();
        while (true) {
            db.exec("BEGIN IMMEDIATE", "begin migration");
            try {
                db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                        "create schema_version");
                int version = 0;
                {
                    Statement s(db, "SELECT version FROM schema_version LIMIT 1");
                    if (s.step()) version = int(s.integer(0));
                }
                if (version > int(migrations.size()))
                    failInput("experiment store {}: schema version {} is newer than this build supports ({}); "
                              "use a newer graphlora",
                              path, version, migrations.size());
                if (version == int(migrations.size())) {
                    db.exec("COMMIT", "commit");
                    impl_->schemaVersion = version;
                    break;
                }
                db.exec(migrations[std::size_t(version)], "migrate schema");
                db.exec("DELETE FROM schema_version", "update schema_version");
                Statement s(db, "INSERT INTO schema_version (version) VALUES (?)");
                s.bind(1, version + 1).run();
                db.exec("COMMIT", "commit migration");
            } catch (...) {
                try {
                    db.exec("ROLLBACK", "rollback migration");
                } catch (...) {
                }
                throw;
            }
        }
        if (options.reapDeadRuns) reapDeadRuns();
    } catch (...) {
        impl_->db.close();
        throw;
    }
}

void RunStore::close() {
    if (impl_) impl_->db.close();
}

bool RunStore::isOpen() const { return impl_ && impl_->db.isOpen(); }

const std::string& RunStore::path() const { return impl_->db.path(); }

int RunStore::schemaVersion() const { return impl_->schemaVersion; }

// ---- transactions -------------------------------------------------------------------------------

void RunStore::beginTransaction() {
    Database& db = impl_->checkedDb();
    if (impl_->transactionDepth++ == 0) {
        try {
            db.exec("BEGIN IMMEDIATE", "begin transaction");
        } catch (...) {
            impl_->transactionDepth = 0;
            throw;
        }
    }
}

void RunStore::commitTransaction() {
    if (--impl_->transactionDepth == 0) {
        try {
            impl_->db.exec("COMMIT", "commit");
        } catch (...) {
            try {
                impl_->db.exec("ROLLBACK", "rollback");
            } catch (...) {
            }
            throw;
        }
    }
}

void RunStore::rollbackTransaction() {
    // Inner scopes only unwind; the outermost scope rolls the whole transaction back.
    if (--impl_->transactionDepth == 0) {
        try {
            impl_->db.exec("ROLLBACK", "rollback");
        } catch (...) {
        }
    }
}

std::string RunStore::integrityCheck() {
    Statement s(impl_->checkedDb(), "PRAGMA integrity_check");
    std::string out;
    while (s.step()) out += (out.empty() ? "" : "\n") + s.text(0);
    return out;
}

// ---- runs ---------------------------------------------------------------------------------------

std::int64_t RunStore::createRun(const NewRun& run) {
    Database& db = impl_->checkedDb();
    std::int64_t id = 0;
    transaction([&] {
        Statement s(db,
                    "INSERT INTO runs (name, method, dataset, status, config_json, config_hash, group_hash, "
                    "seed, git_commit, git_dirty, torch_version, device, host, created_at, tags_json, notes, "
                    "resumed_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        s.bind(1, run.name)
            .bind(2, run.method)
            .bind(3, run.dataset)
            .bind(4, toString(run.status))
            .bind(5, run.configJson.empty() ? std::string("{}") : run.configJson)
            .bind(6, run.configHash)
            .bind(7, run.groupHash)
            .bind(8, run.seed)
            .bind(9, std::string(buildGitCommit()))
            .bind(10, buildGitDirty() ? 1 : 0)
            .bind(11, run.torchVersion)
            .bind(12, run.device)
            .bind(13, impl_->host)
            .bind(14, nowSeconds())
            .bind(15, tagsJson(run.tags))
            .bind(16, run.notes)
            .bind(17, run.resumedFrom);
        s.run();
        id = db.lastInsertId();
        if (run.sweepId) addRunToSweep(*run.sweepId, id, run.sweepParams.is_null() ? json::object() : run.sweepParams);
        if (run.status == RunStatus::Running) setStatus(id, RunStatus::Running);
    });
    return id;
}

namespace {
void requireChanged(Database& db, std::int64_t runId) {
    if (db.changes() == 0) failInput("run {} not found in {}", runId, db.path());
}
}  // namespace

void RunStore::setStatus(std::int64_t runId, RunStatus status, const std::string& error) {
    Database& db = impl_->checkedDb();
    const double now = nowSeconds();
    if (status == RunStatus::Running) {
        Statement s(db,
                    "UPDATE runs SET status = 'running', started_at = COALESCE(started_at, ?), pid = ?, "
                    "host = ?, heartbeat_at = ?, finished_at = NULL, error = ? WHERE id = ?");
        s.bind(1, now).bind(2, std::int64_t(getpid())).bind(3, impl_->host).bind(4, now).bind(5, error).bind(6, runId);
        s.run();
    } else if (status == RunStatus::Queued) {
        Statement s(db, "UPDATE runs SET status = 'queued', finished_at = NULL, error = ? WHERE id = ?");
        s.bind(1, error).bind(2, runId).run();
    } else {
        Statement s(db, "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?");
        s.bind(1, toString(status)).bind(2, now).bind(3, error).bind(4, runId).run();
    }
    requireChanged(db, runId);
}

void RunStore::heartbeat(std::int64_t runId) {
    Database& db = impl_->checkedDb();
    Statement s(db, "UPDATE runs SET heartbeat_at = ?, pid = ? WHERE id = ?");
    s.bind(1, nowSeconds()).bind(2, std::int64_t(getpid())).bind(3, runId).run();
    requireChanged(db, runId);
}

int RunStore::reapDeadRuns() {
    Database& db = impl_->checkedDb();
    struct Candidate {
        std::int64_t id, pid;
        std::string host;
        std::optional<double> lastSign;
    };
    std::vector<Candidate> running;
    {
        Statement s(db, "SELECT id, pid, host, COALESCE(heartbeat_at, started_at, created_at) FROM runs "
                        "WHERE status = 'running'");
        while (s.step()) running.push_back({s.integer(0), s.integer(1), s.text(2), s.optReal(3)});
    }
    const double now = nowSeconds();
    int marked = 0;
    for (const auto& run : running) {
        std::string reason;
        // kill(pid, 0): ESRCH = no such process; EPERM = alive under another user.
        if (run.pid > 0 && run.host == impl_->host && kill(pid_t(run.pid), 0) != 0 && errno == ESRCH)
            reason = fmt::format("process {} ended without finishing the run (killed or crashed)", run.pid);
        else if (run.lastSign && now - *run.lastSign > impl_->options.staleAfterSeconds)
            reason = fmt::format("no heartbeat for {:.0f} s (process {} on {} presumed dead)", now - *run.lastSign,
                                 run.pid, run.host.empty() ? "unknown host" : run.host);
        if (reason.empty()) continue;
        Statement s(db, "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? "
                        "WHERE id = ? AND status = 'running'");
        s.bind(1, run.lastSign.value_or(now)).bind(2, reason).bind(3, run.id).run();
        marked += db.changes();
    }
    return marked;
}

std::optional<RunRecord> RunStore::findRun(std::int64_t runId) {
    Statement s(impl_->checkedDb(), fmt::format("SELECT {} FROM runs WHERE id = ?", kRunColumns));
    s.bind(1, runId);
    if (!s.step()) return std::nullopt;
    return readRun(s);
}

RunRecord RunStore::getRun(std::int64_t runId) {
    auto run = findRun(runId);
    if (!run) failInput("run {} not found in {}", runId, impl_->db.path());
    return *run;
}

std::vector<RunRecord> RunStore::listRuns(const RunFilter& filter) {
    try {
        reapDeadRuns();
    } catch (const Error&) {
        // A store we may not write to (read-only copy, locked past the busy timeout) still lists.
    }
    std::string sql = fmt::format("SELECT {} FROM runs WHERE 1", kRunColumns);
    // Conditions are fixed text; only bound parameters vary.
    if (filter.method) sql += " AND method = :method";
    if (filter.dataset) sql += " AND dataset = :dataset";
    if (filter.status) sql += " AND status = :status";
    if (filter.nameContains) sql += " AND instr(name, :name) > 0";
    if (filter.sweepId) sql += " AND id IN (SELECT run_id FROM sweep_runs WHERE sweep_id = :sweep)";
    sql += " ORDER BY id DESC";
    Statement s(impl_->checkedDb(), sql);
    int index = 1;
    if (filter.method) s.bind(index++, *filter.method);
    if (filter.dataset) s.bind(index++, *filter.dataset);
    if (filter.status) s.bind(index++, toString(*filter.status));
    if (filter.nameContains) s.bind(index++, *filter.nameContains);
    if (filter.sweepId) s.bind(index++, *filter.sweepId);
    std::vector<RunRecord> runs;
    while (s.step()) {
        RunRecord run = readRun(s);
        if (!filter.ids.empty() && std::find(filter.ids.begin(), filter.ids.end(), run.id) == filter.ids.end())
            continue;
        if (filter.tag && std::find(run.tags.begin(), run.tags.end(), *filter.tag) == run.tags.end()) continue;
        runs.push_back(std::move(run));
        if (filter.limit > 0 && int(runs.size()) >= filter.limit) break;
    }
    return runs;
}

void RunStore::renameRun(std::int64_t runId, const std::string& name) {
    Database& db = impl_->checkedDb();
    Statement s(db, "UPDATE runs SET name = ? WHERE id = ?");
    s.bind(1, name).bind(2, runId).run();
    requireChanged(db, runId);
}

void RunStore::setTags(std::int64_t runId, const std::vector<std::string>& tags) {
    Database& db = impl_->checkedDb();
    Statement s(db, "UPDATE runs SET tags_json = ? WHERE id = ?");
    s.bind(1, tagsJson(tags)).bind(2, runId).run();
    requireChanged(db, runId);
}

void RunStore::setNotes(std::int64_t runId, const std::string& notes) {
    Database& db = impl_->checkedDb();
    Statement s(db, "UPDATE runs SET notes = ? WHERE id = ?");
    s.bind(1, notes).bind(2, runId).run();
    requireChanged(db, runId);
}

void RunStore::deleteRun(std::int64_t runId) {
    Database& db = impl_->checkedDb();
    Statement s(db, "DELETE FROM runs WHERE id = ?");
    s.bind(1, runId).run();
    requireChanged(db, runId);
}

}  // namespace glr::store
