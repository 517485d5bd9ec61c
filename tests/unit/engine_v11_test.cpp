// One test per rule that docs/spec/routing.md v1.1 adds (opening hours, nights and on-call, the
// closed rules, overflow lead, team retry, alerts, quality sample, gateways away, call-end),
// named after the rule. The harness starts on Friday 2024-10-04 00:00 UTC; the zone is UTC unless
// a test says otherwise.
#include <gtest/gtest.h>

#include "acd/schedule.hpp"
#include "acd/zone.hpp"
#include "engine_harness.hpp"

namespace acd::test {
namespace {

constexpr double kHour = 3600;

TimeRange range(int from_h, int to_h) {
    return TimeRange{from_h * 60, to_h * 60};
}

// Open every day from `from_h` to `to_h` (hours, local).
Schedule daily(std::string id, int from_h, int to_h) {
    Schedule s;
    s.id = std::move(id);
    for (auto& day : s.week)
        day = {range(from_h, to_h)};
    return s;
}

// cardio open 08:00-18:00; a night team for cardio 18:00-24:00 and 00:00-08:00.
RoutingConfig hours_config(bool with_team = true) {
    RoutingConfig c = basic_config();
    c.schedules = {daily("office", 8, 18)};
    Schedule nights;
    nights.id = "nights";
    for (auto& day : nights.week)
        day = {range(0, 8), range(18, 24)};
    c.schedules.push_back(nights);
    c.specialties[0].hours = "office";
    if (with_team) {
        c.teams = {team("night", {"cardio"}, 2)};
        c.teams[0].hours = "nights";
    }
    return c;
}

std::optional<CallChange> call_change(const Output& out, const std::string& call_id, Cause cause) {
    for (const Change& ch : out.changes) {
        if (const auto* c = std::get_if<CallChange>(&ch);
            c && c->call.call_id == call_id && c->cause == cause) {
            return *c;
        }
    }
    return std::nullopt;
}

std::vector<AlertChange> alert_changes(const Output& out, std::optional<AlertKind> kind = {}) {
    std::vector<AlertChange> found;
    for (const Change& ch : out.changes) {
        const auto* a = std::get_if<AlertChange>(&ch);
        if (a != nullptr && (!kind || a->alert.kind == *kind)) found.push_back(*a);
    }
    return found;
}

bool queue_open(const Harness& h, const std::string& specialty) {
    for (const QueueView& q : h.engine.queues()) {
        if (q.specialty == specialty) return q.open;
    }
    throw std::invalid_argument("no queue " + specialty);
}

// ---------------------------------------------------------------------------------------------
// Opening hours
// ---------------------------------------------------------------------------------------------
TEST(OpeningHours, OpenAtTWhenTheLocalTimeIsInARangeStartIncludedEndExcluded) {
    Harness h(hours_config());
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
    EXPECT_TRUE(queue_open(h, "neuro"));  // no hours: always open
    h.at(8 * kHour - 0.001);
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
    h.at(8 * kHour);
    h.tick();
    EXPECT_TRUE(queue_open(h, "cardio"));
    h.at(18 * kHour - 0.001);
    h.tick();
    EXPECT_TRUE(queue_open(h, "cardio"));
    h.at(18 * kHour);
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
}

TEST(OpeningHours, CrossingAnOpeningOrClosingTimeIsAnEngineTimer) {
    Harness h(hours_config(/*with_team=*/false));
    h.tick();
    EXPECT_EQ(h.engine.next_timer(), start_time() + std::chrono::hours(8));
    h.at(9 * kHour);
    h.tick();
    EXPECT_EQ(h.engine.next_timer(), start_time() + std::chrono::hours(18));
}

TEST(OpeningHours, ClosedDatesCloseTheWholeLocalDay) {
    RoutingConfig c = hours_config();
    c.schedules[0].closed_dates = {
        std::chrono::local_days(std::chrono::year(2024) / std::chrono::October / 4)};
    Harness h(c);
    h.at(12 * kHour);
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
    h.at((24 + 12) * kHour);
    h.tick();
    EXPECT_TRUE(queue_open(h, "cardio"));
}

TEST(OpeningHours, ZeroToTwentyFourIsTheWholeDay) {
    RoutingConfig c = basic_config();
    c.schedules = {daily("always", 0, 24)};
    c.specialties[0].hours = "always";
    Harness h(c);
    for (double t : {0.0, 23.99 * kHour, 24 * kHour, 100 * kHour}) {
        h.at(t);
        h.tick();
        EXPECT_TRUE(queue_open(h, "cardio")) << t;
    }
    EXPECT_FALSE(h.engine.next_timer());  // it never changes
}

TEST(OpeningHours, AMissingWeekdayIsClosedThatDay) {
    RoutingConfig c = basic_config();
    Schedule weekdays = daily("weekdays", 8, 18);
    weekdays.week[5].clear();  // Saturday
    weekdays.week[6].clear();  // Sunday
    c.schedules = {weekdays};
    c.specialties[0].hours = "weekdays";
    Harness h(c);
    h.at(12 * kHour);  // Friday
    h.tick();
    EXPECT_TRUE(queue_open(h, "cardio"));
    h.at((24 + 12) * kHour);  // Saturday
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
    h.at((3 * 24 + 12) * kHour);  // Monday
    h.tick();
    EXPECT_TRUE(queue_open(h, "cardio"));
}

TEST(OpeningHours, CallsQueuedWhenASpecialtyClosesStayQueuedAndAgentsTakeThem) {
    RoutingConfig c = hours_config();
    c.agents = {agent("a1", {"cardio"})};
    Harness h(c);
    h.at(17 * kHour);
    h.offer("c1", "cardio", CallClass::appointment);
    h.at(19 * kHour);
    h.tick();
    EXPECT_FALSE(queue_open(h, "cardio"));
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"c1"}));
    EXPECT_EQ(routed_to(h.login("a1"), "c1"), "a1");
}

// ---------------------------------------------------------------------------------------------
// Closed rules
// ---------------------------------------------------------------------------------------------
TEST(ClosedRules, RejectSendsCallRejectWithReasonClosedAndTheOutcomeIsClosed) {
    Harness h(hours_config());
    const Output& out = h.offer("c1", "cardio", CallClass::appointment);
    EXPECT_TRUE(out.reply.ok());
    ASSERT_TRUE(reject_of(out, "c1"));
    EXPECT_EQ(reject_of(out, "c1")->reason, "closed");
    const auto change = call_change(out, "c1", Cause::closed);
    ASSERT_TRUE(change);
    EXPECT_EQ(change->call.outcome, Outcome::closed);
    EXPECT_EQ(change->call.specialty, "cardio");
    EXPECT_FALSE(h.call("c1"));
}

TEST(ClosedRules, TeamQueuesTheCallThenRoutesItAtOnceToAnOpenTeam) {
    Harness h(hours_config());
    const Output& out = h.offer("u1", "cardio", CallClass::urgent);
    ASSERT_TRUE(queued_of(out, "u1"));
    EXPECT_EQ(routed_to(out, "u1"), "night");
    EXPECT_TRUE(call_change(out, "u1", Cause::overflow_closed));
    EXPECT_TRUE(h.call("u1")->overflowed);
}

TEST(ClosedRules, TeamWaitsQueuedForTheFirstTeamThatCanTakeTheCall) {
    RoutingConfig c = hours_config();
    c.teams[0].max_concurrent = 1;
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    EXPECT_EQ(routed_to(h.offer("u2", "cardio", CallClass::urgent), "u2"), "");
    EXPECT_EQ(h.call("u2")->state, CallState::queued);
    EXPECT_EQ(routed_to(h.end("u1"), "u2"), "night");
}

TEST(ClosedRules, TeamTakesTheCallWhenTheTeamOpens) {
    RoutingConfig c = hours_config();
    c.teams[0].hours = "office";  // a day team: closed, like the specialty, until 08:00
    Harness h(c);
    h.at(7 * kHour);
    EXPECT_EQ(routed_to(h.offer("u1", "cardio", CallClass::urgent), "u1"), "");
    h.at(8 * kHour);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "night");
}

TEST(ClosedRules, TeamFallsBackToRejectWhenNoTeamAtAllServesTheSpecialty) {
    Harness h(hours_config(/*with_team=*/false));
    const Output& out = h.offer("u1", "cardio", CallClass::urgent);
    ASSERT_TRUE(reject_of(out, "u1"));
    EXPECT_EQ(reject_of(out, "u1")->reason, "closed");
}

TEST(ClosedRules, QueueQueuesTheCallAsIfTheSpecialtyWereOpen) {
    RoutingConfig c = hours_config();
    c.specialties[0].closed[index_of(CallClass::admin)] = ClosedRule::queue;
    Harness h(c);
    const Output& out = h.offer("a1", "cardio", CallClass::admin);
    EXPECT_TRUE(queued_of(out, "a1"));
    EXPECT_EQ(routed_to(out, "a1"), "");
    EXPECT_EQ(h.call("a1")->state, CallState::queued);
}

TEST(ClosedRules, DefaultsAreTeamForUrgentAndRejectForTheOthers) {
    const auto rules = default_closed_rules();
    EXPECT_EQ(rules[index_of(CallClass::urgent)], ClosedRule::team);
    EXPECT_EQ(rules[index_of(CallClass::appointment)], ClosedRule::reject);
    EXPECT_EQ(rules[index_of(CallClass::admin)], ClosedRule::reject);
}

TEST(ClosedRules, AnOpenSpecialtyTakesCallsWhateverItsRules) {
    Harness h(hours_config());
    h.at(9 * kHour);
    const Output& out = h.offer("c1", "cardio", CallClass::appointment);
    EXPECT_FALSE(reject_of(out, "c1"));
    EXPECT_EQ(h.call("c1")->state, CallState::queued);
}

// ---------------------------------------------------------------------------------------------
// Teams with hours
// ---------------------------------------------------------------------------------------------
TEST(TeamHours, ATeamIsOfferedCallsOnlyWhileItsScheduleIsOpen) {
    Harness h(hours_config());
    h.at(17 * kHour + 59 * 60);  // the night team is closed, cardio open
    for (const char* id : {"c1", "c2", "c3", "c4"})
        h.offer(id, "cardio", CallClass::appointment);
    EXPECT_EQ(h.team_active("night"), 0);
    h.at(18 * kHour);  // it opens: the threshold rule sends the last call
    h.tick();
    EXPECT_EQ(h.team_active("night"), 1);
    EXPECT_EQ(h.call("c4")->team, "night");
}

TEST(TeamHours, ATeamThatClosesKeepsItsCallsAndTakesNoNewOne) {
    Harness h(hours_config());
    h.at(7 * kHour);
    h.offer("u1", "cardio", CallClass::urgent);
    h.answer("u1");
    h.at(8 * kHour);
    h.tick();
    EXPECT_EQ(h.call("u1")->state, CallState::connected);
    EXPECT_EQ(h.team_active("night"), 1);
    h.offer("u2", "cardio", CallClass::urgent);
    h.at(8 * kHour + 100);  // long past its deadline
    h.tick();
    EXPECT_EQ(h.call("u2")->state, CallState::queued);
}

// ---------------------------------------------------------------------------------------------
// Overflow lead
// ---------------------------------------------------------------------------------------------
TEST(OverflowLead, AnUrgentCallGoesToATeamTenSecondsBeforeItsDeadlineByDefault) {
    Harness h(with_agents({}, {team("ext", {"cardio"}, 5)}));
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(20);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "");  // exactly 10 s away: not less
    h.at(20.001);
    const Output& out = h.tick();
    EXPECT_EQ(routed_to(out, "u1"), "ext");
    EXPECT_TRUE(call_change(out, "u1", Cause::overflow_deadline));
}

TEST(OverflowLead, OtherClassesHaveNoLeadByDefault) {
    Harness h(with_agents({}, {team("ext", {"cardio"}, 5)}));
    h.offer("a1", "cardio", CallClass::appointment);
    h.at(120);
    EXPECT_EQ(routed_to(h.tick(), "a1"), "");
    h.at(120.001);
    EXPECT_EQ(routed_to(h.tick(), "a1"), "ext");
}

TEST(OverflowLead, TheLeadIsTheClasssOverflowLead) {
    RoutingConfig c = with_agents({}, {team("ext", {"cardio"}, 5)});
    c.classes[index_of(CallClass::appointment)].overflow_lead = seconds(30);
    Harness h(c);
    h.offer("a1", "cardio", CallClass::appointment);
    h.at(90.001);
    EXPECT_EQ(routed_to(h.tick(), "a1"), "ext");
}

TEST(OverflowLead, DeadlinePassedIsStillNotedAtTheDeadline) {
    Harness h(basic_config());
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(20.001);
    EXPECT_FALSE(call_change(h.tick(), "u1", Cause::deadline_passed));
    h.at(30.001);
    EXPECT_TRUE(call_change(h.tick(), "u1", Cause::deadline_passed));
}

// ---------------------------------------------------------------------------------------------
// Team retry
// ---------------------------------------------------------------------------------------------
TEST(TeamRetry, ATeamIsNotOfferedACallItRefusedForTeamRetrySeconds) {
    RoutingConfig c = with_agents({}, {team("ext", {"cardio"}, 5)});
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(21);
    h.tick();
    ASSERT_EQ(h.call("u1")->team, "ext");
    h.at(25);
    const Output& out = h.no_answer("u1");
    EXPECT_EQ(routed_to(out, "u1"), "");
    h.at(84.999);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "");
    EXPECT_EQ(h.call("u1")->state, CallState::queued);
}

TEST(TeamRetry, ThenTheTeamIsOfferedTheCallAgainAtThatMoment) {
    Harness h(with_agents({}, {team("ext", {"cardio"}, 5)}));
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(25);
    h.tick();
    h.no_answer("u1");
    h.at(84.999);
    h.tick();
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(85));  // the retry is a timer
    h.at(85);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "ext");
}

TEST(TeamRetry, TeamRetryIsConfigurable) {
    RoutingConfig c = with_agents({}, {team("ext", {"cardio"}, 5)});
    c.team_retry = seconds(5);
    Harness h(c);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(25);
    h.tick();
    h.no_answer("u1");
    h.at(30);
    EXPECT_EQ(routed_to(h.tick(), "u1"), "ext");
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------
TEST(Alerts, CallLateIsRaisedWhenAQueuedCallIsLateAfterSecondsPastItsDeadline) {
    RoutingConfig c = basic_config();
    c.late_after = seconds(10);
    Harness h(c);
    h.offer("a1", "cardio", CallClass::appointment);
    h.at(130);
    EXPECT_TRUE(alert_changes(h.tick()).empty());
    h.at(130.001);
    const auto raised = alert_changes(h.tick());
    ASSERT_EQ(raised.size(), 1U);
    EXPECT_TRUE(raised[0].raised);
    EXPECT_EQ(raised[0].alert.kind, AlertKind::call_late);
    EXPECT_EQ(raised[0].alert.call_id, "a1");
    EXPECT_EQ(raised[0].alert.specialty, "cardio");
    EXPECT_EQ(raised[0].alert.raised_at, start_time() + seconds(130) + Duration(1));
    ASSERT_EQ(h.engine.alerts().size(), 2U);  // and queue_unstaffed, raised at the offer
}

TEST(Alerts, CallLateIsClearedWhenTheCallLeavesTheQueueAndRaisedOncePerCall) {
    RoutingConfig c = with_agents({agent("a1", {"cardio"})});
    Harness h(c);
    h.login("a1", /*paused=*/true);
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(31);
    h.tick();
    const auto cleared = alert_changes(h.ready("a1"));
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_FALSE(cleared[0].raised);
    EXPECT_EQ(cleared[0].alert.call_id, "u1");
    EXPECT_TRUE(h.engine.alerts().empty());
    EXPECT_TRUE(alert_changes(h.no_answer("u1")).empty());  // back in the queue: not again
}

TEST(Alerts, QueueUnstaffedIsRaisedWhenAQueuedCallHasNoAgentLoggedInAndNoOpenTeam) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    const auto raised = alert_changes(h.offer("c1", "cardio"));
    ASSERT_EQ(raised.size(), 1U);
    EXPECT_EQ(raised[0].alert.kind, AlertKind::queue_unstaffed);
    EXPECT_EQ(raised[0].alert.specialty, "cardio");
    EXPECT_EQ(raised[0].alert.call_id, "");
    EXPECT_TRUE(alert_changes(h.offer("c2", "cardio")).empty());  // still true: not raised again
    const auto cleared = alert_changes(h.login("a1", /*paused=*/true));  // any state but out
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_FALSE(cleared[0].raised);
}

TEST(Alerts, QueueUnstaffedIsNotRaisedWhileAnOpenTeamServesTheSpecialty) {
    Harness h(hours_config());
    h.at(9 * kHour);
    EXPECT_EQ(alert_changes(h.offer("c1", "cardio")).size(), 1U);  // night team closed
    h.at(18 * kHour);
    const auto cleared = alert_changes(h.tick(), AlertKind::queue_unstaffed);  // it opens
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_FALSE(cleared[0].raised);
}

TEST(Alerts, QueueUnstaffedIsClearedWhenTheQueueEmpties) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    EXPECT_EQ(h.engine.alerts().size(), 1U);
    const auto cleared = alert_changes(h.end("c1"));
    ASSERT_EQ(cleared.size(), 1U);
    EXPECT_FALSE(cleared[0].raised);
    EXPECT_TRUE(h.engine.alerts().empty());
}

TEST(Alerts, AnAlertChangesNoCall) {
    Harness h(basic_config());
    h.offer("u1", "cardio", CallClass::urgent);
    h.at(60);
    h.tick();
    EXPECT_EQ(h.call("u1")->state, CallState::queued);
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"u1"}));
}

// ---------------------------------------------------------------------------------------------
// Quality sample
// ---------------------------------------------------------------------------------------------
TEST(QualitySample, TheRouteToAnAgentOfASelectedCallCarriesRecordTrue) {
    Harness h(with_agents({agent("a1", {"cardio"})}, {team("ext", {"cardio"}, 5)}));
    h.login("a1");
    input::CallOffered offered{"c1", "p", "+999", "cardio", std::nullopt};
    offered.quality_sample = true;
    const Output& out = h.event(offered);
    ASSERT_TRUE(route_of(out, "c1"));
    EXPECT_TRUE(route_of(out, "c1")->record);
    EXPECT_TRUE(h.call("c1")->quality_sample);
    EXPECT_TRUE(std::get<CallRouteCommand>(h.engine.offering_routes("gw")[0].body).record);
}

TEST(QualitySample, EveryOtherRouteCarriesRecordFalse) {
    Harness h(with_agents({agent("a1", {"cardio"})}, {team("ext", {"cardio"}, 5)}));
    h.login("a1");
    EXPECT_FALSE(route_of(h.offer("c1", "cardio"), "c1")->record);  // not selected
    input::CallOffered offered{"c2", "p", "+999", "cardio", CallClass::urgent};
    offered.quality_sample = true;
    h.event(offered);
    h.at(20.001);
    const Output& out = h.tick();  // to the team
    ASSERT_TRUE(route_of(out, "c2"));
    EXPECT_FALSE(route_of(out, "c2")->record);
}

// ---------------------------------------------------------------------------------------------
// Gateways away
// ---------------------------------------------------------------------------------------------
const Output& disconnect(Harness& h) {
    return h.send(input::GatewayDisconnected{"gw"});
}
const Output& reconnect(Harness& h) {
    return h.send(input::GatewayConnected{"gw"});
}

TEST(GatewayAway, ACallKeepsItsPlaceButIsNotRoutedWhileItsGatewayIsDisconnected) {
    Harness h(with_agents({agent("a1", {"cardio"})}, {team("ext", {"cardio"}, 5)}));
    h.offer("c1", "cardio", CallClass::urgent);
    disconnect(h);
    EXPECT_EQ(routed_to(h.login("a1"), "c1"), "");
    h.at(60);
    EXPECT_EQ(routed_to(h.tick(), "c1"), "");  // nor to a team
    EXPECT_EQ(h.queue_ids("cardio"), (std::vector<std::string>{"c1"}));
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);
    EXPECT_EQ(routed_to(reconnect(h), "c1"), "a1");
}

TEST(GatewayAway, AnOfferUnderWayRingsAgainAfterTheWelcomeWithItsRingTimeoutFromThen) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.at(10);
    disconnect(h);
    h.at(40);
    h.tick();
    EXPECT_EQ(h.call("c1")->state, CallState::offering);  // no ring timeout while away
    h.at(50);
    reconnect(h);
    EXPECT_EQ(h.engine.offering_routes("gw").size(), 1U);
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(75) + Duration(1));
    h.at(75.001);
    h.tick();
    EXPECT_EQ(h.call("c1")->state, CallState::queued);
}

TEST(GatewayAway, AnEventFromTheGatewayCountsAsItsReturn) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1", /*paused=*/true);
    h.offer("c1", "cardio");
    disconnect(h);
    h.ready("a1");
    EXPECT_EQ(h.call("c1")->state, CallState::queued);
    EXPECT_EQ(routed_to(h.offer("c2", "cardio"), "c1"), "a1");
}

TEST(GatewayAway, AfterOrphanTimeoutItsCallsEndAsAbandonedWithCauseGatewayLost) {
    Harness h(with_agents({agent("a1", {"cardio"})}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.offer("c2", "cardio");
    h.at(5);
    disconnect(h);
    h.at(124.999);
    h.tick();
    EXPECT_TRUE(h.call("c1"));
    EXPECT_EQ(h.engine.next_timer(), start_time() + seconds(125));
    h.at(125);
    const Output& out = h.tick();
    for (const char* id : {"c1", "c2"}) {
        const auto ended = call_change(out, id, Cause::gateway_lost);
        ASSERT_TRUE(ended) << id;
        EXPECT_EQ(ended->call.outcome, Outcome::abandoned);
    }
    EXPECT_TRUE(h.engine.calls().empty());
    EXPECT_EQ(h.agent_state("a1"), AgentState::ready);  // never paused for a call nobody rang
}

TEST(GatewayAway, OrphanTimeoutIsConfigurable) {
    RoutingConfig c = basic_config();
    c.orphan_timeout = seconds(10);
    Harness h(c);
    h.offer("c1", "cardio");
    disconnect(h);
    h.at(10);
    h.tick();
    EXPECT_FALSE(h.call("c1"));
}

TEST(GatewayAway, AReturnBeforeOrphanTimeoutKeepsTheCalls) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    disconnect(h);
    h.at(60);
    reconnect(h);
    h.at(200);
    h.tick();
    EXPECT_TRUE(h.call("c1"));
}

// ---------------------------------------------------------------------------------------------
// call-end (supervisor)
// ---------------------------------------------------------------------------------------------
TEST(CallEnd, EndsAQueuedCallAsAbandoned) {
    Harness h(basic_config());
    h.offer("c1", "cardio");
    const Output& out = h.send(input::CallEnd{{"c1", std::nullopt}, "gateway gone"});
    EXPECT_TRUE(out.reply.ok());
    const auto ended = call_change(out, "c1", Cause::ended_by_supervisor);
    ASSERT_TRUE(ended);
    EXPECT_EQ(ended->call.outcome, Outcome::abandoned);
    EXPECT_FALSE(h.call("c1"));
}

TEST(CallEnd, EndsAConnectedCallAsAbandonedAndTheAgentWrapsUp) {
    Harness h(with_agents({agent("a1", {"cardio"}, 10)}));
    h.login("a1");
    h.offer("c1", "cardio");
    h.answer("c1");
    const Output& out = h.send(input::CallEnd{{"c1", "gw"}, "stuck"});
    EXPECT_EQ(call_change(out, "c1", Cause::ended_by_supervisor)->call.outcome, Outcome::abandoned);
    EXPECT_EQ(h.agent_state("a1"), AgentState::wrap_up);
}

TEST(CallEnd, AnUnknownCallIsRefused) {
    Harness h(basic_config());
    EXPECT_EQ(h.send(input::CallEnd{{"zz", std::nullopt}, "x"}).reply.code,
              ErrorCode::unknown_call);
}

// ---------------------------------------------------------------------------------------------
// Site time: daylight-saving changes (Europe/Paris, from the system's tzdata)
// ---------------------------------------------------------------------------------------------
Time utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return Time(std::chrono::sys_days(std::chrono::year(y) / m / d)) + std::chrono::hours(h) +
           std::chrono::minutes(min);
}

TEST(SiteTime, ADaylightSavingChangeOpensAndClosesAtTheRightInstants) {
    const auto paris = zone_rules("Europe/Paris");
    ASSERT_TRUE(paris) << paris.error().message;
    const Schedule office = daily("office", 8, 18);
    // March 2026: CET (+1) until Sunday 29 at 01:00 UTC, then CEST (+2).
    EXPECT_EQ(next_change(office, *paris, utc(2026, 3, 28, 0)), utc(2026, 3, 28, 7));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 3, 28, 12)), utc(2026, 3, 28, 17));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 3, 28, 20)), utc(2026, 3, 29, 6));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 3, 29, 12)), utc(2026, 3, 29, 16));
    // October 2026: CEST until Sunday 25 at 01:00 UTC, then CET.
    EXPECT_EQ(next_change(office, *paris, utc(2026, 10, 24, 0)), utc(2026, 10, 24, 6));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 10, 24, 12)), utc(2026, 10, 24, 16));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 10, 24, 20)), utc(2026, 10, 25, 7));
    EXPECT_EQ(next_change(office, *paris, utc(2026, 10, 25, 12)), utc(2026, 10, 25, 17));
    EXPECT_TRUE(is_open(office, *paris, utc(2026, 3, 29, 6)));
    EXPECT_FALSE(is_open(office, *paris, utc(2026, 3, 29, 6) - Duration(1)));
}

TEST(SiteTime, ARangeThatTheSpringChangeSkipsClosesAtTheChange) {
    const auto paris = zone_rules("Europe/Paris");
    ASSERT_TRUE(paris);
    const Schedule early = daily("early", 0, 8);
    Schedule s = early;
    s.week[6] = {TimeRange{0, 150}};  // Sundays 00:00-02:30: 02:30 does not exist on 29 March
    EXPECT_EQ(next_change(s, *paris, utc(2026, 3, 28, 23, 30)), utc(2026, 3, 29, 1));
}

TEST(SiteTime, TheEngineFollowsTheZonesRules) {
    const auto paris = zone_rules("Europe/Paris");
    ASSERT_TRUE(paris);
    RoutingConfig c = basic_config();
    c.zone = *paris;
    c.schedules = {daily("office", 8, 18)};
    c.specialties[0].hours = "office";
    Engine engine(c);
    engine.handle(input::Tick{}, utc(2026, 3, 28, 20));
    EXPECT_EQ(engine.next_timer(), utc(2026, 3, 29, 6));
    engine.handle(input::Tick{}, utc(2026, 3, 29, 6));
    EXPECT_TRUE(engine.queues()[0].open);
    EXPECT_EQ(engine.next_timer(), utc(2026, 3, 29, 16));
}

TEST(SiteTime, AnUnknownZoneNameIsRefusedByName) {
    const auto r = zone_rules("Europe/Atlantis");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("Europe/Atlantis"), std::string::npos);
}

}  // namespace
}  // namespace acd::test
