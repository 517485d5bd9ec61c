#include "acd/site_time.hpp"

#include <fmt/format.h>

#include "acd/schedule.hpp"

namespace acd {

std::string format_site_time(const ZoneRules& zone, Time t) {
    using namespace std::chrono;
    const Duration offset = zone.offset_at(t);
    const LocalTime local = local_time(zone, t);
    const auto day = floor<days>(local);
    const year_month_day ymd{day};
    const hh_mm_ss<Duration> hms{local - day};
    const auto minutes_east = duration_cast<minutes>(offset).count();
    const auto abs_minutes = minutes_east < 0 ? -minutes_east : minutes_east;
    const std::string zone_part = minutes_east == 0
                                      ? std::string("Z")
                                      : fmt::format("{}{:02}:{:02}", minutes_east < 0 ? '-' : '+',
                                                    abs_minutes / 60, abs_minutes % 60);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{}", int(ymd.year()),
                       unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count(), hms.subseconds().count(),
                       zone_part);
}

Time site_midnight(const ZoneRules& zone, Time t) {
    using namespace std::chrono;
    const auto midnight = floor<days>(local_time(zone, t));
    // The offset at midnight may differ from the offset at t (a change during the day): take the
    // offset in force at the first guess, which is that of midnight unless midnight is in a gap.
    Time utc = Time(midnight.time_since_epoch()) - zone.offset_at(t);
    utc = Time(midnight.time_since_epoch()) - zone.offset_at(utc);
    if (floor<days>(local_time(zone, utc)) < midnight) {
        // In a gap: the local day begins at the transition.
        if (const auto next = zone.next_transition(utc)) utc = *next;
    }
    return utc;
}

}  // namespace acd
