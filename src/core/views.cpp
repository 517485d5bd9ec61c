// Read-only views of the engine for the admin protocol and tests.
#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

std::uint64_t Engine::last_seq(std::string_view gateway) const {
    const auto it = state_->gateway_by_id.find(gateway);
    return it == state_->gateway_by_id.end() ? 0 : state_->gateways[it->second].last_seq;
}

std::vector<CallSnapshot> Engine::calls() const {
    std::vector<CallSnapshot> out;
    for (Index slot = 0; slot < state_->calls.size(); ++slot) {
        if (state_->calls[slot].arrival != 0) out.push_back(state_->snapshot(slot));
    }
    std::sort(out.begin(), out.end(),
              [](const CallSnapshot& a, const CallSnapshot& b) { return a.arrival < b.arrival; });
    return out;
}

std::optional<CallSnapshot> Engine::find_call(const input::CallSelector& selector) const {
    std::optional<CallSnapshot> found;
    for (const core::Gateway& gw : state_->gateways) {
        if (selector.gateway && *selector.gateway != gw.id) continue;
        const Index slot = gw.calls.find(selector.call_id, state_->calls);
        if (slot == kNone) continue;
        if (found) return std::nullopt;  // ambiguous without a gateway
        found = state_->snapshot(slot);
    }
    return found;
}

std::vector<Command> Engine::offering_routes(std::string_view gateway) const {
    std::vector<Command> out;
    const auto gw = state_->gateway_by_id.find(gateway);
    if (gw == state_->gateway_by_id.end()) return out;
    std::vector<Index> slots;
    state_->gateways[gw->second].calls.for_each_slot([&](Index slot) {
        if (state_->calls[slot].state == CallState::offering) slots.push_back(slot);
    });
    std::sort(slots.begin(), slots.end(), [&](Index a, Index b) {
        return state_->calls[a].arrival < state_->calls[b].arrival;
    });
    const std::int64_t ring_s = state_->config.ring_timeout.count() / 1000;
    for (Index slot : slots) {
        const core::Call& call = state_->calls[slot];
        CallRouteCommand route;
        if (call.agent != kNone) {
            route = {state_->agents[call.agent].config.uri,
                     ring_s,
                     state_->agents[call.agent].config.id,
                     {},
                     call.quality_sample};
        } else {
            route = {state_->teams[call.team].config.uri,
                     ring_s,
                     {},
                     state_->teams[call.team].config.id,
                     false};
        }
        out.push_back(Command{std::string(gateway), call.call_id, std::move(route)});
    }
    return out;
}

namespace {

// `State` is the engine's (private to it).
template <typename State>
AgentView agent_view(const State& s, const core::Agent& a) {
    AgentView v{a.config.id, a.state, a.reason,      a.config.skills,
                {},          {},      a.state_since, a.ready_since};
    if (a.call != kNone) {
        v.gateway = s.gateways[s.calls[a.call].gateway].id;
        v.call_id = s.calls[a.call].call_id;
    }
    return v;
}

bool shown(const core::Agent& a) {
    return !(a.retired && a.state == AgentState::logged_out);  // removed and done
}

}  // namespace

std::vector<AgentView> Engine::agents() const {
    std::vector<AgentView> out;
    for (const core::Agent& a : state_->agents) {
        if (shown(a)) out.push_back(agent_view(*state_, a));
    }
    return out;
}

std::optional<AgentView> Engine::agent(std::string_view id) const {
    const auto it = state_->agent_by_id.find(id);
    if (it == state_->agent_by_id.end()) return std::nullopt;
    const core::Agent& a = state_->agents[it->second];
    if (!shown(a)) return std::nullopt;
    return agent_view(*state_, a);
}

std::vector<QueueView> Engine::queues() const {
    std::vector<QueueView> out;
    for (Index sp = 0; sp < state_->specialties.size(); ++sp) {
        const core::Specialty& spec = state_->specialties[sp];
        QueueView v;
        v.specialty = spec.config.id;
        v.queued = static_cast<std::int64_t>(spec.queue.size());
        if (!spec.by_arrival.empty()) {
            v.oldest_enqueued_at = state_->calls[spec.by_arrival.begin()->second].enqueued_at;
        }
        v.agents_ready = static_cast<std::int64_t>(spec.ready.size());
        for (const core::Agent& a : state_->agents) {
            const bool serves = std::find(a.skills.begin(), a.skills.end(), sp) != a.skills.end();
            if (serves && (a.state == AgentState::reserved || a.state == AgentState::busy ||
                           a.state == AgentState::wrap_up)) {
                ++v.agents_busy;
            }
        }
        v.exceeds_threshold = v.queued > spec.threshold;
        v.open = spec.open;
        out.push_back(std::move(v));
    }
    return out;
}

std::optional<std::vector<CallSnapshot>> Engine::queue(std::string_view specialty) const {
    const auto it = state_->specialty_by_id.find(specialty);
    if (it == state_->specialty_by_id.end()) return std::nullopt;
    std::vector<CallSnapshot> out;
    for (const core::QueueKey& key : state_->specialties[it->second].queue) {
        out.push_back(state_->snapshot(key.slot));
    }
    return out;
}

std::vector<OverflowSetting> Engine::overflow_settings() const {
    std::vector<OverflowSetting> out;
    for (const core::Specialty& spec : state_->specialties) {
        out.push_back({spec.config.id, spec.threshold, spec.overflow_enabled});
    }
    return out;
}

std::vector<TeamView> Engine::teams() const {
    std::vector<TeamView> out;
    for (const core::Team& t : state_->teams) {
        out.push_back({t.config.id, t.active, t.config.max_concurrent, t.open});
    }
    return out;
}

std::vector<GatewayView> Engine::gateways() const {
    std::vector<GatewayView> out;
    for (const core::Gateway& g : state_->gateways)
        out.push_back({g.id, g.last_seq, g.away_since});
    return out;
}

}  // namespace acd
