// Gateways away (docs/spec/routing.md v1.1, "While a call's gateway is disconnected"): their
// calls keep their places but are not routed, offers under way wait for the gateway's return, and
// after orphan_timeout its calls end as abandoned (cause gateway_lost).
#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;

std::vector<Index> Engine::State::gateway_calls(Index gw) const {
    std::vector<Index> slots;
    gateways[gw].calls.for_each_slot([&](Index slot) { slots.push_back(slot); });
    // The index's own order depends on its history; arrival order does not.
    std::sort(slots.begin(), slots.end(),
              [&](Index a, Index b) { return calls[a].arrival < calls[b].arrival; });
    return slots;
}

void Engine::State::gateway_away(Index gw) {
    core::Gateway& g = gateways[gw];
    g.away_since = clock;
    ++g.away_gen;
    const std::vector<Index> slots = gateway_calls(gw);
    for (Index slot : slots) {
        core::Call& call = calls[slot];
        if (call.state == CallState::queued) {
            ++specialties[call.specialty].away;
        } else if (call.state == CallState::offering) {
            ++call.offer_gen;  // nobody can ring it: its ring timeout waits for the return
        }
    }
    if (!slots.empty()) {
        arm(core::TimerKind::orphan, clock + config.orphan_timeout, gw, 0, g.away_gen);
    }
}

void Engine::State::gateway_back(Index gw) {
    core::Gateway& g = gateways[gw];
    g.away_since.reset();
    ++g.away_gen;
    for (Index slot : gateway_calls(gw)) {
        core::Call& call = calls[slot];
        if (call.state == CallState::queued) {
            --specialties[call.specialty].away;
            mark_dirty(call.specialty);
            deadline_work = true;
        } else if (call.state == CallState::offering) {
            // The shell re-sends the route after the welcome; the ring timeout runs from now.
            call.ring_until = clock + config.ring_timeout + core::kRingGrace + core::kJustAfter;
            arm(core::TimerKind::ring, call.ring_until, slot, call.arrival, ++call.offer_gen);
        }
    }
}

void Engine::State::on_orphan(Index gw) {
    for (Index slot : gateway_calls(gw)) {
        calls[slot].end_abandoned = true;
        end_call(slot, Cause::gateway_lost);
    }
}

}  // namespace acd
