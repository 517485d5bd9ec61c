// Engine snapshots as versioned JSON of the EngineImage. See include/acd/snapshot.hpp.
#include "acd/snapshot.hpp"

#include "acd/codec.hpp"
#include "acd/config.hpp"

namespace acd {
namespace {

constexpr int kFormat = 1;

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

Json to_json(const EngineImage& im) {
    Json gateways = Json::array();
    for (const auto& g : im.gateways)
        gateways.push_back({g.id, g.last_seq});
    Json specialties = Json::array();
    for (const auto& s : im.specialties) {
        specialties.push_back({s.id, s.threshold, s.overflow_enabled, s.mean_handle_ms});
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
                         {"refused", c.refused},
                         {"overflowed", c.overflowed},
                         {"arrival", c.arrival},
                         {"ring_until", optional_time(c.ring_until)}});
    }
    return {{"format", kFormat},    {"config", acd::to_json(im.config)},
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
    for (const Json& g : j.at("gateways"))
        im.gateways.push_back({g.at(0), g.at(1)});
    for (const Json& s : j.at("specialties")) {
        im.specialties.push_back({s.at(0), s.at(1), s.at(2), s.at(3)});
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
        call.refused = c.at("refused").get<std::vector<std::string>>();
        call.overflowed = c.at("overflowed");
        call.arrival = c.at("arrival");
        call.ring_until = read_optional_time(c.at("ring_until"));
        im.calls.push_back(std::move(call));
    }
    return im;
}

}  // namespace

std::string snapshot_engine(const Engine& engine) {
    return to_json(engine.image()).dump();
}

Result<std::unique_ptr<Engine>> restore_engine(std::string_view snapshot) {
    const Json j = Json::parse(snapshot, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("format", 0) != kFormat) {
        return Error{ErrorCode::store, "the snapshot is damaged or of an unknown format"};
    }
    const ConfigResult config = parse_config(j["config"].dump(), "/");
    if (!config) {
        return Error{ErrorCode::store, "the snapshot's configuration does not read back: " +
                                           config.error().front().to_string()};
    }
    try {
        auto engine = Engine::from_image(read_image(j, config->routing));
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
