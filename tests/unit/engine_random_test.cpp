// Thousands of random input sequences (fixed seeds). After every input, the invariants of
// docs/spec/routing.md are checked from outside the engine, through its views:
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

#include "acd/snapshot.hpp"
#include "engine_harness.hpp"
#include "random_inputs.hpp"

namespace acd::test {
namespace {

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

// Reconfigurations the engine accepted, over all sequences: the test must exercise them.
int accepted_reconfigurations = 0;

struct Step {
    Input input;
    Time at;
    Output output;
};

// Halfway, the engine is snapshotted and restored; from there the restored engine takes the
// same inputs and must give the same outputs.
void run_sequence(std::uint64_t seed, int length) {
    Rng rng(seed);
    const RoutingConfig config = random_config(rng);
    Engine engine(config);
    Generator gen{rng, engine};
    std::vector<Step> steps;
    std::unique_ptr<Engine> restored;
    for (int i = 0; i < length; ++i) {
        if (i == length / 2) {
            auto r = restore_engine(snapshot_engine(engine));
            ASSERT_TRUE(r) << "seed " << seed << ": " << r.error().message;
            restored = std::move(*r);
            ASSERT_EQ(restored->image(), engine.image()) << "seed " << seed;
        }
        Input in = gen.next(engine);
        const Output& out = engine.handle(in, gen.now);
        if (std::holds_alternative<input::Reconfigure>(in) && out.reply.ok()) {
            ++accepted_reconfigurations;
        }
        steps.push_back({std::move(in), gen.now, out});
        const std::string broken = check_invariants(engine);
        ASSERT_EQ(broken, "") << "seed " << seed << " after input " << i;
        if (restored) {
            ASSERT_EQ(restored->handle(steps.back().input, gen.now), out)
                << "seed " << seed << ": restored engine differs at input " << i;
        }
    }
    EXPECT_EQ(restored->image(), engine.image()) << "seed " << seed;
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
    EXPECT_GT(accepted_reconfigurations, 1000);
}

TEST(RandomSequences, LongSequencesUnderLoad) {
    for (std::uint64_t seed = 10001; seed <= 10004; ++seed) {
        run_sequence(seed, 5000);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace acd::test
