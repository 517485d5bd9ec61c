// The Erlang C formulas (src/tools/sim/erlang.hpp) the validation compares the simulator with.
#include "sim/erlang.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim_test_util.hpp"

namespace acd::sim::test {
namespace {

TEST(ErlangC, OneAgentWaitsWithProbabilityRho) {
    EXPECT_NEAR(erlang_c(1, 0.5), 0.5, 1e-12);
    EXPECT_NEAR(erlang_c(1, 0.9), 0.9, 1e-12);
}

TEST(ErlangC, MatchesTheClosedFormForTwoAgents) {
    // C(2, A) = A^2 / (2 + A) for two agents; A = 1 gives 1/3.
    EXPECT_NEAR(erlang_c(2, 1.0), 1.0 / 3, 1e-12);
    EXPECT_NEAR(erlang_c(2, 1.5), 1.5 * 1.5 / 3.5, 1e-12);
}

TEST(ErlangC, MatchesPublishedTables) {
    // 10 agents, 8 Erlangs: 0.4092 (standard Erlang C tables).
    EXPECT_NEAR(erlang_c(10, 8.0), 0.4092, 5e-5);
}

TEST(ErlangC, StaysFiniteForLargeCenters) {
    const double c = erlang_c(2000, 1950);
    EXPECT_TRUE(std::isfinite(c));
    EXPECT_GT(c, 0);
    EXPECT_LT(c, 1);
}

TEST(ErlangC, UnstableLoadMeansEveryCallWaits) {
    EXPECT_EQ(erlang_c(3, 3.0), 1.0);
}

TEST(ErlangC, WaitTailAndMeanForMM1) {
    // M/M/1, lambda 0.5, mu 1: P(W > t) = 0.5 e^{-0.5 t}, E[W] = rho / (mu - lambda) = 1.
    const MMc m{0.5, 1.0, 1};
    EXPECT_NEAR(m.p_wait_over(0), 0.5, 1e-12);
    EXPECT_NEAR(m.p_wait_over(2), 0.5 * std::exp(-1.0), 1e-12);
    EXPECT_NEAR(m.mean_wait_s(), 1.0, 1e-12);
}

TEST(ErlangC, ShippedMMcScenariosAreMMcQueues) {
    const auto m = as_mmc(load_ok("mmc-c5-rho90"));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->agents, 5);
    EXPECT_NEAR(m->occupancy(), 0.9, 1e-12);
}

TEST(ErlangC, OtherScenariosAreNot) {
    EXPECT_FALSE(as_mmc(load_ok("chl-day")));
    Scenario one = load_ok("mmc-c1-rho50");
    one.routing.agents[0].wrap_up = seconds(5);
    EXPECT_FALSE(as_mmc(one));
}

}  // namespace
}  // namespace acd::sim::test
