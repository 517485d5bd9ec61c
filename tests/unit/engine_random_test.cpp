// Thousands of random input sequences (fixed seeds). After every input, the invariants of
// docs/spec/routing.md are checked from outside the engine, through its views:
//   - work conservation: no queued call has a ready eligible agent;
//   - no agent holds two calls, and reserved/busy agents hold exactly the call they ring/talk;
//   - every live call is in exactly one state (queued calls in exactly their queue, others in
//   none);
//   - no team exceeds its capacity, and its count matches the calls it holds;
//   - each queue's order equals a sort by the dispatch key;
//   - no queued call that may go to a team (closed rule `team`, within its class's lead of its
//     deadline, or in a queue over its threshold) has an open team with room that may take it;
//   - specialties and teams are open exactly when their schedules say, and a closed team never
//     holds a new call;
//   - the calls of a gateway that is away are never routed;
// and replaying the same inputs on a new engine gives the same outputs and state. The inputs mix
// in schedules that open and close (in a zone whose offset changes), team retries, gateways that
// go away and come back (or stay away past the orphan timeout), and call-end.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "acd/schedule.hpp"
#include "acd/snapshot.hpp"
#include "engine_harness.hpp"
#include "random_inputs.hpp"

namespace acd::test {
namespace {

const Schedule* schedule_named(const RoutingConfig& config, const std::string& id) {
    for (const Schedule& s : config.schedules) {
        if (s.id == id) return &s;
    }
    return nullptr;
}

bool open_at(const RoutingConfig& config, const std::string& hours, Time t) {
    const Schedule* s = schedule_named(config, hours);
    return s == nullptr || is_open(*s, config.zone, t);
}

// The team rules: no queued call that may go to a team has one that would take it.
std::string check_team_rules(const Engine& engine) {
    const RoutingConfig& config = engine.config();
    const EngineImage image = engine.image();
    const Time now = engine.now();
    std::set<std::string> away;
    for (const GatewayView& g : engine.gateways()) {
        if (g.away_since) away.insert(g.id);
    }
    std::map<std::string, int> room;  // open teams with room
    for (const TeamView& t : engine.teams()) {
        if (t.open && t.active < t.max_concurrent) room[t.id] = t.max_concurrent - t.active;
    }
    std::map<std::string, OverflowSetting> settings;
    for (const OverflowSetting& o : engine.overflow_settings())
        settings[o.specialty] = o;
    std::map<std::string, std::int64_t> queued;
    for (const QueueView& q : engine.queues())
        queued[q.specialty] = q.queued;
    for (const EngineImage::Call& c : image.calls) {
        if (c.state != CallState::queued || away.contains(c.gateway)) continue;
        const ClassPolicy& policy = config.policy(c.call_class);
        const Time deadline = c.enqueued_at + policy.target;
        const OverflowSetting& setting = settings[c.specialty];
        const bool overflow = policy.overflow && setting.enabled;
        const bool due =
            c.closed_team ||
            (overflow && config.overflow_on_deadline && now > deadline - policy.overflow_lead) ||
            (overflow && queued[c.specialty] > setting.threshold);
        if (!due) continue;
        for (const TeamConfig& t : config.teams) {
            const bool serves =
                t.all_specialties || std::find(t.specialties.begin(), t.specialties.end(),
                                               c.specialty) != t.specialties.end();
            if (!serves || !room.contains(t.id)) continue;
            const bool refused =
                std::any_of(c.refused.begin(), c.refused.end(),
                            [&](const auto& r) { return r.team == t.id && r.until > now; });
            if (!refused) return "queued call " + c.call_id + " may go to open team " + t.id;
        }
    }
    for (const QueueView& q : engine.queues()) {
        for (const SpecialtyConfig& s : config.specialties) {
            if (s.id == q.specialty && q.open != open_at(config, s.hours, now)) {
                return "specialty " + s.id + " open is " + std::to_string(q.open);
            }
        }
    }
    for (const TeamView& v : engine.teams()) {
        for (const TeamConfig& t : config.teams) {
            if (t.id == v.id && v.open != open_at(config, t.hours, now)) {
                return "team " + t.id + " open is " + std::to_string(v.open);
            }
        }
    }
    return "";
}

// Routes in `out`: a team is routed a call only while open; a gateway away is routed nothing.
std::string check_routes(const RoutingConfig& config, const Output& out,
                         const std::set<std::string>& away) {
    for (const Change& change : out.changes) {
        const auto* c = std::get_if<CallChange>(&change);
        if (c == nullptr) continue;
        const bool routed = c->cause == Cause::routed || c->cause == Cause::overflow_threshold ||
                            c->cause == Cause::overflow_deadline ||
                            c->cause == Cause::overflow_closed;
        if (!routed) continue;
        if (away.contains(c->call.gateway))
            return "call of a gateway away routed: " + c->call.call_id;
        if (c->call.team.empty()) continue;
        for (const TeamConfig& t : config.teams) {
            if (t.id == c->call.team && !open_at(config, t.hours, c->at)) {
                return "closed team " + t.id + " given call " + c->call.call_id;
            }
        }
    }
    return "";
}

std::string check_invariants(const Engine& engine) {
    const RoutingConfig& config = engine.config();
    const auto calls = engine.calls();
    const auto agents = engine.agents();
    std::set<std::string> away;
    for (const GatewayView& g : engine.gateways()) {
        if (g.away_since) away.insert(g.id);
    }
    std::map<std::string, int> agent_calls;
    std::map<std::string, int> team_calls;
    std::set<std::string> queued;
    for (const CallSnapshot& c : calls) {
        if (c.state == CallState::ended) return "ended call still live: " + c.call_id;
        if (c.state == CallState::queued) {
            queued.insert(c.call_id);
            if (away.contains(c.gateway)) continue;  // not routed while its gateway is away
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
    return check_team_rules(engine);
}

// Reconfigurations the engine accepted, and the causes and alerts seen, over all sequences: the
// test must exercise them.
int accepted_reconfigurations = 0;
std::map<Cause, int> causes_seen;
int alerts_seen = 0;

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
        const RoutingConfig config_before = engine.config();
        std::set<std::string> away_before;
        for (const GatewayView& g : engine.gateways()) {
            if (g.away_since) away_before.insert(g.id);
        }
        const Output& out = engine.handle(in, gen.now);
        // An event from a gateway brings it back before it is applied.
        if (const auto* ev = std::get_if<input::GatewayEvent>(&in)) away_before.erase(ev->gateway);
        if (const auto* up = std::get_if<input::GatewayConnected>(&in))
            away_before.erase(up->gateway);
        std::string bad_route = check_routes(config_before, out, away_before);
        // Timers due before a reconfiguration fire under the old configuration, its own routes
        // under the new one.
        if (!bad_route.empty() && std::holds_alternative<input::Reconfigure>(in)) {
            bad_route = check_routes(engine.config(), out, away_before);
        }
        ASSERT_EQ(bad_route, "") << "seed " << seed << " after input " << i;
        if (std::holds_alternative<input::Reconfigure>(in) && out.reply.ok()) {
            ++accepted_reconfigurations;
        }
        for (const Change& change : out.changes) {
            if (const auto* c = std::get_if<CallChange>(&change)) ++causes_seen[c->cause];
            if (std::holds_alternative<AlertChange>(change)) ++alerts_seen;
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
    for (Cause c : {Cause::closed, Cause::overflow_closed, Cause::gateway_lost,
                    Cause::ended_by_supervisor, Cause::overflow_deadline}) {
        EXPECT_GT(causes_seen[c], 100) << to_string(c);
    }
    EXPECT_GT(alerts_seen, 1000);
}

TEST(RandomSequences, LongSequencesUnderLoad) {
    for (std::uint64_t seed = 10001; seed <= 10004; ++seed) {
        run_sequence(seed, 5000);
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace acd::test
