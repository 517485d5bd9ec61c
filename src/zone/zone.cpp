// Site time zones as data. See include/acd/zone.hpp.
//
// Why Howard Hinnant's tz (libhowardhinnant-date-dev) rather than cctz: it is the library that
// became C++20's <chrono> time zones, so the code moves to std::chrono::locate_zone unchanged in
// shape once the compiler has it (GCC 12's <chrono> has no database); Debian builds it on the
// system's tzdata (USE_OS_TZDB), which the distribution keeps up to date.
#include "acd/zone.hpp"

#include <date/tz.h>

#include <filesystem>
#include <stdexcept>

namespace acd {

Result<ZoneRules> zone_rules(std::string_view name, int first_year, int last_year) {
    const date::time_zone* zone = nullptr;
    try {
        zone = date::locate_zone(name);
    } catch (const std::exception&) {
        return Error{ErrorCode::invalid_config, "unknown time zone '" + std::string(name) +
                                                    "' (an IANA name such as Europe/Luxembourg)"};
    }
    using std::chrono::seconds;
    const date::sys_seconds first{date::sys_days{date::year{first_year} / 1 / 1}};
    const date::sys_seconds end{date::sys_days{date::year{last_year + 1} / 1 / 1}};
    ZoneRules rules;
    rules.name = zone->name();
    date::sys_info info = zone->get_info(first);
    rules.initial_offset = info.offset;
    Duration offset = info.offset;
    while (info.end < end) {
        info = zone->get_info(info.end);
        // A new abbreviation or DST flag with the same offset changes nothing for schedules.
        if (info.offset == offset) continue;
        offset = info.offset;
        rules.transitions.push_back({Time(info.begin), offset});
    }
    return rules;
}

std::string local_zone_name() {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink("/etc/localtime", ec);
    if (!ec) {
        const std::string path = target.lexically_normal().string();
        const std::string::size_type at = path.find("zoneinfo/");
        if (at != std::string::npos) {
            const std::string name = path.substr(at + 9);
            if (zone_rules(name, 2000, 2000)) return name;
        }
    }
    return "UTC";
}

}  // namespace acd
