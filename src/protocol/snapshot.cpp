// Engine snapshots as versioned JSON of the EngineImage. See include/acd/snapshot.hpp.
#include "acd/snapshot.hpp"

#include "acd/routing_json.hpp"

namespace acd {
namespace {

// 2: the routing settings in their own format (routing_json.hpp). 1 (acdd 0.1.0): in the
// configuration file's grammar, with the v1.1 settings beside them.
constexpr int kFormat = 2;

std::int64_t ms(Time t) {
    return t.time_since_epoch().count();
}
Time from_ms(std::int64_t v) {
    return Time{} + Duration(v);
}

Json optional_time(const std::optional<Time>& t) {
    return t ? Json(ms(*t)) : Json(nullptr);
}
std::optional<Time> read_optional_time(const Json& j) {
    if (j.is_null()) return std::nullopt;
    return from_ms(j.get<std::int64_t>());
}

Json agent_config(const AgentConfig& a) {
    return {{"id", a.id},
            {"name", a.name},
            {"uri", a.uri},
            {"skills", a.skills},
            {"wrap_up_ms", a.wrap_up.count()}};
}
AgentConfig read_agent_config(const Json& j) {
    return {j.at("id"), j.at("name"), j.at("uri"), j.at("skills"),
            Duration(j.at("wrap_up_ms").get<std::int64_t>())};
}

// Format 1 kept the v1.1 routing settings beside the configuration-file-shaped ones (written
// between 0.1.0 and format 2): applied onto them. Throws on a structural problem.
void read_routing_v11(const Json& j, RoutingConfig& c) {
    c.zone.name = j.at("zone").at("name");
    c.zone.initial_offset = Duration(j.at("zone").at("initial_offset_ms").get<std::int64_t>());
    for (const Json& z : j.at("zone").at("transitions")) {
        c.zone.transitions.push_back({from_ms(z.at(0)), Duration(z.at(1).get<std::int64_t>())});
    }
    for (const Json& js : j.at("schedules")) {
        Schedule sc;
        sc.id = js.at("id");
        for (std::size_t d = 0; d < sc.week.size(); ++d) {
            for (const Json& r : js.at("week").at(d))
                sc.week[d].push_back({r.at(0), r.at(1)});
        }
        for (const Json& d : js.at("closed_dates")) {
            sc.closed_dates.push_back(
                std::chrono::local_days(std::chrono::days(d.get<std::int64_t>())));
        }
        c.schedules.push_back(std::move(sc));
    }
    for (std::size_t i = 0; i < c.classes.size(); ++i) {
        const Json& jc = j.at("classes").at(i);
        c.classes[i].overflow_lead = Duration(jc.at("overflow_lead_ms").get<std::int64_t>());
        c.classes[i].script = jc.at("script").get<std::vector<std::string>>();
    }
    for (SpecialtyConfig& sp : c.specialties) {
        const Json& js = j.at("specialties").at(sp.id);
        sp.hours = js.at("hours");
        for (std::size_t i = 0; i < sp.closed.size(); ++i) {
            const auto rule = parse_closed_rule(js.at("closed").at(i).get<std::string>());
            if (!rule) throw std::invalid_argument("bad closed rule");
            sp.closed[i] = *rule;
        }
        sp.script = js.at("script").get<std::vector<std::string>>();
    }
    for (TeamConfig& t : c.teams)
        t.hours = j.at("teams").at(t.id).at("hours");
    c.team_retry = Duration(j.at("team_retry_ms").get<std::int64_t>());
    c.late_after = Duration(j.at("late_after_ms").get<std::int64_t>());
    c.quality_sample_percent = j.at("quality_sample_percent");
    c.orphan_timeout = Duration(j.at("orphan_timeout_ms").get<std::int64_t>());
}

Json to_json(const EngineImage& im) {
    Json gateways = Json::array();
    for (const auto& g : im.gateways)
        gateways.push_back({g.id, g.last_seq, optional_time(g.away_since)});
    Json specialties = Json::array();
    for (const auto& s : im.specialties) {
        specialties.push_back({s.id, s.threshold, s.overflow_enabled, s.mean_handle_ms,
                               optional_time(s.unstaffed_since)});
    }
    Json agents = Json::array();
    for (const auto& a : im.agents) {
        agents.push_back({{"config", agent_config(a.config)},
                          {"retired", a.retired},
                          {"state", to_string(a.state)},
                          {"reason", a.reason},
                          {"state_since", ms(a.state_since)},
                          {"ready_since", ms(a.ready_since)},
                          {"wrap_up_until", optional_time(a.wrap_up_until)}});
    }
    Json calls = Json::array();
    for (const auto& c : im.calls) {
        Json refused = Json::array();
        for (const auto& r : c.refused)
            refused.push_back({r.team, ms(r.until)});
        calls.push_back({{"gateway", c.gateway},
                         {"call_id", c.call_id},
                         {"caller", c.caller},
                         {"specialty", c.specialty},
                         {"class", to_string(c.call_class)},
                         {"state", to_string(c.state)},
                         {"enqueued_at", ms(c.enqueued_at)},
                         {"answered_at", optional_time(c.answered_at)},
                         {"agent", c.agent},
                         {"team", c.team},
                         {"refused", refused},
                         {"overflowed", c.overflowed},
                         {"arrival", c.arrival},
                         {"ring_until", optional_time(c.ring_until)},
                         {"closed_team", c.closed_team},
                         {"quality_sample", c.quality_sample},
                         {"late_raised", c.late_raised},
                         {"late_since", optional_time(c.late_since)}});
    }
    return {{"format", kFormat},    {"routing", routing_json(im.config)},
            {"now", ms(im.now)},    {"arrivals", im.arrivals},
            {"gateways", gateways}, {"specialties", specialties},
            {"agents", agents},     {"calls", calls}};
}

template <typename Enum>
Enum read_enum(const Json& j, std::optional<Enum> (*parse)(std::string_view)) {
    const auto v = parse(j.get<std::string>());
    if (!v) throw std::invalid_argument("bad enum value " + j.dump());
    return *v;
}

// Throws on any structural problem; the caller turns that into an error.
EngineImage read_image(const Json& j, const RoutingConfig& config) {
    EngineImage im;
    im.config = config;
    im.now = from_ms(j.at("now").get<std::int64_t>());
    im.arrivals = j.at("arrivals").get<std::uint64_t>();
    // Snapshots written before v1.1 lack its fields: their defaults apply.
    const auto optional_at = [](const Json& a, std::size_t i) {
        return a.size() > i ? read_optional_time(a.at(i)) : std::nullopt;
    };
    for (const Json& g : j.at("gateways"))
        im.gateways.push_back({g.at(0), g.at(1), optional_at(g, 2)});
    for (const Json& s : j.at("specialties")) {
        im.specialties.push_back({s.at(0), s.at(1), s.at(2), s.at(3), optional_at(s, 4)});
    }
    for (const Json& a : j.at("agents")) {
        im.agents.push_back({read_agent_config(a.at("config")), a.at("retired"),
                             read_enum<AgentState>(a.at("state"), parse_agent_state),
                             a.at("reason"), from_ms(a.at("state_since")),
                             from_ms(a.at("ready_since")),
                             read_optional_time(a.at("wrap_up_until"))});
    }
    for (const Json& c : j.at("calls")) {
        EngineImage::Call call;
        call.gateway = c.at("gateway");
        call.call_id = c.at("call_id");
        call.caller = c.at("caller");
        call.specialty = c.at("specialty");
        call.call_class = read_enum<CallClass>(c.at("class"), parse_call_class);
        call.state = read_enum<CallState>(c.at("state"), parse_call_state);
        call.enqueued_at = from_ms(c.at("enqueued_at"));
        call.answered_at = read_optional_time(c.at("answered_at"));
        call.agent = c.at("agent");
        call.team = c.at("team");
        for (const Json& r : c.at("refused")) {
            // Before v1.1 a refusal was a team id, for good; it now runs out team_retry after
            // the snapshot.
            if (r.is_string()) {
                call.refused.push_back({r.get<std::string>(), im.now + config.team_retry});
            } else {
                call.refused.push_back({r.at(0), from_ms(r.at(1))});
            }
        }
        call.overflowed = c.at("overflowed");
        call.arrival = c.at("arrival");
        call.ring_until = read_optional_time(c.at("ring_until"));
        call.closed_team = c.value("closed_team", false);
        call.quality_sample = c.value("quality_sample", false);
        call.late_raised = c.value("late_raised", false);
        call.late_since = read_optional_time(c.value("late_since", Json(nullptr)));
        im.calls.push_back(std::move(call));
    }
    return im;
}

}  // namespace

std::string snapshot_engine(const Engine& engine) {
    return to_json(engine.image()).dump();
}

namespace {

// The routing settings a snapshot was taken with.
Result<RoutingConfig> snapshot_routing(const Json& j, int format) {
    if (format == kFormat) return routing_from_json(j.at("routing"));
    auto routing = routing_from_json(j.at("config"));
    if (routing && j.contains("routing_v11")) read_routing_v11(j["routing_v11"], *routing);
    return routing;
}

}  // namespace

Result<std::unique_ptr<Engine>> restore_engine(std::string_view snapshot) {
    const Json j = Json::parse(snapshot, nullptr, /*allow_exceptions=*/false);
    const int format = j.is_object() ? j.value("format", 0) : 0;
    if (format != kFormat && format != 1) {
        return Error{ErrorCode::store, "the snapshot is damaged or of an unknown format"};
    }
    try {
        auto routing = snapshot_routing(j, format);
        if (!routing) {
            return Error{ErrorCode::store,
                         "the snapshot's routing settings: " + routing.error().message};
        }
        auto engine = Engine::from_image(read_image(j, *routing));
        if (!engine) {
            return Error{ErrorCode::store,
                         "the snapshot does not hold together: " + engine.error().message};
        }
        return engine;
    } catch (const std::exception& e) {
        return Error{ErrorCode::store, std::string("the snapshot is damaged: ") + e.what()};
    }
}

}  // namespace acd
