// The JSON the admin protocol shows of the agenda (docs/spec/agenda.md "Commands"): slots,
// appointments, waiting-list entries, messages, a caller's history and summary. Times are RFC 3339
// in UTC ("Z"); a patient is their personal data, or null once erased.
#pragma once

#include "acd/agenda.hpp"
#include "acd/codec.hpp"

namespace acd {

Json patient_json(const agenda::Patient& patient);
Json slot_json(const agenda::Slot& slot);
Json appointment_json(const agenda::Appointment& appointment);
Json entry_json(const agenda::WaitEntry& entry);
// `now` decides `overdue` (an urgent message open for more than 30 minutes).
Json message_json(const agenda::Message& message, Time now);
// A finished call of the caller history.
Json past_call_json(const CallSnapshot& call);
Json change_json(const agenda::ChangeEntry& change);
Json history_json(const agenda::History& history, Time now);
// {"past_calls": n, "next_appointment": {appointment_id, start, specialty, practitioner} or null}
Json summary_json(const agenda::CallerSummary& summary);

template <typename T, typename F>
Json json_list(const std::vector<T>& items, F&& to_json) {
    Json out = Json::array();
    for (const T& item : items)
        out.push_back(to_json(item));
    return out;
}

}  // namespace acd
