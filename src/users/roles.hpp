// What each role may run (docs/spec/web.md, "What each role may run"): the registry's permission
// hook. The admin socket and acdd itself act as admin; a web caller is held to its role's row of
// the table, and a command missing from the table is the admin's alone.
//
// Pure functions of the request and the facts given; single-threaded like the registry.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "acd/control.hpp"

namespace acd::users {

struct RoleFacts {
    // Whether the call `call_id` is now routed to `agent`, or ended there within the last 10
    // minutes (the agent's limit on a caller's data).
    std::function<bool(const std::string& call_id, const std::string& agent)> call_of_agent;
};

// nullopt when `request` may run `command`; else the refusal (code `forbidden`).
std::optional<control::Answer> permit(const control::Request& request,
                                      const control::Command& command, const RoleFacts& facts);

}  // namespace acd::users
