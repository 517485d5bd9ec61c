// The routing configuration's own format. See include/acd/routing_json.hpp.
#include "acd/routing_json.hpp"

#include <stdexcept>

namespace acd {
namespace {

constexpr int kFormat = 2;

std::int64_t ms(Duration d) {
    return d.count();
}
Duration duration_ms(const Json& j) {
    return Duration(j.get<std::int64_t>());
}

template <typename Enum>
Enum word(const Json& j, std::optional<Enum> (*parse)(std::string_view)) {
    const auto v = parse(j.get_ref<const std::string&>());
    if (!v) throw std::invalid_argument("unknown word " + j.dump());
    return *v;
}

Json zone_json(const ZoneRules& z) {
    Json transitions = Json::array();
    for (const ZoneTransition& t : z.transitions)
        transitions.push_back({t.at.time_since_epoch().count(), ms(t.offset)});
    return {{"name", z.name},
            {"initial_offset_ms", ms(z.initial_offset)},
            {"transitions", transitions}};
}
ZoneRules read_zone(const Json& j) {
    ZoneRules z;
    z.name = j.at("name");
    z.initial_offset = duration_ms(j.at("initial_offset_ms"));
    for (const Json& t : j.at("transitions"))
        z.transitions.push_back({Time{} + duration_ms(t.at(0)), duration_ms(t.at(1))});
    return z;
}

Json schedule_json(const Schedule& s) {
    Json week = Json::array();
    for (const auto& day : s.week) {
        Json ranges = Json::array();
        for (const TimeRange& r : day)
            ranges.push_back({r.start_min, r.end_min});
        week.push_back(ranges);
    }
    Json closed = Json::array();
    for (const auto d : s.closed_dates)
        closed.push_back(d.time_since_epoch().count());
    return {{"id", s.id}, {"week", week}, {"closed_dates", closed}};
}
Schedule read_schedule(const Json& j) {
    Schedule s;
    s.id = j.at("id");
    for (std::size_t d = 0; d < s.week.size(); ++d) {
        for (const Json& r : j.at("week").at(d))
            s.week[d].push_back({r.at(0), r.at(1)});
    }
    for (const Json& d : j.at("closed_dates")) {
        s.closed_dates.push_back(std::chrono::local_days(std::chrono::days(d.get<std::int64_t>())));
    }
    return s;
}

Json rules_json(const std::array<ClosedRule, kCallClassCount>& rules) {
    Json out = Json::array();
    for (ClosedRule r : rules)
        out.push_back(to_string(r));
    return out;
}

// What both formats say of a specialty the same way.
SpecialtyConfig read_specialty(const Json& s) {
    SpecialtyConfig sp;
    sp.id = s.at("id");
    sp.name = s.at("name");
    sp.numbers = s.at("numbers").get<std::vector<std::string>>();
    sp.default_class = word<CallClass>(s.at("default_class"), parse_call_class);
    sp.overflow_threshold = s.at("overflow_threshold");
    sp.overflow_enabled = s.at("overflow_enabled");
    return sp;
}

// --- format 2 ----------------------------------------------------------------------------------

RoutingConfig read_format2(const Json& j) {
    RoutingConfig c;
    for (std::size_t i = 0; i < c.classes.size(); ++i) {
        const Json& p = j.at("classes").at(i);
        c.classes[i] = {duration_ms(p.at("target_ms")), p.at("tier"), p.at("overflow"),
                        duration_ms(p.at("overflow_lead_ms")), p.at("script")};
    }
    c.ring_timeout = duration_ms(j.at("ring_timeout_ms"));
    c.overflow_on_deadline = j.at("overflow_on_deadline");
    for (const Json& s : j.at("specialties")) {
        SpecialtyConfig sp = read_specialty(s);
        sp.hours = s.at("hours");
        for (std::size_t i = 0; i < sp.closed.size(); ++i)
            sp.closed[i] = word<ClosedRule>(s.at("closed").at(i), parse_closed_rule);
        sp.script = s.at("script").get<std::vector<std::string>>();
        c.specialties.push_back(std::move(sp));
    }
    for (const Json& a : j.at("agents")) {
        c.agents.push_back({a.at("id"), a.at("name"), a.at("uri"),
                            a.at("skills").get<std::vector<std::string>>(),
                            duration_ms(a.at("wrap_up_ms"))});
    }
    for (const Json& t : j.at("teams")) {
        c.teams.push_back({t.at("id"), t.at("uri"), t.at("max_concurrent"), t.at("all_specialties"),
                           t.at("specialties").get<std::vector<std::string>>(), t.at("hours")});
    }
    c.zone = read_zone(j.at("zone"));
    for (const Json& s : j.at("schedules"))
        c.schedules.push_back(read_schedule(s));
    c.team_retry = duration_ms(j.at("team_retry_ms"));
    c.late_after = duration_ms(j.at("late_after_ms"));
    c.quality_sample_percent = j.at("quality_sample_percent");
    c.orphan_timeout = duration_ms(j.at("orphan_timeout_ms"));
    return c;
}

// --- format 1: the configuration file's shape, as acdd 0.1.0 wrote it --------------------------

RoutingConfig read_format1(const Json& j) {
    RoutingConfig c;
    c.ring_timeout = seconds(j.at("ring_timeout_s").get<std::int64_t>());
    c.overflow_on_deadline = j.at("overflow_on_deadline");
    for (CallClass cls : kCallClasses) {
        const Json& p = j.at("classes").at(std::string(to_string(cls)));
        ClassPolicy& policy = c.classes[index_of(cls)];
        policy.target = seconds(p.at("target_s").get<std::int64_t>());
        policy.tier = p.at("tier");
        policy.overflow = p.at("overflow");
    }
    for (const Json& s : j.at("specialties"))
        c.specialties.push_back(read_specialty(s));
    for (const Json& a : j.at("agents")) {
        c.agents.push_back({a.at("id"), a.at("name"), a.at("uri"),
                            a.at("skills").get<std::vector<std::string>>(),
                            seconds(a.at("wrap_up_s").get<std::int64_t>())});
    }
    for (const Json& t : j.at("overflow_teams")) {
        TeamConfig team{t.at("id"), t.at("uri"), t.at("max_concurrent"), false, {}, {}};
        const auto list = t.at("specialties").get<std::vector<std::string>>();
        team.all_specialties = list.size() == 1 && list[0] == "*";
        if (!team.all_specialties) team.specialties = list;
        c.teams.push_back(std::move(team));
    }
    return c;
}

}  // namespace

Json routing_json(const RoutingConfig& c) {
    Json classes = Json::array();
    for (const ClassPolicy& p : c.classes) {
        classes.push_back({{"target_ms", ms(p.target)},
                           {"tier", p.tier},
                           {"overflow", p.overflow},
                           {"overflow_lead_ms", ms(p.overflow_lead)},
                           {"script", p.script}});
    }
    Json specialties = Json::array();
    for (const SpecialtyConfig& s : c.specialties) {
        specialties.push_back({{"id", s.id},
                               {"name", s.name},
                               {"numbers", s.numbers},
                               {"default_class", to_string(s.default_class)},
                               {"overflow_threshold", s.overflow_threshold},
                               {"overflow_enabled", s.overflow_enabled},
                               {"hours", s.hours},
                               {"closed", rules_json(s.closed)},
                               {"script", s.script}});
    }
    Json agents = Json::array();
    for (const AgentConfig& a : c.agents) {
        agents.push_back({{"id", a.id},
                          {"name", a.name},
                          {"uri", a.uri},
                          {"skills", a.skills},
                          {"wrap_up_ms", ms(a.wrap_up)}});
    }
    Json teams = Json::array();
    for (const TeamConfig& t : c.teams) {
        teams.push_back({{"id", t.id},
                         {"uri", t.uri},
                         {"max_concurrent", t.max_concurrent},
                         {"all_specialties", t.all_specialties},
                         {"specialties", t.specialties},
                         {"hours", t.hours}});
    }
    Json schedules = Json::array();
    for (const Schedule& s : c.schedules)
        schedules.push_back(schedule_json(s));
    return {{"format", kFormat},
            {"classes", classes},
            {"ring_timeout_ms", ms(c.ring_timeout)},
            {"overflow_on_deadline", c.overflow_on_deadline},
            {"specialties", specialties},
            {"agents", agents},
            {"teams", teams},
            {"zone", zone_json(c.zone)},
            {"schedules", schedules},
            {"team_retry_ms", ms(c.team_retry)},
            {"late_after_ms", ms(c.late_after)},
            {"quality_sample_percent", c.quality_sample_percent},
            {"orphan_timeout_ms", ms(c.orphan_timeout)}};
}

Result<RoutingConfig> routing_from_json(const Json& j) {
    if (!j.is_object()) return Error{ErrorCode::store, "routing settings are not an object"};
    const int format = j.value("format", 1);
    try {
        if (format == kFormat) return read_format2(j);
        if (format == 1) return read_format1(j);
    } catch (const std::exception& e) {
        return Error{ErrorCode::store,
                     std::string("routing settings do not read back: ") + e.what()};
    }
    return Error{ErrorCode::store, "routing settings of format " + std::to_string(format) +
                                       ", newer than this acdd reads"};
}

}  // namespace acd
