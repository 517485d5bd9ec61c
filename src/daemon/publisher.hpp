// What subscribers see of the engine: each output becomes messages of the `calls` (with each
// call's script), `agents`, `queues` and `alerts` topics (docs/admin.md "subscribe"), published to
// the control hub. Single-threaded, on the engine's thread.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "acd/control.hpp"
#include "acd/engine.hpp"

namespace acd {

// `caller_summary` adds what an agent's desk pops to call.offered and call.routed.
void publish_output(control::Hub& hub, const Engine& engine, Time now, const Output& output,
                    const std::function<std::optional<Json>(const std::string&)>& caller_summary);

}  // namespace acd
