// Site time (docs/spec/config.md v1.1 site.timezone): the times acdd shows carry the site zone's
// offset, and "today" starts at 00:00 site time, daylight saving included.
#include "acd/site_time.hpp"

#include <gtest/gtest.h>

#include "acd/zone.hpp"

namespace acd {
namespace {

Time at(const char* text) {
    return *parse_time(text);
}

ZoneRules zone(const char* name) {
    return *zone_rules(name, 2020, 2030);
}

TEST(SiteTime, TimesShownCarryTheSiteOffsetInWinterAndSummer) {
    const ZoneRules paris = zone("Europe/Paris");
    EXPECT_EQ(format_site_time(paris, at("2026-01-15T08:30:00.250Z")),
              "2026-01-15T09:30:00.250+01:00");
    EXPECT_EQ(format_site_time(paris, at("2026-07-15T08:30:00Z")), "2026-07-15T10:30:00.000+02:00");
    EXPECT_EQ(format_site_time(zone("America/St_Johns"), at("2026-01-15T12:00:00Z")),
              "2026-01-15T08:30:00.000-03:30");
}

TEST(SiteTime, ASiteOnUtcShowsZ) {
    EXPECT_EQ(format_site_time(zone("UTC"), at("2026-01-15T08:30:00Z")),
              "2026-01-15T08:30:00.000Z");
}

TEST(SiteTime, TodayStartsAtMidnightSiteTime) {
    const ZoneRules kathmandu = zone("Asia/Kathmandu");  // +05:45
    // 20:00 UTC on the 14th is 01:45 on the 15th in Kathmandu: its day began at 18:15 UTC.
    EXPECT_EQ(site_midnight(kathmandu, at("2026-01-14T20:00:00Z")), at("2026-01-14T18:15:00Z"));
    EXPECT_EQ(site_midnight(kathmandu, at("2026-01-14T18:00:00Z")), at("2026-01-13T18:15:00Z"));
}

TEST(SiteTime, TodayStartsAtMidnightOnTheDaysOfADaylightSavingChange) {
    const ZoneRules paris = zone("Europe/Paris");
    // Sunday 29 March 2026: midnight is still winter time (+01:00), the change is at 02:00.
    EXPECT_EQ(site_midnight(paris, at("2026-03-29T20:00:00Z")), at("2026-03-28T23:00:00Z"));
    // Sunday 25 October 2026: midnight is still summer time (+02:00).
    EXPECT_EQ(site_midnight(paris, at("2026-10-25T20:00:00Z")), at("2026-10-24T22:00:00Z"));
}

}  // namespace
}  // namespace acd
