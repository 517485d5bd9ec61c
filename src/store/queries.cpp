// The store's read side: snapshots, records, the chain's verification, backups (see
// include/acd/store.hpp).
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstring>

#include "module.hpp"
#include "store_impl.hpp"

namespace acd {

Result<std::optional<Snapshot>> Store::latest_snapshot() {
    auto stmt = impl_->reader_db.prepare(
        "SELECT audit_id, at, state FROM snapshots ORDER BY audit_id DESC LIMIT 1");
    if (!stmt) return stmt.error();
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return std::optional<Snapshot>{};
    }
    return std::optional<Snapshot>(
        Snapshot{stmt->int64(0), from_ms(stmt->int64(1)), std::string(stmt->blob(2))});
}

namespace {

Status read_records_on(sql::Db& db, std::int64_t after_id, std::optional<RecordKind> kind,
                       const std::function<bool(const AuditRecord&)>& fn) {
    auto stmt = db.prepare(
        fmt::format("SELECT {} FROM audit WHERE id > ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY id",
                    kRecordColumns));
    if (!stmt) return stmt.error();
    stmt->bind(1, after_id);
    if (kind) stmt->bind(2, to_string(*kind));
    while (stmt->step()) {
        if (!fn(record_from_row(*stmt))) break;
    }
    if (stmt->failed()) return stmt->error();
    return {};
}

}  // namespace

Status Store::read_records(std::int64_t after_id, std::optional<RecordKind> kind,
                           const std::function<bool(const AuditRecord&)>& fn) {
    return read_records_on(impl_->reader_db, after_id, kind, fn);
}

// On a connection of its own, like verify().
Result<std::string> Store::integrity_check() {
    auto db = sql::Db::open_reader(impl_->options.path);
    if (!db) return db.error();
    auto stmt = db->prepare("PRAGMA integrity_check(1)");
    if (!stmt) return stmt.error();
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return std::string("no answer from integrity_check");
    }
    return std::string(stmt->text(0));
}

// On a connection of its own: verify() may run on any thread, and for long.
Result<VerifyResult> Store::verify(std::optional<ChainHead> kept) {
    auto db = sql::Db::open_reader(impl_->options.path);
    if (!db) return db.error();
    auto format2 = format2_from(*db);
    if (!format2) return format2.error();
    VerifyResult result;
    Hash previous{};
    std::int64_t expected = 1;
    Status s = read_records_on(*db, 0, std::nullopt, [&](const AuditRecord& r) {
        if (r.id != expected) {
            result.reason = fmt::format("record {} is missing", expected);
            result.first_bad_id = expected;
        } else if (chain_hash(previous, r, *format2) != r.hash) {
            result.reason = "hash does not match the record's content and its predecessor";
            result.first_bad_id = r.id;
        }
        if (result.first_bad_id) return false;
        if (kept && r.id == kept->id) result.reaches_head = r.hash == kept->hash;
        previous = r.hash;
        ++expected;
        ++result.records;
        return true;
    });
    if (!s) return s.error();
    result.ok = !result.first_bad_id;
    result.head = previous;
    // A log that ends before the head, or breaks before it, does not reach it.
    if (kept && !result.reaches_head) result.reaches_head = kept->id == 0;
    return result;
}

Result<std::int64_t> Store::backup(const std::filesystem::path& destination) {
    // Created here, exclusively and private (it holds health data): never over a file that
    // appeared meanwhile, never readable by others whatever the umask. SQLite takes an empty file.
    const int fd = ::open(destination.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return Error{ErrorCode::store,
                         fmt::format("{} exists already: choose a new file", destination.string())};
        return Error{ErrorCode::store, fmt::format("cannot create {}: {}", destination.string(),
                                                   std::strerror(errno))};
    }
    ::close(fd);
    std::error_code ec;
    auto source = sql::Db::open(impl_->options.path);
    auto target = source ? sql::Db::open(destination) : Result<sql::Db>(source.error());
    if (!target) {
        std::filesystem::remove(destination, ec);
        return target.error();
    }
    sqlite3_backup* copy = sqlite3_backup_init(target->handle(), "main", source->handle(), "main");
    if (copy == nullptr)
        return Error{ErrorCode::store, "cannot start the backup: " + target->message()};
    // Everything in one step: the copy is of one consistent read transaction.
    const int rc = sqlite3_backup_step(copy, -1);
    sqlite3_backup_finish(copy);
    if (rc != SQLITE_DONE) {
        std::filesystem::remove(destination, ec);
        return Error{ErrorCode::store, fmt::format("backup to {} failed: {}", destination.string(),
                                                   sqlite3_errstr(rc))};
    }
    return target->scalar("SELECT count(*) FROM audit");
}

namespace {
Result<std::vector<AuditRecord>> collect(sql::Db& db, std::string_view query,
                                         const std::function<void(sql::Statement&)>& bind) {
    auto stmt = db.prepare(query);
    if (!stmt) return stmt.error();
    bind(*stmt);
    std::vector<AuditRecord> out;
    while (stmt->step())
        out.push_back(record_from_row(*stmt));
    if (stmt->failed()) return stmt->error();
    return out;
}

std::string prefixed(std::string_view prefix) {
    std::string out;
    std::string_view rest = kRecordColumns;
    while (!rest.empty()) {
        const auto comma = rest.find(", ");
        out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, rest.substr(0, comma));
        rest = comma == std::string_view::npos ? "" : rest.substr(comma + 2);
    }
    return out;
}
}  // namespace

// The side index per call (audit_calls) names the records; each is then found by its id.
Result<std::vector<AuditRecord>> Store::records_for_call(std::string_view gateway,
                                                         std::string_view call_id) {
    static const std::string query = fmt::format(
        "SELECT {} FROM audit_calls x JOIN audit a ON a.id = x.record "
        "WHERE x.call_id = ?1 AND x.gateway = ?2 ORDER BY x.record",
        prefixed("a."));
    return collect(impl_->reader_db, query,
                   [&](sql::Statement& s) { s.bind(1, call_id).bind(2, gateway); });
}

// The time range first (audit_by_at), then each record's agents (audit_agents, by record).
Result<std::vector<AuditRecord>> Store::records_for_agent(std::string_view agent, Time from,
                                                          Time to) {
    static const std::string query = fmt::format(
        "SELECT {} FROM audit WHERE at >= ?1 AND at < ?2 AND EXISTS (SELECT 1 FROM audit_agents "
        "x WHERE x.record = audit.id AND x.agent = ?3) ORDER BY id",
        kRecordColumns);
    return collect(impl_->reader_db, query,
                   [&](sql::Statement& s) { s.bind(1, ms(from)).bind(2, ms(to)).bind(3, agent); });
}

namespace store {

Result<std::vector<AuditRecord>> records_of_type(sql::Db& db, std::string_view type, Time since) {
    static const std::string query = fmt::format(
        "SELECT {} FROM audit WHERE at >= ?1 AND type = ?2 ORDER BY id", kRecordColumns);
    return collect(db, query, [&](sql::Statement& s) { s.bind(1, ms(since)).bind(2, type); });
}

}  // namespace store
}  // namespace acd
