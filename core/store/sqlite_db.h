#pragma once
// Thin RAII layer over the SQLite C API used by the store: a connection that knows its path (for
// error messages) and prepared statements with typed bind/column helpers. Every SQL statement the
// store runs goes through Statement (prepared, parameters bound — never formatted into SQL).
#include <cstdint>
#include <optional>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace glr::store {

class Database {
public:
    Database() = default;
    ~Database();
    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Opens `path` (creating it when `create`); throws InputError naming the path on failure.
    void open(const std::string& path, bool create, int busyTimeoutMs);
    void close();
    bool isOpen() const { return db_ != nullptr; }
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

    // Runs SQL without parameters (schema, pragmas, BEGIN/COMMIT). `what` names the operation.
    void exec(const std::string& sql, const char* what);
    std::int64_t lastInsertId() const;
    int changes() const;

    // Throws glr::Error "experiment store PATH: WHAT: <sqlite message>", saying so where a write
    // failed (a full disk), and InputError where the file is not a database.
    [[noreturn]] void raise(const char* what, int code) const;

private:
    sqlite3* db_ = nullptr;
    std::string path_;
};

class Statement {
public:
    Statement(Database& db, const std::string& sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binders take 1-based indices, as sqlite3_bind_*; return *this for chaining.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, std::int64_t(value)); }
    Statement& bind(int index, double value);  // NaN is stored as NULL (SQLite has no NaN)
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
    Statement& bindNull(int index);
    template <typename T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bindNull(index);
    }

    // Steps once: true while a row is available, false when done. Throws on error.
    bool step();
    // step() for statements that return no rows.
    void run();
    // Resets for re-execution with new bindings (bulk inserts).
    void reset();

    bool isNull(int column) const;
    std::int64_t integer(int column) const;
    double real(int column) const;  // NULL reads as NaN
    std::string text(int column) const;
    std::optional<double> optReal(int column) const;
    std::optional<std::int64_t> optInteger(int column) const;

private:
    Database& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace glr::store
