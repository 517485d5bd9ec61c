// The agenda's rows and the steps its writes share. See rows.hpp.
#include "rows.hpp"

#include <openssl/rand.h>

namespace acd::agenda {

std::int64_t ms(Time t) {
    return t.time_since_epoch().count();
}
Time from_ms(std::int64_t v) {
    return Time{} + Duration(v);
}
std::optional<Time> opt_time(const sql::Statement& row, int col) {
    if (row.is_null(col)) return std::nullopt;
    return from_ms(row.int64(col));
}
std::optional<std::int64_t> opt_int(const sql::Statement& row, int col) {
    if (row.is_null(col)) return std::nullopt;
    return row.int64(col);
}
std::optional<std::string_view> null_if_empty(std::string_view s) {
    if (s.empty()) return std::nullopt;
    return s;
}

// For messages: the minute, in UTC.
std::string format_utc(Time t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<Duration> hms{t - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}Z", int(ymd.year()), unsigned(ymd.month()),
                       unsigned(ymd.day()), hms.hours().count(), hms.minutes().count());
}

Patient Patients::get(const std::string& pseudonym) {
    if (!resolve_) return {};
    const auto it = cache_.find(pseudonym);
    if (it != cache_.end()) return it->second;
    Patient p;
    // A value that does not open (damage) shows as no data rather than failing a whole list.
    const auto j = is_unlinked(pseudonym) ? std::nullopt : store::read_person(db_, key_, pseudonym);
    if (j) {
        const auto field = [&](const char* name) -> std::optional<std::string> {
            const auto f = j->find(name);
            if (f == j->end() || !f->is_string()) return std::nullopt;
            return f->get<std::string>();
        };
        p.phone = field("phone");
        p.name = field("name");
        p.birth_date = field("birth_date");
    }
    cache_.emplace(pseudonym, p);
    return p;
}

Slot slot_from(const sql::Statement& row, int c) {
    Slot s;
    s.id = row.int64(c);
    s.specialty = std::string(row.text(c + 1));
    s.practitioner = std::string(row.text(c + 2));
    s.start = from_ms(row.int64(c + 3));
    s.duration_min = row.int64(c + 4);
    s.appointment_id = opt_int(row, c + 5);
    return s;
}

Appointment appointment_from(const sql::Statement& row, Patients& patients) {
    Appointment a;
    a.id = row.int64(0);
    a.slot.id = row.int64(1);
    a.slot.specialty = std::string(row.text(2));
    a.slot.practitioner = std::string(row.text(3));
    a.slot.start = from_ms(row.int64(4));
    a.slot.duration_min = row.int64(5);
    a.patient = patients.get(std::string(row.text(6)));
    a.reason = std::string(row.text(7));
    a.status = parse_appointment_status(row.text(8)).value_or(AppointmentStatus::cancelled);
    if (a.status == AppointmentStatus::booked) a.slot.appointment_id = a.id;
    a.booked_at = from_ms(row.int64(9));
    a.booked_by = std::string(row.text(10));
    a.call_id = std::string(row.text(11));
    a.cancelled_at = opt_time(row, 12);
    a.cancelled_by = std::string(row.text(13));
    a.cancel_reason = std::string(row.text(14));
    a.reminder_sent_at = opt_time(row, 15);
    return a;
}

WaitEntry entry_from(const sql::Statement& row, Patients& patients) {
    WaitEntry e;
    e.id = row.int64(0);
    e.specialty = std::string(row.text(1));
    e.patient = patients.get(std::string(row.text(2)));
    e.reason = std::string(row.text(3));
    e.before = opt_time(row, 4);
    e.added_at = from_ms(row.int64(5));
    e.added_by = std::string(row.text(6));
    e.call_id = std::string(row.text(7));
    return e;
}

Message message_from(const sql::Statement& row, Patients& patients) {
    Message m;
    m.id = row.int64(0);
    m.specialty = std::string(row.text(1));
    m.practitioner = std::string(row.text(2));
    m.patient = patients.get(std::string(row.text(3)));
    m.urgency = parse_urgency(row.text(4)).value_or(Urgency::normal);
    m.action = parse_message_action(row.text(5)).value_or(MessageAction::info);
    m.reason = std::string(row.text(6));
    m.body = std::string(row.text(7));
    m.created_at = from_ms(row.int64(8));
    m.created_by = std::string(row.text(9));
    m.call_id = std::string(row.text(10));
    m.acknowledged_at = opt_time(row, 11);
    m.acknowledged_by = std::string(row.text(12));
    return m;
}

Result<std::optional<Slot>> load_slot(sql::Db& db, std::int64_t id) {
    auto stmt =
        db.prepare(fmt::format("SELECT {} FROM {} WHERE s.id = ?1", kSlotColumns, kSlotFrom));
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    return first<Slot>(*stmt, [](const sql::Statement& r) { return slot_from(r, 0); });
}

Result<std::optional<Loaded>> load_appointment(sql::Db& db, const PiiKey& key, std::int64_t id) {
    auto stmt = db.prepare(
        fmt::format("SELECT {} FROM {} WHERE a.id = ?1", kAppointmentColumns, kAppointmentFrom));
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    Patients patients(db, key);
    return first<Loaded>(*stmt, [&](const sql::Statement& r) {
        return Loaded{appointment_from(r, patients), std::string(r.text(6))};
    });
}

Result<std::optional<std::pair<Message, std::string>>> load_message(sql::Db& db, const PiiKey& key,
                                                                    std::int64_t id) {
    auto stmt = db.prepare(fmt::format("SELECT {} FROM messages WHERE id = ?1", kMessageColumns));
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    Patients patients(db, key);
    return first<std::pair<Message, std::string>>(*stmt, [&](const sql::Statement& r) {
        return std::pair{message_from(r, patients), std::string(r.text(3))};
    });
}

Result<Loaded> upcoming_appointment(sql::Db& db, const PiiKey& key, std::int64_t id, Time now,
                                    std::string_view cancelled) {
    auto loaded = load_appointment(db, key, id);
    if (!loaded) return loaded.error();
    if (!*loaded)
        return Error{ErrorCode::unknown_appointment, fmt::format("no appointment {}", id)};
    const Appointment& a = (*loaded)->appointment;
    if (a.status != AppointmentStatus::booked) {
        return Error{ErrorCode::invalid_state, fmt::format("appointment {} {}", id, cancelled)};
    }
    if (a.slot.start <= now) {
        return Error{ErrorCode::invalid_state,
                     fmt::format("appointment {} has already started", id)};
    }
    return std::move(**loaded);
}

// The waiting entries a slot suits, in order of addition.
Result<std::vector<WaitEntry>> matching_entries(sql::Db& db, const PiiKey& key, const Slot& slot) {
    auto stmt = db.prepare(
        fmt::format("SELECT {} FROM waitlist WHERE specialty = ?1 AND status = 'waiting' AND "
                    "(wanted_before IS NULL OR wanted_before > ?2) ORDER BY id",
                    kEntryColumns));
    if (!stmt) return stmt.error();
    stmt->bind(1, slot.specialty).bind(2, ms(slot.start));
    Patients patients(db, key);
    return collect<WaitEntry>(*stmt,
                              [&](const sql::Statement& r) { return entry_from(r, patients); });
}

Result<Freed> freed_slot(sql::Db& db, const PiiKey& key, std::int64_t slot_id) {
    auto slot = load_slot(db, slot_id);
    if (!slot) return slot.error();
    if (!*slot) return Error{ErrorCode::store, fmt::format("slot {} vanished", slot_id)};
    auto entries = matching_entries(db, key, **slot);
    if (!entries) return entries.error();
    return Freed{**slot, std::move(*entries)};
}

bool unique_violation(sql::Db& db) {
    return sqlite3_extended_errcode(db.handle()) == SQLITE_CONSTRAINT_UNIQUE;
}

// Merges what was given into the person's personal data, kept by the store, and refreshes its
// last activity (at least `active_until`). Returns the pseudonym.
Result<std::string> remember(WriteContext& ctx, const PatientData& data, Time active_until) {
    const std::string pseudonym = ctx.key().pseudonym(data.phone);
    Json fields = {{"phone", data.phone}};
    if (!data.name.empty()) fields["name"] = data.name;
    if (!data.birth_date.empty()) fields["birth_date"] = data.birth_date;
    if (Status s = store::remember_person(ctx, pseudonym, fields, active_until); !s) {
        return s.error();
    }
    return pseudonym;
}

Status touch(WriteContext& ctx, const std::string& pseudonym, Time at) {
    return store::touch_person(ctx, pseudonym, at);
}

Status log_change(sql::Db& db, const Actor& actor, const std::string& pseudonym,
                  std::string_view change, const ChangeRefs& refs) {
    auto stmt = db.prepare(
        "INSERT INTO agenda_changes (at, patient, change, appointment_id, message_id, entry_id, "
        "call_id, gateway, made_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!stmt) return stmt.error();
    return stmt->bind(1, ms(actor.at))
        .bind(2, pseudonym)
        .bind(3, change)
        .bind(4, refs.appointment_id)
        .bind(5, refs.message_id)
        .bind(6, refs.entry_id)
        .bind(7, null_if_empty(actor.call_id))
        .bind(8, null_if_empty(actor.gateway))
        .bind(9, actor.by)
        .run();
}

Result<std::int64_t> changed_rows(sql::Db& db, std::string_view text, std::string_view a,
                                  std::string_view b) {
    auto stmt = db.prepare(text);
    if (!stmt) return stmt.error();
    stmt->bind(1, a);
    if (!b.empty()) stmt->bind(2, b);
    if (Status s = stmt->run(); !s) return s.error();
    return std::int64_t(sqlite3_changes(db.handle()));
}

std::string random_pseudonym() {
    unsigned char bytes[16];
    RAND_bytes(bytes, sizeof bytes);
    return "erased:" + to_hex(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace acd::agenda
