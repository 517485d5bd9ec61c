// acd-load puts the agents it played back as it found them (src/tools/load/agent_states.hpp).
#include "load/agent_states.hpp"

#include <gtest/gtest.h>

namespace acd::load {
namespace {

TEST(AgentStates, EachStateIsPutBackByTheEventThatReportsIt) {
    EXPECT_EQ(restoring_event({"logged_out", ""})->state, "logged_out");
    EXPECT_EQ(restoring_event({"ready", ""})->state, "ready");
    const auto paused = restoring_event({"paused", "lunch"});
    EXPECT_EQ(paused->state, "paused");
    EXPECT_EQ(paused->reason, "lunch");
    // Wrap-up ends in ready: the event cannot report wrap-up itself.
    EXPECT_EQ(restoring_event({"wrap_up", ""})->state, "ready");
}

TEST(AgentStates, AnAgentOnACallIsNotPlayed) {
    EXPECT_FALSE(restoring_event({"reserved", ""}));
    EXPECT_FALSE(restoring_event({"busy", ""}));
}

TEST(AgentStates, NotRestoredNamesEachPlayedAgentInAnotherStateThanBefore) {
    const AgentStates before = {{"a1", {"paused", "lunch"}},
                                {"a2", {"ready", ""}},
                                {"a3", {"logged_out", ""}},
                                {"a4", {"ready", ""}},
                                {"a5", {"paused", "meeting"}}};
    const AgentStates after = {{"a1", {"paused", "no_answer"}},
                               {"a2", {"busy", ""}},  // routed a call since: put back
                               {"a3", {"logged_out", ""}},
                               {"a4", {"logged_out", ""}},
                               {"a5", {"ready", ""}}};
    // a5 was not played: its state is not acd-load's business.
    EXPECT_EQ(not_restored(before, after, {"a1", "a2", "a3", "a4", "ghost"}),
              (std::vector<std::string>{"a1 is paused (no_answer), was paused (lunch)",
                                        "a4 is logged_out, was ready"}));
}

}  // namespace
}  // namespace acd::load
