// The JSON the admin protocol shows of the agenda (docs/spec/agenda.md "Commands"): slots,
// appointments, waiting-list entries, messages, a caller's history and summary. Times are RFC 3339
// with the offset of the site's zone (config.md v1.1 `site.timezone`, site_time.hpp); a patient
// is their personal data, or null once erased.
#pragma once

#include "acd/agenda.hpp"
#include "acd/codec.hpp"

namespace acd {

Json patient_json(const agenda::Patient& patient);
Json slot_json(const agenda::Slot& slot, const ZoneRules& zone);
Json appointment_json(const agenda::Appointment& appointment, const ZoneRules& zone);
Json entry_json(const agenda::WaitEntry& entry, const ZoneRules& zone);
// `now` decides `overdue` (an urgent message open for more than 30 minutes).
Json message_json(const agenda::Message& message, Time now, const ZoneRules& zone);
// A finished call of the caller history.
Json past_call_json(const CallSnapshot& call, const ZoneRules& zone);
Json change_json(const agenda::ChangeEntry& change, const ZoneRules& zone);
Json history_json(const agenda::History& history, Time now, const ZoneRules& zone);
// {"past_calls": n, "next_appointment": {appointment_id, start, specialty, practitioner} or null}
Json summary_json(const agenda::CallerSummary& summary, const ZoneRules& zone);

// The list of to_json(item, extra...) for each item.
template <typename T, typename F, typename... Extra>
Json json_list(const std::vector<T>& items, F&& to_json, const Extra&... extra) {
    Json out = Json::array();
    for (const T& item : items)
        out.push_back(to_json(item, extra...));
    return out;
}

}  // namespace acd
