// The virtual-time event loop: the real acd::Engine fed by the scenario's call-arrival model.
//
// The simulator plays the gateway and the phones. It offers calls as they arrive, answers a
// call.route after the scenario's answer delay, ends the call after its handle time, hangs up
// for a caller whose patience runs out while the call is queued or ringing, logs agents in and
// out at the edges of their shifts, and feeds input::Tick when an engine timer is due.
//
// Deterministic: the same scenario, seed and policy give the same result. Each call's handle
// time and patience are drawn from its own stream when it arrives, so the acdd and FIFO runs of
// one scenario see exactly the same calls (common random numbers: their difference is the
// policy, not the luck of the draw).
//
// An agent whose shift ends while on a call logs out when the call ends. The engine refuses a
// logout while reserved or busy and offers a ready agent the next call at once, so if a call is
// routed to such an agent in the instant it becomes free, the phone does not pick up
// (call.no_answer: the call keeps its place in the queue) and the agent logs out.
#pragma once

#include <functional>

#include "sim/results.hpp"
#include "sim/scenario.hpp"

namespace acd::sim {

// The RoutingConfig the engine runs for `policy`. fifo: every class in one tier with one target,
// so the dispatch order collapses to arrival order in each specialty; no overflow teams.
RoutingConfig routing_for(const Scenario& scenario, Policy policy);

// Called with the final record of every call when it ends (and of calls still live at the end).
using CallObserver = std::function<void(const CallSnapshot&)>;

RunResult run(const Scenario& scenario, Policy policy, const CallObserver& observer = {});

// The engine time of the start of a run: the start date at midnight. The engine runs in site
// time (its zone is UTC): a day of the run is 24 hours, daylight-saving changes are not played.
Time run_start(const Scenario& scenario);

}  // namespace acd::sim
