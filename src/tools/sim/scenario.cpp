// The traffic and shifts formats of docs/simulator.md, read against a configuration that
// acd::parse_config() has accepted. Each reader takes one JSON value and its path and reports
// what is wrong through json::Reader, as the configuration's parser does.
#include "sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace acd::sim {
namespace {

using json::Problems;

constexpr std::string_view kWeekdays[kDaysPerWeek] = {"mon", "tue", "wed", "thu",
                                                      "fri", "sat", "sun"};
constexpr double kMaxSeconds = 7 * 24 * 3600.0;  // no duration of a call is longer
constexpr std::int64_t kMaxDays = 100000;
constexpr double kMaxRate = 1e6;

std::optional<int> weekday_of(std::string_view name) {
    for (int d = 0; d < kDaysPerWeek; ++d) {
        if (kWeekdays[d] == name) return d;
    }
    return std::nullopt;
}

// "a, b, c": the ids a configuration has, for a message about one it lacks.
template <typename List>
std::string ids_of(const List& list) {
    std::string out;
    for (const auto& item : list)
        out += (out.empty() ? "" : ", ") + item.id;
    return out;
}

// A number in [min, max] at `key` (json::Reader reads integers only).
std::optional<double> number(json::Reader& r, std::string_view key, double min, double max,
                             bool required = false) {
    const Json* v = r.get(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number() || v->get<double>() < min || v->get<double>() > max) {
        r.wrong(key, fmt::format("a number from {} to {}", min, max));
        return std::nullopt;
    }
    return v->get<double>();
}

// "YYYY-MM-DD", a date that exists.
std::optional<std::chrono::sys_days> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int v[3] = {0, 0, 0};
    const std::size_t starts[3] = {0, 5, 8};
    const std::size_t lengths[3] = {4, 2, 2};
    for (int k = 0; k < 3; ++k) {
        for (std::size_t i = starts[k]; i < starts[k] + lengths[k]; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v[k] = v[k] * 10 + (s[i] - '0');
        }
    }
    const std::chrono::year_month_day ymd{std::chrono::year(v[0]),
                                          std::chrono::month(static_cast<unsigned>(v[1])),
                                          std::chrono::day(static_cast<unsigned>(v[2]))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

class TrafficReader {
  public:
    TrafficReader(const Config& config, Problems& problems) : problems_(problems) {
        s_.routing = config.routing;
        s_.timezone = config.timezone;
        s_.demand.resize(s_.routing.specialties.size());
    }

    Scenario read(const Json& root) {
        json::Reader r = json::Reader::at_path(root, "", problems_);
        r.only({"name", "description", "seed", "start_date", "days", "day_factors",
                "answer_delay_s", "calls", "team_handle"});
        if (!r.valid()) return s_;
        s_.name = r.string("name").value_or("");
        s_.description = r.string("description").value_or("");
        if (auto v = r.integer("seed", 0, INT64_MAX)) s_.seed = static_cast<std::uint64_t>(*v);
        if (auto v = r.integer("days", 1, kMaxDays)) s_.days = static_cast<int>(*v);
        start_date(r);
        if (const Json* v = r.array("day_factors")) day_factors(*v, r.path("day_factors"));
        s_.answer_delay_s = number(r, "answer_delay_s", 0, 600).value_or(0);
        check_answer_delay(r);
        if (const Json* v = r.object("calls", json::required)) calls(*v, r.path("calls"));
        if (const Json* v = r.get("team_handle")) {
            s_.team_handle = distribution(*v, r.path("team_handle"));
        }
        return s_;
    }

  private:
    void start_date(json::Reader& r) {
        const auto text = r.string("start_date");
        if (!text) {
            s_.first_weekday = weekday_index(s_.start_date);
            return;
        }
        if (const auto day = parse_date(*text)) {
            s_.start_date = *day;
        } else {
            r.fail("start_date", fmt::format("expected a date YYYY-MM-DD, got \"{}\"", *text));
        }
        s_.first_weekday = weekday_index(s_.start_date);
    }

    static int weekday_index(std::chrono::sys_days day) {
        return static_cast<int>(std::chrono::weekday(day).iso_encoding()) - 1;
    }

    void day_factors(const Json& list, const std::string& path) {
        if (list.size() != kDaysPerWeek) {
            problems_.push_back(
                {path, fmt::format("expected 7 numbers (Monday first), got {}", list.size())});
            return;
        }
        for (std::size_t d = 0; d < list.size(); ++d) {
            if (const auto f = item_number(list[d], json::item_path(path, d), 0, 1000)) {
                s_.day_factors[d] = *f;
            }
        }
    }

    std::optional<double> item_number(const Json& v, const std::string& path, double min,
                                      double max) {
        if (!v.is_number() || v.get<double>() < min || v.get<double>() > max) {
            problems_.push_back({path, fmt::format("expected a number from {} to {}, got {}", min,
                                                   max, json::shown(v))});
            return std::nullopt;
        }
        return v.get<double>();
    }

    // The caller must still be there when the phone is picked up: the engine treats an offer as
    // unanswered after ring_timeout_s + 5 s.
    void check_answer_delay(json::Reader& r) {
        const double limit_s = static_cast<double>(s_.routing.ring_timeout.count()) / 1000.0 + 5;
        if (s_.answer_delay_s >= limit_s) {
            r.fail("answer_delay_s",
                   fmt::format("must be under the configuration's ring_timeout_s + 5 ({} s)",
                               limit_s));
        }
    }

    // {"<specialty id>": {"<class>": {...}}}: the ids are the configuration's.
    void calls(const Json& j, const std::string& path) {
        for (const auto& [id, value] : j.items()) {
            const std::string p = json::member_path(path, id);
            const auto& list = s_.routing.specialties;
            const auto it = std::find_if(list.begin(), list.end(),
                                         [&](const SpecialtyConfig& sc) { return sc.id == id; });
            if (it == list.end()) {
                problems_.push_back({p, fmt::format("unknown specialty '{}' (the configuration "
                                                    "has {})",
                                                    id, ids_of(list))});
                continue;
            }
            json::Reader r = json::Reader::at_path(value, p, problems_);
            r.only({"urgent", "appointment", "admin"},
                   "unknown class (expected urgent, appointment or admin)");
            for (CallClass c : kCallClasses) {
                if (const Json* v = r.get(to_string(c))) {
                    s_.demand[static_cast<std::size_t>(it - list.begin())][index_of(c)] =
                        demand(*v, r.path(to_string(c)));
                }
            }
        }
    }

    Demand demand(const Json& j, const std::string& path) {
        Demand d;
        json::Reader r = json::Reader::at_path(j, path, problems_);
        r.only({"per_hour", "handle", "patience"});
        if (!r.valid()) return d;
        if (const Json* v = r.get("per_hour", json::required)) {
            per_hour(*v, r.path("per_hour"), d.per_hour);
        }
        if (const Json* v = r.get("handle", json::required)) {
            d.handle = distribution(*v, r.path("handle"));
        }
        if (const Json* v = r.get("patience")) d.patience = patience(*v, r.path("patience"));
        return d;
    }

    // A number (the same every hour) or 24 numbers, hour 0 (midnight to 1 am) first.
    void per_hour(const Json& v, const std::string& path, std::array<double, kHoursPerDay>& out) {
        if (v.is_number()) {
            out.fill(item_number(v, path, 0, kMaxRate).value_or(0));
            return;
        }
        if (!v.is_array() || v.size() != kHoursPerDay) {
            problems_.push_back({path,
                                 "expected a number or an array of 24 numbers (arrivals in each "
                                 "hour), got " +
                                     json::shown(v)});
            return;
        }
        for (std::size_t h = 0; h < v.size(); ++h) {
            out[h] = item_number(v[h], json::item_path(path, h), 0, kMaxRate).value_or(0);
        }
    }

    // {"dist": "exponential"|"lognormal"|"constant", "mean_s": m, "sd_s": s (lognormal only)}
    Distribution distribution(const Json& j, const std::string& path) {
        Distribution d;
        json::Reader r = json::Reader::at_path(j, path, problems_);
        r.only({"dist", "mean_s", "sd_s"});
        if (!r.valid()) return d;
        const auto kind =
            r.choice("dist", {"exponential", "lognormal", "constant"}, json::required);
        if (kind == "lognormal") d.kind = Distribution::Kind::lognormal;
        if (kind == "constant") d.kind = Distribution::Kind::constant;
        d.mean_s = number(r, "mean_s", 0.001, kMaxSeconds, json::required).value_or(1);
        if (d.kind == Distribution::Kind::lognormal) {
            if (!r.has("sd_s")) {
                r.fail("sd_s", "missing (a lognormal needs its spread)");
            } else {
                d.sd_s = number(r, "sd_s", 0.001, kMaxSeconds).value_or(1);
            }
        } else if (r.has("sd_s") && kind) {
            r.fail("sd_s", fmt::format("not used by a {} distribution", *kind));
        }
        return d;
    }

    // "none" (the caller never hangs up) or a distribution.
    std::optional<Distribution> patience(const Json& j, const std::string& path) {
        if (j.is_string() && j.get<std::string>() == "none") return std::nullopt;
        if (!j.is_object()) {
            problems_.push_back(
                {path, "expected \"none\" or a distribution object, got " + json::shown(j)});
            return std::nullopt;
        }
        return distribution(j, path);
    }

    Problems& problems_;
    Scenario s_;
};

// {"shifts": [{"agents": ["a01", ...], "start": "07:00", "end": "15:00", "days": [...]}]}
class ShiftsReader {
  public:
    ShiftsReader(const RoutingConfig& routing, Problems& problems)
        : routing_(routing), problems_(problems), shifts_(routing.agents.size()) {}

    std::vector<std::optional<std::vector<Shift>>> read(const Json& root) {
        json::Reader r = json::Reader::at_path(root, "", problems_);
        r.only({"shifts"});
        if (!r.valid()) return std::move(shifts_);
        const Json* list = r.array("shifts", json::required);
        if (list == nullptr) return std::move(shifts_);
        for (std::size_t i = 0; i < list->size(); ++i)
            entry((*list)[i], json::item_path("shifts", i));
        return std::move(shifts_);
    }

  private:
    void entry(const Json& j, const std::string& path) {
        json::Reader r = json::Reader::at_path(j, path, problems_);
        r.only({"agents", "start", "end", "days"});
        if (!r.valid()) return;
        Shift shift;
        const auto start = time(r, "start");
        const auto end = time(r, "end");
        if (start && end && *end <= *start) {
            r.fail("end", "must be after start (split a night shift in two)");
        }
        shift.start_s = start.value_or(0);
        shift.end_s = end.value_or(0);
        if (const Json* days = r.array("days")) shift.weekdays = weekdays(*days, r.path("days"));
        const Json* agents = r.array("agents", json::required);
        if (agents == nullptr) return;
        for (std::size_t k = 0; k < agents->size(); ++k) {
            const std::string item = json::item_path(r.path("agents"), k);
            const Json& v = (*agents)[k];
            const std::string id = v.is_string() ? v.get<std::string>() : "";
            const auto& list = routing_.agents;
            const auto it = std::find_if(list.begin(), list.end(),
                                         [&](const AgentConfig& a) { return a.id == id; });
            if (it == list.end()) {
                problems_.push_back({item, v.is_string()
                                               ? fmt::format("unknown agent '{}' (not in the "
                                                             "configuration's agents)",
                                                             id)
                                               : "expected an agent id, got " + json::shown(v)});
                continue;
            }
            auto& mine = shifts_[static_cast<std::size_t>(it - list.begin())];
            if (!mine) mine.emplace();
            mine->push_back(shift);
        }
    }

    std::optional<std::int64_t> time(json::Reader& r, std::string_view key) {
        const auto text = r.string(key, json::required);
        if (!text) return std::nullopt;
        if (const auto m = parse_minutes_of_day(*text)) return std::int64_t{*m} * 60;
        r.fail(key,
               fmt::format("expected a time of day HH:MM (00:00 to 24:00), got \"{}\"", *text));
        return std::nullopt;
    }

    std::uint8_t weekdays(const Json& days, const std::string& path) {
        std::uint8_t bits = 0;
        for (std::size_t k = 0; k < days.size(); ++k) {
            const Json& v = days[k];
            const auto d = v.is_string() ? weekday_of(v.get<std::string>()) : std::nullopt;
            if (d) {
                bits |= static_cast<std::uint8_t>(1u << *d);
            } else {
                problems_.push_back({json::item_path(path, k),
                                     "expected a day (mon, tue, ..., sun), got " + json::shown(v)});
            }
        }
        return bits;
    }

    const RoutingConfig& routing_;
    Problems& problems_;
    std::vector<std::optional<std::vector<Shift>>> shifts_;
};

void add_errors(std::vector<std::string>& out, std::string_view file, const Problems& problems) {
    for (const json::Problem& p : problems)
        out.push_back(fmt::format("{}: {}", file, p.to_string()));
}

std::optional<Json> parse_file_text(std::string_view text, std::string_view name,
                                    std::vector<std::string>& errors) {
    Problems problems;
    auto root = json::parse_document(text, problems);
    add_errors(errors, name, problems);
    return problems.empty() ? root : std::nullopt;
}

}  // namespace

std::vector<Shift> shifts_from_hours(const AgentConfig& agent, const RoutingConfig& routing) {
    std::vector<const Schedule*> schedules;
    for (const std::string& skill : agent.skills) {
        const auto sp = std::find_if(routing.specialties.begin(), routing.specialties.end(),
                                     [&](const SpecialtyConfig& s) { return s.id == skill; });
        if (sp == routing.specialties.end()) continue;
        if (sp->hours.empty()) return {Shift{0, 24 * 3600, 0x7f}};
        for (const Schedule& sc : routing.schedules) {
            if (sc.id == sp->hours) schedules.push_back(&sc);
        }
    }
    std::vector<Shift> shifts;
    for (int d = 0; d < kDaysPerWeek; ++d) {
        std::vector<TimeRange> ranges;
        for (const Schedule* sc : schedules)
            ranges.insert(ranges.end(), sc->week[d].begin(), sc->week[d].end());
        std::sort(ranges.begin(), ranges.end(),
                  [](const TimeRange& a, const TimeRange& b) { return a.start_min < b.start_min; });
        std::vector<TimeRange> merged;
        for (const TimeRange& t : ranges) {
            if (!merged.empty() && t.start_min <= merged.back().end_min) {
                merged.back().end_min = std::max(merged.back().end_min, t.end_min);
            } else {
                merged.push_back(t);
            }
        }
        for (const TimeRange& t : merged) {
            shifts.push_back(Shift{std::int64_t{t.start_min} * 60, std::int64_t{t.end_min} * 60,
                                   static_cast<std::uint8_t>(1u << d)});
        }
    }
    return shifts;
}

ParseResult make_scenario(const Config& config, std::string_view traffic_text,
                          std::optional<std::string_view> shifts_text,
                          std::string_view traffic_name, std::string_view shifts_name) {
    ParseResult result;
    const auto traffic = parse_file_text(traffic_text, traffic_name, result.errors);
    std::optional<Json> shifts;
    if (shifts_text) shifts = parse_file_text(*shifts_text, shifts_name, result.errors);
    if (!result.errors.empty()) return result;

    Problems problems;
    Scenario s = TrafficReader(config, problems).read(*traffic);
    add_errors(result.errors, traffic_name, problems);
    problems.clear();
    std::vector<std::optional<std::vector<Shift>>> given(s.routing.agents.size());
    if (shifts) given = ShiftsReader(s.routing, problems).read(*shifts);
    add_errors(result.errors, shifts_name, problems);
    for (std::size_t a = 0; a < s.routing.agents.size(); ++a) {
        s.shifts.push_back(given[a] ? *given[a]
                                    : shifts_from_hours(s.routing.agents[a], s.routing));
    }
    if (result.errors.empty()) result.scenario = std::move(s);
    return result;
}

ParseResult parse_scenario(std::string_view config_text, std::string_view traffic_text,
                           std::optional<std::string_view> shifts_text) {
    ConfigResult config = parse_config(config_text, std::filesystem::current_path());
    if (!config) {
        ParseResult result;
        add_errors(result.errors, "config", config.error());
        return result;
    }
    return make_scenario(*config, traffic_text, shifts_text);
}

std::vector<std::string> check_config(const std::filesystem::path& config) {
    std::vector<std::string> errors;
    ConfigResult parsed = load_config(config);
    if (!parsed) add_errors(errors, config.string(), parsed.error());
    return errors;
}

ParseResult load_scenario(const std::filesystem::path& config, const std::filesystem::path& traffic,
                          const std::optional<std::filesystem::path>& shifts) {
    ParseResult result;
    ConfigResult parsed = load_config(config);
    if (!parsed) add_errors(result.errors, config.string(), parsed.error());
    Problems problems;
    const auto traffic_text = json::read_file(traffic, problems);
    add_errors(result.errors, traffic.string(), problems);
    problems.clear();
    std::optional<std::string> shifts_text;
    if (shifts) {
        shifts_text = json::read_file(*shifts, problems);
        add_errors(result.errors, shifts->string(), problems);
    }
    if (!result.errors.empty()) return result;
    return make_scenario(*parsed, *traffic_text,
                         shifts_text ? std::optional<std::string_view>(*shifts_text) : std::nullopt,
                         traffic.string(), shifts ? shifts->string() : "shifts");
}

}  // namespace acd::sim
