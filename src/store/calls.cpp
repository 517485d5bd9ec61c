// The calls table: every finished call (ended or rejected), written by the journal's batches and
// read for the service figures and the caller history (docs/storage.md).
#include "module.hpp"
#include "store_impl.hpp"

namespace acd {

namespace {

constexpr std::string_view kCallColumns =
    "gateway, call_id, caller, specialty, class, enqueued_at, answered_at, ended_at, outcome, "
    "agent, team, overflowed";

CallSnapshot call_from_row(const sql::Statement& row) {
    CallSnapshot c;
    c.gateway = std::string(row.text(0));
    c.call_id = std::string(row.text(1));
    c.caller = std::string(row.text(2));
    c.specialty = std::string(row.text(3));
    c.call_class = parse_call_class(row.text(4)).value_or(CallClass::appointment);
    c.enqueued_at = from_ms(row.int64(5));
    if (!row.is_null(6)) c.answered_at = from_ms(row.int64(6));
    c.ended_at = from_ms(row.int64(7));
    c.outcome = parse_outcome(row.text(8)).value_or(Outcome::abandoned);
    c.state = CallState::ended;
    c.agent = std::string(row.text(9));
    c.team = std::string(row.text(10));
    c.overflowed = row.int64(11) != 0;
    return c;
}

}  // namespace

Status bind_call(sql::Statement& insert, const CallSnapshot& c) {
    return insert.bind(1, c.gateway)
        .bind(2, c.call_id)
        .bind(3, c.caller)
        .bind(4, c.specialty)
        .bind(5, to_string(c.call_class))
        .bind(6, ms(c.enqueued_at))
        .bind(7, c.answered_at ? std::optional<std::int64_t>(ms(*c.answered_at)) : std::nullopt)
        .bind(8, ms(c.ended_at.value_or(c.enqueued_at)))
        .bind(9, to_string(c.outcome.value_or(Outcome::abandoned)))
        .bind(10, null_if_empty(c.agent))
        .bind(11, null_if_empty(c.team))
        .bind(12, std::int64_t(c.overflowed))
        .run();
}

Result<std::vector<CallSnapshot>> calls_where(sql::Db& db, std::string_view where,
                                              const std::function<void(sql::Statement&)>& bind) {
    auto stmt = db.prepare(fmt::format("SELECT {} FROM calls WHERE {}", kCallColumns, where));
    if (!stmt) return stmt.error();
    bind(*stmt);
    std::vector<CallSnapshot> out;
    while (stmt->step())
        out.push_back(call_from_row(*stmt));
    if (stmt->failed()) return stmt->error();
    return out;
}

Result<std::vector<CallSnapshot>> Store::finished_calls(Time since) {
    return calls_where(impl_->reader_db, "enqueued_at >= ?1 ORDER BY enqueued_at, id",
                       [&](sql::Statement& s) { s.bind(1, ms(since)); });
}

namespace store {

Result<std::vector<CallSnapshot>> calls_of(sql::Db& db, std::string_view caller, int limit) {
    return calls_where(db, "caller = ?1 ORDER BY enqueued_at DESC, id DESC LIMIT ?2",
                       [&](sql::Statement& s) { s.bind(1, caller).bind(2, std::int64_t(limit)); });
}

Result<std::int64_t> count_calls_of(sql::Db& db, std::string_view caller) {
    auto stmt = db.prepare("SELECT count(*) FROM calls WHERE caller = ?1");
    if (!stmt) return stmt.error();
    stmt->bind(1, caller);
    const std::int64_t n = stmt->step() ? stmt->int64(0) : 0;
    if (stmt->failed()) return stmt->error();
    return n;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> call_counts(sql::Db& db) {
    auto stmt = db.prepare("SELECT caller, count(*) FROM calls GROUP BY caller");
    if (!stmt) return stmt.error();
    std::vector<std::pair<std::string, std::int64_t>> out;
    while (stmt->step())
        out.emplace_back(std::string(stmt->text(0)), stmt->int64(1));
    if (stmt->failed()) return stmt->error();
    return out;
}

Result<std::optional<CallSnapshot>> find_finished_call(sql::Db& db, std::string_view call_id,
                                                       std::string_view gateway) {
    auto found =
        calls_where(db, "call_id = ?1 AND (?2 = '' OR gateway = ?2) ORDER BY id DESC LIMIT 1",
                    [&](sql::Statement& s) { s.bind(1, call_id).bind(2, gateway); });
    if (!found) return found.error();
    if (found->empty()) return std::optional<CallSnapshot>{};
    return std::optional<CallSnapshot>(std::move(found->front()));
}

Result<std::int64_t> relink_calls(WriteContext& ctx, std::string_view caller, std::string_view to) {
    sql::Db& db = connection(ctx);
    auto stmt = db.prepare("UPDATE calls SET caller = ?1 WHERE caller = ?2");
    if (!stmt) return stmt.error();
    if (Status s = stmt->bind(1, to).bind(2, caller).run(); !s) return s.error();
    return std::int64_t(sqlite3_changes(db.handle()));
}

}  // namespace store
}  // namespace acd
