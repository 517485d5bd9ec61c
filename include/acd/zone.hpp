// Site time zones as data for the engine (docs/spec/config.md v1.1 `site.timezone`).
//
//   acd::Result<acd::ZoneRules> zone = acd::zone_rules("Europe/Luxembourg");
//   config.routing.zone = *zone;  // the engine reads offsets from this, never a database
//
// Contract:
// - zone_rules() reads the system's time-zone database (tzdata, /usr/share/zoneinfo) through
//   Howard Hinnant's tz library (Debian's libhowardhinnant-date-dev), never the process's `TZ`
//   nor localtime(): the result depends only on the name, the years and the database.
// - The rules cover [first_year, last_year] (UTC years): every change of UTC offset in them,
//   with the offset before the first. Outside, the nearest offset holds.
// - An unknown name is an error that names it. Thread-safe (the database is read once, behind
//   the library's own lock).
#pragma once

#include <string>
#include <string_view>

#include "acd/result.hpp"
#include "acd/routing_config.hpp"

namespace acd {

inline constexpr int kZoneFirstYear = 1970;
inline constexpr int kZoneLastYear = 2100;

Result<ZoneRules> zone_rules(std::string_view name, int first_year = kZoneFirstYear,
                             int last_year = kZoneLastYear);

// The machine's zone (the link /etc/localtime points to, as an IANA name), else "UTC": the
// default of `site.timezone`.
std::string local_zone_name();

}  // namespace acd
