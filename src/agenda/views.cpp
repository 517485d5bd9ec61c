#include "acd/views.hpp"

#include "acd/agenda_views.hpp"
#include "acd/site_time.hpp"

namespace acd {
namespace {

Json or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}
Json or_null(const std::optional<std::string>& s) {
    return s ? Json(*s) : Json(nullptr);
}
Json or_null(const ZoneRules& zone, const std::optional<Time>& t) {
    return t ? Json(format_site_time(zone, *t)) : Json(nullptr);
}
Json or_null(const std::optional<std::int64_t>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace

Json patient_json(const agenda::Patient& p) {
    if (!p.known()) return nullptr;
    return {{"phone", *p.phone}, {"name", or_null(p.name)}, {"birth_date", or_null(p.birth_date)}};
}

Json slot_json(const agenda::Slot& s, const ZoneRules& zone) {
    return {{"slot_id", s.id},
            {"specialty", s.specialty},
            {"practitioner", s.practitioner},
            {"start", format_site_time(zone, s.start)},
            {"duration_min", s.duration_min},
            {"appointment_id", or_null(s.appointment_id)}};
}

Json appointment_json(const agenda::Appointment& a, const ZoneRules& zone) {
    return {{"appointment_id", a.id},
            {"slot_id", a.slot.id},
            {"specialty", a.slot.specialty},
            {"practitioner", a.slot.practitioner},
            {"start", format_site_time(zone, a.slot.start)},
            {"duration_min", a.slot.duration_min},
            {"patient", patient_json(a.patient)},
            {"reason", a.reason},
            {"status", agenda::to_string(a.status)},
            {"booked_at", format_site_time(zone, a.booked_at)},
            {"booked_by", a.booked_by},
            {"call_id", or_null(a.call_id)},
            {"cancelled_at", or_null(zone, a.cancelled_at)},
            {"cancelled_by", or_null(a.cancelled_by)},
            {"cancel_reason", a.cancelled_at ? Json(a.cancel_reason) : Json(nullptr)},
            {"reminder_sent_at", or_null(zone, a.reminder_sent_at)}};
}

Json entry_json(const agenda::WaitEntry& e, const ZoneRules& zone) {
    return {{"entry_id", e.id},
            {"specialty", e.specialty},
            {"patient", patient_json(e.patient)},
            {"reason", e.reason},
            {"before", or_null(zone, e.before)},
            {"added_at", format_site_time(zone, e.added_at)},
            {"added_by", e.added_by},
            {"call_id", or_null(e.call_id)}};
}

Json message_json(const agenda::Message& m, Time now, const ZoneRules& zone) {
    const bool open = !m.acknowledged_at;
    return {{"message_id", m.id},
            {"specialty", m.specialty},
            {"practitioner", or_null(m.practitioner)},
            {"patient", patient_json(m.patient)},
            {"urgency", agenda::to_string(m.urgency)},
            {"action", agenda::to_string(m.action)},
            {"reason", m.reason},
            {"body", m.body},
            {"by", m.created_by},
            {"call_id", or_null(m.call_id)},
            {"created_at", format_site_time(zone, m.created_at)},
            {"status", open ? "open" : "acknowledged"},
            {"acknowledged_at", or_null(zone, m.acknowledged_at)},
            {"acknowledged_by", or_null(m.acknowledged_by)},
            {"overdue", open && m.urgency == agenda::Urgency::urgent &&
                            now - m.created_at > agenda::kUrgentMessageOverdue}};
}

Json past_call_json(const CallSnapshot& c, const ZoneRules& zone) {
    const Time until = c.answered_at.value_or(c.ended_at.value_or(c.enqueued_at));
    return {{"call_id", c.call_id},
            {"gateway", c.gateway},
            {"at", format_site_time(zone, c.enqueued_at)},
            {"specialty", or_null(c.specialty)},
            {"class", to_string(c.call_class)},
            {"outcome", c.outcome ? Json(to_string(*c.outcome)) : Json(nullptr)},
            {"wait_s", seconds_between(c.enqueued_at, until)},
            {"agent", or_null(c.agent)},
            {"team", or_null(c.team)}};
}

Json change_json(const agenda::ChangeEntry& c, const ZoneRules& zone) {
    Json j = {{"at", format_site_time(zone, c.at)},
              {"change", c.change},
              {"call_id", or_null(c.call_id)},
              {"by", c.by}};
    if (c.appointment_id) j["appointment_id"] = *c.appointment_id;
    if (c.message_id) j["message_id"] = *c.message_id;
    if (c.entry_id) j["entry_id"] = *c.entry_id;
    return j;
}

Json history_json(const agenda::History& h, Time now, const ZoneRules& zone) {
    return {{"patient", patient_json(h.patient)},
            {"calls_total", h.calls_total},
            {"calls", json_list(h.calls, past_call_json, zone)},
            {"appointments", json_list(h.upcoming, appointment_json, zone)},
            {"messages",
             json_list(h.open_messages,
                       [&](const agenda::Message& m) { return message_json(m, now, zone); })},
            {"changes", json_list(h.changes, change_json, zone)}};
}

Json summary_json(const agenda::CallerSummary& s, const ZoneRules& zone) {
    Json next = nullptr;
    if (s.next) {
        next = {{"appointment_id", s.next->id},
                {"start", format_site_time(zone, s.next->slot.start)},
                {"specialty", s.next->slot.specialty},
                {"practitioner", s.next->slot.practitioner}};
    }
    return {{"past_calls", s.past_calls}, {"next_appointment", next}};
}

}  // namespace acd
