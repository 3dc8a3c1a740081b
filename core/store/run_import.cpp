// RunStore::importRuns: runs from another store file (a GPU machine's, a Slurm job's) copied in
// with SQL over an attached database, so that nothing passes through the host's types and every
// column is carried as stored.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "store/run_store_impl.h"

namespace glr::store {

namespace {

// DETACH on every path out (ATTACH and DETACH cannot run inside a transaction).
class AttachedSource {
public:
    AttachedSource(Database& db, const std::string& path) : db_(db) {
        Statement attach(db, "ATTACH DATABASE ? AS src");
        attach.bind(1, path).run();
    }
    ~AttachedSource() {
        try {
            db_.exec("DETACH DATABASE src", "detach the imported store");
        } catch (...) {
        }
    }

private:
    Database& db_;
};

struct SourceRun {
    std::int64_t id = 0;
    std::string status;
    double createdAt = 0;
    std::string host, configHash;
    std::optional<std::int64_t> resumedFrom;
};

}  // namespace

RunStore::ImportReport RunStore::importRuns(const std::string& sourcePath, const std::vector<std::int64_t>& runIds) {
    namespace fs = std::filesystem;
    Database& db = impl_->checkedDb();
    std::error_code ec;
    if (!fs::is_regular_file(sourcePath, ec)) failInput("import: {} is not a file", sourcePath);
    if (fs::equivalent(sourcePath, path(), ec)) failInput("import: {} is this store", sourcePath);
    AttachedSource attached(db, sourcePath);

    int version = -1;
    try {
        Statement s(db, "SELECT version FROM src.schema_version LIMIT 1");
        if (s.step()) version = static_cast<int>(s.integer(0));
    } catch (const std::exception&) {
        failInput("import: {} is not a GraphLoRA experiment store", sourcePath);
    }
    if (version != impl_->schemaVersion)
        failInput("import: {} has store schema version {}, this store {}; open it once with this graphlora (e.g. "
                  "`graphlora runs list --db {}`) to bring it up to date", sourcePath, version, impl_->schemaVersion, sourcePath);

    std::vector<SourceRun> runs;
    {
        Statement s(db, "SELECT id, status, created_at, host, config_hash, resumed_from FROM src.runs ORDER BY id");
        const std::set<std::int64_t> wanted(runIds.begin(), runIds.end());
        while (s.step()) {
            SourceRun r{s.integer(0), s.text(1), s.real(2), s.text(3), s.text(4), s.optInteger(5)};
            if (wanted.empty() || wanted.count(r.id)) runs.push_back(std::move(r));
        }
        for (auto id : wanted)
            if (std::none_of(runs.begin(), runs.end(), [id](const SourceRun& r) { return r.id == id; }))
                failInput("import: {} has no run {}", sourcePath, id);
    }

    ImportReport report;
    std::map<std::int64_t, std::int64_t> idHere;  // id there -> id here
    transaction([&] {
        for (const auto& run : runs) {
            if (run.status == "running") {
                report.stillRunning.push_back(run.id);
                continue;
            }
            {
                Statement same(db, "SELECT id FROM main.runs WHERE created_at = ? AND host = ? AND config_hash = ? LIMIT 1");
                same.bind(1, run.createdAt).bind(2, run.host).bind(3, run.configHash);
                if (same.step()) {
                    idHere[run.id] = same.integer(0);
                    report.alreadyHere.emplace_back(run.id, same.integer(0));
                    continue;
                }
            }
            const char* columns =
                "name, method, dataset, status, config_json, config_hash, group_hash, seed, git_commit, git_dirty, "
                "torch_version, device, host, created_at, started_at, finished_at, pid, heartbeat_at, tags_json, notes, error";
            Statement copyRun(db, fmt::format("INSERT INTO main.runs ({0}) SELECT {0} FROM src.runs WHERE id = ?", columns));
            copyRun.bind(1, run.id).run();
            const std::int64_t newId = db.lastInsertId();
            idHere[run.id] = newId;
            report.imported.emplace_back(run.id, newId);
            for (const auto& [table, rest] : std::vector<std::pair<const char*, const char*>>{
                     {"metrics", "step, epoch, split, name, value, wall_time"},
                     {"results", "split, subset, metric, value, n_rows"},
                     {"predictions", "split, uid, iid, label, score, not_cold"},
                     {"artifacts", "kind, path, step, created_at"}}) {
                Statement copy(db, fmt::format("INSERT INTO main.{0} (run_id, {1}) SELECT ?, {1} FROM src.{0} WHERE run_id = ?",
                                               table, rest));
                copy.bind(1, newId).bind(2, run.id).run();
            }
        }
        for (const auto& run : runs) {
            if (!run.resumedFrom || !idHere.count(run.id) || !idHere.count(*run.resumedFrom)) continue;
            Statement link(db, "UPDATE main.runs SET resumed_from = ? WHERE id = ? AND resumed_from IS NULL");
            link.bind(1, idHere[*run.resumedFrom]).bind(2, idHere[run.id]).run();
        }
        // Sweeps: matched by name and creation time, created here the first time one is met.
        std::map<std::int64_t, std::int64_t> sweepHere;
        Statement members(db, "SELECT m.sweep_id, m.run_id, m.params_json, s.name, s.grid_json, s.spec_json, s.created_at "
                              "FROM src.sweep_runs m JOIN src.sweeps s ON s.id = m.sweep_id ORDER BY m.sweep_id, m.run_id");
        while (members.step()) {
            const auto run = idHere.find(members.integer(1));
            if (run == idHere.end()) continue;
            const std::int64_t sweepThere = members.integer(0);
            if (!sweepHere.count(sweepThere)) {
                Statement same(db, "SELECT id FROM main.sweeps WHERE name = ? AND created_at = ? LIMIT 1");
                same.bind(1, members.text(3)).bind(2, members.real(6));
                if (same.step()) {
                    sweepHere[sweepThere] = same.integer(0);
                } else {
                    Statement create(db, "INSERT INTO main.sweeps (name, grid_json, spec_json, created_at) VALUES (?, ?, ?, ?)");
                    create.bind(1, members.text(3)).bind(2, members.text(4)).bind(3, members.text(5)).bind(4, members.real(6)).run();
                    sweepHere[sweepThere] = db.lastInsertId();
                    ++report.sweepsCreated;
                }
            }
            Statement join(db, "INSERT OR IGNORE INTO main.sweep_runs (sweep_id, run_id, params_json) VALUES (?, ?, ?)");
            join.bind(1, sweepHere[sweepThere]).bind(2, run->second).bind(3, members.text(2)).run();
        }
    });
    return report;
}

}  // namespace glr::store
