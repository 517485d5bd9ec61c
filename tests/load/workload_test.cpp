// acd-load's call mix and the agents' and callers' behaviour (src/tools/load/workload.hpp).
#include "load/workload.hpp"

#include <gtest/gtest.h>

#include <map>

namespace acd::load {
namespace {

RoutingConfig config() {
    RoutingConfig c;
    c.specialties = {{"cardio", "", {"+1001", "+1002"}, CallClass::appointment, 3, true},
                     {"neuro", "", {"+2001"}, CallClass::admin, 3, true},
                     {"nobody", "", {}, CallClass::urgent, 3, true}};
    // cardio: 2 + 0.5 agents, neuro: 0.5, nobody: none (counts as 0.5).
    c.agents = {{"a1", "", "sip:a1", {"cardio"}, seconds(0)},
                {"a2", "", "sip:a2", {"cardio"}, seconds(0)},
                {"a3", "", "sip:a3", {"cardio", "neuro"}, seconds(0)}};
    return c;
}

TEST(Workload, SpecialtiesFollowTheStaffingAndDialTheirOwnNumbers) {
    const Workload w(config(), Options{});
    Rng rng(1);
    std::map<std::string, int> dialed;
    int named = 0;
    const int n = 35'000;
    for (int i = 0; i < n; ++i) {
        const Offer o = w.next_offer(rng);
        ++dialed[*o.dialed];
        if (o.specialty != nullptr) {
            EXPECT_EQ(*o.specialty, "\"nobody\"");
            ++named;
        }
    }
    // Weights 2.5 : 0.5 : 0.5 of 3.5.
    EXPECT_NEAR((dialed["\"+1001\""] + dialed["\"+1002\""]) / double(n), 2.5 / 3.5, 0.01);
    EXPECT_NEAR(dialed["\"+1001\""] / double(n), 2.5 / 7, 0.01);
    EXPECT_NEAR(dialed["\"+2001\""] / double(n), 0.5 / 3.5, 0.01);
    // A specialty without numbers is named, with the switchboard number dialed.
    EXPECT_NEAR(named / double(n), 0.5 / 3.5, 0.01);
    EXPECT_EQ(dialed.size(), 4u);
}

TEST(Workload, ClassesAndCallersFollowTheMix) {
    const Workload w(config(), Options{});
    Rng rng(2);
    std::map<std::string, int> classes;
    int anonymous = 0;
    const int n = 40'000;
    for (int i = 0; i < n; ++i) {
        const Offer o = w.next_offer(rng);
        ++classes[o.call_class ? o.call_class : "default"];
        if (o.caller == "anonymous") {
            ++anonymous;
        } else {
            EXPECT_EQ(o.caller.size(), 13u) << o.caller;
            EXPECT_TRUE(o.caller.starts_with("+3526")) << o.caller;
        }
    }
    EXPECT_NEAR(classes["default"] / double(n), 0.70, 0.01);
    EXPECT_NEAR(classes["urgent"] / double(n), 0.15, 0.01);
    EXPECT_NEAR(classes["appointment"] / double(n), 0.10, 0.01);
    EXPECT_NEAR(classes["admin"] / double(n), 0.05, 0.01);
    EXPECT_NEAR(anonymous / double(n), 0.10, 0.01);
}

TEST(Workload, DelaysHaveTheConfiguredMeansAndShares) {
    Options o;
    o.answer_ms = 10;
    o.handle_ms = 100;
    o.patience_ms = 5000;
    o.no_answer_pct = 20;
    o.abandon_pct = 30;
    const Workload w(config(), o);
    Rng rng(3);
    const int n = 50'000;
    double answer = 0, handle = 0;
    int no_answer = 0, early = 0;
    for (int i = 0; i < n; ++i) {
        answer += std::chrono::duration<double, std::milli>(w.answer_delay(rng)).count();
        handle += std::chrono::duration<double, std::milli>(w.handle_time(rng)).count();
        if (w.pickup(rng) == Pickup::no_answer) ++no_answer;
        if (w.early_hangup(rng)) ++early;
    }
    EXPECT_NEAR(answer / n, 10, 0.2);
    EXPECT_NEAR(handle / n, 100, 2);
    EXPECT_NEAR(no_answer / double(n), 0.20, 0.01);
    EXPECT_NEAR(early / double(n), 0.30, 0.01);
    EXPECT_EQ(w.patience(), std::chrono::seconds(5));
}

TEST(Workload, ZeroMeansNoDelay) {
    Options o;
    o.answer_ms = 0;
    const Workload w(config(), o);
    Rng rng(4);
    EXPECT_EQ(w.answer_delay(rng), std::chrono::nanoseconds(0));
}

TEST(Workload, AgentsAreTheConfiguredOnesInOrder) {
    const Workload w(config(), Options{});
    EXPECT_EQ(w.agents(), (std::vector<std::string>{"a1", "a2", "a3"}));
}

}  // namespace
}  // namespace acd::load
