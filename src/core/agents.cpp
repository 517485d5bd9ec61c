// Agent lifecycle (docs/spec/routing.md "Agent lifecycle"): one place changes an agent's state and
// keeps the ready sets and staffing counts of its specialties in step.
#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

void Engine::State::set_agent_state(Index a, AgentState state, std::string reason, Cause cause) {
    core::Agent& agent = agents[a];
    // An agent removed from the configuration only finishes its call.
    if (agent.retired && state != AgentState::reserved && state != AgentState::busy) {
        state = AgentState::logged_out;
        reason.clear();
        cause = Cause::removed;
    }
    const AgentState from = agent.state;
    if (from == AgentState::ready) {
        for (Index sp : agent.skills)
            specialties[sp].ready.erase({agent.ready_since, agent.rank, a});
    }
    // A specialty whose staffing comes to or leaves zero may change its queue_unstaffed alert.
    if (from == AgentState::logged_out && state != AgentState::logged_out) {
        for (Index sp : agent.skills) {
            if (specialties[sp].staffed++ == 0) mark_dirty(sp);
        }
    } else if (from != AgentState::logged_out && state == AgentState::logged_out) {
        for (Index sp : agent.skills) {
            if (--specialties[sp].staffed == 0) mark_dirty(sp);
        }
    }
    agent.state = state;
    agent.reason = std::move(reason);
    agent.state_since = clock;
    ++agent.wrap_gen;  // any change ends a pending wrap-up timer
    if (state == AgentState::ready) {
        agent.ready_since = clock;
        for (Index sp : agent.skills) {
            auto& ready = specialties[sp].ready;  // ready_since is the latest: hint end()
            ready.insert(ready.end(), {agent.ready_since, agent.rank, a});
            mark_dirty(sp);
        }
    }
    AgentChange& change = push_agent_change();
    change.at = clock;
    change.cause = cause;
    change.agent = agent.config.id;
    change.state = state;
    change.reason = agent.reason;
    if (agent.call != kNone) {
        change.gateway = gateways[calls[agent.call].gateway].id;
        change.call_id = calls[agent.call].call_id;
    } else {
        change.gateway.clear();
        change.call_id.clear();
    }
}

void Engine::State::on_wrap_up_end(Index a) {
    set_agent_state(a, AgentState::ready, {}, Cause::wrap_up_end);
}

}  // namespace acd
