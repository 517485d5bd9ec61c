// The agents acd-load plays, put back as it found them. acd-load makes the configuration's agents
// ready and plays them; a run must not leave a daemon's agents in another state than before it
// (logged in, or paused with the daemon's no_answer). So, before the run, the agents' states are
// read with agent-list over acdd's admin socket (docs/spec/admin-protocol.md); at the end of the
// run (and on SIGINT or SIGTERM) each played agent gets the gateway protocol's agent.state that
// puts its state back; after the run, agent-list is read again and every agent whose state
// differs is reported.
//
// Pure but for read_agent_states(), which blocks on the socket (with a deadline).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "acd/result.hpp"

namespace acd::load {

// An agent's state and pause reason (empty unless paused), as agent-list gives them.
struct AgentState {
    std::string state;
    std::string reason;
    bool operator==(const AgentState&) const = default;
};
using AgentStates = std::map<std::string, AgentState>;

// agent-list over the admin socket at `path`. The error says what failed and where.
Result<AgentStates> read_agent_states(const std::string& path, std::chrono::milliseconds timeout);

// The agent.state event (state, reason) that puts an agent back to `before` from any state but
// on a call. nullopt when `before` is on a call (reserved, busy): that agent is not played at
// all. An agent in wrap-up is put back ready, where its wrap-up would have taken it.
struct StateEvent {
    std::string state;   // ready, paused or logged_out
    std::string reason;  // for paused
};
std::optional<StateEvent> restoring_event(const AgentState& before);

// Of the `played` agents, those whose state `after` is not the one they had `before`, for people:
// "a3 is paused (no_answer), was ready". An agent found ready and now on a call (routed a call
// since) counts as put back.
std::vector<std::string> not_restored(const AgentStates& before, const AgentStates& after,
                                      const std::vector<std::string>& played);

}  // namespace acd::load
