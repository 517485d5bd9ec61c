// docs/spec/routing.md "Service figures", one test per figure.
#include "acd/stats.hpp"

#include <gtest/gtest.h>

namespace acd {
namespace {

const Time t0 = Time{} + std::chrono::hours(1000);

CallSnapshot answered(int wait_s, bool by_team = false) {
    CallSnapshot c;
    c.specialty = "cardio";
    c.enqueued_at = t0;
    c.answered_at = t0 + seconds(wait_s);
    c.ended_at = t0 + seconds(wait_s + 60);
    c.outcome = Outcome::completed;
    c.state = CallState::ended;
    if (by_team) {
        c.team = "ext";
        c.overflowed = true;
    } else {
        c.agent = "a1";
    }
    return c;
}

CallSnapshot abandoned(int wait_s) {
    CallSnapshot c;
    c.specialty = "cardio";
    c.enqueued_at = t0;
    c.ended_at = t0 + seconds(wait_s);
    c.outcome = Outcome::abandoned;
    c.state = CallState::ended;
    return c;
}

CallSnapshot closed() {
    CallSnapshot c;
    c.specialty = "cardio";
    c.enqueued_at = t0;
    c.ended_at = t0;
    c.outcome = Outcome::closed;
    c.state = CallState::ended;
    return c;
}

ServiceFigures figures_of(const std::vector<CallSnapshot>& calls, Time now = t0 + seconds(3600)) {
    ServiceTally tally;
    for (const auto& c : calls)
        tally.add(c, seconds(120), now);
    return tally.figures();
}

TEST(ServiceFigures, AnsweredCountsCompletedAndConnectedSplitByInternalAndOverflow) {
    CallSnapshot live = answered(10);
    live.outcome.reset();
    live.ended_at.reset();
    live.state = CallState::connected;
    const auto f = figures_of({answered(10), answered(20, true), live});
    EXPECT_EQ(f.offered, 3);
    EXPECT_EQ(f.answered, 3);
    EXPECT_EQ(f.answered_internal, 2);
    EXPECT_EQ(f.answered_overflow, 1);
    EXPECT_EQ(f.overflowed, 1);
}

TEST(ServiceFigures, AnsweredWithinTargetIncludesAWaitEqualToTheTarget) {
    const auto f = figures_of({answered(120), answered(121)});
    EXPECT_EQ(f.answered_within_target, 1);
}

TEST(ServiceFigures, ShortAbandonIsAnAbandonWithAWaitUnderFiveSeconds) {
    const auto f = figures_of({abandoned(4), abandoned(5)});
    EXPECT_EQ(f.abandoned, 2);
    EXPECT_EQ(f.short_abandoned, 1);
}

TEST(ServiceFigures, ServiceLevelIsWithinTargetOverAnsweredPlusAbandonedMinusShort) {
    // 2 within target of 3 answered; 2 abandoned of which 1 short: 2 / (3 + 2 - 1).
    const auto f =
        figures_of({answered(10), answered(100), answered(200), abandoned(2), abandoned(50)});
    ASSERT_TRUE(f.service_level);
    EXPECT_DOUBLE_EQ(*f.service_level, 0.5);
}

TEST(ServiceFigures, AnswerRateIsAnsweredOverOfferedMinusShortAbandons) {
    const auto f = figures_of({answered(10), abandoned(2), abandoned(50)});
    ASSERT_TRUE(f.answer_rate);
    EXPECT_DOUBLE_EQ(*f.answer_rate, 0.5);
}

TEST(ServiceFigures, AsaIsTheMeanWaitOfAnsweredCalls) {
    const auto f = figures_of({answered(10), answered(30), abandoned(100)});
    ASSERT_TRUE(f.asa_s);
    EXPECT_DOUBLE_EQ(*f.asa_s, 20.0);
}

TEST(ServiceFigures, MaxWaitIsTheLongestWaitAnsweredOrNot) {
    CallSnapshot waiting;
    waiting.specialty = "cardio";
    waiting.enqueued_at = t0;
    waiting.state = CallState::queued;
    EXPECT_DOUBLE_EQ(*figures_of({answered(10), abandoned(50)}).max_wait_s, 50.0);
    EXPECT_DOUBLE_EQ(*figures_of({answered(10), waiting}, t0 + seconds(70)).max_wait_s, 70.0);
}

TEST(ServiceFigures, DivisionByZeroGivesNull) {
    const auto f = figures_of({abandoned(1)});
    EXPECT_FALSE(f.service_level);  // 0 answered + 1 abandoned - 1 short
    EXPECT_FALSE(f.answer_rate);    // 1 offered - 1 short
    EXPECT_FALSE(f.asa_s);
    EXPECT_FALSE(figures_of({}).max_wait_s);
}

TEST(ServiceFigures, RejectedCallsAreCounted) {
    CallSnapshot r;
    r.outcome = Outcome::rejected;
    r.state = CallState::ended;
    r.enqueued_at = t0;
    r.ended_at = t0;
    const auto f = figures_of({r});
    EXPECT_EQ(f.rejected, 1);
    EXPECT_EQ(f.answered, 0);
}

TEST(ServiceFigures, StatsGroupCallsBySpecialtyAndClass) {
    RoutingConfig config;
    ServiceStats stats;
    CallSnapshot a = answered(10);
    CallSnapshot b = answered(10);
    b.call_class = CallClass::urgent;  // 10 s is within 30 s
    CallSnapshot c = answered(100);
    c.specialty = "neuro";
    for (const auto& call : {a, b, c})
        stats.add(call, config, t0);
    ASSERT_EQ(stats.buckets().size(), 3U);
    EXPECT_EQ(stats.buckets().at({"cardio", CallClass::urgent}).figures().answered_within_target,
              1);
}

TEST(ServiceFigures, ClosedCallsAreCountedApartAndLeftOutOfServiceLevelAndAnswerRate) {
    const ServiceFigures f = figures_of({answered(10), abandoned(60), closed(), closed()});
    EXPECT_EQ(f.offered, 4);
    EXPECT_EQ(f.closed, 2);
    EXPECT_EQ(f.rejected, 0);
    EXPECT_EQ(f.service_level, 0.5);
    EXPECT_EQ(f.answer_rate, 0.5);
    EXPECT_EQ(f.max_wait_s, 60.0);
}

}  // namespace
}  // namespace acd
