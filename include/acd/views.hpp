// The JSON the admin protocol shows of calls, agents, queues and service figures
// (docs/spec/admin-protocol.md "Commands"), at time `now`.
#pragma once

#include "acd/codec.hpp"
#include "acd/engine.hpp"
#include "acd/stats.hpp"

namespace acd {

// The view of one agent (nullopt for an unknown id).
std::optional<AgentView> find_agent(const Engine& engine, std::string_view id);

Json agent_json(const AgentView& agent, Time now);
Json call_json(const CallSnapshot& call, Time now);
Json queue_json(const QueueView& queue, Time now);
Json queued_call_json(const CallSnapshot& call, Time now);
Json figures_json(const ServiceFigures& figures);

// Whole seconds from `from` to `to` (negative when `to` is earlier).
std::int64_t seconds_between(Time from, Time to);

}  // namespace acd
