// Opening hours in site time (docs/spec/routing.md v1.1 "Opening hours, nights and on-call"), as
// pure functions of a Schedule, the zone's rules (data: include/acd/routing_config.hpp) and a
// time. No clock, no time-zone database: the same arguments give the same answer on any machine.
#pragma once

#include <chrono>
#include <optional>

#include "acd/routing_config.hpp"

namespace acd {

using LocalTime = std::chrono::local_time<Duration>;

// The local (wall-clock) time of `t` in `zone`.
LocalTime local_time(const ZoneRules& zone, Time t);

// Whether `schedule` is open at `t`: t's local date is not a closed date and t's local time is in
// one of that weekday's ranges (start included, end excluded).
bool is_open(const Schedule& schedule, const ZoneRules& zone, Time t);

// The first instant after `t` at which is_open() changes. Looks up to 400 days ahead; when the
// state does not change within them (a schedule open all week), nullopt.
std::optional<Time> next_change(const Schedule& schedule, const ZoneRules& zone, Time t);

}  // namespace acd
