// The text form of times: RFC 3339 (include/acd/types.hpp) and times of day
// (include/acd/routing_config.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "acd/routing_config.hpp"
#include "acd/types.hpp"

namespace acd {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    const char* first = s.data() + pos;
    for (std::size_t i = 0; i < n; ++i) {
        if (first[i] < '0' || first[i] > '9') return false;
    }
    std::from_chars(first, first + n, out);
    return true;
}

}  // namespace

std::string format_time(Time t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss<Duration> hms{t - day};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", int(ymd.year()),
                       unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::optional<Time> parse_time(std::string_view s) {
    using namespace std::chrono;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mo) ||
        s[7] != '-' || !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' ||
        !digits(s, 17, 2, sec)) {
        return std::nullopt;
    }
    const year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
    if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
    std::size_t pos = 19;
    std::int64_t millis = 0;
    if (pos < s.size() && s[pos] == '.') {
        std::size_t n = 0;
        for (++pos; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
            if (n < 3) millis = millis * 10 + (s[pos] - '0');
        }
        if (n == 0) return std::nullopt;
        for (; n < 3; ++n)
            millis *= 10;
    }
    Duration offset{0};
    if (pos + 1 == s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && s[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!digits(s, pos + 1, 2, oh) || !digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset = hours(oh) + minutes(om);
        if (s[pos] == '-') offset = -offset;
        pos += 6;
    } else {
        return std::nullopt;
    }
    const Time local = Time(sys_days(ymd)) + hours(h) + minutes(mi) +
                       std::chrono::seconds(std::min(sec, 59)) + Duration(millis);
    // RFC 3339 has years 0000 to 9999 only, in UTC as well: an offset that carries the time out
    // of them ("0000-01-01T00:00:00+01:00") gives a time format_time() cannot write back.
    constexpr Time kFirst = Time(sys_days(year(0) / January / 1));
    constexpr Time kEnd = Time(sys_days(year(10000) / January / 1));
    const Time utc = local - offset;
    if (utc < kFirst || utc >= kEnd) return std::nullopt;
    return utc;
}

std::optional<int> parse_minutes_of_day(std::string_view s) {
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    for (int i : {0, 1, 3, 4}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::optional<TimeRange> parse_time_range(std::string_view s) {
    const auto dash = s.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    const auto from = parse_minutes_of_day(s.substr(0, dash));
    const auto to = parse_minutes_of_day(s.substr(dash + 1));
    if (!from || !to || *to <= *from) return std::nullopt;
    return TimeRange{*from, *to};
}

}  // namespace acd
