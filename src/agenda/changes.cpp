// The agenda's changes, one parser each: what it reads of its arguments, and the work that
// makes it on the writer thread (commands.cpp runs them).
#include <fmt/format.h>

#include "acd/agenda_views.hpp"
#include "acd/site_time.hpp"
#include "command_parts.hpp"
#include "rows.hpp"

namespace acd::agenda {
namespace {

constexpr std::int64_t kMaxSlotMinutes = 24 * 60;
constexpr std::int64_t kMaxSlotsAtOnce = 500;

using control::Answer;

Json freed_event(const std::string& cause, const Freed& freed, Time at, const ZoneRules& zone) {
    return {{"topic", "agenda"},
            {"event", "slot.freed"},
            {"at", format_site_time(zone, at)},
            {"cause", cause},
            {"slot", slot_json(freed.slot, zone)},
            {"waitlist", json_list(freed.waitlist, entry_json, zone)}};
}

// One action record per live call an erasure unlinked (agenda.hpp, kCallUnlinkRecord).
Status journal_unlinked(WriteContext& ctx, const std::vector<LiveCallId>& live,
                        const std::string& unlinked, Time at) {
    for (const LiveCallId& call : live) {
        AuditRecord r;
        r.at = at;
        r.kind = RecordKind::action;
        r.type = std::string(kCallUnlinkRecord);
        r.gateway = call.gateway;
        r.call_id = call.call_id;
        r.body = Json{{"unlinked", unlinked}}.dump();
        if (Status s = ctx.append(std::move(r)); !s) return s;
    }
    return {};
}

Change slot_open(Arguments& a, const ParseEnv&) {
    SlotRequest req;
    req.specialty = a.word("specialty");
    req.practitioner = a.word("practitioner");
    req.start = a.time("start");
    req.duration_min = a.integer("duration_min", 1, kMaxSlotMinutes);
    req.count = a.integer("count", 1, kMaxSlotsAtOnce, 1);
    return {false, true, req.specialty,
            [req](WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto r = open_slots(ctx, req, actor);
                if (!r) return refused_or_failed(r.error());
                const auto& ids = *r;
                Written w;
                w.answer = Answer::success(fmt::format("{} slot(s) opened for {} in {}", ids.size(),
                                                       req.practitioner, req.specialty),
                                           {{"slots", ids}});
                w.facts = {{"slots", ids}};
                return w;
            }};
}

Change appointment_book(Arguments& a, const ParseEnv& env) {
    const std::int64_t slot_id = a.id("slot_id");
    const PatientData patient = a.patient();
    const std::string reason = a.text("reason");
    const std::string pseudonym = patient.phone.empty() ? "" : env.key.pseudonym(patient.phone);
    return {true, true, std::nullopt,
            [slot_id, patient, reason, pseudonym, zone = env.zone](
                WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto r = book(ctx, slot_id, patient, reason, actor);
                if (!r) return refused_or_failed(r.error());
                const auto& b = *r;
                Written w;
                w.answer = Answer::success(
                    fmt::format("appointment {} booked: {} {} at {}", b.id, b.slot.specialty,
                                b.slot.practitioner, format_site_time(zone, b.slot.start)),
                    appointment_json(b, zone));
                w.facts = {{"appointment_id", b.id}, {"slot_id", b.slot.id}};
                w.remember = [b, pseudonym](Summaries& s) { s.booked(b, pseudonym); };
                return w;
            }};
}

Change appointment_cancel(Arguments& a, const ParseEnv& env) {
    const std::int64_t id = a.id("appointment_id");
    const std::string reason = a.text("reason");
    return {
        true, true, std::nullopt,
        [id, reason, zone = env.zone](WriteContext& ctx, const Actor& actor) -> Result<Written> {
            auto r = cancel(ctx, id, reason, actor);
            if (!r) return refused_or_failed(r.error());
            const auto& c = *r;
            Written w;
            w.answer = Answer::success(
                fmt::format("appointment {} cancelled: slot {} is free, {} on the waiting list", id,
                            c.freed.slot.id, c.freed.waitlist.size()),
                {{"appointment_id", id},
                 {"appointment", appointment_json(c.appointment, zone)},
                 {"slot", slot_json(c.freed.slot, zone)},
                 {"waitlist", json_list(c.freed.waitlist, entry_json, zone)}});
            w.facts = {{"appointment_id", id}, {"slot_id", c.freed.slot.id}};
            w.events.push_back(freed_event("appointment-cancel", c.freed, actor.at, zone));
            w.remember = [id](Summaries& s) { s.cancelled(id); };
            return w;
        }};
}

Change appointment_move(Arguments& a, const ParseEnv& env) {
    const std::int64_t id = a.id("appointment_id");
    const std::int64_t slot_id = a.id("slot_id");
    return {
        true, true, std::nullopt,
        [id, slot_id, zone = env.zone](WriteContext& ctx, const Actor& actor) -> Result<Written> {
            auto r = move(ctx, id, slot_id, actor);
            if (!r) return refused_or_failed(r.error());
            const auto& m = *r;
            Json result = appointment_json(m.appointment, zone);
            result["freed_slot"] = slot_json(m.freed.slot, zone);
            result["waitlist"] = json_list(m.freed.waitlist, entry_json, zone);
            Written w;
            w.answer =
                Answer::success(fmt::format("appointment {} moved to slot {} at {}", id, slot_id,
                                            format_site_time(zone, m.appointment.slot.start)),
                                result);
            w.facts = {
                {"appointment_id", id}, {"slot_id", slot_id}, {"freed_slot_id", m.freed.slot.id}};
            w.events.push_back(freed_event("appointment-move", m.freed, actor.at, zone));
            w.remember = [moved = m.appointment](Summaries& s) { s.moved(moved); };
            return w;
        }};
}

Change waitlist_add(Arguments& a, const ParseEnv& env) {
    const std::string specialty = a.word("specialty");
    const PatientData patient = a.patient();
    const std::string reason = a.text("reason");
    const std::optional<Time> before = a.date_or_time("before", env.zone);
    return {true, true, specialty,
            [specialty, patient, reason, before](WriteContext& ctx,
                                                 const Actor& actor) -> Result<Written> {
                auto id = add_to_waitlist(ctx, specialty, patient, reason, before, actor);
                if (!id) return id.error();
                Written w;
                w.answer = Answer::success(
                    fmt::format("entry {} on the waiting list of {}", *id, specialty),
                    {{"entry_id", *id}});
                w.facts = {{"entry_id", *id}};
                return w;
            }};
}

Change message_create(Arguments& a, const ParseEnv&) {
    MessageRequest req;
    req.specialty = a.word("specialty");
    req.practitioner = a.word("practitioner", kMaxIdChars, false);
    req.patient = a.patient();
    req.urgency =
        parse_urgency(a.choice("urgency", {"urgent", "normal"})).value_or(Urgency::normal);
    req.action = parse_message_action(a.choice("action", {"call_back", "book", "info"}))
                     .value_or(MessageAction::info);
    req.reason = a.text("reason");
    req.body = a.text("body");
    return {true, true, req.specialty,
            [req](WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto id = create_message(ctx, req, actor);
                if (!id) return id.error();
                Written w;
                w.answer = Answer::success(
                    fmt::format("{} message {} for {}", to_string(req.urgency), *id, req.specialty),
                    {{"message_id", *id}});
                w.facts = {{"message_id", *id}};
                w.messages_changed = true;
                return w;
            }};
}

Change message_ack(Arguments& a, const ParseEnv& env) {
    const std::int64_t id = a.id("message_id");
    return {true, true, std::nullopt,
            [id, zone = env.zone](WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto r = acknowledge(ctx, id, actor);
                if (!r) return refused_or_failed(r.error());
                Written w;
                w.answer = Answer::success(fmt::format("message {} acknowledged", id),
                                           message_json(*r, actor.at, zone));
                w.facts = {{"message_id", id}};
                w.messages_changed = true;
                return w;
            }};
}

Change reminder_sent(Arguments& a, const ParseEnv& env) {
    const std::int64_t id = a.id("appointment_id");
    return {false, false, std::nullopt,
            [id, zone = env.zone](WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto r = mark_reminder_sent(ctx, id, actor);
                if (!r) return refused_or_failed(r.error());
                Written w;
                w.answer =
                    Answer::success(fmt::format("reminder of appointment {} marked sent", id),
                                    appointment_json(*r, zone));
                w.facts = {{"appointment_id", id}};
                return w;
            }};
}

Change patient_erase(Arguments& a, const ParseEnv& env) {
    const std::string phone = a.phone("phone");
    const std::string pseudonym = phone.empty() ? "" : env.key.pseudonym(phone);
    // Calls still live end after the job has run: they are unlinked from here on, on this thread,
    // so that none is recorded under the erased pseudonym; and journaled with the erasure, so
    // that a restart before they end unlinks them again.
    std::vector<LiveCallId> live;
    const std::string unlinked = random_pseudonym();
    if (!pseudonym.empty() && !a.failed() && env.erasing) live = env.erasing(pseudonym, unlinked);
    return {true, false, std::nullopt,
            [pseudonym, live, unlinked](WriteContext& ctx, const Actor& actor) -> Result<Written> {
                auto e = erase_patient(ctx, pseudonym, actor);
                if (!e) return e.error();
                if (Status s = journal_unlinked(ctx, live, unlinked, actor.at); !s) {
                    return s.error();
                }
                const Json counts = {{"personal_data", e->personal_data ? 1 : 0},
                                     {"appointments", e->appointments},
                                     {"messages", e->messages},
                                     {"waitlist", e->waitlist},
                                     {"calls", e->calls},
                                     {"changes", e->changes}};
                Written w;
                w.answer = Answer::listing(
                    e->total() == 0,
                    e->total() == 0 ? "nothing known of this number"
                                    : "personal data erased; the rest is unlinked from the number",
                    {{"erased", counts}});
                w.facts = {{"erased", counts}};
                w.messages_changed = e->messages > 0;
                w.truncate_wal = e->total() > 0;
                w.remember = [pseudonym](Summaries& s) { s.erased(pseudonym); };
                return w;
            }};
}

}  // namespace

Written refused(const Error& refusal) {
    Written w;
    w.answer = Answer::failure(refusal);
    w.facts = {{"code", to_string(refusal.code)}};
    return w;
}

Result<Written> refused_or_failed(const Error& error) {
    if (is_refusal(error)) return refused(error);
    return error;
}

const std::vector<NamedChange> kChanges = {
    {"slot-open", slot_open},
    {"appointment-book", appointment_book},
    {"appointment-cancel", appointment_cancel},
    {"appointment-move", appointment_move},
    {"waitlist-add", waitlist_add},
    {"message-create", message_create},
    {"message-ack", message_ack},
    {"reminder-sent", reminder_sent},
    {"patient-erase", patient_erase},
};

}  // namespace acd::agenda
