#include "acd/views.hpp"

namespace acd {
namespace {

Json or_null(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

template <typename T>
Json or_null(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace

std::optional<AgentView> find_agent(const Engine& engine, std::string_view id) {
    return engine.agent(id);
}

std::int64_t seconds_between(Time from, Time to) {
    return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

Json agent_json(const AgentView& a, Time now) {
    return {{"agent", a.id},
            {"state", to_string(a.state)},
            {"reason", or_null(a.reason)},
            {"skills", a.skills},
            {"call_id", or_null(a.call_id)},
            {"state_for_s", seconds_between(a.state_since, now)}};
}

Json call_json(const CallSnapshot& c, Time now) {
    const bool held = c.state == CallState::offering || c.state == CallState::connected;
    const Time until = c.answered_at.value_or(c.ended_at.value_or(now));
    return {{"call_id", c.call_id},
            {"gateway", c.gateway},
            {"specialty", or_null(c.specialty)},
            {"class", to_string(c.call_class)},
            {"state", to_string(c.state)},
            {"wait_s", seconds_between(c.enqueued_at, until)},
            {"agent", held ? or_null(c.agent) : Json(nullptr)},
            {"team", held ? or_null(c.team) : Json(nullptr)}};
}

Json queue_json(const QueueView& q, Time now) {
    return {
        {"specialty", q.specialty},
        {"queued", q.queued},
        {"oldest_wait_s",
         q.oldest_enqueued_at ? Json(seconds_between(*q.oldest_enqueued_at, now)) : Json(nullptr)},
        {"agents_ready", q.agents_ready},
        {"agents_busy", q.agents_busy},
        {"exceeds_threshold", q.exceeds_threshold}};
}

Json queued_call_json(const CallSnapshot& c, Time now) {
    return {{"call_id", c.call_id},
            {"class", to_string(c.call_class)},
            {"wait_s", seconds_between(c.enqueued_at, now)},
            {"deadline_in_s", seconds_between(now, c.deadline)}};
}

Json figures_json(const ServiceFigures& f) {
    return {{"offered", f.offered},
            {"answered", f.answered},
            {"answered_internal", f.answered_internal},
            {"answered_overflow", f.answered_overflow},
            {"abandoned", f.abandoned},
            {"short_abandoned", f.short_abandoned},
            {"overflowed", f.overflowed},
            {"rejected", f.rejected},
            {"closed", f.closed},
            {"answered_within_target", f.answered_within_target},
            {"service_level", or_null(f.service_level)},
            {"answer_rate", or_null(f.answer_rate)},
            {"asa_s", or_null(f.asa_s)},
            {"max_wait_s", or_null(f.max_wait_s)}};
}

}  // namespace acd
