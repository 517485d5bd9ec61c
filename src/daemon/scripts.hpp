// The script of a call (docs/spec/config.md v1.1 `classes.<class>.script`,
// `specialties[].script`): the lines shown to the agent when the call rings it, the class's lines
// first. The call.route of an agent carries them (the desktop shows them at screen pop), and so do
// call-list and the `calls` topic, for supervisors' tools.
#pragma once

#include <string>
#include <vector>

#include "acd/engine.hpp"
#include "acd/json.hpp"

namespace acd {

// The class's lines, then the specialty's (empty for an unknown specialty's part).
std::vector<std::string> script_lines(const RoutingConfig& config, const std::string& specialty,
                                      CallClass call_class);

// Sets `call_json["script"]` to the lines of `call` (an empty list when there are none).
void add_script(Json& call_json, const RoutingConfig& config, const CallSnapshot& call);

}  // namespace acd
