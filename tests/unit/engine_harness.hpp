// Drives an acd::Engine in tests: a clock in seconds, one gateway "gw", helpers that send one
// input each and return its Output, and lookups into that Output.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "acd/engine.hpp"

namespace acd::test {

struct SpecialtySpec {
    std::string id;
    int threshold = 3;
};

// Specialties "cardio" (number +1001), "neuro" (+1002), "radio" (+1003) unless given; no agents
// and no teams, wrap-up 0 unless set by the test.
RoutingConfig basic_config();
AgentConfig agent(std::string id, std::vector<std::string> skills, int wrap_up_s = 0);
TeamConfig team(std::string id, std::vector<std::string> specialties, int max_concurrent);
// basic_config() with these agents and teams.
RoutingConfig with_agents(std::vector<AgentConfig> agents, std::vector<TeamConfig> teams = {});

class Harness {
  public:
    explicit Harness(const RoutingConfig& config);

    // The time of the next input, in seconds after the start.
    void at(double seconds);
    double now_s() const;

    const Output& offer(const std::string& call_id, const std::string& specialty,
                        std::optional<CallClass> cls = std::nullopt);
    const Output& offer_dialed(const std::string& call_id, const std::string& dialed);
    const Output& answer(const std::string& call_id, std::optional<std::string> agent = {});
    const Output& no_answer(const std::string& call_id, std::optional<std::string> agent = {});
    const Output& end(const std::string& call_id);
    const Output& report(const std::string& agent, AgentState state, std::string reason = {});
    const Output& login(const std::string& agent, bool paused = false);
    const Output& logout(const std::string& agent);
    const Output& pause(const std::string& agent, const std::string& reason);
    const Output& ready(const std::string& agent);
    const Output& reclassify(const std::string& call_id, CallClass cls);
    const Output& transfer(const std::string& call_id, const std::string& specialty);
    const Output& overflow_set(const std::string& specialty, std::optional<int> threshold,
                               std::optional<bool> enabled);
    const Output& tick();
    const Output& event(input::GatewayEventBody body);  // next seq
    const Output& send(const Input& input);

    AgentState agent_state(const std::string& id) const;
    std::string agent_reason(const std::string& id) const;
    std::optional<CallSnapshot> call(const std::string& call_id) const;
    std::vector<std::string> queue_ids(const std::string& specialty) const;
    int team_active(const std::string& id) const;

    Engine engine;
    std::uint64_t seq = 0;

  private:
    Time time_;
};

Time start_time();

// The command of `out` for `call_id` of the given kind, if any.
std::optional<CallRouteCommand> route_of(const Output& out, const std::string& call_id);
std::optional<CallQueuedCommand> queued_of(const Output& out, const std::string& call_id);
std::optional<CallRejectCommand> reject_of(const Output& out, const std::string& call_id);
// Where the call was routed in `out`: the agent or team id, or "" when it was not.
std::string routed_to(const Output& out, const std::string& call_id);

}  // namespace acd::test
