// Vocabulary shared by every acdd module: time, call classes, call and agent states, outcomes
// and the stable error codes of the gateway and admin protocols (docs/spec/routing.md).
//
// Every enum here has a to_string() giving the exact word the protocols use, and (where the
// protocols carry it inbound) a parse_*() returning std::nullopt for anything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

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

// Stable error codes carried in `error.code` (gateway) and `arguments.code` (admin).
enum class ErrorCode : std::uint8_t {
    none,
    bad_request,
    unknown_call,
    unknown_agent,
    unknown_specialty,
    duplicate_call,
    invalid_state,
    // Transport and handshake (gateway protocol).
    bad_json,
    line_too_long,
    protocol,
    unsupported_protocol,
    unauthorized,
};

std::string_view to_string(CallClass c);
std::string_view to_string(CallState s);
std::string_view to_string(AgentState s);
std::string_view to_string(Outcome o);
std::string_view to_string(ErrorCode e);

std::optional<CallClass> parse_call_class(std::string_view s);
std::optional<AgentState> parse_agent_state(std::string_view s);

inline constexpr int index_of(CallClass c) {
    return static_cast<int>(c);
}

}  // namespace acd
