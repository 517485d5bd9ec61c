// The scenario format of docs/simulator.md. Each reader takes one JSON value and its path, fills
// its part of the Scenario and reports what is wrong; cross-references (skills, team
// specialties, unique ids) are checked once every list is read.
#include "sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/json_reader.hpp"

namespace acd::sim {
namespace {

constexpr std::string_view kWeekdays[kDaysPerWeek] = {"mon", "tue", "wed", "thu",
                                                      "fri", "sat", "sun"};
constexpr double kMaxSeconds = 7 * 24 * 3600.0;  // no duration of a call or a shift is longer
constexpr int kMaxDays = 100000;
constexpr std::int64_t kMaxAgentCount = 10000;

std::optional<int> weekday_of(std::string_view name) {
    for (int d = 0; d < kDaysPerWeek; ++d) {
        if (kWeekdays[d] == name) return d;
    }
    return std::nullopt;
}

class ScenarioReader {
  public:
    explicit ScenarioReader(std::vector<std::string>& errors) : r_(errors) {}

    Scenario read(const Json& root) {
        if (!r_.object(root, "",
                       {"name", "description", "seed", "days", "first_day", "day_factors",
                        "answer_delay_s", "ring_timeout_s", "overflow_on_deadline", "classes",
                        "schedules", "team_retry_s", "specialties", "agents", "overflow_teams"})) {
            if (!root.is_object()) return s_;
        }
        read_header(root);
        read_classes(root);
        if (const Json* v = member(root, "schedules")) read_schedules(*v);
        if (const Json* v = member(root, "specialties")) {
            read_specialties(*v);
        } else {
            r_.error("specialties", "missing (a scenario needs at least one specialty)");
        }
        if (const Json* v = member(root, "agents")) read_agents(*v);
        if (const Json* v = member(root, "overflow_teams")) read_teams(*v);
        check_answer_delay();
        return s_;
    }

  private:
    void read_header(const Json& root) {
        if (const Json* v = member(root, "name")) s_.name = r_.string(*v, "name").value_or("");
        if (const Json* v = member(root, "description")) {
            s_.description = r_.string(*v, "description").value_or("");
        }
        if (const Json* v = member(root, "seed")) {
            s_.seed = static_cast<std::uint64_t>(r_.integer(*v, "seed", 0, INT64_MAX).value_or(1));
        }
        if (const Json* v = member(root, "days")) {
            s_.days = static_cast<int>(r_.integer(*v, "days", 1, kMaxDays).value_or(1));
        }
        if (const Json* v = member(root, "first_day")) read_first_day(*v);
        if (const Json* v = member(root, "day_factors")) read_day_factors(*v);
        if (const Json* v = member(root, "answer_delay_s")) {
            s_.answer_delay_s = r_.number(*v, "answer_delay_s", 0, 600).value_or(0);
        }
        if (const Json* v = member(root, "ring_timeout_s")) {
            s_.routing.ring_timeout =
                seconds(r_.integer(*v, "ring_timeout_s", 1, 600).value_or(20));
        }
        if (const Json* v = member(root, "overflow_on_deadline")) {
            s_.routing.overflow_on_deadline = r_.boolean(*v, "overflow_on_deadline").value_or(true);
        }
        if (const Json* v = member(root, "team_retry_s")) {
            s_.routing.team_retry = seconds(r_.integer(*v, "team_retry_s", 0, 86400).value_or(60));
        }
    }

    // schedules: as in docs/spec/config.md v1.1, in the simulator's clock (site time).
    void read_schedules(const Json& j) {
        if (!j.is_object()) {
            r_.error("schedules", "must be an object of schedules by name");
            return;
        }
        for (const auto& [name, value] : j.items()) {
            const std::string path = member_path("schedules", name);
            Schedule sc;
            sc.id = name;
            if (!r_.object(value, path,
                           {"mon", "tue", "wed", "thu", "fri", "sat", "sun", "closed_dates"})) {
                continue;
            }
            for (int d = 0; d < kDaysPerWeek; ++d) {
                if (const Json* v = member(value, kWeekdays[d])) {
                    sc.week[d] = read_ranges(*v, member_path(path, kWeekdays[d]));
                }
            }
            if (const Json* v = member(value, "closed_dates")) {
                read_closed_dates(*v, member_path(path, "closed_dates"), sc);
            }
            s_.routing.schedules.push_back(std::move(sc));
        }
    }

    std::vector<TimeRange> read_ranges(const Json& v, const std::string& path) {
        std::vector<TimeRange> ranges;
        if (!r_.array(v, path)) return ranges;
        for (std::size_t k = 0; k < v.size(); ++k) {
            const std::string item = item_path(path, k);
            const auto text = r_.string(v[k], item);
            if (!text) continue;
            const auto range = parse_time_range(*text);
            if (!range) {
                r_.error(item,
                         fmt::format("'{}' is not a range HH:MM-HH:MM (end after start)", *text));
                continue;
            }
            ranges.push_back(*range);
        }
        std::sort(ranges.begin(), ranges.end(),
                  [](const TimeRange& a, const TimeRange& b) { return a.start_min < b.start_min; });
        for (std::size_t k = 1; k < ranges.size(); ++k) {
            if (ranges[k].start_min < ranges[k - 1].end_min) r_.error(path, "ranges overlap");
        }
        return ranges;
    }

    void read_closed_dates(const Json& v, const std::string& path, Schedule& sc) {
        if (!r_.array(v, path)) return;
        for (std::size_t k = 0; k < v.size(); ++k) {
            const auto text = r_.string(v[k], item_path(path, k));
            if (!text) continue;
            int y = 0;
            unsigned m = 0, d = 0;
            char dash1 = 0, dash2 = 0;
            std::istringstream in(*text);
            in >> y >> dash1 >> m >> dash2 >> d;
            const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                                  std::chrono::day(d)};
            if (!in || dash1 != '-' || dash2 != '-' || text->size() != 10 || !ymd.ok()) {
                r_.error(item_path(path, k), fmt::format("'{}' is not a date YYYY-MM-DD", *text));
                continue;
            }
            sc.closed_dates.push_back(std::chrono::local_days(ymd));
        }
        std::sort(sc.closed_dates.begin(), sc.closed_dates.end());
    }

    // A schedule name for `hours`.
    std::string read_hours(const Json& v, const std::string& path) {
        const auto name = r_.string(v, path);
        if (!name) return {};
        for (const Schedule& sc : s_.routing.schedules) {
            if (sc.id == *name) return *name;
        }
        r_.error(path, fmt::format("unknown schedule '{}'", *name));
        return {};
    }

    void read_first_day(const Json& v) {
        const auto name = r_.string(v, "first_day");
        if (!name) return;
        if (const auto d = weekday_of(*name)) {
            s_.first_weekday = *d;
        } else {
            r_.error("first_day", fmt::format("'{}' is not a day (mon, tue, ..., sun)", *name));
        }
    }

    void read_day_factors(const Json& v) {
        if (!r_.array(v, "day_factors")) return;
        if (v.size() != kDaysPerWeek) {
            r_.error("day_factors",
                     fmt::format("must have 7 numbers (Monday first), not {}", v.size()));
            return;
        }
        for (std::size_t d = 0; d < v.size(); ++d) {
            s_.day_factors[d] = r_.number(v[d], item_path("day_factors", d), 0, 1000).value_or(1);
        }
    }

    // classes: as in docs/spec/config.md; any of the three may be given.
    void read_classes(const Json& root) {
        const Json* classes = member(root, "classes");
        if (classes == nullptr ||
            !r_.object(*classes, "classes", {"urgent", "appointment", "admin"})) {
            return;
        }
        for (const auto& [name, value] : classes->items()) {
            const auto cls = parse_call_class(name);
            if (!cls) continue;
            const std::string path = member_path("classes", name);
            if (!r_.object(value, path, {"target_s", "tier", "overflow", "overflow_lead_s"})) {
                continue;
            }
            ClassPolicy& policy = s_.routing.classes[index_of(*cls)];
            if (const Json* v = member(value, "target_s")) {
                policy.target =
                    seconds(r_.integer(*v, member_path(path, "target_s"), 0, 86400).value_or(0));
            }
            if (const Json* v = member(value, "tier")) {
                policy.tier = static_cast<int>(
                    r_.integer(*v, member_path(path, "tier"), 0, 1000).value_or(0));
            }
            if (const Json* v = member(value, "overflow")) {
                policy.overflow = r_.boolean(*v, member_path(path, "overflow")).value_or(true);
            }
            if (const Json* v = member(value, "overflow_lead_s")) {
                policy.overflow_lead = seconds(r_.integer(*v, member_path(path, "overflow_lead_s"),
                                                          0, policy.target.count() / 1000)
                                                   .value_or(0));
            }
            if (policy.overflow_lead > policy.target) policy.overflow_lead = policy.target;
        }
    }

    void read_specialties(const Json& list) {
        if (!r_.array(list, "specialties")) return;
        if (list.empty()) r_.error("specialties", "must have at least one specialty");
        std::set<std::string> ids;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = item_path("specialties", i);
            SpecialtyConfig sc;
            std::array<std::optional<Demand>, kCallClassCount> demand;
            read_specialty(list[i], path, sc, demand);
            if (!sc.id.empty() && !ids.insert(sc.id).second) {
                r_.error(member_path(path, "id"), fmt::format("duplicate specialty '{}'", sc.id));
            }
            s_.routing.specialties.push_back(std::move(sc));
            s_.demand.push_back(std::move(demand));
        }
    }

    void read_specialty(const Json& j, const std::string& path, SpecialtyConfig& sc,
                        std::array<std::optional<Demand>, kCallClassCount>& demand) {
        if (!r_.object(j, path,
                       {"id", "name", "default_class", "overflow_threshold", "overflow_enabled",
                        "hours", "closed", "demand"})) {
            if (!j.is_object()) return;
        }
        if (const Json* v = member(j, "id")) {
            sc.id = r_.id(*v, member_path(path, "id")).value_or("");
        } else {
            r_.error(member_path(path, "id"), "missing");
        }
        sc.name = sc.id;
        if (const Json* v = member(j, "name")) {
            sc.name = r_.string(*v, member_path(path, "name")).value_or(sc.id);
        }
        if (const Json* v = member(j, "default_class")) {
            sc.default_class = read_class(*v, member_path(path, "default_class"));
        }
        if (const Json* v = member(j, "overflow_threshold")) {
            sc.overflow_threshold = static_cast<int>(
                r_.integer(*v, member_path(path, "overflow_threshold"), 0, 100000).value_or(3));
        }
        if (const Json* v = member(j, "overflow_enabled")) {
            sc.overflow_enabled =
                r_.boolean(*v, member_path(path, "overflow_enabled")).value_or(true);
        }
        if (const Json* v = member(j, "hours"))
            sc.hours = read_hours(*v, member_path(path, "hours"));
        if (const Json* v = member(j, "closed")) read_closed(*v, member_path(path, "closed"), sc);
        if (const Json* v = member(j, "demand"))
            read_demand(*v, member_path(path, "demand"), demand);
    }

    // {"urgent": "team", ...}: the rule for a class when the specialty is closed.
    void read_closed(const Json& j, const std::string& path, SpecialtyConfig& sc) {
        if (!r_.object(j, path, {"urgent", "appointment", "admin"})) return;
        for (const auto& [name, value] : j.items()) {
            const auto cls = parse_call_class(name);
            const std::string item = member_path(path, name);
            const auto text = r_.string(value, item);
            if (!cls || !text) continue;
            if (const auto rule = parse_closed_rule(*text)) {
                sc.closed[index_of(*cls)] = *rule;
            } else {
                r_.error(item, fmt::format("'{}' is not a rule (team, reject, queue)", *text));
            }
        }
    }

    CallClass read_class(const Json& v, const std::string& path) {
        const auto name = r_.string(v, path);
        if (!name) return CallClass::appointment;
        if (const auto cls = parse_call_class(*name)) return *cls;
        r_.error(path, fmt::format("unknown class '{}' (urgent, appointment, admin)", *name));
        return CallClass::appointment;
    }

    void read_demand(const Json& j, const std::string& path,
                     std::array<std::optional<Demand>, kCallClassCount>& demand) {
        if (!r_.object(j, path, {"urgent", "appointment", "admin"})) return;
        for (const auto& [name, value] : j.items()) {
            const auto cls = parse_call_class(name);
            if (!cls) continue;
            demand[index_of(*cls)] = read_class_demand(value, member_path(path, name));
        }
    }

    Demand read_class_demand(const Json& j, const std::string& path) {
        Demand d;
        if (!r_.object(j, path, {"per_hour", "handle", "patience"})) return d;
        if (const Json* v = member(j, "per_hour")) {
            read_per_hour(*v, member_path(path, "per_hour"), d.per_hour);
        } else {
            r_.error(member_path(path, "per_hour"), "missing");
        }
        if (const Json* v = member(j, "handle")) {
            d.handle = read_distribution(*v, member_path(path, "handle"));
        } else {
            r_.error(member_path(path, "handle"), "missing");
        }
        if (const Json* v = member(j, "patience")) {
            d.patience = read_patience(*v, member_path(path, "patience"));
        }
        return d;
    }

    // A number (the same every hour) or 24 numbers, hour 0 (midnight to 1 am) first.
    void read_per_hour(const Json& v, const std::string& path,
                       std::array<double, kHoursPerDay>& per_hour) {
        constexpr double kMaxRate = 1e6;
        if (v.is_number()) {
            per_hour.fill(r_.number(v, path, 0, kMaxRate).value_or(0));
            return;
        }
        if (!v.is_array() || v.size() != kHoursPerDay) {
            r_.error(path, "must be a number or an array of 24 numbers (arrivals in each hour)");
            return;
        }
        for (std::size_t h = 0; h < v.size(); ++h) {
            per_hour[h] = r_.number(v[h], item_path(path, h), 0, kMaxRate).value_or(0);
        }
    }

    // {"dist": "exponential"|"lognormal"|"constant", "mean_s": m, "sd_s": s (lognormal only)}
    Distribution read_distribution(const Json& j, const std::string& path) {
        Distribution d;
        if (!r_.object(j, path, {"dist", "mean_s", "sd_s"})) return d;
        const Json* dist = member(j, "dist");
        const auto kind = dist ? r_.string(*dist, member_path(path, "dist")) : std::nullopt;
        if (!dist) r_.error(member_path(path, "dist"), "missing");
        if (kind == "exponential") {
            d.kind = Distribution::Kind::exponential;
        } else if (kind == "lognormal") {
            d.kind = Distribution::Kind::lognormal;
        } else if (kind == "constant") {
            d.kind = Distribution::Kind::constant;
        } else if (kind) {
            r_.error(
                member_path(path, "dist"),
                fmt::format("unknown distribution '{}' (exponential, lognormal, constant)", *kind));
        }
        if (const Json* v = member(j, "mean_s")) {
            d.mean_s = r_.number(*v, member_path(path, "mean_s"), 0.001, kMaxSeconds).value_or(1);
        } else {
            r_.error(member_path(path, "mean_s"), "missing");
        }
        const Json* sd = member(j, "sd_s");
        if (d.kind == Distribution::Kind::lognormal) {
            if (sd) {
                d.sd_s = r_.number(*sd, member_path(path, "sd_s"), 0.001, kMaxSeconds).value_or(1);
            } else {
                r_.error(member_path(path, "sd_s"), "missing (a lognormal needs its spread)");
            }
        } else if (sd && kind) {
            r_.error(member_path(path, "sd_s"),
                     fmt::format("not used by a {} distribution", *kind));
        }
        return d;
    }

    // "none" (the caller never hangs up) or a distribution.
    std::optional<Distribution> read_patience(const Json& j, const std::string& path) {
        if (j.is_string() && j.get<std::string>() == "none") return std::nullopt;
        if (!j.is_object()) {
            r_.error(path, "must be \"none\" or a distribution object");
            return std::nullopt;
        }
        return read_distribution(j, path);
    }

    void read_agents(const Json& list) {
        if (!r_.array(list, "agents")) return;
        std::set<std::string> ids;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = item_path("agents", i);
            AgentConfig ac;
            std::vector<Shift> shifts;
            std::int64_t count = 0;
            read_agent(list[i], path, ac, shifts, count);
            for (const std::string& id : agent_ids(ac.id, count, path)) {
                if (!ids.insert(id).second) {
                    r_.error(member_path(path, "id"), fmt::format("duplicate agent '{}'", id));
                }
                AgentConfig agent = ac;
                agent.id = id;
                if (agent.name.empty()) agent.name = id;
                if (agent.uri.empty()) agent.uri = fmt::format("sip:{}@sim.invalid", id);
                s_.routing.agents.push_back(std::move(agent));
                s_.shifts.push_back(shifts);
            }
        }
    }

    // "count": n makes n agents named <id>-1 ... <id>-n; without it, one agent named <id>.
    std::vector<std::string> agent_ids(const std::string& id, std::int64_t count,
                                       const std::string& path) {
        if (id.empty()) return {};
        if (count == 0) return {id};
        std::vector<std::string> ids;
        for (std::int64_t k = 1; k <= count; ++k)
            ids.push_back(fmt::format("{}-{}", id, k));
        if (ids.back().size() > 64) {
            r_.error(member_path(path, "id"),
                     fmt::format("'{}' is longer than 64 characters", ids.back()));
        }
        return ids;
    }

    void read_agent(const Json& j, const std::string& path, AgentConfig& ac,
                    std::vector<Shift>& shifts, std::int64_t& count) {
        if (!r_.object(j, path, {"id", "name", "uri", "skills", "wrap_up_s", "count", "shifts"})) {
            if (!j.is_object()) return;
        }
        if (const Json* v = member(j, "id")) {
            ac.id = r_.id(*v, member_path(path, "id")).value_or("");
        } else {
            r_.error(member_path(path, "id"), "missing");
        }
        if (const Json* v = member(j, "name"))
            ac.name = r_.string(*v, member_path(path, "name")).value_or("");
        if (const Json* v = member(j, "uri"))
            ac.uri = r_.string(*v, member_path(path, "uri")).value_or("");
        if (const Json* v = member(j, "skills")) {
            ac.skills = read_specialty_refs(*v, member_path(path, "skills"), false);
        } else {
            r_.error(member_path(path, "skills"), "missing");
        }
        if (const Json* v = member(j, "wrap_up_s")) {
            ac.wrap_up =
                seconds(r_.integer(*v, member_path(path, "wrap_up_s"), 0, 3600).value_or(0));
        }
        if (const Json* v = member(j, "count")) {
            count = r_.integer(*v, member_path(path, "count"), 1, kMaxAgentCount).value_or(1);
        }
        if (const Json* v = member(j, "shifts")) {
            shifts = read_shifts(*v, member_path(path, "shifts"));
        } else {
            r_.error(member_path(path, "shifts"), "missing (when does this agent work?)");
        }
    }

    // Specialty ids already read; `star` allows ["*"] (all specialties).
    std::vector<std::string> read_specialty_refs(const Json& v, const std::string& path,
                                                 bool star) {
        std::vector<std::string> refs;
        if (!r_.array(v, path)) return refs;
        for (std::size_t k = 0; k < v.size(); ++k) {
            const std::string item = item_path(path, k);
            const auto id = r_.string(v[k], item);
            if (!id) continue;
            if (star && *id == "*" && v.size() == 1) {
                refs.push_back(*id);
            } else if (!has_specialty(*id)) {
                r_.error(item, fmt::format("unknown specialty '{}'", *id));
            } else {
                refs.push_back(*id);
            }
        }
        return refs;
    }

    bool has_specialty(std::string_view id) const {
        for (const SpecialtyConfig& sc : s_.routing.specialties) {
            if (sc.id == id) return true;
        }
        return false;
    }

    std::vector<Shift> read_shifts(const Json& v, const std::string& path) {
        std::vector<Shift> shifts;
        if (!r_.array(v, path)) return shifts;
        for (std::size_t k = 0; k < v.size(); ++k) {
            shifts.push_back(read_shift(v[k], item_path(path, k)));
        }
        return shifts;
    }

    // {"start": "08:00", "end": "16:30", "days": ["mon", ...]} (days default: every day)
    Shift read_shift(const Json& j, const std::string& path) {
        Shift shift;
        if (!r_.object(j, path, {"start", "end", "days"})) return shift;
        const auto start = read_time(j, "start", path);
        const auto end = read_time(j, "end", path);
        shift.start_s = start.value_or(0);
        shift.end_s = end.value_or(0);
        if (start && end && *end <= *start) {
            r_.error(member_path(path, "end"), "must be after start (split a night shift in two)");
        }
        if (const Json* days = member(j, "days")) {
            shift.weekdays = 0;
            const std::string days_path = member_path(path, "days");
            if (!r_.array(*days, days_path)) return shift;
            for (std::size_t k = 0; k < days->size(); ++k) {
                const auto name = r_.string((*days)[k], item_path(days_path, k));
                const auto d = name ? weekday_of(*name) : std::nullopt;
                if (d) {
                    shift.weekdays |= static_cast<std::uint8_t>(1u << *d);
                } else if (name) {
                    r_.error(item_path(days_path, k),
                             fmt::format("'{}' is not a day (mon, tue, ..., sun)", *name));
                }
            }
        }
        return shift;
    }

    std::optional<std::int64_t> read_time(const Json& j, std::string_view key,
                                          const std::string& path) {
        const std::string key_path = member_path(path, key);
        const Json* v = member(j, key);
        if (v == nullptr) {
            r_.error(key_path, "missing");
            return std::nullopt;
        }
        const auto text = r_.string(*v, key_path);
        if (!text) return std::nullopt;
        if (const auto m = parse_minutes_of_day(*text)) return std::int64_t{*m} * 60;
        r_.error(key_path, fmt::format("'{}' is not a time of day HH:MM (00:00 to 24:00)", *text));
        return std::nullopt;
    }

    void read_teams(const Json& list) {
        if (!r_.array(list, "overflow_teams")) return;
        std::set<std::string> ids;
        for (std::size_t i = 0; i < list.size(); ++i) {
            const std::string path = item_path("overflow_teams", i);
            TeamConfig tc;
            Distribution handle;
            read_team(list[i], path, tc, handle);
            if (!tc.id.empty() && !ids.insert(tc.id).second) {
                r_.error(member_path(path, "id"), fmt::format("duplicate team '{}'", tc.id));
            }
            s_.routing.teams.push_back(std::move(tc));
            s_.team_handle.push_back(handle);
        }
    }

    void read_team(const Json& j, const std::string& path, TeamConfig& tc, Distribution& handle) {
        if (!r_.object(j, path,
                       {"id", "uri", "max_concurrent", "specialties", "hours", "handle"})) {
            if (!j.is_object()) return;
        }
        if (const Json* v = member(j, "id")) {
            tc.id = r_.id(*v, member_path(path, "id")).value_or("");
        } else {
            r_.error(member_path(path, "id"), "missing");
        }
        tc.uri = fmt::format("sip:{}@overflow.sim.invalid", tc.id);
        if (const Json* v = member(j, "uri"))
            tc.uri = r_.string(*v, member_path(path, "uri")).value_or(tc.uri);
        if (const Json* v = member(j, "max_concurrent")) {
            tc.max_concurrent = static_cast<int>(
                r_.integer(*v, member_path(path, "max_concurrent"), 1, 100000).value_or(5));
        }
        if (const Json* v = member(j, "specialties")) {
            auto refs = read_specialty_refs(*v, member_path(path, "specialties"), true);
            tc.all_specialties = refs == std::vector<std::string>{"*"};
            if (!tc.all_specialties) tc.specialties = std::move(refs);
        } else {
            r_.error(member_path(path, "specialties"), "missing");
        }
        if (const Json* v = member(j, "hours"))
            tc.hours = read_hours(*v, member_path(path, "hours"));
        if (const Json* v = member(j, "handle")) {
            handle = read_distribution(*v, member_path(path, "handle"));
        } else {
            r_.error(member_path(path, "handle"), "missing (talk time of the team)");
        }
    }

    // The caller must still be there when the phone is picked up: the engine treats an offer as
    // unanswered after ring_timeout_s + 5 s.
    void check_answer_delay() {
        const double limit_s = static_cast<double>(s_.routing.ring_timeout.count()) / 1000.0 + 5;
        if (s_.answer_delay_s >= limit_s) {
            r_.error("answer_delay_s",
                     fmt::format("must be under ring_timeout_s + 5 ({} s)", limit_s));
        }
    }

    JsonReader r_;
    Scenario s_;
};

}  // namespace

ParseResult parse_scenario(const std::string& json_text) {
    ParseResult result;
    Json root;
    try {
        root = Json::parse(json_text);
    } catch (const Json::parse_error& e) {
        result.errors.push_back(e.what());  // names line and column
        return result;
    }
    Scenario s = ScenarioReader(result.errors).read(root);
    if (result.errors.empty()) result.scenario = std::move(s);
    return result;
}

ParseResult load_scenario(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        ParseResult result;
        result.errors.push_back(fmt::format("{}: cannot open", path));
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_scenario(text.str());
}

}  // namespace acd::sim
