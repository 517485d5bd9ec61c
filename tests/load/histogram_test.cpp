// acd-load's latency histogram (src/tools/load/histogram.hpp).
#include "load/histogram.hpp"

#include <gtest/gtest.h>

namespace acd::load {
namespace {

using std::chrono::nanoseconds;

TEST(Histogram, EmptyGivesZero) {
    const Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.quantile(0.99), nanoseconds(0));
}

TEST(Histogram, SmallValuesAreExact) {
    Histogram h;
    for (int v = 1; v <= 200; ++v)
        h.record(nanoseconds(v));
    EXPECT_EQ(h.quantile(0.5), nanoseconds(100));
    EXPECT_EQ(h.quantile(0.99), nanoseconds(198));
    EXPECT_EQ(h.quantile(1.0), nanoseconds(200));
    EXPECT_EQ(h.max(), nanoseconds(200));
}

TEST(Histogram, LargeValuesAreWithinOnePercent) {
    Histogram h;
    // 1 us .. 1 s in steps of 1 us: quantile q is about q seconds.
    for (std::int64_t v = 1; v <= 1'000'000; ++v)
        h.record(nanoseconds(v * 1000));
    for (const double q : {0.5, 0.9, 0.99, 0.999}) {
        const double expected = q * 1e9;
        const auto got = static_cast<double>(h.quantile(q).count());
        EXPECT_GE(got, expected) << q;
        EXPECT_LE(got, expected * 1.01) << q;
    }
    EXPECT_EQ(h.quantile(1.0), nanoseconds(1'000'000'000));
}

TEST(Histogram, NegativeDurationsCountAsZero) {
    Histogram h;
    h.record(nanoseconds(-5));
    EXPECT_EQ(h.count(), 1u);
    EXPECT_EQ(h.quantile(0.5), nanoseconds(0));
}

}  // namespace
}  // namespace acd::load
