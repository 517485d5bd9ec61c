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

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "acd/engine.hpp"
#include "acd/json.hpp"
#include "acd/routing_config.hpp"

namespace acd {

// A line that is not an event at all: answered with an error and not consumed.
struct DecodeError {
    ErrorCode code = ErrorCode::bad_request;
    std::string message;
    std::optional<std::uint64_t> seq;  // the offending event's seq, when it has a valid one
};

// --- gateway protocol ---------------------------------------------------------------------

// Maximum length of a call_id, in bytes.
inline constexpr std::size_t kMaxCallIdBytes = 128;

// An event from gateway `gateway` (any `type` but hello). Unknown extra fields are ignored.
// `caller` is passed through as given: the daemon replaces it with its pseudonym. Replay reads
// journaled events with it; the sessions read lines with the gateway line parser
// (gateway_line.hpp), which gives what this gives and is tested against it.
Result<input::GatewayEvent, DecodeError> parse_gateway_event(const Json& event,
                                                             std::string_view gateway);
Json to_json(const input::GatewayEvent& event);  // the wire form, without the gateway id
Json to_json(const Command& command);            // the wire form of a command to a gateway
Json error_json(ErrorCode code, std::string_view message, std::optional<std::uint64_t> seq);

// --- admin protocol: the commands the engine applies ----------------------------------------

// The names of the admin protocol's commands that the engine applies: agent-login,
// agent-logout, agent-pause, agent-ready, call-reclassify, call-transfer, overflow-set, call-end.
std::vector<std::string_view> engine_commands();
// Those, and the daemon's own inputs journaled in the same form: gateway-disconnected,
// gateway-connected.
bool is_engine_command(std::string_view command);
// Errors are bad_request, naming the argument (unsupported when `command` is not an engine
// command).
Result<Input> parse_engine_command(std::string_view command, const Json& arguments);
// {"command": ..., "arguments": {...}} for an input that is an engine command.
Json to_json_command(const Input& input);

// --- changes and views ----------------------------------------------------------------------

// "call.<cause>" for call changes ("call.routed", "call.ended", ...), "agent.state",
// "overflow.set", "alert.raised", "alert.cleared".
std::string change_type(const Change& change);
Json to_json(const Change& change);
Json to_json(const CallSnapshot& call);

}  // namespace acd
