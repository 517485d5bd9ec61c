#include "acd/types.hpp"

#include <array>

#include "acd/engine.hpp"
#include "acd/routing_config.hpp"

namespace acd {
namespace {

constexpr std::array<std::string_view, 3> kClassWords = {"urgent", "appointment", "admin"};
constexpr std::array<std::string_view, 4> kCallStateWords = {"queued", "offering", "connected",
                                                             "ended"};
constexpr std::array<std::string_view, 6> kAgentStateWords = {"logged_out", "ready",   "reserved",
                                                              "busy",       "wrap_up", "paused"};
constexpr std::array<std::string_view, 4> kOutcomeWords = {"completed", "abandoned", "rejected",
                                                           "closed"};
constexpr std::array<std::string_view, 24> kCauseWords = {"offered",
                                                          "routed",
                                                          "overflow_threshold",
                                                          "overflow_deadline",
                                                          "queued",
                                                          "answered",
                                                          "no_answer",
                                                          "ring_timeout",
                                                          "ended",
                                                          "rejected",
                                                          "reclassified",
                                                          "transferred",
                                                          "deadline_passed",
                                                          "login",
                                                          "logout",
                                                          "pause",
                                                          "ready",
                                                          "wrap_up_end",
                                                          "overflow_set",
                                                          "removed",
                                                          "closed",
                                                          "overflow_closed",
                                                          "gateway_lost",
                                                          "ended_by_supervisor"};

}  // namespace

std::string_view to_string(CallClass c) {
    return kClassWords[static_cast<std::size_t>(c)];
}
std::string_view to_string(CallState s) {
    return kCallStateWords[static_cast<std::size_t>(s)];
}
std::string_view to_string(AgentState s) {
    return kAgentStateWords[static_cast<std::size_t>(s)];
}
std::string_view to_string(Outcome o) {
    return kOutcomeWords[static_cast<std::size_t>(o)];
}
std::string_view to_string(Cause c) {
    return kCauseWords[static_cast<std::size_t>(c)];
}

std::optional<CallClass> parse_call_class(std::string_view s) {
    return parse_word<CallClass>(s, kClassWords);
}
std::optional<AgentState> parse_agent_state(std::string_view s) {
    return parse_word<AgentState>(s, kAgentStateWords);
}
std::optional<CallState> parse_call_state(std::string_view s) {
    return parse_word<CallState>(s, kCallStateWords);
}
std::optional<Outcome> parse_outcome(std::string_view s) {
    return parse_word<Outcome>(s, kOutcomeWords);
}

std::array<ClassPolicy, kCallClassCount> default_class_policies() {
    return {ClassPolicy{seconds(30), 0, true, seconds(10), {}},
            ClassPolicy{seconds(120), 1, true, seconds(0), {}},
            ClassPolicy{seconds(300), 1, true, seconds(0), {}}};
}

std::array<ClosedRule, kCallClassCount> default_closed_rules() {
    return {ClosedRule::team, ClosedRule::reject, ClosedRule::reject};
}

std::string_view to_string(ClosedRule r) {
    constexpr std::array<std::string_view, 3> kWords = {"team", "reject", "queue"};
    return kWords[static_cast<std::size_t>(r)];
}

std::optional<ClosedRule> parse_closed_rule(std::string_view s) {
    constexpr std::array<std::string_view, 3> kWords = {"team", "reject", "queue"};
    return parse_word<ClosedRule>(s, kWords);
}

std::string_view to_string(AlertKind k) {
    return k == AlertKind::call_late ? "call_late" : "queue_unstaffed";
}

}  // namespace acd
