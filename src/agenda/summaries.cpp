#include "summaries.hpp"

namespace acd::agenda {

Result<Summaries> Summaries::load(Reader& reader, Time now) {
    Summaries s;
    auto counts = reader.call_counts();
    if (!counts) return counts.error();
    for (const auto& [caller, n] : *counts)
        s.entries_[caller].past_calls = n;
    auto booked = reader.booked_after(now);
    if (!booked) return booked.error();
    for (const auto& [patient, appointment] : *booked)
        s.booked(appointment, patient);
    return s;
}

std::optional<CallerSummary> Summaries::get(const std::string& pseudonym, Time now) {
    if (is_unlinked(pseudonym)) return std::nullopt;
    CallerSummary summary;
    const auto it = entries_.find(pseudonym);
    if (it == entries_.end()) return summary;
    summary.past_calls = it->second.past_calls;
    auto& upcoming = it->second.upcoming;
    for (auto a = upcoming.begin(); a != upcoming.end();) {
        if (a->second.slot.start <= now) {  // started: no longer upcoming
            patient_of_.erase(a->first);
            a = upcoming.erase(a);
            continue;
        }
        if (!summary.next || a->second.slot.start < summary.next->slot.start) {
            summary.next = a->second;
        }
        ++a;
    }
    return summary;
}

void Summaries::call_finished(const std::string& caller) {
    if (!is_unlinked(caller)) ++entries_[caller].past_calls;
}

void Summaries::booked(const Appointment& appointment, const std::string& patient) {
    Appointment a = appointment;
    a.patient = {};
    entries_[patient].upcoming.insert_or_assign(a.id, std::move(a));
    patient_of_[appointment.id] = patient;
}

void Summaries::cancelled(std::int64_t appointment_id) {
    const auto it = patient_of_.find(appointment_id);
    if (it == patient_of_.end()) return;
    entries_[it->second].upcoming.erase(appointment_id);
    patient_of_.erase(it);
}

void Summaries::moved(const Appointment& appointment) {
    const auto it = patient_of_.find(appointment.id);
    if (it == patient_of_.end()) return;
    const std::string patient = it->second;
    booked(appointment, patient);
}

void Summaries::erased(const std::string& pseudonym) {
    const auto it = entries_.find(pseudonym);
    if (it == entries_.end()) return;
    for (const auto& [id, a] : it->second.upcoming)
        patient_of_.erase(id);
    entries_.erase(it);
}

}  // namespace acd::agenda
