#include "sqlite.hpp"

#include <fmt/format.h>

namespace acd::sql {

Error error_of(int rc, std::string message) {
    switch (rc & 0xff) {  // the primary code of an extended one
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_CANTOPEN:
        case SQLITE_READONLY:
        case SQLITE_NOMEM:
        case SQLITE_PROTOCOL:
            return Error{ErrorCode::io_error, std::move(message)};
        default:
            return Error{ErrorCode::store, std::move(message)};
    }
}

Statement& Statement::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_.get(), i, v);
    return *this;
}
Statement& Statement::bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_.get(), i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}
Statement& Statement::bind(int i, std::nullopt_t) {
    sqlite3_bind_null(stmt_.get(), i);
    return *this;
}
Statement& Statement::bind_blob(int i, std::string_view bytes) {
    sqlite3_bind_blob(stmt_.get(), i, bytes.data(), static_cast<int>(bytes.size()),
                      SQLITE_TRANSIENT);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_.get());
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) error_ = error_of(rc, sqlite3_errmsg(db_));
    return false;
}

Status Statement::run() {
    error_.reset();
    while (step()) {
    }
    reset();
    if (failed()) return *error_;
    return {};
}

void Statement::reset() {
    sqlite3_reset(stmt_.get());
    sqlite3_clear_bindings(stmt_.get());
}

std::string_view Statement::text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), col));
    return p == nullptr ? std::string_view{}
                        : std::string_view(
                              p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

std::string_view Statement::blob(int col) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), col));
    return p == nullptr ? std::string_view{}
                        : std::string_view(
                              p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

Result<Db> Db::open_reader(const std::filesystem::path& path) {
    auto db = open(path);
    if (!db) return db;
    if (Status s = db->exec("PRAGMA query_only = 1; PRAGMA busy_timeout = 5000"); !s) {
        return s.error();
    }
    return db;
}

Result<Db*> LazyReader::connection() {
    if (db_) return &*db_;
    auto opened = Db::open_reader(path_);
    if (!opened) return opened.error();
    db_ = std::move(*opened);
    return &*db_;
}

Result<Db> Db::open(const std::filesystem::path& path, bool read_only) {
    // SQLite counts every allocation under a global mutex unless told not to; acdd never reads
    // those counts. Must come before SQLite initializes: a later call is refused, harmlessly.
    static const int memstatus_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)memstatus_off;
    sqlite3* raw = nullptr;
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db;
    db.db_.reset(raw);
    if (rc != SQLITE_OK) {
        return error_of(rc, fmt::format("cannot open {}: {}", path.string(),
                                        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    return db;
}

Status Db::exec(std::string_view sql) {
    char* err = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return {};
    Error e = error_of(rc, err != nullptr ? err : message());
    sqlite3_free(err);
    return e;
}

Result<Statement> Db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error_of(rc, fmt::format("{} (in: {})", message(), sql));
    return Statement(stmt, db_.get());
}

Result<std::int64_t> Db::scalar(std::string_view sql) {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    const bool row = stmt->step();
    if (stmt->failed()) return stmt->error();
    return row ? stmt->int64(0) : 0;
}

}  // namespace acd::sql
