// The agenda's read side: a read-only connection of its own (agenda.hpp).
#include "rows.hpp"

namespace acd::agenda {

struct Reader::Impl {
    sql::LazyReader db;
    PiiKey key;

    Result<sql::Db*> connection() { return db.connection(); }
};

Reader::Reader(std::filesystem::path path, PiiKey key)
    : impl_(std::make_unique<Impl>(Impl{sql::LazyReader(std::move(path)), key})) {}
Reader::~Reader() = default;

namespace {

// Prepares `text` on the reader's connection, binds with `bind`, maps every row with `map`.
template <typename T, typename Bind, typename Map>
Result<std::vector<T>> query(Reader::Impl& impl, std::string_view text, Bind&& bind, Map&& map) {
    auto db = impl.connection();
    if (!db) return db.error();
    auto stmt = (*db)->prepare(text);
    if (!stmt) return stmt.error();
    bind(*stmt);
    Patients patients(**db, impl.key);
    return collect<T>(*stmt, [&](const sql::Statement& r) { return map(r, patients); });
}

}  // namespace

Result<std::vector<Slot>> Reader::slots(std::string_view specialty, Time from, Time to,
                                        bool free_only) {
    return query<Slot>(
        *impl_,
        fmt::format("SELECT {} FROM {} WHERE s.specialty = ?1 AND s.starts_at >= ?2 AND "
                    "s.starts_at < ?3 {} ORDER BY s.starts_at, s.practitioner, s.id",
                    kSlotColumns, kSlotFrom, free_only ? "AND booked.id IS NULL" : ""),
        [&](sql::Statement& s) { s.bind(1, specialty).bind(2, ms(from)).bind(3, ms(to)); },
        [](const sql::Statement& r, Patients&) { return slot_from(r, 0); });
}

Result<std::vector<Appointment>> Reader::appointments_of(std::string_view pseudonym,
                                                         bool include_cancelled) {
    return query<Appointment>(
        *impl_,
        fmt::format("SELECT {} FROM {} WHERE a.patient = ?1 {} ORDER BY s.starts_at, a.id",
                    kAppointmentColumns, kAppointmentFrom,
                    include_cancelled ? "" : "AND a.status = 'booked'"),
        [&](sql::Statement& s) { s.bind(1, pseudonym); }, appointment_from);
}

Result<std::vector<Appointment>> Reader::appointments_in(std::string_view specialty, Time from,
                                                         Time to, bool include_cancelled) {
    return query<Appointment>(
        *impl_,
        fmt::format("SELECT {} FROM {} WHERE s.specialty = ?1 AND s.starts_at >= ?2 AND "
                    "s.starts_at < ?3 {} ORDER BY s.starts_at, s.practitioner, a.id",
                    kAppointmentColumns, kAppointmentFrom,
                    include_cancelled ? "" : "AND a.status = 'booked'"),
        [&](sql::Statement& s) { s.bind(1, specialty).bind(2, ms(from)).bind(3, ms(to)); },
        appointment_from);
}

Result<std::vector<WaitEntry>> Reader::waitlist(std::string_view specialty) {
    return query<WaitEntry>(
        *impl_,
        fmt::format("SELECT {} FROM waitlist WHERE specialty = ?1 AND status = 'waiting' "
                    "ORDER BY id",
                    kEntryColumns),
        [&](sql::Statement& s) { s.bind(1, specialty); }, entry_from);
}

Result<std::vector<Message>> Reader::messages(std::optional<std::string> specialty,
                                              std::optional<bool> open) {
    std::string where = "1";
    if (specialty) where += " AND specialty = ?1";
    if (open) where += *open ? " AND acknowledged_at IS NULL" : " AND acknowledged_at IS NOT NULL";
    return query<Message>(
        *impl_,
        fmt::format("SELECT {} FROM messages WHERE {} "
                    "ORDER BY urgency = 'urgent' DESC, created_at, id",
                    kMessageColumns, where),
        [&](sql::Statement& s) {
            if (specialty) s.bind(1, *specialty);
        },
        message_from);
}

Result<std::vector<Message>> Reader::overdue_messages(Time cutoff) {
    return query<Message>(
        *impl_,
        fmt::format("SELECT {} FROM messages WHERE acknowledged_at IS NULL AND "
                    "urgency = 'urgent' AND created_at < ?1 ORDER BY created_at, id",
                    kMessageColumns),
        [&](sql::Statement& s) { s.bind(1, ms(cutoff)); }, message_from);
}

Result<std::int64_t> Reader::overdue_count(Time cutoff) {
    auto rows = query<std::int64_t>(
        *impl_,
        "SELECT count(*) FROM messages WHERE acknowledged_at IS NULL AND urgency = 'urgent' AND "
        "created_at < ?1",
        [&](sql::Statement& s) { s.bind(1, ms(cutoff)); },
        [](const sql::Statement& r, Patients&) { return r.int64(0); });
    if (!rows) return rows.error();
    return rows->empty() ? 0 : rows->front();
}

Result<std::optional<Time>> Reader::next_urgent_after(Time cutoff) {
    auto rows = query<Time>(
        *impl_,
        "SELECT min(created_at) FROM messages WHERE acknowledged_at IS NULL AND "
        "urgency = 'urgent' AND created_at >= ?1 HAVING count(*) > 0",
        [&](sql::Statement& s) { s.bind(1, ms(cutoff)); },
        [](const sql::Statement& r, Patients&) { return from_ms(r.int64(0)); });
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<Time>{};
    return std::optional<Time>(rows->front());
}

Result<std::vector<Appointment>> Reader::reminders_due(Time from, Time until) {
    return query<Appointment>(
        *impl_,
        fmt::format("SELECT {} FROM {} WHERE s.starts_at >= ?1 AND s.starts_at < ?2 AND "
                    "a.status = 'booked' AND a.reminder_sent_at IS NULL ORDER BY s.starts_at, a.id",
                    kAppointmentColumns, kAppointmentFrom),
        [&](sql::Statement& s) { s.bind(1, ms(from)).bind(2, ms(until)); }, appointment_from);
}

Result<History> Reader::history(std::string_view pseudonym, Time now) {
    History h;
    if (is_unlinked(pseudonym)) return h;
    auto db = impl_->connection();
    if (!db) return db.error();
    h.patient = Patients(**db, impl_->key).get(std::string(pseudonym));
    auto total = store::count_calls_of(**db, pseudonym);
    if (!total) return total.error();
    h.calls_total = *total;
    auto calls = store::calls_of(**db, pseudonym, kHistoryLimit);
    if (!calls) return calls.error();
    h.calls = std::move(*calls);
    auto upcoming = query<Appointment>(
        *impl_,
        fmt::format("SELECT {} FROM {} WHERE a.patient = ?1 AND a.status = 'booked' AND "
                    "s.starts_at > ?2 ORDER BY s.starts_at, a.id",
                    kAppointmentColumns, kAppointmentFrom),
        [&](sql::Statement& s) { s.bind(1, pseudonym).bind(2, ms(now)); }, appointment_from);
    if (!upcoming) return upcoming.error();
    h.upcoming = std::move(*upcoming);
    auto open = query<Message>(
        *impl_,
        fmt::format("SELECT {} FROM messages WHERE patient = ?1 AND acknowledged_at IS NULL "
                    "ORDER BY created_at, id",
                    kMessageColumns),
        [&](sql::Statement& s) { s.bind(1, pseudonym); }, message_from);
    if (!open) return open.error();
    h.open_messages = std::move(*open);
    auto changes = query<ChangeEntry>(
        *impl_,
        fmt::format("SELECT at, change, appointment_id, message_id, entry_id, call_id, made_by "
                    "FROM agenda_changes WHERE patient = ?1 ORDER BY id DESC LIMIT {}",
                    kHistoryLimit),
        [&](sql::Statement& s) { s.bind(1, pseudonym); },
        [](const sql::Statement& r, Patients&) {
            return ChangeEntry{
                from_ms(r.int64(0)), std::string(r.text(1)), opt_int(r, 2),         opt_int(r, 3),
                opt_int(r, 4),       std::string(r.text(5)), std::string(r.text(6))};
        });
    if (!changes) return changes.error();
    h.changes = std::move(*changes);
    return h;
}

Result<std::vector<std::pair<std::string, std::int64_t>>> Reader::call_counts() {
    auto db = impl_->connection();
    if (!db) return db.error();
    return store::call_counts(**db);
}

Result<std::vector<std::pair<std::string, Appointment>>> Reader::booked_after(Time now) {
    auto db = impl_->connection();
    if (!db) return db.error();
    auto stmt = (*db)->prepare(
        fmt::format("SELECT {} FROM {} WHERE a.status = 'booked' AND s.starts_at > ?1",
                    kAppointmentColumns, kAppointmentFrom));
    if (!stmt) return stmt.error();
    stmt->bind(1, ms(now));
    Patients none(**db, impl_->key, /*resolve=*/false);
    return collect<std::pair<std::string, Appointment>>(*stmt, [&](const sql::Statement& row) {
        return std::pair(std::string(row.text(6)), appointment_from(row, none));
    });
}

Result<std::optional<CallSnapshot>> Reader::finished_call(std::string_view call_id,
                                                          std::string_view gateway) {
    auto db = impl_->connection();
    if (!db) return db.error();
    return store::find_finished_call(**db, call_id, gateway);
}

}  // namespace acd::agenda
