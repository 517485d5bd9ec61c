// A thin RAII layer over the SQLite C API: a connection, and prepared statements with typed
// binds and columns. Errors come back as values with SQLite's message and a code that says
// whether the database is still usable (error_of). One thread per
// connection at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "acd/result.hpp"

namespace acd::sql {

// SQLite's result code `rc` as an Error: io_error when the database cannot be used any more (disk
// full, I/O error, damage, read-only), store for a statement that failed alone (a constraint).
Error error_of(int rc, std::string message);

class Statement {
  public:
    Statement() = default;
    Statement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}

    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, std::string_view text);
    Statement& bind(int i, std::nullopt_t);
    Statement& bind_blob(int i, std::string_view bytes);
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind(i, std::nullopt);
    }

    // One step: true for a row, false when done. An error is returned as a Status by run().
    bool step();
    // Steps to the end, then resets: for INSERT, UPDATE, DELETE.
    Status run();
    void reset();

    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_.get(), col); }
    bool is_null(int col) const { return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL; }
    std::string_view text(int col) const;
    std::string_view blob(int col) const;

    // The error of the last step(); precondition: failed().
    const Error& error() const { return *error_; }
    bool failed() const { return error_.has_value(); }

  private:
    struct Finalize {
        void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
    };
    std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
    sqlite3* db_ = nullptr;
    std::optional<Error> error_;
};

class Db {
  public:
    static Result<Db> open(const std::filesystem::path& path, bool read_only = false);
    // A connection of a reader beside the writer (WAL): it refuses to write (query_only) and
    // waits up to 5 s for a lock the writer holds.
    static Result<Db> open_reader(const std::filesystem::path& path);

    Status exec(std::string_view sql);
    Result<Statement> prepare(std::string_view sql);
    // The first column of the first row of a query, as an integer (0 when no row).
    Result<std::int64_t> scalar(std::string_view sql);
    std::string message() const { return sqlite3_errmsg(db_.get()); }
    sqlite3* handle() const { return db_.get(); }

  private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> db_;
};

// A reader connection (Db::open_reader) opened at its first use and kept: for a module's own read
// thread. Not thread-safe: one thread uses it.
class LazyReader {
  public:
    explicit LazyReader(std::filesystem::path path) : path_(std::move(path)) {}
    // The connection, opened now if it is not yet; an error when it cannot be.
    Result<Db*> connection();

  private:
    std::filesystem::path path_;
    std::optional<Db> db_;
};

// Runs `body` in a transaction: COMMIT when it returns ok, ROLLBACK otherwise.
template <typename Body>
Status transaction(Db& db, Body&& body) {
    if (Status s = db.exec("BEGIN IMMEDIATE"); !s) return s;
    Status s = body();
    if (s) s = db.exec("COMMIT");
    if (!s) (void)db.exec("ROLLBACK");
    return s;
}

}  // namespace acd::sql
