// One test per rule of docs/spec/routing.md (and the engine's share of
// docs/spec/gateway-protocol.md), named after the rule.
#include <gtest/gtest.h>

#include "engine_harness.hpp"

namespace acd::test {
namespace {

// ---------------------------------------------------------------------------------------------
// Order of calls
// ---------------------------------------------------------------------------------------------
TEST(OrderOfCalls, TierComesFirst) {
    Harness h(basic_config());
    h.offer("admin1", "cardio", CallClass::admin);
    h.at(1);
    h.offer("appt1", "cardio", CallClass::appointment);
    h.at(2);
    h.offer("urgent1", "cardio", CallClass::urgent);
    // urgent is tier 0; appointment (deadline 121) before admin (deadline 300), both tier 1.
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"urgent1", "appt1", "admin1"}));
}

TEST(OrderOfCalls, DeadlineComesSecond) {
    RoutingConfig c = basic_config();
    c.classes[index_of(CallClass::urgent)].tier = 1;  // all one tier
    Harness h(c);
    h.offer("admin1", "cardio", CallClass::admin);  // deadline 300
    h.at(100);
    h.offer("urgent1", "cardio", CallClass::urgent);  // deadline 130
    h.at(150);
    h.offer("appt1", "cardio", CallClass::appointment);  // deadline 270
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"urgent1", "appt1", "admin1"}));
}

TEST(OrderOfCalls, EnqueuedAtComesThird) {
    RoutingConfig c = basic_config();
    c.classes[index_of(CallClass::appointment)].target = seconds(100);
    c.classes[index_of(CallClass::admin)].target = seconds(120);
    Harness h(c);
    h.offer("admin1", "cardio", CallClass::admin);  // enqueued 0, deadline 120
    h.at(20);
    h.offer("appt1", "cardio", CallClass::appointment);  // enqueued 20, deadline 120
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"admin1", "appt1"}));
}

TEST(OrderOfCalls, ArrivalOrderBreaksRemainingTies) {
    Harness h(basic_config());
    for (const char* id : {"c3", "c1", "c2"})
        h.offer(id, "cardio", CallClass::admin);
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"c3", "c1", "c2"}));
}

TEST(OrderOfCalls, SameOrderAcrossQueues) {
    Harness h(with_agents({agent("a1", {"cardio", "neuro"})}));
    h.offer("cardio-admin", "cardio", CallClass::admin);
    h.at(5);
    h.offer("neuro-appt", "neuro", CallClass::appointment);
    h.at(6);
    const Output& out = h.login("a1");
    EXPECT_EQ(routed_to(out, "neuro-appt"), "a1");
}

// ---------------------------------------------------------------------------------------------
// Choice of agent
// ---------------------------------------------------------------------------------------------
TEST(ChoiceOfAgent, LongestIdleEligibleAgentIsChosen) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"cardio"})}));
    h.login("a2");
    h.at(1);
    h.login("a1");
    h.at(2);
    EXPECT_EQ(routed_to(h.offer("c1", "cardio"), "c1"), "a2");
    EXPECT_EQ(routed_to(h.offer("c2", "cardio"), "c2"), "a1");
}

TEST(ChoiceOfAgent, ReadySinceIsTheLastTimeTheAgentBecameReady) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"cardio"})}));
    h.login("a1");
    h.at(1);
    h.login("a2");
    h.at(2);
    h.pause("a1", "coffee");
    h.at(3);
    h.ready("a1");  // ready again, now after a2
    h.at(4);
    EXPECT_EQ(routed_to(h.offer("c1", "cardio"), "c1"), "a2");
}

TEST(ChoiceOfAgent, TiesGoToTheSmallerAgentIdBytewise) {
    Harness h(with_agents({agent("a", {"cardio"}), agent("B", {"cardio"})}));
    h.login("a");
    h.login("B");  // same ready_since; "B" < "a" byte-wise
    EXPECT_EQ(routed_to(h.offer("c1", "cardio"), "c1"), "B");
}

TEST(ChoiceOfAgent, OnlyReadyAgentsWithTheSkillAreEligible) {
    Harness h(with_agents({agent("a1", {"neuro"}), agent("a2", {"cardio"})}));
    h.login("a1");
    h.login("a2", /*paused=*/true);
    const Output& out = h.offer("c1", "cardio");
    EXPECT_FALSE(route_of(out, "c1"));
    EXPECT_TRUE(queued_of(out, "c1"));
}

// ---------------------------------------------------------------------------------------------
// Dispatch
// ---------------------------------------------------------------------------------------------
TEST(Dispatch, NewCallWithEligibleReadyAgentIsRoutedAtOnceNeverQueued) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    const Output& out = h.offer("c1", "cardio");
    ASSERT_TRUE(route_of(out, "c1"));
    EXPECT_EQ(route_of(out, "c1")->to, "sip:a1@pbx.test");
    EXPECT_EQ(route_of(out, "c1")->ring_timeout_s, 20);
    EXPECT_FALSE(queued_of(out, "c1"));
}

TEST(Dispatch, CallWithoutReadyAgentIsQueuedWithItsPosition) {
    Harness h(basic_config());
    h.offer("c1", "cardio", CallClass::admin);
    const Output& out = h.offer("c2", "cardio", CallClass::urgent);
    ASSERT_TRUE(queued_of(out, "c2"));
    EXPECT_EQ(queued_of(out, "c2")->position, 1);
    EXPECT_EQ(queued_of(out, "c2")->specialty, "cardio");
    EXPECT_EQ(queued_of(out, "c2")->call_class, CallClass::urgent);
    EXPECT_EQ(h.call("c2")->state, CallState::queued);
}

TEST(Dispatch, ExpectedWaitIsNullWithoutAnEstimate) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    EXPECT_EQ(queued_of(h.offer("c1", "cardio"), "c1")->expected_wait_s, std::nullopt);
}

TEST(Dispatch, ExpectedWaitIsPositionTimesMeanHandleTimeOverStaffedAgents) {
    Harness h(with_agents({agent("a1", {"cardio"}, 10)}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    h.at(110);
    h.end("c1");  // 110 s talk + 10 s wrap-up
    h.offer("c2", "cardio");
    const Output& out = h.offer("c3", "cardio");
    ASSERT_TRUE(queued_of(out, "c3"));
    EXPECT_EQ(queued_of(out, "c3")->position, 2);
    EXPECT_EQ(queued_of(out, "c3")->expected_wait_s, 240);
}

TEST(Dispatch, AgentBecomingReadyTakesTheFirstCallOfItsSpecialties) {
    Harness h(with_agents({agent("a1", {"cardio", "neuro"})}));
    h.offer("n1", "neuro", CallClass::admin);
    h.offer("c1", "cardio", CallClass::urgent);
    h.offer("c2", "cardio", CallClass::urgent);
    EXPECT_EQ(routed_to(h.login("a1"), "c1"), "a1");
}

TEST(Dispatch, ReadyAfterPauseTakesAQueuedCall) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1", /*paused=*/true);
    h.offer("c1", "cardio");
    EXPECT_EQ(routed_to(h.ready("a1"), "c1"), "a1");
}

TEST(Dispatch, EndOfWrapUpTakesAQueuedCall) {
    Harness h(with_agents({agent("a1", {"cardio"}, 15)}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    h.end("c1");
    h.offer("c2", "cardio");
    h.at(14.999);
    EXPECT_EQ(routed_to(h.tick(), "c2"), "");
    h.at(15);
    EXPECT_EQ(routed_to(h.tick(), "c2"), "a1");
}

TEST(Dispatch, AgentsReadyAtOnceServeTheFirstCallFirstWithTheLongestIdleAgent) {
    // a2's wrap-up (10 s) and a1's (5 s, started later) end at the same instant: both become
    // ready at t=10 and tie on ready_since, so the urgent call goes to the smaller id, a1.
    Harness h(with_agents({agent("a1", {"cardio", "neuro"}, 5), agent("a2", {"neuro"}, 10)}));
    h.login("a1");
    h.login("a2");
    h.offer("x2", "neuro");  // to a1 (tie, smaller id)
    h.offer("x1", "neuro");  // to a2
    h.answer("x1");
    h.answer("x2");
    h.end("x1");  // a2 wraps up until 10
    h.at(5);
    h.end("x2");  // a1 wraps up until 10
    h.offer("c1", "cardio", CallClass::admin);
    h.offer("n1", "neuro", CallClass::urgent);
    h.at(10);
    const Output& out = h.tick();
    EXPECT_EQ(routed_to(out, "n1"), "a1");
    EXPECT_EQ(routed_to(out, "c1"), "");
    EXPECT_EQ(h.agent_state("a2"), AgentState::ready);
}

// ---------------------------------------------------------------------------------------------
// Offers, no answer, answer
// ---------------------------------------------------------------------------------------------
TEST(Offers, RouteToAgentMakesCallOfferingAndAgentReserved) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.call("c1")->state, CallState::offering);
    EXPECT_EQ(h.agent_state("a1"), AgentState::reserved);
}

TEST(Offers, NoAnswerPausesTheAgentWithReasonNoAnswer) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.no_answer("c1", "a1");
    EXPECT_EQ(h.agent_state("a1"), AgentState::paused);
    EXPECT_EQ(h.agent_reason("a1"), "no_answer");
}

TEST(Offers, NoAnswerReturnsTheCallToItsPlaceWithItsEnqueuedAt) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(3);
    h.offer("c2", "cardio");
    h.at(10);
    const Output& out = h.no_answer("c1");
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"c1", "c2"}));
    EXPECT_EQ(h.call("c1")->enqueued_at, start_time());
    ASSERT_TRUE(queued_of(out, "c1"));  // sent again when it returns to the queue
    EXPECT_EQ(queued_of(out, "c1")->position, 1);
}

TEST(Offers, NoAnswerDispatchContinuesWithAnotherAgent) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.login("a2");
    EXPECT_EQ(routed_to(h.no_answer("c1"), "c1"), "a2");
}

TEST(Offers, NoAnswerWithinRingTimeoutPlusFiveSecondsIsNotAnswered) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(25);
    h.tick();
    EXPECT_EQ(h.call("c1")->state, CallState::offering);
    h.at(25.001);
    h.tick();
    EXPECT_EQ(h.call("c1")->state, CallState::queued);
    EXPECT_EQ(h.agent_reason("a1"), "no_answer");
}

TEST(Offers, RingTimeoutFiresAtItsDueTimeEvenWhenNoticedLate) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(100);
    h.tick();
    const auto agents = h.engine.agents();
    EXPECT_EQ(agents[0].state_since, start_time() + seconds(25) + Duration(1));
}

TEST(Offers, AnswerCancelsTheRingTimeout) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(10);
    h.answer("c1");
    h.at(60);
    h.tick();
    EXPECT_EQ(h.call("c1")->state, CallState::connected);
}

TEST(Offers, AnsweredMakesCallConnectedAndAgentBusy) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(4);
    const Output& out = h.answer("c1", "a1");
    EXPECT_TRUE(out.reply.ok());
    EXPECT_EQ(h.call("c1")->state, CallState::connected);
    EXPECT_EQ(h.call("c1")->answered_at, start_time() + seconds(4));
    EXPECT_EQ(h.agent_state("a1"), AgentState::busy);
}

TEST(Offers, EndOfConnectedCallIsCompletedAndTheAgentWrapsUp) {
    Harness h(with_agents({agent("a1", {"cardio"}, 15)}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    const Output& out = h.end("c1");
    const auto* change = std::get_if<CallChange>(&out.changes.back());
    bool completed = false;
    for (const Change& ch : out.changes) {
        if (const auto* cc = std::get_if<CallChange>(&ch); cc && cc->cause == Cause::ended) {
            completed = cc->call.outcome == Outcome::completed;
        }
    }
    (void)change;
    EXPECT_TRUE(completed);
    EXPECT_EQ(h.agent_state("a1"), AgentState::wrap_up);
    h.at(15);
    h.tick();
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
}

TEST(Offers, ZeroWrapUpMakesTheAgentReadyAtOnce) {
    Harness h(with_agents({agent("a1", {"cardio"}, 0)}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    h.end("c1");
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
}

Outcome ended_outcome(const Output& out) {
    for (const Change& ch : out.changes) {
        if (const auto* cc = std::get_if<CallChange>(&ch); cc && cc->call.outcome) {
            return *cc->call.outcome;
        }
    }
    ADD_FAILURE() << "no ended call in output";
    return Outcome::rejected;
}

TEST(Offers, EndWhileQueuedIsAbandoned) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    EXPECT_EQ(ended_outcome(h.end("c1")), Outcome::abandoned);
    EXPECT_TRUE(h.queue_ids("cardio").empty());
    EXPECT_FALSE(h.call("c1"));
}

TEST(Offers, EndWhileOfferingIsAbandonedAndTheAgentIsReadyAgainNotPaused) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(7);
    EXPECT_EQ(ended_outcome(h.end("c1")), Outcome::abandoned);
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
    EXPECT_EQ(h.engine.agents()[0].ready_since, start_time() + seconds(7));
}

// ---------------------------------------------------------------------------------------------
// Agent lifecycle (admin commands and agent.state)
// ---------------------------------------------------------------------------------------------
TEST(AgentLifecycle, LoginMakesTheAgentReady) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    EXPECT_TRUE(h.login("a1").reply.ok());
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
}

TEST(AgentLifecycle, AnAgentNeverSeenIsLoggedOutSinceTheFirstInput) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"cardio"})}));
    h.at(3);
    h.login("a1");
    h.at(10);
    h.login("a1");  // a later input changes nothing for a2
    const auto agents = h.engine.agents();
    EXPECT_EQ(agents[1].state, AgentState::logged_out);
    EXPECT_EQ(agents[1].state_since, start_time() + seconds(3));
}

TEST(AgentLifecycle, LoginPausedMakesTheAgentPausedWithReasonLogin) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1", true);
    EXPECT_EQ(h.agent_state("a1"), AgentState::paused);
    EXPECT_EQ(h.agent_reason("a1"), "login");
}

TEST(AgentLifecycle, PauseIsRefusedWhileReservedOrBusy) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.pause("a1", "break").reply.code, ErrorCode::invalid_state);
    h.answer("c1");
    EXPECT_EQ(h.pause("a1", "break").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.agent_state("a1"), AgentState::busy);
}

TEST(AgentLifecycle, PauseTakesEffectAtOnceInReadyAndWrapUp) {
    Harness h(with_agents({agent("a1", {"cardio"}, 30)}));
    h.login("a1");
    EXPECT_TRUE(h.pause("a1", "break").reply.ok());
    EXPECT_EQ(h.agent_reason("a1"), "break");
    h.ready("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    h.end("c1");
    EXPECT_TRUE(h.pause("a1", "lunch").reply.ok());
    EXPECT_EQ(h.agent_state("a1"), AgentState::paused);
    h.at(31);
    h.tick();  // the wrap-up timer must not make a paused agent ready
    EXPECT_EQ(h.agent_state("a1"), AgentState::paused);
}

TEST(AgentLifecycle, LogoutIsRefusedWhileReservedOrBusy) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.logout("a1").reply.code, ErrorCode::invalid_state);
    h.answer("c1");
    EXPECT_EQ(h.logout("a1").reply.code, ErrorCode::invalid_state);
    h.end("c1");
    EXPECT_TRUE(h.logout("a1").reply.ok());
    EXPECT_EQ(h.agent_state("a1"), AgentState::logged_out);
}

TEST(AgentLifecycle, LoggedOutAgentCannotPauseOrBecomeReady) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    EXPECT_EQ(h.pause("a1", "x").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.ready("a1").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.logout("a1").reply.code, ErrorCode::invalid_state);
    h.login("a1");
    EXPECT_EQ(h.login("a1").reply.code, ErrorCode::invalid_state);
}

TEST(AgentLifecycle, UnknownAgentIsRefused) {
    Harness h(basic_config());
    EXPECT_EQ(h.login("ghost").reply.code, ErrorCode::unknown_agent);
    EXPECT_EQ(h.report("ghost", AgentState::ready).reply.code, ErrorCode::unknown_agent);
}

TEST(AgentLifecycle, AgentStateReadyFromThePhoneLogsInAndKeepsReadySince) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.report("a1", AgentState::ready);
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
    h.at(5);
    h.report("a1", AgentState::ready);  // no change: still longest idle since 0
    EXPECT_EQ(h.engine.agents()[0].ready_since, start_time());
    h.report("a1", AgentState::paused, "meeting");
    EXPECT_EQ(h.agent_reason("a1"), "meeting");
    h.report("a1", AgentState::logged_out);
    EXPECT_EQ(h.agent_state("a1"), AgentState::logged_out);
}

// ---------------------------------------------------------------------------------------------
// Overflow to the external team
// ---------------------------------------------------------------------------------------------
RoutingConfig overflow_config(int max_concurrent = 5) {
    return with_agents({}, {team("ext", {"cardio"}, max_concurrent)});
}

TEST(Overflow, QueueExceedsItsThresholdOnlyWithMoreThanThresholdCallsQueued) {
    Harness h(overflow_config());
    for (const char* id : {"c1", "c2", "c3"})
        EXPECT_EQ(routed_to(h.offer(id, "cardio"), id), "");
    EXPECT_FALSE(h.engine.queues()[0].exceeds_threshold);
    const Output& out = h.offer("c4", "cardio");
    EXPECT_EQ(routed_to(out, "c4"), "ext");
    EXPECT_EQ(h.queue_ids("cardio").size(), 3U);
}

TEST(Overflow, ThresholdOverflowTakesTheLastQueuedCallInDispatchOrder) {
    Harness h(overflow_config());
    h.offer("admin1", "cardio", CallClass::admin);
    h.offer("u1", "cardio", CallClass::urgent);
    h.offer("u2", "cardio", CallClass::urgent);
    const Output& out = h.offer("u3", "cardio", CallClass::urgent);
    EXPECT_EQ(routed_to(out, "admin1"), "ext");
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"u1", "u2", "u3"}));
}

TEST(Overflow, ThresholdOverflowSkipsCallsWhoseClassMayNotOverflow) {
    RoutingConfig c = overflow_config();
    c.classes[index_of(CallClass::admin)].overflow = false;
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.offer("u2", "cardio", CallClass::urgent);
    h.offer("admin1", "cardio", CallClass::admin);
    const Output& out = h.offer("admin2", "cardio", CallClass::admin);
    EXPECT_EQ(routed_to(out, "u2"), "ext");
}

TEST(Overflow, ThresholdOverflowRepeatsUntilTheQueueNoLongerExceeds) {
    Harness h(overflow_config());
    for (const char* id : {"c1", "c2", "c3"})
        h.offer(id, "cardio");
    const Output& out = h.overflow_set("cardio", 1, std::nullopt);
    EXPECT_EQ(routed_to(out, "c3"), "ext");
    EXPECT_EQ(routed_to(out, "c2"), "ext");
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"c1"}));
}

TEST(Overflow, ThresholdOverflowStopsWhenNoTeamHasRoom) {
    Harness h(overflow_config(1));
    for (const char* id : {"c1", "c2", "c3", "c4", "c5"})
        h.offer(id, "cardio");
    EXPECT_EQ(h.team_active("ext"), 1);
    EXPECT_EQ(h.queue_ids("cardio").size(), 4U);
}

TEST(Overflow, QueuedNoticeIsSentAlsoWhenTheCallOverflowsAtOnce) {
    Harness h(overflow_config());
    for (const char* id : {"c1", "c2", "c3"})
        h.offer(id, "cardio");
    const Output& out = h.offer("c4", "cardio");
    ASSERT_EQ(out.commands.size(), 2U);
    EXPECT_TRUE(std::holds_alternative<CallQueuedCommand>(out.commands[0].body));
    EXPECT_TRUE(std::holds_alternative<CallRouteCommand>(out.commands[1].body));
}

TEST(Overflow, CallPastItsDeadlineGoesToATeamWithFreeCapacity) {
    RoutingConfig c = overflow_config();
    c.classes[index_of(CallClass::urgent)].overflow_lead = seconds(0);  // the lead has its tests
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(30);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "");  // a wait of exactly target_s is within target
    h.at(30.001);
    const Output& out = h.tick();
    EXPECT_EQ(routed_to(out, "u1"), "ext");
    EXPECT_TRUE(h.call("u1")->overflowed);
}

TEST(Overflow, DeadlineOverflowWaitsForTeamCapacity) {
    Harness h(overflow_config(1));
    h.offer("busy", "cardio", CallClass::admin);
    h.overflow_set("cardio", 0, std::nullopt);  // "busy" goes to the team
    h.answer("busy");
    h.overflow_set("cardio", 10, std::nullopt);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(40);
    h.tick();
    EXPECT_EQ(h.call("u1")->state, CallState::queued);
    EXPECT_EQ(routed_to(h.end("busy"), "u1"), "ext");
}

TEST(Overflow, DeadlineOverflowIsOffWhenOverflowOnDeadlineIsFalse) {
    RoutingConfig c = overflow_config();
    c.overflow_on_deadline = false;
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(100);
    h.tick();
    EXPECT_EQ(h.call("u1")->state, CallState::queued);
}

TEST(Overflow, DeadlineOverflowRespectsTheClassOverflowFlag) {
    RoutingConfig c = overflow_config();
    c.classes[index_of(CallClass::urgent)].overflow = false;
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(100);
    h.tick();
    EXPECT_EQ(h.call("u1")->state, CallState::queued);
}

TEST(Overflow, DisabledSpecialtyNeverOverflows) {
    Harness h(overflow_config());
    h.overflow_set("cardio", std::nullopt, false);
    for (const char* id : {"c1", "c2", "c3", "c4", "c5"})
        h.offer(id, "cardio", CallClass::urgent);
    h.at(100);
    h.tick();
    EXPECT_EQ(h.team_active("ext"), 0);
    const Output& out = h.overflow_set("cardio", std::nullopt, true);
    EXPECT_EQ(h.team_active("ext"), 5);
    EXPECT_FALSE(out.changes.empty());
}

TEST(Overflow, TeamCallCountsAgainstCapacityUntilItEnds) {
    Harness h(overflow_config(1));
    for (const char* id : {"c1", "c2", "c3", "c4"})
        h.offer(id, "cardio");
    EXPECT_EQ(h.team_active("ext"), 1);
    h.answer("c4");
    EXPECT_EQ(h.team_active("ext"), 1);
    h.offer("c5", "cardio");
    EXPECT_EQ(h.team_active("ext"), 1);
    EXPECT_EQ(routed_to(h.end("c4"), "c5"), "ext");
}

TEST(Overflow, TeamNoAnswerReturnsTheCallAndThatTeamIsNotOfferedItAgain) {
    Harness h(overflow_config(2));
    for (const char* id : {"c1", "c2", "c3", "c4"})
        h.offer(id, "cardio");
    ASSERT_EQ(h.call("c4")->state, CallState::offering);
    const Output& out = h.no_answer("c4");
    EXPECT_TRUE(queued_of(out, "c4"));
    EXPECT_EQ(h.call("c4")->state, CallState::queued);
    EXPECT_EQ(h.call("c4")->enqueued_at, start_time());
    // The queue exceeds its threshold again; c4 refused "ext", so the call before it goes.
    EXPECT_EQ(routed_to(out, "c3"), "ext");
    EXPECT_EQ(routed_to(out, "c4"), "");
}

TEST(Overflow, TeamRingTimeoutCountsAsTeamNoAnswer) {
    Harness h(overflow_config(1));
    for (const char* id : {"c1", "c2", "c3", "c4"})
        h.offer(id, "cardio", CallClass::admin);
    h.at(25.001);
    h.tick();
    EXPECT_EQ(h.call("c4")->state, CallState::queued);
    EXPECT_EQ(h.call("c3")->state, CallState::offering);
}

TEST(Overflow, TeamWithMostFreeCapacityIsChosen) {
    Harness h(with_agents({}, {team("big", {"cardio"}, 3), team("small", {"cardio"}, 2)}));
    for (const char* id : {"c1", "c2", "c3", "c4", "c5", "c6"})
        h.offer(id, "cardio");
    EXPECT_EQ(h.team_active("big"), 2);    // 3 free, then 2 free tie -> "big" < "small"
    EXPECT_EQ(h.team_active("small"), 1);  // then small has 2 free, big 1
}

TEST(Overflow, TeamTiesGoToTheSmallerTeamId) {
    Harness h(with_agents({}, {team("zeta", {"*"}, 2), team("alpha", {"*"}, 2)}));
    for (const char* id : {"c1", "c2", "c3"})
        h.offer(id, "cardio");
    EXPECT_EQ(routed_to(h.offer("c4", "cardio"), "c4"), "alpha");
}

TEST(Overflow, TeamOnlyTakesCallsOfTheSpecialtiesItServes) {
    Harness h(overflow_config());
    for (const char* id : {"n1", "n2", "n3", "n4"})
        h.offer(id, "neuro");
    EXPECT_EQ(h.team_active("ext"), 0);
}

// ---------------------------------------------------------------------------------------------
// Reclassification and transfer
// ---------------------------------------------------------------------------------------------
TEST(Reclassify, DeadlineIsRecomputedFromTheUnchangedEnqueuedAt) {
    Harness h(basic_config());
    h.offer("c1", "cardio", CallClass::admin);
    h.at(50);
    EXPECT_TRUE(h.reclassify("c1", CallClass::urgent).reply.ok());
    const auto c = h.call("c1");
    EXPECT_EQ(c->call_class, CallClass::urgent);
    EXPECT_EQ(c->enqueued_at, start_time());
    EXPECT_EQ(c->deadline, start_time() + seconds(30));
}

TEST(Reclassify, QueuedCallTakesItsNewPlaceInDispatchOrder) {
    Harness h(basic_config());
    h.offer("u1", "cardio", CallClass::urgent);
    h.offer("a1", "cardio", CallClass::admin);
    h.reclassify("a1", CallClass::urgent);
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"u1", "a1"}));
    h.reclassify("u1", CallClass::admin);
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"a1", "u1"}));
}

TEST(Reclassify, ReclassifiedCallPastItsNewDeadlineOverflows) {
    Harness h(overflow_config());
    h.offer("c1", "cardio", CallClass::admin);
    h.at(60);
    EXPECT_EQ(routed_to(h.reclassify("c1", CallClass::urgent), "c1"), "ext");
}

TEST(Transfer, QueuedCallMovesWithItsEnqueuedAt) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    h.at(40);
    h.offer("n1", "neuro");
    const Output& out = h.transfer("c1", "neuro");
    EXPECT_TRUE(out.reply.ok());
    EXPECT_EQ(h.queue_ids("neuro"), (std::vector<std::string>{"c1", "n1"}));
    EXPECT_EQ(h.call("c1")->enqueued_at, start_time());
    ASSERT_TRUE(queued_of(out, "c1"));
    EXPECT_EQ(queued_of(out, "c1")->specialty, "neuro");
}

TEST(Transfer, OnlyAQueuedCallCanBeTransferred) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.transfer("c1", "neuro").reply.code, ErrorCode::invalid_state);
}

TEST(Transfer, DispatchAppliesInTheNewSpecialty) {
    Harness h(with_agents({agent("a1", {"neuro"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(routed_to(h.transfer("c1", "neuro"), "c1"), "a1");
}

TEST(Transfer, UnknownSpecialtyOrCallIsRefused) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    EXPECT_EQ(h.transfer("c1", "ortho").reply.code, ErrorCode::unknown_specialty);
    EXPECT_EQ(h.transfer("zz", "neuro").reply.code, ErrorCode::unknown_call);
}

// ---------------------------------------------------------------------------------------------
// Gateway events in the engine (docs/spec/gateway-protocol.md)
// ---------------------------------------------------------------------------------------------
TEST(GatewayEvents, DialedNumberSelectsTheSpecialty) {
    Harness h(basic_config());
    h.offer_dialed("c1", "+1002");
    EXPECT_EQ(h.call("c1")->specialty, "neuro");
}

TEST(GatewayEvents, SpecialtyFieldOverridesTheDialedNumber) {
    Harness h(basic_config());
    h.event(input::CallOffered{"c1", "p", "+1002", "radio", std::nullopt});
    EXPECT_EQ(h.call("c1")->specialty, "radio");
}

TEST(GatewayEvents, ClassDefaultsToTheSpecialtysDefaultClass) {
    RoutingConfig c = basic_config();
    c.specialties[0].default_class = CallClass::admin;
    Harness h(c);
    h.offer("c1", "cardio");
    EXPECT_EQ(h.call("c1")->call_class, CallClass::admin);
}

TEST(GatewayEvents, NoKnownSpecialtyRejectsTheCallWithNoRoute) {
    Harness h(basic_config());
    const Output& out = h.offer_dialed("c1", "+9999");
    EXPECT_EQ(out.reply.code, ErrorCode::unknown_specialty);
    ASSERT_TRUE(reject_of(out, "c1"));
    EXPECT_EQ(reject_of(out, "c1")->reason, "no_route");
    EXPECT_EQ(ended_outcome(out), Outcome::rejected);
    EXPECT_FALSE(h.call("c1"));
    EXPECT_EQ(h.offer("c2", "ortho").reply.code, ErrorCode::unknown_specialty);
}

TEST(GatewayEvents, SecondOfferForALiveCallIsADuplicateCall) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    EXPECT_EQ(h.offer("c1", "neuro").reply.code, ErrorCode::duplicate_call);
    EXPECT_EQ(h.call("c1")->specialty, "cardio");
}

TEST(GatewayEvents, EventForAnUnknownCallIsRefused) {
    Harness h(basic_config());
    const Output& out = h.answer("nope");
    EXPECT_EQ(out.reply.code, ErrorCode::unknown_call);
    EXPECT_EQ(out.reply.message, "no live call 'nope' from gateway gw");
    EXPECT_EQ(h.end("nope").reply.code, ErrorCode::unknown_call);
}

TEST(GatewayEvents, EventThatDoesNotFitTheCallStateIsInvalidState) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    EXPECT_EQ(h.answer("c1").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.no_answer("c1").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.call("c1")->state, CallState::queued);
}

TEST(GatewayEvents, AnswerByAnotherAgentThanTheOneOfferedIsInvalidState) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"neuro"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.answer("c1", "a2").reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(h.answer("c1", "zz").reply.code, ErrorCode::unknown_agent);
    EXPECT_EQ(h.call("c1")->state, CallState::offering);
}

TEST(GatewayEvents, EventAtOrBelowTheLastSeqIsADuplicateAndIsNotApplied) {
    Harness h(basic_config());
    h.send(input::GatewayEvent{"gw", 5, input::CallOffered{"c1", "p", "+1001", {}, {}}});
    const Output& again =
        h.send(input::GatewayEvent{"gw", 5, input::CallEnded{"c1", std::nullopt}});
    EXPECT_TRUE(again.duplicate);
    EXPECT_TRUE(h.call("c1"));
    EXPECT_EQ(h.engine.last_seq("gw"), 5U);
}

TEST(GatewayEvents, RefusedEventStillConsumesItsSeq) {
    Harness h(basic_config());
    h.send(input::GatewayEvent{"gw", 7, input::CallEnded{"nope", std::nullopt}});
    EXPECT_EQ(h.engine.last_seq("gw"), 7U);
}

TEST(GatewayEvents, SeqIsTrackedPerGateway) {
    Harness h(basic_config());
    h.send(input::GatewayEvent{"gw1", 9, input::CallOffered{"c1", "p", "+1001", {}, {}}});
    const Output& out =
        h.send(input::GatewayEvent{"gw2", 1, input::CallOffered{"c1", "p", "+1001", {}, {}}});
    EXPECT_FALSE(out.duplicate);
    EXPECT_TRUE(out.reply.ok());
    EXPECT_EQ(h.engine.last_seq("gw2"), 1U);
    // The same call id on two gateways needs the gateway to be named.
    EXPECT_EQ(h.transfer("c1", "neuro").reply.code, ErrorCode::bad_request);
    EXPECT_TRUE(h.send(input::CallTransfer{{"c1", "gw2"}, "neuro"}).reply.ok());
}

// Thousands of live calls, ended in a scrambled order: each stays reachable by its id until it
// ends, and its id is free again afterwards (the index of live calls grows and shrinks).
TEST(GatewayEvents, EveryLiveCallIsFoundByItsIdUntilItEnds) {
    Harness h(basic_config());
    constexpr int kCalls = 3000;
    const auto id = [](int i) { return "call-" + std::to_string(i); };
    for (int i = 0; i < kCalls; ++i)
        ASSERT_TRUE(h.offer(id(i), "cardio").reply.ok()) << i;
    for (int n = 0; n < kCalls; ++n) {
        const int i = static_cast<int>((static_cast<long>(n) * 7919) % kCalls);
        ASSERT_TRUE(h.end(id(i)).reply.ok()) << i;
        ASSERT_EQ(h.end(id(i)).reply.code, ErrorCode::unknown_call) << i;
        if (n % 500 == 0) {
            for (int m = n + 1; m < kCalls; ++m) {
                const int j = static_cast<int>((static_cast<long>(m) * 7919) % kCalls);
                ASSERT_TRUE(h.call(id(j))) << j;
            }
        }
        if (n % 3 == 0) {
            ASSERT_TRUE(h.offer(id(i), "neuro").reply.ok()) << i;
            ASSERT_EQ(h.call(id(i))->specialty, "neuro");
            ASSERT_TRUE(h.end(id(i)).reply.ok()) << i;
        }
    }
    EXPECT_TRUE(h.engine.calls().empty());
}

TEST(GatewayEvents, OfferingRoutesAreListedForResendAfterWelcome) {
    RoutingConfig c = with_agents({agent("a1", {"cardio"})}, {team("ext", {"*"}, 5)});
    c.ring_timeout = seconds(60);
    Harness h(c);
    h.login("a1");
    h.offer("c1", "cardio");
    h.offer("c2", "cardio", CallClass::urgent);
    h.at(31);
    h.tick();  // c2 passed its deadline: to the team
    const auto routes = h.engine.offering_routes("gw");
    ASSERT_EQ(routes.size(), 2U);
    EXPECT_EQ(routes[0].call_id, "c1");
    EXPECT_EQ(std::get<CallRouteCommand>(routes[0].body).agent, "a1");
    EXPECT_EQ(std::get<CallRouteCommand>(routes[1].body).team, "ext");
}

// ---------------------------------------------------------------------------------------------
// Live reconfiguration (config-reload)
// ---------------------------------------------------------------------------------------------
const Output& reconfigure(Harness& h, const RoutingConfig& c) {
    return h.send(input::Reconfigure{c});
}

TEST(Reconfigure, CallsKeepTheirPlaceAndDeadlinesFollowTheNewTargets) {
    RoutingConfig c = basic_config();
    Harness h(c);
    h.offer("a1", "cardio", CallClass::admin);
    h.at(10);
    h.offer("u1", "cardio", CallClass::urgent);
    c.classes[index_of(CallClass::admin)].tier = 0;
    c.classes[index_of(CallClass::admin)].target = seconds(20);
    EXPECT_TRUE(reconfigure(h, c).reply.ok());
    EXPECT_EQ(h.call("a1")->enqueued_at, start_time());
    EXPECT_EQ(h.call("a1")->deadline, start_time() + seconds(20));
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"a1", "u1"}));
}

TEST(Reconfigure, NewAgentsStartLoggedOut) {
    RoutingConfig c = with_agents({agent("a1", {"cardio"})});
    Harness h(c);
    h.login("a1");
    c.agents.push_back(agent("a2", {"cardio"}));
    reconfigure(h, c);
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
    EXPECT_EQ(h.agent_state("a2"), AgentState::logged_out);
}

TEST(Reconfigure, ARemovedAgentOnACallFinishesItAndIsThenGone) {
    Harness h(with_agents({agent("a1", {"cardio"}, 10), agent("a2", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    reconfigure(h, with_agents({agent("a2", {"cardio"})}));
    EXPECT_EQ(h.agent_state("a1"), AgentState::busy);
    EXPECT_EQ(h.call("c1")->state, CallState::connected);
    h.offer("c2", "cardio");  // a1 is no longer eligible
    EXPECT_EQ(h.call("c2")->state, CallState::queued);
    h.end("c1");
    EXPECT_THROW(h.agent_state("a1"), std::invalid_argument);  // gone, without wrap-up
}

TEST(Reconfigure, ARemovedIdleAgentIsLoggedOutAtOnce) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    const Output& out = reconfigure(h, basic_config());
    ASSERT_EQ(out.changes.size(), 1U);
    const auto& change = std::get<AgentChange>(out.changes[0]);
    EXPECT_EQ(change.cause, Cause::removed);
    EXPECT_EQ(change.state, AgentState::logged_out);
    EXPECT_TRUE(h.engine.agents().empty());
}

TEST(Views, OneAgentsViewIsItsViewAmongAllAgentsAndARemovedAgentHasNone) {
    Harness h(with_agents({agent("a1", {"cardio"}), agent("a2", {"cardio"})}));
    h.login("a1");
    h.login("a2");
    h.offer("c1", "cardio");
    for (const AgentView& a : h.engine.agents())
        EXPECT_EQ(h.engine.agent(a.id), a) << a.id;
    EXPECT_EQ(h.engine.agent("nobody"), std::nullopt);
    const std::string busy = h.engine.agents()[0].call_id.empty() ? "a2" : "a1";
    EXPECT_EQ(h.engine.agent(busy)->call_id, "c1");
    reconfigure(h, with_agents({agent(busy, {"cardio"})}));  // the idle one removed: gone
    EXPECT_EQ(h.engine.agent(busy == "a1" ? "a2" : "a1"), std::nullopt);
    EXPECT_TRUE(h.engine.agent(busy).has_value());
}

TEST(Views, AQueuesOldestWaitIsItsEarliestQueuedCallWhateverTheDispatchOrder) {
    Harness h(basic_config());
    const auto oldest = [&] {
        for (const QueueView& q : h.engine.queues())
            if (q.specialty == "cardio") return q.oldest_enqueued_at;
        return std::optional<Time>();
    };
    EXPECT_EQ(oldest(), std::nullopt);
    h.offer("admin1", "cardio", CallClass::admin);  // dispatched last, waits the longest
    h.at(1);
    h.offer("appt1", "cardio", CallClass::appointment);
    h.at(2);
    h.offer("urgent1", "cardio", CallClass::urgent);
    ASSERT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"urgent1", "appt1", "admin1"}));
    EXPECT_EQ(oldest(), start_time());
    h.at(3);
    h.end("admin1");  // hung up while waiting
    EXPECT_EQ(oldest(), start_time() + seconds(1));
    h.transfer("appt1", "neuro");  // waits on in the other queue, since its arrival
    EXPECT_EQ(oldest(), start_time() + seconds(2));
    for (const QueueView& q : h.engine.queues()) {
        if (q.specialty == "neuro") {
            EXPECT_EQ(q.oldest_enqueued_at, start_time() + seconds(1));
        }
    }
    h.end("urgent1");
    EXPECT_EQ(oldest(), std::nullopt);
}

TEST(Reconfigure, ANewSkillTakesAQueuedCallAtOnce) {
    RoutingConfig c = with_agents({agent("a1", {"cardio"})});
    Harness h(c);
    h.login("a1");
    h.offer("n1", "neuro");
    c.agents[0].skills = {"cardio", "neuro"};
    EXPECT_EQ(routed_to(reconfigure(h, c), "n1"), "a1");
}

TEST(Reconfigure, OverflowSettingsReturnToTheConfiguredOnes) {
    Harness h(basic_config());
    h.overflow_set("cardio", 9, false);
    reconfigure(h, basic_config());
    EXPECT_EQ(h.engine.overflow_settings()[0].threshold, 3);
    EXPECT_TRUE(h.engine.overflow_settings()[0].enabled);
}

TEST(Reconfigure, RemovingASpecialtyThatHoldsCallsIsRefusedAndChangesNothing) {
    Harness h(basic_config());
    h.offer("r1", "radio");
    RoutingConfig c = basic_config();
    c.specialties.pop_back();
    const Output& out = reconfigure(h, c);
    EXPECT_EQ(out.reply.code, ErrorCode::invalid_state);
    EXPECT_EQ(out.reply.message,
              "specialty 'radio' still holds call 'r1': transfer its calls before removing it");
    EXPECT_EQ(h.engine.config(), basic_config());
    h.end("r1");
    EXPECT_TRUE(reconfigure(h, c).reply.ok());
    EXPECT_EQ(h.engine.config(), c);
}

TEST(Reconfigure, RemovingATeamThatHoldsCallsIsRefused) {
    Harness h(overflow_config());
    for (const char* id : {"c1", "c2", "c3", "c4"})
        h.offer(id, "cardio");
    EXPECT_EQ(reconfigure(h, basic_config()).reply.code, ErrorCode::invalid_state);
}

TEST(Reconfigure, TimeAndLastSeqCarryOver) {
    Harness h(basic_config());
    h.at(42);
    h.offer("c1", "cardio");
    reconfigure(h, basic_config());
    EXPECT_EQ(h.engine.last_seq("gw"), 1U);
    EXPECT_EQ(h.engine.now(), start_time() + seconds(42));
    EXPECT_EQ(h.offer("c1", "cardio").reply.code, ErrorCode::duplicate_call);
}

// ---------------------------------------------------------------------------------------------
// Time and determinism
// ---------------------------------------------------------------------------------------------
TEST(Time, TimeNeverGoesBackwards) {
    Harness h(basic_config());
    h.at(10);
    h.offer("c1", "cardio");
    h.at(5);
    h.offer("c2", "cardio");
    EXPECT_EQ(h.call("c2")->enqueued_at, start_time() + seconds(10));
}

TEST(Time, NextTimerIsTheEarliestPendingTimer) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    EXPECT_FALSE(h.engine.next_timer());
    h.login("a1");
    h.offer("c1", "cardio");
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(25) + Duration(1));
}

// Cancelled timers are dropped when they reach the front: the shell is not woken for nothing.
TEST(Time, NextTimerNeverNamesACancelledTimer) {
    Harness h(with_agents({agent("a1", {"cardio"}, 10)}));
    h.login("a1");
    h.offer("c1", "cardio");
    ASSERT_EQ(h.call("c1")->state, CallState::offering);
    // The ring timeout, with its grace: 20 s + 5 s + 1 ms.
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(25) + Duration(1));
    h.at(3);
    h.answer("c1", "a1");
    EXPECT_FALSE(h.engine.next_timer());  // the ring timeout is cancelled
    h.at(50);
    h.end("c1");
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(60));  // the end of wrap-up
    h.at(55);
    h.ready("a1");
    EXPECT_FALSE(h.engine.next_timer());  // wrap-up ended early
}

}  // namespace
}  // namespace acd::test
