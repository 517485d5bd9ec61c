// The agenda's tables: see agenda.hpp for the contract and docs/storage.md for the schema.
#include "acd/agenda.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <map>
#include <nlohmann/json.hpp>

#include "store/module.hpp"
#include "store/sqlite.hpp"

namespace acd::agenda {
namespace {

using Json = nlohmann::json;

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

// Where the first column of each kind of row starts, so that joined selects can share mappers.
constexpr std::string_view kSlotColumns =
    "s.id, s.specialty, s.practitioner, s.starts_at, s.duration_min, booked.id";
constexpr std::string_view kSlotFrom =
    "slots s LEFT JOIN appointments booked ON booked.slot_id = s.id AND booked.status = 'booked'";
constexpr std::string_view kAppointmentColumns =
    "a.id, s.id, s.specialty, s.practitioner, s.starts_at, s.duration_min, a.patient, a.reason, "
    "a.status, a.booked_at, a.booked_by, a.call_id, a.cancelled_at, a.cancelled_by, "
    "a.cancel_reason, a.reminder_sent_at";
constexpr std::string_view kAppointmentFrom = "appointments a JOIN slots s ON s.id = a.slot_id";
constexpr std::string_view kEntryColumns =
    "id, specialty, patient, reason, wanted_before, added_at, added_by, call_id";
constexpr std::string_view kMessageColumns =
    "id, specialty, practitioner, patient, urgency, action_asked, reason, body, created_at, "
    "created_by, call_id, acknowledged_at, acknowledged_by";

// For messages: the minute, in UTC.
std::string format_utc(Time t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<Duration> hms{t - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}Z", int(ymd.year()), unsigned(ymd.month()),
                       unsigned(ymd.day()), hms.hours().count(), hms.minutes().count());
}

// Personal data of the pseudonyms met while building one answer, opened once each.
class Patients {
  public:
    // `resolve` false: every patient shows as unknown, and nothing is read or decrypted.
    Patients(sql::Db& db, const PiiKey& key, bool resolve = true)
        : db_(db), key_(key), resolve_(resolve) {}

    Patient get(const std::string& pseudonym) {
        if (!resolve_) return {};
        const auto it = cache_.find(pseudonym);
        if (it != cache_.end()) return it->second;
        Patient p;
        // A value that does not open (damage) shows as no data rather than failing a whole list.
        const auto j =
            is_unlinked(pseudonym) ? std::nullopt : store::read_person(db_, key_, pseudonym);
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

  private:
    sql::Db& db_;
    const PiiKey& key_;
    bool resolve_;
    std::map<std::string, Patient, std::less<>> cache_;
};

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

// Runs a prepared, bound statement to the end, mapping each row.
template <typename T, typename Map>
Result<std::vector<T>> collect(sql::Statement& stmt, Map&& map) {
    std::vector<T> out;
    while (stmt.step())
        out.push_back(map(stmt));
    if (stmt.failed()) return stmt.error();
    return out;
}

template <typename T, typename Map>
Result<std::optional<T>> first(sql::Statement& stmt, Map&& map) {
    auto rows = collect<T>(stmt, std::forward<Map>(map));
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<T>{};
    return std::optional<T>(std::move(rows->front()));
}

Result<std::optional<Slot>> load_slot(sql::Db& db, std::int64_t id) {
    auto stmt =
        db.prepare(fmt::format("SELECT {} FROM {} WHERE s.id = ?1", kSlotColumns, kSlotFrom));
    if (!stmt) return stmt.error();
    stmt->bind(1, id);
    return first<Slot>(*stmt, [](const sql::Statement& r) { return slot_from(r, 0); });
}

// The appointment and its patient's pseudonym.
struct Loaded {
    Appointment appointment;
    std::string pseudonym;
};
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

// Runs `body` in a savepoint: kept when it succeeded, rolled back when it refused or failed, so
// that a refusal leaves nothing behind.
template <typename T, typename Body>
Result<T> atomically(sql::Db& db, Body&& body) {
    if (Status s = db.exec("SAVEPOINT agenda"); !s) return s.error();
    Result<T> r = body();
    if (!r) {
        if (Status s = db.exec("ROLLBACK TO agenda"); !s) return s.error();
    }
    if (Status s = db.exec("RELEASE agenda"); !s) return s.error();
    return r;
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

struct ChangeRefs {
    std::optional<std::int64_t> appointment_id;
    std::optional<std::int64_t> message_id;
    std::optional<std::int64_t> entry_id;
};
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

}  // namespace

bool is_unlinked(std::string_view pseudonym) {
    return pseudonym == "anonymous" || pseudonym.starts_with("erased:");
}

// ---------------------------------------------------------------------------------------------
// Write side
// ---------------------------------------------------------------------------------------------

Result<std::vector<std::int64_t>> open_slots(WriteContext& ctx, const SlotRequest& req,
                                             const Actor& actor) {
    using Ids = std::vector<std::int64_t>;
    sql::Db& db = store::connection(ctx);
    return atomically<Ids>(db, [&]() -> Result<Ids> {
        // Bounded below by the longest slot allowed, so that the index range stays short.
        auto overlap = db.prepare(
            "SELECT id FROM slots WHERE practitioner = ?1 AND starts_at < ?2 AND "
            "starts_at > ?3 - 1440 * 60000 AND starts_at + duration_min * 60000 > ?3 LIMIT 1");
        auto insert = db.prepare(
            "INSERT INTO slots (specialty, practitioner, starts_at, duration_min, opened_at, "
            "opened_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!overlap) return overlap.error();
        if (!insert) return insert.error();
        const Duration length = std::chrono::minutes(req.duration_min);
        Ids ids;
        for (std::int64_t i = 0; i < req.count; ++i) {
            const Time start = req.start + length * i;
            overlap->bind(1, req.practitioner).bind(2, ms(start + length)).bind(3, ms(start));
            const bool clash = overlap->step();
            const std::int64_t other = clash ? overlap->int64(0) : 0;
            if (overlap->failed()) return overlap->error();
            overlap->reset();
            if (clash) {
                return Error{ErrorCode::slot_overlap,
                             fmt::format("a slot at {} would overlap slot {} of {}",
                                         format_utc(start), other, req.practitioner)};
            }
            insert->bind(1, req.specialty)
                .bind(2, req.practitioner)
                .bind(3, ms(start))
                .bind(4, req.duration_min)
                .bind(5, ms(actor.at))
                .bind(6, actor.by);
            if (Status s = insert->run(); !s) return s.error();
            ids.push_back(sqlite3_last_insert_rowid(db.handle()));
        }
        return ids;
    });
}

Result<Appointment> book(WriteContext& ctx, std::int64_t slot_id, const PatientData& patient,
                         const std::string& reason, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Appointment>(db, [&]() -> Result<Appointment> {
        auto slot = load_slot(db, slot_id);
        if (!slot) return slot.error();
        if (!*slot) return Error{ErrorCode::unknown_slot, fmt::format("no slot {}", slot_id)};
        const Slot& s = **slot;
        if (s.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("slot {} has already started", slot_id)};
        }
        // The check that makes booking conflict-free: it runs on the writer thread, inside the
        // transaction that inserts, so no other booking can come between the two.
        if (s.appointment_id) {
            return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken by appointment {}",
                                                            slot_id, *s.appointment_id)};
        }
        auto pseudonym = remember(ctx, patient, std::max(actor.at, s.start));
        if (!pseudonym) return pseudonym.error();
        auto insert = db.prepare(
            "INSERT INTO appointments (slot_id, patient, reason, status, booked_at, booked_by, "
            "call_id) VALUES (?1, ?2, ?3, 'booked', ?4, ?5, ?6)");
        if (!insert) return insert.error();
        insert->bind(1, slot_id)
            .bind(2, *pseudonym)
            .bind(3, reason)
            .bind(4, ms(actor.at))
            .bind(5, actor.by)
            .bind(6, null_if_empty(actor.call_id));
        if (Status st = insert->run(); !st) {
            // The unique index is the second line of defence: should the check above ever be
            // bypassed, the database itself refuses a second booking of the slot.
            if (unique_violation(db)) {
                return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken", slot_id)};
            }
            return st.error();
        }
        const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
        auto served = db.prepare(
            "UPDATE waitlist SET status = 'booked', appointment_id = ?1 "
            "WHERE patient = ?2 AND specialty = ?3 AND status = 'waiting'");
        if (!served) return served.error();
        if (Status st = served->bind(1, id).bind(2, *pseudonym).bind(3, s.specialty).run(); !st) {
            return st.error();
        }
        if (Status st = log_change(db, actor, *pseudonym, "appointment-book", {id, {}, {}}); !st) {
            return st.error();
        }
        auto loaded = load_appointment(db, ctx.key(), id);
        if (!loaded) return loaded.error();
        return (*loaded)->appointment;
    });
}

Result<Cancelled> cancel(WriteContext& ctx, std::int64_t appointment_id, const std::string& reason,
                         const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Cancelled>(db, [&]() -> Result<Cancelled> {
        auto loaded = load_appointment(db, ctx.key(), appointment_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_appointment,
                         fmt::format("no appointment {}", appointment_id)};
        }
        const Appointment& a = (*loaded)->appointment;
        if (a.status != AppointmentStatus::booked) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is cancelled already", a.id)};
        }
        if (a.slot.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} has already started", a.id)};
        }
        auto update = db.prepare(
            "UPDATE appointments SET status = 'cancelled', cancelled_at = ?2, cancelled_by = ?3, "
            "cancel_reason = ?4 WHERE id = ?1");
        if (!update) return update.error();
        if (Status st =
                update->bind(1, a.id).bind(2, ms(actor.at)).bind(3, actor.by).bind(4, reason).run();
            !st) {
            return st.error();
        }
        const std::string& pseudonym = (*loaded)->pseudonym;
        if (Status st = touch(ctx, pseudonym, actor.at); !st) return st.error();
        if (Status st = log_change(db, actor, pseudonym, "appointment-cancel", {a.id, {}, {}});
            !st) {
            return st.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        auto freed = freed_slot(db, ctx.key(), a.slot.id);
        if (!freed) return freed.error();
        return Cancelled{(*after)->appointment, std::move(*freed)};
    });
}

Result<Moved> move(WriteContext& ctx, std::int64_t appointment_id, std::int64_t slot_id,
                   const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Moved>(db, [&]() -> Result<Moved> {
        auto loaded = load_appointment(db, ctx.key(), appointment_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_appointment,
                         fmt::format("no appointment {}", appointment_id)};
        }
        const Appointment& a = (*loaded)->appointment;
        if (a.status != AppointmentStatus::booked) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is cancelled", a.id)};
        }
        if (a.slot.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} has already started", a.id)};
        }
        auto target = load_slot(db, slot_id);
        if (!target) return target.error();
        if (!*target) return Error{ErrorCode::unknown_slot, fmt::format("no slot {}", slot_id)};
        const Slot& s = **target;
        if (s.id == a.slot.id) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is in slot {} already", a.id, s.id)};
        }
        if (s.specialty != a.slot.specialty) {
            return Error{ErrorCode::bad_request,
                         fmt::format("slot {} is in {}, appointment {} in {}", s.id, s.specialty,
                                     a.id, a.slot.specialty)};
        }
        if (s.start <= actor.at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("slot {} has already started", s.id)};
        }
        if (s.appointment_id) {
            return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken by appointment {}",
                                                            s.id, *s.appointment_id)};
        }
        auto update = db.prepare(
            "UPDATE appointments SET slot_id = ?2, reminder_sent_at = NULL WHERE id = ?1");
        if (!update) return update.error();
        if (Status st = update->bind(1, a.id).bind(2, s.id).run(); !st) {
            if (unique_violation(db)) {
                return Error{ErrorCode::slot_taken, fmt::format("slot {} is taken", s.id)};
            }
            return st.error();
        }
        const std::string& pseudonym = (*loaded)->pseudonym;
        if (Status st = touch(ctx, pseudonym, std::max(actor.at, s.start)); !st) {
            return st.error();
        }
        if (Status st = log_change(db, actor, pseudonym, "appointment-move", {a.id, {}, {}}); !st) {
            return st.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        auto freed = freed_slot(db, ctx.key(), a.slot.id);
        if (!freed) return freed.error();
        return Moved{(*after)->appointment, std::move(*freed)};
    });
}

Result<std::int64_t> add_to_waitlist(WriteContext& ctx, const std::string& specialty,
                                     const PatientData& patient, const std::string& reason,
                                     std::optional<Time> before, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    auto pseudonym = remember(ctx, patient, actor.at);
    if (!pseudonym) return pseudonym.error();
    auto insert = db.prepare(
        "INSERT INTO waitlist (specialty, patient, reason, wanted_before, added_at, added_by, "
        "call_id, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting')");
    if (!insert) return insert.error();
    insert->bind(1, specialty)
        .bind(2, *pseudonym)
        .bind(3, reason)
        .bind(4, before ? std::optional<std::int64_t>(ms(*before)) : std::nullopt)
        .bind(5, ms(actor.at))
        .bind(6, actor.by)
        .bind(7, null_if_empty(actor.call_id));
    if (Status s = insert->run(); !s) return s.error();
    const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
    if (Status s = log_change(db, actor, *pseudonym, "waitlist-add", {{}, {}, id}); !s) {
        return s.error();
    }
    return id;
}

Result<std::int64_t> create_message(WriteContext& ctx, const MessageRequest& req,
                                    const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    auto pseudonym = remember(ctx, req.patient, actor.at);
    if (!pseudonym) return pseudonym.error();
    auto insert = db.prepare(
        "INSERT INTO messages (specialty, practitioner, patient, urgency, action_asked, reason, "
        "body, created_at, created_by, call_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    if (!insert) return insert.error();
    insert->bind(1, req.specialty)
        .bind(2, null_if_empty(req.practitioner))
        .bind(3, *pseudonym)
        .bind(4, to_string(req.urgency))
        .bind(5, to_string(req.action))
        .bind(6, req.reason)
        .bind(7, req.body)
        .bind(8, ms(actor.at))
        .bind(9, actor.by)
        .bind(10, null_if_empty(actor.call_id));
    if (Status s = insert->run(); !s) return s.error();
    const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
    if (Status s = log_change(db, actor, *pseudonym, "message-create", {{}, id, {}}); !s) {
        return s.error();
    }
    return id;
}

Result<Message> acknowledge(WriteContext& ctx, std::int64_t message_id, const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Message>(db, [&]() -> Result<Message> {
        auto loaded = load_message(db, ctx.key(), message_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_message, fmt::format("no message {}", message_id)};
        }
        const Message& m = (*loaded)->first;
        if (m.acknowledged_at) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("message {} is acknowledged already", m.id)};
        }
        auto update = db.prepare(
            "UPDATE messages SET acknowledged_at = ?2, acknowledged_by = ?3 WHERE id = ?1");
        if (!update) return update.error();
        if (Status s = update->bind(1, m.id).bind(2, ms(actor.at)).bind(3, actor.by).run(); !s) {
            return s.error();
        }
        const std::string& pseudonym = (*loaded)->second;
        if (Status s = touch(ctx, pseudonym, actor.at); !s) return s.error();
        if (Status s = log_change(db, actor, pseudonym, "message-ack", {{}, m.id, {}}); !s) {
            return s.error();
        }
        auto after = load_message(db, ctx.key(), m.id);
        if (!after) return after.error();
        return (*after)->first;
    });
}

Result<Appointment> mark_reminder_sent(WriteContext& ctx, std::int64_t appointment_id,
                                       const Actor& actor) {
    sql::Db& db = store::connection(ctx);
    return atomically<Appointment>(db, [&]() -> Result<Appointment> {
        auto loaded = load_appointment(db, ctx.key(), appointment_id);
        if (!loaded) return loaded.error();
        if (!*loaded) {
            return Error{ErrorCode::unknown_appointment,
                         fmt::format("no appointment {}", appointment_id)};
        }
        const Appointment& a = (*loaded)->appointment;
        if (a.status != AppointmentStatus::booked) {
            return Error{ErrorCode::invalid_state,
                         fmt::format("appointment {} is cancelled", a.id)};
        }
        if (a.reminder_sent_at) return a;  // a retry of the sender
        auto update = db.prepare("UPDATE appointments SET reminder_sent_at = ?2 WHERE id = ?1");
        if (!update) return update.error();
        if (Status s = update->bind(1, a.id).bind(2, ms(actor.at)).run(); !s) {
            return s.error();
        }
        if (Status s = log_change(db, actor, (*loaded)->pseudonym, "reminder-sent", {a.id, {}, {}});
            !s) {
            return s.error();
        }
        auto after = load_appointment(db, ctx.key(), a.id);
        if (!after) return after.error();
        return (*after)->appointment;
    });
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

// ---------------------------------------------------------------------------------------------
// Read side
// ---------------------------------------------------------------------------------------------

struct Reader::Impl {
    std::filesystem::path path;
    PiiKey key;
    std::optional<sql::Db> db;

    Result<sql::Db*> connection() {
        if (db) return &*db;
        auto opened = sql::Db::open(path);
        if (!opened) return opened.error();
        if (Status s = opened->exec("PRAGMA query_only = 1; PRAGMA busy_timeout = 5000"); !s) {
            return s.error();
        }
        db = std::move(*opened);
        return &*db;
    }
};

Reader::Reader(std::filesystem::path path, PiiKey key)
    : impl_(std::make_unique<Impl>(Impl{std::move(path), key, std::nullopt})) {}
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
