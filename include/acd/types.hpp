// Vocabulary shared by every acdd module: time, call classes, call and agent states, outcomes
// (docs/spec/routing.md), and the text form of times.
//
// Every enum here has a to_string() giving the exact word the protocols use, and (where the
// protocols carry it inbound) a parse_*() returning std::nullopt for anything else.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "acd/result.hpp"

namespace acd {

// Engine time: milliseconds since the Unix epoch (UTC). The engine never reads a clock; every
// input carries the time at which it happened.
using Duration = std::chrono::milliseconds;
using Time = std::chrono::sys_time<Duration>;

inline constexpr Duration seconds(std::int64_t s) {
    return std::chrono::seconds(s);
}

enum class CallClass : std::uint8_t { urgent, appointment, admin };
inline constexpr int kCallClassCount = 3;
inline constexpr CallClass kCallClasses[kCallClassCount] = {
    CallClass::urgent, CallClass::appointment, CallClass::admin};

enum class CallState : std::uint8_t { queued, offering, connected, ended };

enum class AgentState : std::uint8_t { logged_out, ready, reserved, busy, wrap_up, paused };
inline constexpr int kAgentStateCount = 6;

// `closed`: rejected because its specialty was closed (routing.md "Opening hours", v1.1).
enum class Outcome : std::uint8_t { completed, abandoned, rejected, closed };

std::string_view to_string(CallClass c);
std::string_view to_string(CallState s);
std::string_view to_string(AgentState s);
std::string_view to_string(Outcome o);

std::optional<CallClass> parse_call_class(std::string_view s);
std::optional<AgentState> parse_agent_state(std::string_view s);
std::optional<CallState> parse_call_state(std::string_view s);
std::optional<Outcome> parse_outcome(std::string_view s);

// RFC 3339 in UTC with milliseconds: "2026-11-23T09:30:00.000Z".
std::string format_time(Time t);
// RFC 3339: date, 'T' (or 't' or ' '), time, optional fraction, then 'Z' or an offset +hh:mm or
// -hh:mm. nullopt for anything else, and for a time outside the years 0000 to 9999 in UTC.
std::optional<Time> parse_time(std::string_view text);

// The enum value whose word is `s` in `words` (indexed by value), for the enums of every module.
template <typename Enum, std::size_t N>
std::optional<Enum> parse_word(std::string_view s, const std::array<std::string_view, N>& words) {
    for (std::size_t i = 0; i < N; ++i) {
        if (words[i] == s) return static_cast<Enum>(i);
    }
    return std::nullopt;
}

inline constexpr int index_of(CallClass c) {
    return static_cast<int>(c);
}

}  // namespace acd
