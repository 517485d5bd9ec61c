// Opening hours in site time. See include/acd/schedule.hpp.
#include "acd/schedule.hpp"

#include <algorithm>

namespace acd {

using std::chrono::days;
using std::chrono::local_days;

namespace {

constexpr Duration kMinute = std::chrono::minutes(1);
constexpr Duration kDay = days(1);

const std::vector<TimeRange>& ranges_of(const Schedule& s, local_days day) {
    const unsigned iso = std::chrono::weekday(day).iso_encoding();  // 1 = Monday ... 7 = Sunday
    return s.week[iso - 1];
}

// The first range boundary of `day` strictly after `ms` (ms after that local midnight), or the
// next midnight.
Duration next_boundary(const Schedule& s, local_days day, Duration ms) {
    Duration best = kDay;
    for (const TimeRange& r : ranges_of(s, day)) {
        for (const int minute : {r.start_min, r.end_min}) {
            const Duration b = minute * kMinute;
            if (b > ms && b < best) best = b;
        }
    }
    return best;
}

}  // namespace

Duration ZoneRules::offset_at(Time t) const {
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), t,
                                     [](Time v, const ZoneTransition& z) { return v < z.at; });
    return it == transitions.begin() ? initial_offset : std::prev(it)->offset;
}

std::optional<Time> ZoneRules::next_transition(Time t) const {
    const auto it = std::upper_bound(transitions.begin(), transitions.end(), t,
                                     [](Time v, const ZoneTransition& z) { return v < z.at; });
    if (it == transitions.end()) return std::nullopt;
    return it->at;
}

LocalTime local_time(const ZoneRules& zone, Time t) {
    return LocalTime(t.time_since_epoch() + zone.offset_at(t));
}

bool is_open(const Schedule& s, const ZoneRules& zone, Time t) {
    const LocalTime local = local_time(zone, t);
    const local_days day = std::chrono::floor<days>(local);
    if (std::binary_search(s.closed_dates.begin(), s.closed_dates.end(), day)) return false;
    const Duration ms = local - day;
    const auto& ranges = ranges_of(s, day);
    return std::any_of(ranges.begin(), ranges.end(), [&](const TimeRange& r) {
        return r.start_min * kMinute <= ms && ms < r.end_min * kMinute;
    });
}

// The state can only change where local time crosses a range boundary or midnight, or where the
// zone's offset changes. Walk those instants in order until the state differs.
std::optional<Time> next_change(const Schedule& s, const ZoneRules& zone, Time t) {
    const bool open = is_open(s, zone, t);
    const Time horizon = t + days(400);
    while (t < horizon) {
        const Duration offset = zone.offset_at(t);
        const LocalTime local = LocalTime(t.time_since_epoch() + offset);
        const local_days day = std::chrono::floor<days>(local);
        // With the offset constant until the next transition, a local instant maps to UTC by
        // subtracting it.
        Time candidate =
            Time((day + next_boundary(s, day, local - day)).time_since_epoch() - offset);
        if (const auto transition = zone.next_transition(t);
            transition && *transition < candidate) {
            candidate = *transition;
        }
        if (is_open(s, zone, candidate) != open) return candidate;
        t = candidate;
    }
    return std::nullopt;
}

}  // namespace acd
