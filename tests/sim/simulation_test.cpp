// The virtual-time loop (src/tools/sim/simulation.hpp): one test per rule of its contract.
#include "sim/simulation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/models.hpp"
#include "sim_test_util.hpp"

namespace acd::sim::test {
namespace {

double secs(Duration d) {
    return static_cast<double>(d.count()) / 1000.0;
}
double at_s(const Scenario& s, Time t) {
    return secs(t - run_start(s));
}

// One specialty "desk" with the given calls, one day; agent "a" (when `shift` is given) works
// that shift, "HH:MM", "HH:MM".
Scenario desk(const std::string& calls, const std::string& shift, int wrap_up_s = 15,
              const std::string& config_extra = "", const std::string& traffic_extra = "") {
    const std::string agents =
        shift.empty()
            ? "[]"
            : R"([{"id": "a", "uri": "sip:a@pbx.local", "skills": ["desk"], "wrap_up_s": )" +
                  std::to_string(wrap_up_s) + "}]";
    const std::string config =
        "{" + config_extra + R"( "specialties": [{"id": "desk"}], "agents": )" + agents + "}";
    const std::string traffic =
        R"({"name": "t", "seed": 5, )" + traffic_extra + R"( "calls": {"desk": )" + calls + "}}";
    if (shift.empty()) return parse_ok(config, traffic);
    return parse_ok(config, traffic, R"({"shifts": [{"agents": ["a"], )" + shift + "}]}");
}

// Calls between 09:00 and 10:00 only.
std::string nine_to_ten(double per_hour, const std::string& cls = "appointment",
                        const std::string& handle = R"({"dist": "constant", "mean_s": 600})",
                        const std::string& patience = R"("none")") {
    std::string hours = "[";
    for (int h = 0; h < 24; ++h)
        hours += (h == 9 ? std::to_string(per_hour) : "0") + (h < 23 ? "," : "]");
    return R"({")" + cls + R"(": {"per_hour": )" + hours + R"(, "handle": )" + handle +
           R"(, "patience": )" + patience + "}}";
}

std::vector<CallSnapshot> calls_of(const Scenario& s, Policy policy, RunResult* result = nullptr) {
    std::vector<CallSnapshot> calls;
    RunResult r = run(s, policy, [&](const CallSnapshot& c) { calls.push_back(c); });
    EXPECT_EQ(r.engine_errors, 0) << r.first_engine_error;
    if (result) *result = std::move(r);
    return calls;
}

ServiceFigures figures(const RunResult& r) {
    return r.overall.figures();
}

TEST(Simulation, SameScenarioAndSeedGiveTheSameDay) {
    const Scenario s = load_ok("chl-day");
    const auto a = calls_of(s, Policy::acdd);
    const auto b = calls_of(s, Policy::acdd);
    EXPECT_EQ(a, b);
}

TEST(Simulation, AnotherSeedGivesAnotherDay) {
    Scenario s = load_ok("chl-day");
    const auto a = calls_of(s, Policy::acdd);
    s.seed += 1;
    const auto b = calls_of(s, Policy::acdd);
    EXPECT_NE(a, b);
}

TEST(Simulation, TheEngineAcceptsEveryInputOfTheShippedScenarios) {
    for (const char* name : {"chl-day", "aphp-week"}) {
        for (Policy p : {Policy::acdd, Policy::fifo}) {
            const RunResult r = run(load_ok(name), p);
            EXPECT_EQ(r.engine_errors, 0)
                << name << " " << to_string(p) << ": " << r.first_engine_error;
            EXPECT_GT(figures(r).offered, 0);
        }
    }
}

TEST(Simulation, BothPoliciesSeeTheSameCalls) {
    const Scenario s = load_ok("chl-day");
    const RunResult a = run(s, Policy::acdd);
    const RunResult f = run(s, Policy::fifo);
    for (const auto& [key, tally] : a.by_specialty_class.buckets()) {
        const auto it = f.by_specialty_class.buckets().find(key);
        ASSERT_NE(it, f.by_specialty_class.buckets().end());
        EXPECT_EQ(tally.figures().offered, it->second.figures().offered) << key.first;
    }
}

TEST(Simulation, FifoAnswersEachSpecialtyInArrivalOrder) {
    const Scenario s = load_ok("chl-day");
    const auto inversions = [&](Policy p) {
        auto calls = calls_of(s, p);
        std::erase_if(calls,
                      [](const CallSnapshot& c) { return !c.answered_at || !c.team.empty(); });
        std::sort(calls.begin(), calls.end(), [](const auto& a, const auto& b) {
            return std::tie(a.specialty, *a.answered_at, a.arrival) <
                   std::tie(b.specialty, *b.answered_at, b.arrival);
        });
        int n = 0;
        for (std::size_t i = 1; i < calls.size(); ++i) {
            const bool same = calls[i].specialty == calls[i - 1].specialty;
            n += same && calls[i].enqueued_at < calls[i - 1].enqueued_at;
        }
        return n;
    };
    // acdd lets urgent calls overtake (the check can tell); FIFO never does. Calls answered at
    // the same instant by different agents may come out of the sort either way, which the
    // answer delay makes impossible here: each answer is 4 s after its own route.
    EXPECT_GT(inversions(Policy::acdd), 0);
    EXPECT_EQ(inversions(Policy::fifo), 0);
}

TEST(Simulation, FifoRoutesNothingToOverflowTeams) {
    const RunResult f = run(load_ok("chl-day"), Policy::fifo);
    EXPECT_EQ(figures(f).overflowed, 0);
    EXPECT_GT(figures(run(load_ok("chl-day"), Policy::acdd)).overflowed, 0);
}

TEST(Simulation, UrgentCallsWaitLessUnderAcddThanUnderFifo) {
    const Scenario s = load_ok("chl-day");
    const auto urgent = [&](Policy p) {
        return run(s, p).by_class[index_of(CallClass::urgent)].figures();
    };
    EXPECT_LT(*urgent(Policy::acdd).asa_s, *urgent(Policy::fifo).asa_s);
    EXPECT_GT(*urgent(Policy::acdd).service_level, *urgent(Policy::fifo).service_level);
}

TEST(Simulation, CallerHangsUpWhenPatienceRunsOut) {
    // Nobody works while the calls come: every caller waits exactly its patience, then hangs up.
    const Scenario s = desk(nine_to_ten(30, "admin", R"({"dist": "constant", "mean_s": 60})",
                                        R"({"dist": "constant", "mean_s": 45})"),
                            R"("start": "14:00", "end": "15:00")");
    RunResult r;
    const auto calls = calls_of(s, Policy::acdd, &r);
    ASSERT_FALSE(calls.empty());
    for (const CallSnapshot& c : calls) {
        EXPECT_EQ(c.outcome, Outcome::abandoned);
        EXPECT_EQ(*c.ended_at - c.enqueued_at, seconds(45));
    }
    EXPECT_EQ(figures(r).abandoned, static_cast<std::int64_t>(calls.size()));
}

TEST(Simulation, CallsNobodyCanAnswerCountAsStillWaiting) {
    const Scenario s = desk(nine_to_ten(30), "");
    const RunResult r = run(s, Policy::acdd);
    EXPECT_GT(figures(r).offered, 0);
    EXPECT_EQ(r.still_waiting_at_end, figures(r).offered);
    EXPECT_EQ(figures(r).answered, 0);
}

TEST(Simulation, AnswerDelayIsPartOfEveryWait) {
    // One agent with little to do: a call that finds the agent free waits the delay exactly.
    const Scenario s =
        desk(nine_to_ten(2, "appointment", R"({"dist": "constant", "mean_s": 30})"),
             R"("start": "08:00", "end": "12:00")", 0, "", R"("answer_delay_s": 4,)");
    const auto calls = calls_of(s, Policy::acdd);
    ASSERT_FALSE(calls.empty());
    int exactly = 0;
    for (const CallSnapshot& c : calls) {
        ASSERT_TRUE(c.answered_at);
        EXPECT_GE(*c.answered_at - c.enqueued_at, seconds(4));
        exactly += *c.answered_at - c.enqueued_at == seconds(4);
    }
    EXPECT_GT(exactly, 0);
}

TEST(Simulation, CallsLastTheirHandleTimeAndWrapUpKeepsTheAgentAway) {
    // Constant 100 s calls, 60 s wrap-up, one agent: answers are at least 160 s apart.
    const Scenario s =
        desk(nine_to_ten(60, "appointment", R"({"dist": "constant", "mean_s": 100})"),
             R"("start": "08:00", "end": "12:00")", 60);
    auto calls = calls_of(s, Policy::acdd);
    std::erase_if(calls, [](const CallSnapshot& c) { return !c.answered_at; });
    ASSERT_GT(calls.size(), 2u);
    std::sort(calls.begin(), calls.end(),
              [](const auto& a, const auto& b) { return *a.answered_at < *b.answered_at; });
    for (std::size_t i = 0; i < calls.size(); ++i) {
        EXPECT_EQ(*calls[i].ended_at - *calls[i].answered_at, seconds(100));
        if (i > 0) {
            EXPECT_GE(*calls[i].answered_at - *calls[i - 1].answered_at, seconds(160));
        }
    }
}

class ShiftEnd : public ::testing::TestWithParam<int> {};  // wrap-up seconds

// Calls every minute or so, 10 minutes each: the agent is on a call when the shift ends at
// 09:30, finishes it, and takes no other. With no wrap-up the engine offers the agent the next
// queued call the instant the call ends; the simulated phone does not pick it up.
TEST_P(ShiftEnd, AgentOnACallAtShiftEndFinishesItAndTakesNoOther) {
    const Scenario s = desk(nine_to_ten(60), R"("start": "09:00", "end": "09:30")", GetParam());
    RunResult r;
    const auto calls = calls_of(s, Policy::acdd, &r);
    const double shift_end = 9.5 * 3600;
    int finished_after_end = 0;
    for (const CallSnapshot& c : calls) {
        if (!c.answered_at) continue;
        EXPECT_LE(at_s(s, *c.answered_at), shift_end);
        finished_after_end += at_s(s, *c.ended_at) > shift_end;
    }
    EXPECT_EQ(finished_after_end, 1);
    EXPECT_GT(r.still_waiting_at_end, 0);
    EXPECT_EQ(r.agents.max(10, 24), 0);  // logged out from 10:00 on
}

INSTANTIATE_TEST_SUITE_P(WrapUp, ShiftEnd, ::testing::Values(0, 30));

TEST(Simulation, AgentsAnswerOnlyDuringTheirShifts) {
    const Scenario s = load_ok("chl-day");
    std::map<std::string, std::vector<Interval>> shifts;
    for (std::size_t a = 0; a < s.routing.agents.size(); ++a)
        shifts[s.routing.agents[a].id] = work_intervals(s.shifts[a], s);
    for (const CallSnapshot& c : calls_of(s, Policy::acdd)) {
        if (!c.answered_at || c.agent.empty()) continue;
        const double t = at_s(s, *c.answered_at);
        const auto& mine = shifts.at(c.agent);
        EXPECT_TRUE(std::any_of(
            mine.begin(), mine.end(),
            [&](const Interval& i) { return t >= i.start_s && t <= i.end_s + s.answer_delay_s; }))
            << c.agent << " answered at " << t;
    }
}

TEST(Simulation, OverflowTeamTakesCallsWhenTheQueueExceedsItsThreshold) {
    const Scenario s = desk(nine_to_ten(120), R"("start": "08:00", "end": "12:00")", 15,
                            R"("overflow_teams": [{"id": "ext", "uri": "sip:ext@provider.example",
                "max_concurrent": 3, "specialties": ["*"]}],)",
                            R"("team_handle": {"dist": "constant", "mean_s": 300},)");
    RunResult r;
    const auto calls = calls_of(s, Policy::acdd, &r);
    EXPECT_GT(figures(r).answered_overflow, 0);
    for (const CallSnapshot& c : calls) {
        if (c.team.empty() || !c.answered_at) continue;
        EXPECT_TRUE(c.overflowed);
        EXPECT_EQ(*c.ended_at - *c.answered_at, seconds(300));  // the team's handle time
    }
}

TEST(Simulation, WithoutTeamHandleATeamTalksTheCallsOwnHandleTime) {
    const Scenario s =
        desk(nine_to_ten(120, "appointment", R"({"dist": "constant", "mean_s": 420})"),
             R"("start": "08:00", "end": "12:00")", 15,
             R"("overflow_teams": [{"id": "ext", "uri": "sip:ext@provider.example",
                "max_concurrent": 3, "specialties": ["*"]}],)");
    int by_team = 0;
    for (const CallSnapshot& c : calls_of(s, Policy::acdd)) {
        if (c.team.empty() || !c.answered_at) continue;
        ++by_team;
        EXPECT_EQ(*c.ended_at - *c.answered_at, seconds(420));
    }
    EXPECT_GT(by_team, 0);
}

TEST(Simulation, HourlyFiguresAddUpToTheDay) {
    const RunResult r = run(load_ok("chl-day"), Policy::acdd);
    std::int64_t offered = 0;
    std::int64_t answered = 0;
    std::int64_t by_specialty = 0;
    for (const HourFigures& h : r.hours) {
        offered += h.all.figures().offered;
        answered += h.all.figures().answered;
        for (const ServiceTally& t : h.by_specialty)
            by_specialty += t.figures().offered;
    }
    EXPECT_EQ(offered, figures(r).offered);
    EXPECT_EQ(answered, figures(r).answered);
    EXPECT_EQ(by_specialty, figures(r).offered);
}

// Little's law on the chart's data: the area under "waiting calls" is the time callers spent
// waiting (up to the answer or the hang-up).
TEST(Simulation, WaitingCallsAreTheCallersNotYetAnswered) {
    const Scenario s = load_ok("chl-day");
    double waited_s = 0;
    const RunResult r = run(s, Policy::acdd, [&](const CallSnapshot& c) {
        const Time until = c.answered_at ? *c.answered_at : *c.ended_at;
        waited_s += secs(until - c.enqueued_at);
    });
    const double area = r.waiting.mean(0, r.waiting.bins()) * r.waiting.bin_s() *
                        static_cast<double>(r.waiting.bins());
    EXPECT_NEAR(area, waited_s, waited_s * 1e-6);
}

// A day and its night (chl-24h): outside office hours urgent calls go to the night teams, the
// others are turned away closed; nothing waits unanswered through the night.
TEST(Simulation, TheNightFollowsTheOpeningHoursAndTheClosedRules) {
    const Scenario s = load_ok("chl-24h");
    RunResult r;
    const auto calls = calls_of(s, Policy::acdd, &r);
    int night_urgent = 0;
    int closed = 0;
    for (const CallSnapshot& c : calls) {
        const double hour = std::fmod(at_s(s, c.enqueued_at) / 3600.0, 24.0);
        const bool night = hour < 7 || hour >= 18;
        if (c.outcome == Outcome::closed) {
            ++closed;
            EXPECT_TRUE(night) << c.call_id << " at " << hour;
            EXPECT_NE(c.call_class, CallClass::urgent) << c.call_id;
        }
        // Until 18:30 the late shift is still logged in and takes them.
        if ((hour < 7 || hour >= 18.5) && c.call_class == CallClass::urgent && c.answered_at) {
            ++night_urgent;
            EXPECT_FALSE(c.team.empty()) << c.call_id;
            EXPECT_LE(secs(*c.answered_at - c.enqueued_at), 30.0) << c.call_id;
        }
    }
    EXPECT_GT(closed, 10);
    EXPECT_GT(night_urgent, 5);
    EXPECT_EQ(figures(r).closed, closed);
    EXPECT_EQ(r.still_waiting_at_end, 0);
}

}  // namespace
}  // namespace acd::sim::test
