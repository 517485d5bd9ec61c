// The call-arrival, handle-time and shift models (src/tools/sim/models.hpp, random.hpp).
#include "sim/models.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sim/random.hpp"
#include "sim_test_util.hpp"

namespace acd::sim::test {
namespace {

TEST(Random, SameSeedGivesTheSameNumbersOnEveryPlatform) {
    Rng a(42);
    Rng b(42);
    for (int i = 0; i < 100; ++i)
        ASSERT_EQ(a.next(), b.next());
    // Pinned: the generator is written out, not taken from the standard library, so this holds
    // with any compiler and standard library.
    Rng c(1);
    EXPECT_EQ(c.next(), 0xb3f2af6d0fc710c5ULL);
}

TEST(Random, StreamsOfOneSeedDiffer) {
    EXPECT_NE(derive_seed(7, 0), derive_seed(7, 1));
    EXPECT_NE(derive_seed(7, 0), derive_seed(8, 0));
}

struct Moments {
    double mean = 0;
    double sd = 0;
};

Moments moments_of(const Distribution& d, int n) {
    Rng rng(3);
    double sum = 0;
    double sum2 = 0;
    for (int i = 0; i < n; ++i) {
        const double x = sample(d, rng);
        sum += x;
        sum2 += x * x;
    }
    const double mean = sum / n;
    return {mean, std::sqrt(sum2 / n - mean * mean)};
}

TEST(Distributions, ExponentialHasItsMean) {
    const Moments m = moments_of({Distribution::Kind::exponential, 180, 0}, 400000);
    EXPECT_NEAR(m.mean, 180, 180 * 0.01);
    EXPECT_NEAR(m.sd, 180, 180 * 0.02);
}

TEST(Distributions, LognormalHasItsMeanAndSpread) {
    const Moments m = moments_of({Distribution::Kind::lognormal, 200, 100}, 400000);
    EXPECT_NEAR(m.mean, 200, 200 * 0.01);
    EXPECT_NEAR(m.sd, 100, 100 * 0.03);
}

TEST(Distributions, ConstantIsAlwaysItsMean) {
    const Moments m = moments_of({Distribution::Kind::constant, 42, 0}, 100);
    EXPECT_EQ(m.mean, 42);
    EXPECT_NEAR(m.sd, 0, 1e-9);
}

Scenario days_scenario(int days) {
    Scenario s;
    s.days = days;
    return s;
}

// Counts of arrivals in each hour of the day over `days` days.
std::array<double, kHoursPerDay> hourly_counts(const ArrivalProcess& p, int days) {
    std::array<double, kHoursPerDay> counts{};
    Rng rng(11);
    double t = 0;
    while (const auto next = p.next(t, rng)) {
        t = *next;
        EXPECT_LT(t, days * 86400.0);
        counts[static_cast<std::size_t>(t / 3600) % kHoursPerDay] += 1;
    }
    return counts;
}

TEST(Arrivals, EachHourGetsItsRate) {
    std::array<double, kHoursPerDay> per_hour{};
    per_hour[8] = 120;
    per_hour[9] = 30;
    per_hour[14] = 60;
    const int days = 200;
    const ArrivalProcess p(per_hour, days_scenario(days));
    const auto counts = hourly_counts(p, days);
    for (int h = 0; h < kHoursPerDay; ++h) {
        const double expected = per_hour[h] * days;
        // Poisson: within five standard deviations, and none at all where the rate is zero.
        EXPECT_NEAR(counts[h], expected, 5 * std::sqrt(expected) + 1e-9) << "hour " << h;
    }
}

TEST(Arrivals, DayFactorsScaleEachWeekday) {
    Scenario s = days_scenario(70);
    s.first_weekday = 2;  // Wednesday
    s.day_factors = {1, 1, 2, 1, 1, 0, 0};
    std::array<double, kHoursPerDay> per_hour{};
    per_hour.fill(10);
    const ArrivalProcess p(per_hour, s);
    std::array<double, kDaysPerWeek> by_weekday{};
    Rng rng(5);
    double t = 0;
    while (const auto next = p.next(t, rng)) {
        t = *next;
        by_weekday[(2 + static_cast<int>(t / 86400)) % 7] += 1;
    }
    EXPECT_NEAR(by_weekday[2], 10 * 24 * 10 * 2, 5 * std::sqrt(4800));  // ten Wednesdays, double
    EXPECT_NEAR(by_weekday[0], 10 * 24 * 10, 5 * std::sqrt(2400));
    EXPECT_EQ(by_weekday[5], 0);
    EXPECT_EQ(by_weekday[6], 0);
}

TEST(Arrivals, NoneAfterTheLastDay) {
    std::array<double, kHoursPerDay> per_hour{};
    per_hour.fill(100);
    const ArrivalProcess p(per_hour, days_scenario(1));
    Rng rng(1);
    EXPECT_FALSE(p.next(86399.99, rng) && *p.next(86399.99, rng) < 86400);
    EXPECT_FALSE(p.next(86400, rng));
}

TEST(Shifts, TouchingShiftsMergeIntoOneLogin) {
    Scenario s = days_scenario(3);
    const auto intervals = work_intervals({Shift{0, 86400, 0x7f}}, s);
    ASSERT_EQ(intervals.size(), 1u);
    EXPECT_EQ(intervals[0].start_s, 0);
    EXPECT_EQ(intervals[0].end_s, 3 * 86400);
}

TEST(Shifts, ShiftsHappenOnlyOnTheirWeekdays) {
    Scenario s = days_scenario(7);
    s.first_weekday = 0;
    const std::uint8_t tuesday_and_sunday = (1 << 1) | (1 << 6);
    const auto intervals = work_intervals({Shift{8 * 3600, 12 * 3600, tuesday_and_sunday}}, s);
    ASSERT_EQ(intervals.size(), 2u);
    EXPECT_EQ(intervals[0].start_s, 1 * 86400 + 8 * 3600);
    EXPECT_EQ(intervals[1].end_s, 6 * 86400 + 12 * 3600);
}

TEST(Shifts, SplitShiftsGiveTwoLogins) {
    const auto intervals = work_intervals(
        {Shift{14 * 3600, 18 * 3600, 0x7f}, Shift{8 * 3600, 12 * 3600, 0x7f}}, days_scenario(1));
    ASSERT_EQ(intervals.size(), 2u);
    EXPECT_EQ(intervals[0].start_s, 8 * 3600);
    EXPECT_EQ(intervals[1].start_s, 14 * 3600);
}

}  // namespace
}  // namespace acd::sim::test
