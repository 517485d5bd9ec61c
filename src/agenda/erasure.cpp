// The right to erasure: a patient's personal data deleted, the rest unlinked from the number
// (agenda.hpp, docs/storage.md).
#include "rows.hpp"

namespace acd::agenda {

bool is_unlinked(std::string_view pseudonym) {
    return pseudonym == "anonymous" || pseudonym.starts_with("erased:");
}

Result<Erasure> erase_patient(WriteContext& ctx, const std::string& pseudonym, const Actor&) {
    sql::Db& db = store::connection(ctx);
    Erasure e;
    auto deleted = erase_personal_data(ctx, pseudonym);
    if (!deleted) return deleted.error();
    e.personal_data = *deleted;
    // One fresh pseudonym for all of this person's rows: they still belong together (a slot
    // stays booked, a practitioner's message list stays whole), but no phone number leads to
    // them any more.
    const std::string unlinked = random_pseudonym();
    struct Step {
        std::int64_t* count;
        std::string_view sql;
    };
    const Step steps[] = {
        {&e.appointments,
         "UPDATE appointments SET patient = ?1, reason = '', cancel_reason = "
         "CASE WHEN cancel_reason IS NULL THEN NULL ELSE '' END WHERE patient = ?2"},
        {&e.messages,
         "UPDATE messages SET patient = ?1, reason = '', body = '' WHERE patient = ?2"},
        {&e.changes, "UPDATE agenda_changes SET patient = ?1 WHERE patient = ?2"},
    };
    for (const Step& step : steps) {
        auto n = changed_rows(db, step.sql, unlinked, pseudonym);
        if (!n) return n.error();
        *step.count = *n;
    }
    auto calls = store::relink_calls(ctx, pseudonym, unlinked);
    if (!calls) return calls.error();
    e.calls = *calls;
    auto waiting = changed_rows(db, "DELETE FROM waitlist WHERE patient = ?1", pseudonym, "");
    if (!waiting) return waiting.error();
    e.waitlist = *waiting;
    return e;
}

Status truncate_wal(const std::filesystem::path& path) {
    auto db = sql::Db::open(path);
    if (!db) return db.error();
    if (Status s = db->exec("PRAGMA busy_timeout = 5000"); !s) return s;
    auto stmt = db->prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    if (!stmt) return stmt.error();
    const bool row = stmt->step();
    if (stmt->failed()) return stmt->error();
    if (!row || stmt->int64(0) != 0) return Error{ErrorCode::store, "the database stayed busy"};
    return {};
}

}  // namespace acd::agenda
