// Alerts (docs/spec/routing.md v1.1 "Alerts"): call_late per queued call, queue_unstaffed per
// specialty. Each raising and clearing is an AlertChange; the active ones are a view.
#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;

Alert Engine::State::late_alert(Index slot) const {
    const core::Call& call = calls[slot];
    return Alert{AlertKind::call_late, specialties[call.specialty].config.id,
                 gateways[call.gateway].id, call.call_id, call.late_since.value_or(clock)};
}

namespace {

// Assignments keep the buffers a reused change already has.
void fill_late(AlertChange& change, Time at, bool raised, const std::string& specialty,
               const std::string& gateway, const std::string& call_id, Time raised_at) {
    change.at = at;
    change.raised = raised;
    change.alert.kind = AlertKind::call_late;
    change.alert.specialty = specialty;
    change.alert.gateway = gateway;
    change.alert.call_id = call_id;
    change.alert.raised_at = raised_at;
}

}  // namespace

Alert Engine::State::unstaffed_alert(Index sp) const {
    return Alert{AlertKind::queue_unstaffed,
                 specialties[sp].config.id,
                 {},
                 {},
                 specialties[sp].unstaffed_since.value_or(clock)};
}

// Raised once per call.
void Engine::State::raise_late(Index slot) {
    core::Call& call = calls[slot];
    call.late_raised = true;
    call.late_since = clock;
    fill_late(push_alert_change(), clock, true, specialties[call.specialty].config.id,
              gateways[call.gateway].id, call.call_id, clock);
}

// When the call leaves the queue.
void Engine::State::clear_late(Index slot) {
    core::Call& call = calls[slot];
    if (!call.late_since) return;
    fill_late(push_alert_change(), clock, false, specialties[call.specialty].config.id,
              gateways[call.gateway].id, call.call_id, *call.late_since);
    call.late_since.reset();
}

// A specialty with a queued call, no agent with its skill logged in, and no open team serving it.
void Engine::State::check_unstaffed(Index sp) {
    core::Specialty& spec = specialties[sp];
    const bool unstaffed =
        !spec.queue.empty() && spec.staffed == 0 &&
        std::none_of(spec.teams.begin(), spec.teams.end(), [&](Index t) { return teams[t].open; });
    if (unstaffed == spec.unstaffed_since.has_value()) return;
    if (unstaffed) spec.unstaffed_since = clock;
    out.changes.emplace_back(std::in_place_type<AlertChange>,
                             AlertChange{clock, unstaffed, unstaffed_alert(sp)});
    if (!unstaffed) spec.unstaffed_since.reset();
}

std::vector<Alert> Engine::alerts() const {
    const State& s = *state_;
    std::vector<std::pair<std::uint64_t, Alert>> found;  // (order among alerts raised at once)
    for (Index sp = 0; sp < s.specialties.size(); ++sp) {
        if (s.specialties[sp].unstaffed_since) found.emplace_back(sp, s.unstaffed_alert(sp));
    }
    for (Index slot = 0; slot < s.calls.size(); ++slot) {
        const core::Call& call = s.calls[slot];
        if (call.arrival != 0 && call.late_since) {
            found.emplace_back(s.specialties.size() + call.arrival, s.late_alert(slot));
        }
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
        return std::tie(a.second.raised_at, a.first) < std::tie(b.second.raised_at, b.first);
    });
    std::vector<Alert> out;
    for (auto& [order, alert] : found)
        out.push_back(std::move(alert));
    return out;
}

}  // namespace acd
