// The agenda in the store's database (docs/spec/agenda.md, docs/agenda.md): slots, appointments,
// the waiting list, messages for practitioners, reminders, the caller history, and the erasure of a
// patient. The tables come with schema migration 2 (src/store/store.cpp, docs/storage.md).
//
//   // on the writer thread, inside a WriteBatch job:
//   auto booked = agenda::book(ctx, slot_id, patient, "control", actor);
//   // on one other thread (the daemon's io thread), committed data only:
//   agenda::Reader reader(path, key);
//   auto slots = reader.slots("cardiology", from, to, /*free_only=*/true);
//
// Contract:
// - A patient is a pseudonym (PiiKey::pseudonym of the normalized phone). Their personal data
//   (phone, name, birth date) is kept by the store (src/store/module.hpp remember_person), merged
//   into what is already there; the agenda's tables hold the pseudonym.
// - Write functions run inside a WriteBatch job (the writer thread, inside the transaction), so
//   that a check and the change it guards are one step: nothing else writes in between. Each is
//   atomic on its own (a savepoint): a refusal (slot_taken, unknown_slot, ...) changes nothing and
//   comes back as an Error with that code (is_refusal), a database failure as store or io_error.
// - Write functions do not append audit records: the caller appends one per command in the same
//   job (it knows the command's arguments and result), so a change and its record commit
//   together. They do log each change about a patient in `agenda_changes`, for the history.
// - Every change about a patient refreshes the `last_seen` of their personal data (retention
//   counts from it); a booking counts until the appointment's start, so that retention does not
//   erase the data of someone who is still expected.
// - Times are UTC (acd::Time, milliseconds since the epoch).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "acd/pii.hpp"
#include "acd/result.hpp"
#include "acd/store.hpp"
#include "acd/types.hpp"

namespace acd::agenda {

// An urgent message still open this long after its creation is overdue (status-get, the
// `agenda` subscription).
inline constexpr Duration kUrgentMessageOverdue = std::chrono::minutes(30);
// How much of a patient's history caller-history shows.
inline constexpr int kHistoryLimit = 50;

// A request refused for a reason of the domain (slot_taken, unknown_slot, invalid_state, ...)
// comes back as an Error with that code; a failure of the database as `store` or `io_error`.
inline bool is_refusal(const Error& e) {
    return e.code != ErrorCode::store && e.code != ErrorCode::io_error &&
           e.code != ErrorCode::internal;
}

enum class AppointmentStatus : std::uint8_t { booked, cancelled };
enum class Urgency : std::uint8_t { urgent, normal };
enum class MessageAction : std::uint8_t { call_back, book, info };
std::string_view to_string(AppointmentStatus s);
std::string_view to_string(Urgency u);
std::string_view to_string(MessageAction a);
std::optional<AppointmentStatus> parse_appointment_status(std::string_view s);
std::optional<Urgency> parse_urgency(std::string_view s);
std::optional<MessageAction> parse_message_action(std::string_view s);

// Who makes a change, and during which call.
struct Actor {
    Time at{};
    std::string by;       // the `by` argument: an agent id or a name
    std::string call_id;  // empty when not during a call
    std::string gateway;  // the call's gateway, when known
};

// Personal data given with a request. `phone` is normalized (normalize_phone).
struct PatientData {
    std::string phone;
    std::string name;
    std::string birth_date;  // YYYY-MM-DD, or empty
};

// A patient as shown: the personal data, or nothing when it was erased (or never given).
struct Patient {
    std::optional<std::string> phone;
    std::optional<std::string> name;
    std::optional<std::string> birth_date;
    bool known() const { return phone.has_value(); }
};

struct Slot {
    std::int64_t id = 0;
    std::string specialty;
    std::string practitioner;
    Time start{};
    std::int64_t duration_min = 0;
    std::optional<std::int64_t> appointment_id;  // the appointment booked on it
};

struct Appointment {
    std::int64_t id = 0;
    Slot slot;
    Patient patient;
    std::string reason;
    AppointmentStatus status = AppointmentStatus::booked;
    Time booked_at{};
    std::string booked_by;
    std::string call_id;  // the call it was booked during
    std::optional<Time> cancelled_at;
    std::string cancelled_by;
    std::string cancel_reason;
    std::optional<Time> reminder_sent_at;
};

struct WaitEntry {
    std::int64_t id = 0;
    std::string specialty;
    Patient patient;
    std::string reason;
    std::optional<Time> before;  // wants an appointment starting before this
    Time added_at{};
    std::string added_by;
    std::string call_id;
};

struct Message {
    std::int64_t id = 0;
    std::string specialty;
    std::string practitioner;  // empty: anyone of the specialty
    Patient patient;
    Urgency urgency = Urgency::normal;
    MessageAction action = MessageAction::info;
    std::string reason;
    std::string body;
    Time created_at{};
    std::string created_by;
    std::string call_id;
    std::optional<Time> acknowledged_at;
    std::string acknowledged_by;
};

// One change about a patient (`agenda_changes`): what, when, by whom, during which call.
struct ChangeEntry {
    Time at{};
    std::string change;  // the command: appointment-book, message-create, ...
    std::optional<std::int64_t> appointment_id;
    std::optional<std::int64_t> message_id;
    std::optional<std::int64_t> entry_id;
    std::string call_id;
    std::string by;
};

struct History {
    Patient patient;
    std::int64_t calls_total = 0;
    std::vector<CallSnapshot> calls;     // the latest kHistoryLimit, latest first
    std::vector<Appointment> upcoming;   // booked, not yet started, soonest first
    std::vector<Message> open_messages;  // oldest first
    std::vector<ChangeEntry> changes;    // the latest kHistoryLimit, latest first
};

// What an agent desktop pops when a call rings.
struct CallerSummary {
    std::int64_t past_calls = 0;
    std::optional<Appointment> next;  // the next booked appointment (patient not filled in)
};

// The agenda's tables, for StoreOptions::modules.
SchemaModule schema();

// --- write side: inside a WriteBatch job ----------------------------------------------------

struct SlotRequest {
    std::string specialty;
    std::string practitioner;
    Time start{};
    std::int64_t duration_min = 0;
    std::int64_t count = 1;  // consecutive slots
};
// Refused with slot_overlap when one of them overlaps a slot of the same practitioner.
Result<std::vector<std::int64_t>> open_slots(WriteContext& ctx, const SlotRequest& request,
                                             const Actor& actor);

// Refused with unknown_slot, invalid_state (the slot has started) or slot_taken. Marks the
// patient's waiting-list entries of the slot's specialty as served.
Result<Appointment> book(WriteContext& ctx, std::int64_t slot_id, const PatientData& patient,
                         const std::string& reason, const Actor& actor);

// A freed slot and the waiting-list entries it suits (its specialty, and starting before their
// `before`), in order of addition.
struct Freed {
    Slot slot;
    std::vector<WaitEntry> waitlist;
};
struct Cancelled {
    Appointment appointment;
    Freed freed;
};
// Refused with unknown_appointment or invalid_state (cancelled already, or started).
Result<Cancelled> cancel(WriteContext& ctx, std::int64_t appointment_id, const std::string& reason,
                         const Actor& actor);

struct Moved {
    Appointment appointment;  // after the move
    Freed freed;              // the slot it left
};
// Atomic: on any refusal nothing changes. Refused with unknown_appointment, unknown_slot,
// slot_taken, bad_request (a slot of another specialty) or invalid_state (cancelled, started,
// the same slot). The reminder is due again for the new time.
Result<Moved> move(WriteContext& ctx, std::int64_t appointment_id, std::int64_t slot_id,
                   const Actor& actor);

Result<std::int64_t> add_to_waitlist(WriteContext& ctx, const std::string& specialty,
                                     const PatientData& patient, const std::string& reason,
                                     std::optional<Time> before, const Actor& actor);

struct MessageRequest {
    std::string specialty;
    std::string practitioner;
    PatientData patient;
    Urgency urgency = Urgency::normal;
    MessageAction action = MessageAction::info;
    std::string reason;
    std::string body;
};
Result<std::int64_t> create_message(WriteContext& ctx, const MessageRequest& request,
                                    const Actor& actor);

// Refused with unknown_message or invalid_state (acknowledged already).
Result<Message> acknowledge(WriteContext& ctx, std::int64_t message_id, const Actor& actor);

// Refused with unknown_appointment or invalid_state (cancelled). Marking it twice keeps the
// first time.
Result<Appointment> mark_reminder_sent(WriteContext& ctx, std::int64_t appointment_id,
                                       const Actor& actor);

// A call still live when its caller's data is erased: it ends under a fresh pseudonym. The
// erasure journals an action record of type kCallUnlinkRecord for it (gateway, call_id, body
// {"unlinked": the pseudonym}), so that recovery unlinks it again when acdd restarts before the
// call ends.
struct LiveCallId {
    std::string gateway;
    std::string call_id;
};
inline constexpr std::string_view kCallUnlinkRecord = "call-unlink";

struct Erasure {
    bool personal_data = false;  // a sealed row was deleted
    std::int64_t appointments = 0;
    std::int64_t messages = 0;
    std::int64_t waitlist = 0;
    std::int64_t calls = 0;
    std::int64_t changes = 0;
    std::int64_t total() const {
        return std::int64_t(personal_data) + appointments + messages + waitlist + calls + changes;
    }
};
// The right to erasure: deletes the sealed personal data, deletes the waiting-list entries, and
// unlinks the rest from the phone number: appointments, messages, calls and history rows get a
// fresh random pseudonym ("erased:..."), which no phone number gives, and lose their free text
// (reason, body), which may name the person. Slots stay booked. The audit log keeps the old
// pseudonym (it is append-only), and so still verifies.
Result<Erasure> erase_patient(WriteContext& ctx, const std::string& pseudonym, const Actor& actor);

// Copies the write-ahead log into the database and empties it: the old versions of pages an
// erasure rewrote (free text, in clear) are then gone from the files too (secure_delete zeroes
// the freed space in the database). Blocks up to 5 s while the writer holds the database; from
// any thread, on a connection of its own.
Status truncate_wal(const std::filesystem::path& path);

// A pseudonym of an erased patient, or "anonymous": no history, no summary.
bool is_unlinked(std::string_view pseudonym);

// --- read side ------------------------------------------------------------------------------

// A read-only connection of its own to the store's database. One thread at a time.
class Reader {
  public:
    Reader(std::filesystem::path path, PiiKey key);
    ~Reader();
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    // Slots of a specialty starting in [from, to), by start.
    Result<std::vector<Slot>> slots(std::string_view specialty, Time from, Time to, bool free_only);
    // A patient's appointments, by start.
    Result<std::vector<Appointment>> appointments_of(std::string_view pseudonym,
                                                     bool include_cancelled);
    // A specialty's appointments starting in [from, to), by start.
    Result<std::vector<Appointment>> appointments_in(std::string_view specialty, Time from, Time to,
                                                     bool include_cancelled);
    // Waiting entries of a specialty in order of addition.
    Result<std::vector<WaitEntry>> waitlist(std::string_view specialty);
    // Urgent first, then oldest first. `open`: only open (true) or acknowledged (false) ones.
    Result<std::vector<Message>> messages(std::optional<std::string> specialty,
                                          std::optional<bool> open);
    // Open urgent messages created before `cutoff` (now - kUrgentMessageOverdue), oldest first.
    Result<std::vector<Message>> overdue_messages(Time cutoff);
    Result<std::int64_t> overdue_count(Time cutoff);
    // The creation time of the oldest open urgent message not yet overdue at `cutoff` (it
    // becomes overdue kUrgentMessageOverdue later), if any.
    Result<std::optional<Time>> next_urgent_after(Time cutoff);
    // Booked appointments starting in [from, until) whose reminder is not marked sent.
    Result<std::vector<Appointment>> reminders_due(Time from, Time until);
    Result<History> history(std::string_view pseudonym, Time now);
    // For the caller summaries (agenda/summaries.hpp): the number of finished calls of each
    // caller, and every booked appointment starting after `now` with its patient's pseudonym.
    Result<std::vector<std::pair<std::string, std::int64_t>>> call_counts();
    Result<std::vector<std::pair<std::string, Appointment>>> booked_after(Time now);
    // The latest finished call with this id (of `gateway` when not empty).
    Result<std::optional<CallSnapshot>> finished_call(std::string_view call_id,
                                                      std::string_view gateway);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace acd::agenda
