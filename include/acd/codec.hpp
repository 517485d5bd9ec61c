// JSON forms of the engine's inputs and outputs: the gateway protocol
// (docs/spec/gateway-protocol.md), the engine commands of the admin protocol
// (docs/spec/admin-protocol.md), call and agent changes, and times.
//
// One parser per message kind, used both by the network side and by the replay of the audit
// log, so that what was accepted live is read back the same way.
//
// Contract: parsers never throw; they return the input or an error with its stable code and a
// message that names the offending field. Encoders produce what the parsers accept.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "acd/engine.hpp"
#include "acd/routing_config.hpp"

namespace acd {

using Json = nlohmann::json;

// RFC 3339 in UTC with milliseconds: "2026-11-23T09:30:00.000Z".
std::string format_time(Time t);
// RFC 3339: date, 'T' (or 't' or ' '), time, optional fraction, then 'Z' or an offset ±hh:mm.
std::optional<Time> parse_time(std::string_view text);

struct DecodeError {
    ErrorCode code = ErrorCode::bad_request;
    std::string message;
    std::optional<std::uint64_t> seq;  // the offending event's seq, when it has a valid one
};

// --- gateway protocol ---------------------------------------------------------------------

// Maximum length of a call_id, in bytes.
inline constexpr std::size_t kMaxCallIdBytes = 128;

// An event from gateway `gateway` (any `type` but hello). Unknown extra fields are ignored.
// `caller` is passed through as given: the daemon replaces it with its pseudonym.
std::variant<input::GatewayEvent, DecodeError> parse_gateway_event(const Json& event,
                                                                   std::string_view gateway);
Json to_json(const input::GatewayEvent& event);  // the wire form, without the gateway id
Json to_json(const Command& command);            // the wire form of a command to a gateway
Json error_json(ErrorCode code, std::string_view message, std::optional<std::uint64_t> seq);

// --- admin protocol: the commands the engine applies ----------------------------------------

// agent-login, agent-logout, agent-pause, agent-ready, call-reclassify, call-transfer,
// overflow-set, call-end; and gateway-disconnected, gateway-connected (the daemon's own inputs,
// journaled in this form).
bool is_engine_command(std::string_view command);
// Precondition: is_engine_command(command).
std::variant<Input, DecodeError> parse_engine_command(std::string_view command,
                                                      const Json& arguments);
// {"command": ..., "arguments": {...}} for an input that is an engine command.
Json to_json_command(const Input& input);

// --- changes and views ----------------------------------------------------------------------

// "call.<cause>" for call changes ("call.routed", "call.ended", ...), "agent.state",
// "overflow.set", "alert.raised", "alert.cleared".
std::string change_type(const Change& change);
Json to_json(const Change& change);
Json to_json(const CallSnapshot& call);

// --- routing configuration in the form of the configuration file (docs/spec/config.md) -----------
Json to_json(const RoutingConfig& config);

}  // namespace acd
