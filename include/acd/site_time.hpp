// Times as the site sees them (docs/spec/config.md v1.1 `site.timezone`): what acdd shows is
// RFC 3339 with the site zone's offset, and "today" starts at 00:00 site time. Pure functions
// of the zone's rules (data, RoutingConfig::zone): no clock, no `TZ`, no time-zone database.
#pragma once

#include <string>

#include "acd/routing_config.hpp"

namespace acd {

// RFC 3339 with milliseconds and the offset in force at `t`: "2026-11-23T10:30:00.000+01:00",
// and "Z" when that offset is zero (a site on UTC reads as before v1.1).
std::string format_site_time(const ZoneRules& zone, Time t);

// 00:00 site time of the local day that holds `t`, as an instant. On a day whose midnight falls in
// a daylight-saving gap, the first instant of that local day.
Time site_midnight(const ZoneRules& zone, Time t);

}  // namespace acd
