// Random engine inputs for property tests: random routing configurations (valid as
// parse_config would accept them) and a generator of input sequences that mostly name live calls
// and configured agents, with some refusals mixed in.
#pragma once

#include <random>
#include <string>

#include "acd/engine.hpp"

namespace acd::test {

using Rng = std::mt19937_64;

int pick(Rng& rng, int n);
bool chance(Rng& rng, double p);

// With `v11`, the configuration uses routing.md v1.1 (schedules in a zone whose offset changes,
// hours, closed rules, overflow leads, team retry, alerts, orphan timeout) and the generator adds
// its inputs (gateways away and back, call-end, quality sample). Without, only what v1 has: the
// journal's configuration record and its replay do not carry v1.1 yet.
RoutingConfig random_config(Rng& rng, bool v11 = true);
RoutingConfig random_reconfig(Rng& rng, RoutingConfig config);

struct Generator {
    Rng& rng;
    const Engine& engine;
    std::uint64_t seq = 0;
    int next_call = 0;
    Time now;

    bool v11 = true;

    Generator(Rng& r, const Engine& e, bool with_v11 = true);
    // The next input; `now` has moved forward to its time.
    Input next(const Engine& engine);

    std::string some_call(const Engine& engine, std::optional<CallState> state = {});
    std::string some_agent();
    std::string some_specialty();
    std::optional<std::string> maybe_agent(const Engine& engine, const std::string& call_id);
    input::GatewayEvent event(input::GatewayEventBody body);
};

}  // namespace acd::test
