// Thousands of random input sequences (fixed seeds). After every input, the invariants of
// spec/routing.md are checked from outside the engine, through its views:
//   - work conservation: no queued call has a ready eligible agent;
//   - no agent holds two calls, and reserved/busy agents hold exactly the call they ring/talk;
//   - every live call is in exactly one state (queued calls in exactly their queue, others in
//   none);
//   - no team exceeds its capacity, and its count matches the calls it holds;
//   - each queue's order equals a sort by the dispatch key;
// and replaying the same inputs on a new engine gives the same outputs and state.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "engine_harness.hpp"

namespace acd::test {
namespace {

using Rng = std::mt19937_64;

int pick(Rng& rng, int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
}
bool chance(Rng& rng, double p) {
    return std::bernoulli_distribution(p)(rng);
}
// "c7" and the like. Not `"c" + std::to_string(n)`: GCC 12 at -O3 warns (falsely) that it
// overflows (GCC bug 105651), which -Werror turns into a failed Release build.
std::string numbered(const char* prefix, long n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

const std::vector<std::string> kSpecialties = {"s0", "s1", "s2", "s3"};

RoutingConfig random_config(Rng& rng) {
    RoutingConfig c;
    for (int i = 0; i < 3; ++i) {
        c.classes[i].overflow = chance(rng, 0.8);
        c.classes[i].tier = pick(rng, 2);
        c.classes[i].target = seconds(10 + pick(rng, 120));
    }
    c.overflow_on_deadline = chance(rng, 0.7);
    c.ring_timeout = seconds(5 + pick(rng, 20));
    for (std::size_t i = 0; i < kSpecialties.size(); ++i) {
        SpecialtyConfig s{kSpecialties[i], kSpecialties[i], {numbered("+", 100 + i)}};
        s.default_class = kCallClasses[pick(rng, 3)];
        s.overflow_threshold = pick(rng, 5);
        s.overflow_enabled = chance(rng, 0.8);
        c.specialties.push_back(s);
    }
    const int n_agents = 2 + pick(rng, 7);
    for (int i = 0; i < n_agents; ++i) {
        std::vector<std::string> skills;
        for (const auto& s : kSpecialties) {
            if (chance(rng, 0.4)) skills.push_back(s);
        }
        if (skills.empty()) skills.push_back(kSpecialties[pick(rng, 4)]);
        c.agents.push_back(agent(numbered("a", i), skills, pick(rng, 3) * 5));
    }
    const int n_teams = pick(rng, 3);
    for (int i = 0; i < n_teams; ++i) {
        std::vector<std::string> specs;
        if (chance(rng, 0.3)) {
            specs = {"*"};
        } else {
            for (const auto& s : kSpecialties) {
                if (chance(rng, 0.5)) specs.push_back(s);
            }
        }
        c.teams.push_back(team(numbered("t", i), specs, 1 + pick(rng, 3)));
    }
    return c;
}

// Keeps track of call ids so that inputs mostly name live calls.
struct Generator {
    Rng& rng;
    const RoutingConfig& config;
    std::uint64_t seq = 0;
    int next_call = 0;
    Time now = start_time();

    std::string some_call(const Engine& engine, std::optional<CallState> state = {}) {
        std::vector<std::string> ids;
        for (const auto& c : engine.calls()) {
            if (!state || c.state == *state) ids.push_back(c.call_id);
        }
        if (ids.empty() || chance(rng, 0.03)) return numbered("c", pick(rng, next_call + 1));
        return ids[pick(rng, static_cast<int>(ids.size()))];
    }
    std::string some_agent() {
        if (chance(rng, 0.02)) return "ghost";
        return config.agents[pick(rng, static_cast<int>(config.agents.size()))].id;
    }
    std::string some_specialty() {
        if (chance(rng, 0.03)) return "nowhere";
        return kSpecialties[pick(rng, 4)];
    }
    std::optional<std::string> maybe_agent(const Engine& engine, const std::string& call_id) {
        if (chance(rng, 0.5)) return std::nullopt;
        if (chance(rng, 0.1)) return some_agent();
        const auto call = engine.find_call({call_id, std::nullopt});
        if (call && !call->agent.empty()) return call->agent;
        return std::nullopt;
    }
    input::GatewayEvent event(input::GatewayEventBody body) {
        if (chance(rng, 0.02) && seq > 0) return {"gw", seq - pick(rng, 2), std::move(body)};
        return {"gw", ++seq, std::move(body)};
    }

    Input next(const Engine& engine) {
        now += Duration(pick(rng, 8000));
        switch (pick(rng, 16)) {
            case 0:
            case 1:
            case 2: {
                input::CallOffered o;
                o.call_id = numbered("c", ++next_call);
                o.caller = numbered("p", pick(rng, 20));
                o.dialed = numbered("+", 100 + pick(rng, 5));
                if (chance(rng, 0.5)) o.specialty = some_specialty();
                if (chance(rng, 0.6)) o.call_class = kCallClasses[pick(rng, 3)];
                return event(o);
            }
            case 3:
            case 4: {
                const auto id = some_call(engine, CallState::offering);
                return event(input::CallAnswered{id, maybe_agent(engine, id)});
            }
            case 5: {
                const auto id = some_call(engine, CallState::offering);
                return event(input::CallNoAnswer{id, maybe_agent(engine, id)});
            }
            case 6:
            case 7:
                return event(input::CallEnded{some_call(engine), std::nullopt});
            case 8: {
                const AgentState states[] = {AgentState::ready, AgentState::paused,
                                             AgentState::logged_out};
                return event(input::AgentReport{some_agent(), states[pick(rng, 3)], "phone"});
            }
            case 9:
                return input::AgentLogin{some_agent(), chance(rng, 0.2)};
            case 10:
                return input::AgentReady{some_agent()};
            case 11:
                return chance(rng, 0.5) ? Input{input::AgentPause{some_agent(), "break"}}
                                        : Input{input::AgentLogout{some_agent()}};
            case 12:
                return input::CallReclassify{{some_call(engine), std::nullopt},
                                             kCallClasses[pick(rng, 3)]};
            case 13:
                return input::CallTransfer{{some_call(engine, CallState::queued), std::nullopt},
                                           some_specialty()};
            case 14: {
                input::OverflowSet o{some_specialty(), std::nullopt, std::nullopt};
                if (chance(rng, 0.7)) o.threshold = pick(rng, 5) - (chance(rng, 0.05) ? 10 : 0);
                if (chance(rng, 0.5)) o.enabled = chance(rng, 0.7);
                return o;
            }
            default:
                now += Duration(pick(rng, 60000));
                return input::Tick{};
        }
    }
};

std::string check_invariants(const Engine& engine) {
    const RoutingConfig& config = engine.config();
    const auto calls = engine.calls();
    const auto agents = engine.agents();
    std::map<std::string, int> agent_calls;
    std::map<std::string, int> team_calls;
    std::set<std::string> queued;
    for (const CallSnapshot& c : calls) {
        if (c.state == CallState::ended) return "ended call still live: " + c.call_id;
        if (c.state == CallState::queued) {
            queued.insert(c.call_id);
            for (const AgentView& a : agents) {
                const bool skilled =
                    std::find(a.skills.begin(), a.skills.end(), c.specialty) != a.skills.end();
                if (a.state == AgentState::ready && skilled) {
                    return "queued call " + c.call_id + " has ready eligible agent " + a.id;
                }
            }
        } else if (!c.agent.empty()) {
            ++agent_calls[c.agent];
            for (const AgentView& a : agents) {
                if (a.id != c.agent) continue;
                const AgentState want =
                    c.state == CallState::offering ? AgentState::reserved : AgentState::busy;
                if (a.state != want || a.call_id != c.call_id) {
                    return "agent " + a.id + " is " + std::string(to_string(a.state)) +
                           " with call '" + a.call_id + "' but call " + c.call_id + " is " +
                           std::string(to_string(c.state));
                }
            }
        } else if (!c.team.empty()) {
            ++team_calls[c.team];
        } else {
            return "call " + c.call_id + " is offering or connected to nobody";
        }
    }
    for (const auto& [id, n] : agent_calls) {
        if (n > 1) return "agent " + id + " holds " + std::to_string(n) + " calls";
    }
    for (const AgentView& a : agents) {
        const bool on_call = a.state == AgentState::reserved || a.state == AgentState::busy;
        if (on_call != (agent_calls[a.id] == 1)) return "agent " + a.id + " call count mismatch";
    }
    for (const TeamView& t : engine.teams()) {
        if (t.active > t.max_concurrent) return "team " + t.id + " over capacity";
        if (t.active != team_calls[t.id]) return "team " + t.id + " count mismatch";
    }
    std::size_t in_queues = 0;
    for (const SpecialtyConfig& s : config.specialties) {
        const auto q = engine.queue(s.id).value();
        in_queues += q.size();
        auto sorted = q;
        const auto key = [&](const CallSnapshot& c) {
            return std::make_tuple(config.policy(c.call_class).tier, c.deadline, c.enqueued_at,
                                   c.arrival);
        };
        std::sort(sorted.begin(), sorted.end(),
                  [&](const auto& a, const auto& b) { return key(a) < key(b); });
        if (sorted != q) return "queue " + s.id + " is not in dispatch order";
        for (const CallSnapshot& c : q) {
            if (c.specialty != s.id || !queued.contains(c.call_id)) {
                return "queue " + s.id + " holds call " + c.call_id + " in state " +
                       std::string(to_string(c.state));
            }
            if (c.deadline != c.enqueued_at + config.policy(c.call_class).target) {
                return "deadline of " + c.call_id + " is not enqueued_at + target";
            }
        }
    }
    if (in_queues != queued.size()) return "a queued call is missing from its queue";
    return "";
}

struct Step {
    Input input;
    Time at;
    Output output;
};

void run_sequence(std::uint64_t seed, int length) {
    Rng rng(seed);
    const RoutingConfig config = random_config(rng);
    Engine engine(config);
    Generator gen{rng, config};
    std::vector<Step> steps;
    for (int i = 0; i < length; ++i) {
        Input in = gen.next(engine);
        const Output& out = engine.handle(in, gen.now);
        steps.push_back({std::move(in), gen.now, out});
        const std::string broken = check_invariants(engine);
        ASSERT_EQ(broken, "") << "seed " << seed << " after input " << i;
    }
    Engine replay(config);
    for (std::size_t i = 0; i < steps.size(); ++i) {
        ASSERT_EQ(replay.handle(steps[i].input, steps[i].at), steps[i].output)
            << "seed " << seed << ": replay differs at input " << i;
    }
    EXPECT_EQ(replay.calls(), engine.calls()) << "seed " << seed;
    EXPECT_EQ(replay.agents(), engine.agents()) << "seed " << seed;
    EXPECT_EQ(replay.teams(), engine.teams()) << "seed " << seed;
    EXPECT_EQ(replay.next_timer(), engine.next_timer()) << "seed " << seed;
}

TEST(RandomSequences, InvariantsHoldAfterEveryInputAndReplayIsExact) {
    for (std::uint64_t seed = 1; seed <= 2000; ++seed) {
        run_sequence(seed, 300);
        if (HasFatalFailure()) return;
    }
}

TEST(RandomSequences, LongSequencesUnderLoad) {
    for (std::uint64_t seed = 10001; seed <= 10004; ++seed) {
        run_sequence(seed, 5000);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace acd::test
