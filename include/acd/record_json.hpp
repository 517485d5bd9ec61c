// The JSON bodies of audit records and the commands sent to gateways, written straight into a
// string.
//
// Contract: each function returns exactly the bytes of the codec's form, to_json(x).dump()
// (include/acd/codec.hpp): the same keys in nlohmann-json's sorted order, the same escapes, the
// same time format. The audit log's content and hash chain do not depend on which one wrote a
// record; tests/unit/record_json_test.cpp compares the two on random engine runs.
//
// Why: building an nlohmann::json object per change (a std::map node per key, a string per
// value) and dumping it took more than half of the engine thread's time under load; the same for
// a command, a fifth of it once the changes were written this way.
#pragma once

#include <string>
#include <string_view>

#include "acd/engine.hpp"

namespace acd {

// to_json(change).dump()
std::string change_body(const Change& change);
// to_json(command).dump(): the line of a command to a gateway (gateway-protocol.md)
std::string command_text(const Command& command);
// to_json(event).dump()
std::string gateway_event_body(const input::GatewayEvent& event);
// to_json(event)["type"]: "call.offered", ..., "agent.state", or "rejected".
std::string_view gateway_event_type(const input::GatewayEvent& event);
// format_time(t), without fmt.
void append_time(std::string& out, Time t);

}  // namespace acd
