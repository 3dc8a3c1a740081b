#include "store/sqlite_db.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "util/error.h"

namespace glr::store {

namespace fs = std::filesystem;

namespace {

// SQLite calls a failed write "disk I/O error" (or "database or disk is full"): say what it most
// likely means and that the store is intact. A failing statement or transaction is rolled back,
// so everything committed before it stays readable.
bool isWriteFailure(int code) {
    switch (code) {
    case SQLITE_FULL:
    case SQLITE_IOERR_WRITE:
    case SQLITE_IOERR_FSYNC:
    case SQLITE_IOERR_DIR_FSYNC:
    case SQLITE_IOERR_TRUNCATE:
    case SQLITE_IOERR_SHMSIZE:
        return true;
    default:
        return false;
    }
}

[[noreturn]] void failStore(const std::string& path, const std::string& what, const std::string& message, int code) {
    if ((code & 0xff) == SQLITE_NOTADB) failInput("experiment store {}: not an SQLite database ({})", path, message);
    if (isWriteFailure(code))
        fail("experiment store {}: {}: {} (writing to the file failed: is the disk full? This write was rolled back; "
             "everything stored before it is kept)",
             path, what, message);
    fail("experiment store {}: {}: {}", path, what, message);
}

// "INSERT INTO metrics" for an error message: the statement's first words.
std::string statementLabel(sqlite3_stmt* stmt) {
    const char* sql = stmt ? sqlite3_sql(stmt) : nullptr;
    const std::string text = sql ? sql : "";
    std::istringstream words(text.substr(0, text.find('(')));
    std::string word, label;
    for (int n = 0; n < 3 && words >> word; ++n) label += (n ? " " : "") + word;
    return label.empty() ? "statement" : label;
}

}  // namespace

Database::~Database() { close(); }

Database::Database(Database&& other) noexcept : db_(other.db_), path_(std::move(other.path_)) {
    other.db_ = nullptr;
}

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        close();
        db_ = other.db_;
        path_ = std::move(other.path_);
        other.db_ = nullptr;
    }
    return *this;
}

void Database::open(const std::string& path, bool create, int busyTimeoutMs) {
    close();
    path_ = path;
    if (path.empty()) failInput("experiment store: empty database path");
    // SQLite's own message for these cases is "unable to open database file": say which case.
    std::error_code ec;
    if (fs::is_directory(path, ec))
        failInput("experiment store {}: is a directory, expected a database file", path);
    bool exists = fs::exists(path, ec);
    if (!exists && !create)
        failInput("experiment store {}: no such file (give --db PATH or set GRAPHLORA_DB)", path);
    if (!exists) {
        fs::path parent = fs::absolute(fs::path(path), ec).parent_path();
        if (!fs::is_directory(parent, ec))
            failInput("experiment store {}: directory {} does not exist", path, parent.string());
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        failInput("experiment store {}: cannot open ({})", path, message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busyTimeoutMs);
}

void Database::close() {
    if (db_) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
    }
}

void Database::exec(const std::string& sql, const char* what) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        failStore(path_, what, text, rc);
    }
}

std::int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

void Database::raise(const char* what, int code) const {
    failStore(path_, what, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(code), code);
}

Statement::Statement(Database& db, const std::string& sql) : db_(db) {
    int rc = sqlite3_prepare_v2(db.handle(), sql.c_str(), int(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK) db_.raise("prepare", rc);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
    int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_.raise("bind", rc);
    return *this;
}

Statement& Statement::bind(int index, double value) {
    int rc = std::isnan(value) ? sqlite3_bind_null(stmt_, index) : sqlite3_bind_double(stmt_, index, value);
    if (rc != SQLITE_OK) db_.raise("bind", rc);
    return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
    int rc = sqlite3_bind_text(stmt_, index, value.data(), int(value.size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) db_.raise("bind", rc);
    return *this;
}

Statement& Statement::bindNull(int index) {
    int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) db_.raise("bind", rc);
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    db_.raise(statementLabel(stmt_).c_str(), rc);
}

void Statement::run() {
    while (step()) {
    }
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::real(int column) const {
    return isNull(column) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(stmt_, column);
}
std::string Statement::text(int column) const {
    const auto* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(stmt_, column)))
             : std::string();
}
std::optional<double> Statement::optReal(int column) const {
    if (isNull(column)) return std::nullopt;
    return sqlite3_column_double(stmt_, column);
}
std::optional<std::int64_t> Statement::optInteger(int column) const {
    if (isNull(column)) return std::nullopt;
    return sqlite3_column_int64(stmt_, column);
}

}  // namespace glr::store
