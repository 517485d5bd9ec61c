// Internal to the agenda (src/agenda): the rows of its tables (columns and mappers), and the
// small steps its writes share (loading rows, the savepoint that makes each write atomic, the
// history of changes, personal data through the store). agenda.hpp has the contract.
#pragma once

#include <fmt/format.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acd/agenda.hpp"
#include "acd/json.hpp"
#include "store/module.hpp"
#include "store/sqlite.hpp"

namespace acd::agenda {

std::int64_t ms(Time t);

Time from_ms(std::int64_t v);

std::optional<Time> opt_time(const sql::Statement& row, int col);

std::optional<std::int64_t> opt_int(const sql::Statement& row, int col);

std::optional<std::string_view> null_if_empty(std::string_view s);

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
std::string format_utc(Time t);

// Personal data of the pseudonyms met while building one answer, opened once each.
class Patients {
  public:
    // `resolve` false: every patient shows as unknown, and nothing is read or decrypted.
    Patients(sql::Db& db, const PiiKey& key, bool resolve = true)
        : db_(db), key_(key), resolve_(resolve) {}

    Patient get(const std::string& pseudonym);

  private:
    sql::Db& db_;
    const PiiKey& key_;
    bool resolve_;
    std::map<std::string, Patient, std::less<>> cache_;
};

Slot slot_from(const sql::Statement& row, int c);

Appointment appointment_from(const sql::Statement& row, Patients& patients);

WaitEntry entry_from(const sql::Statement& row, Patients& patients);

Message message_from(const sql::Statement& row, Patients& patients);

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

Result<std::optional<Slot>> load_slot(sql::Db& db, std::int64_t id);

// The appointment and its patient's pseudonym.
struct Loaded {
    Appointment appointment;
    std::string pseudonym;
};

Result<std::optional<Loaded>> load_appointment(sql::Db& db, const PiiKey& key, std::int64_t id);

Result<std::optional<std::pair<Message, std::string>>> load_message(sql::Db& db, const PiiKey& key,
                                                                    std::int64_t id);

// A booked appointment that has not started yet, with its patient: unknown_appointment or
// invalid_state otherwise (`cancelled` says how a cancelled one is refused: "is cancelled").
Result<Loaded> upcoming_appointment(sql::Db& db, const PiiKey& key, std::int64_t id, Time now,
                                    std::string_view cancelled);

// The waiting entries a slot suits, in order of addition.
Result<std::vector<WaitEntry>> matching_entries(sql::Db& db, const PiiKey& key, const Slot& slot);

Result<Freed> freed_slot(sql::Db& db, const PiiKey& key, std::int64_t slot_id);

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

bool unique_violation(sql::Db& db);

// Merges what was given into the person's personal data, kept by the store, and refreshes its
// last activity (at least `active_until`). Returns the pseudonym.
Result<std::string> remember(WriteContext& ctx, const PatientData& data, Time active_until);

Status touch(WriteContext& ctx, const std::string& pseudonym, Time at);

struct ChangeRefs {
    std::optional<std::int64_t> appointment_id;
    std::optional<std::int64_t> message_id;
    std::optional<std::int64_t> entry_id;
};

Status log_change(sql::Db& db, const Actor& actor, const std::string& pseudonym,
                  std::string_view change, const ChangeRefs& refs);

Result<std::int64_t> changed_rows(sql::Db& db, std::string_view text, std::string_view a,
                                  std::string_view b);

std::string random_pseudonym();

}  // namespace acd::agenda
