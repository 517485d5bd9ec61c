// JSON forms of engine inputs and outputs. See include/acd/codec.hpp.
#include "acd/codec.hpp"

#include <fmt/format.h>

#include <charconv>

namespace acd {
namespace {

// The first problem a reader found, if any.
std::optional<std::string> first_problem(const json::Problems& problems) {
    if (problems.empty()) return std::nullopt;
    return problems.front().message;
}

std::optional<std::uint64_t> valid_seq(const Json& j) {
    const auto it = j.find("seq");
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    if (it->is_number_unsigned()) {
        const auto v = it->get<std::uint64_t>();
        return v >= 1 ? std::optional(v) : std::nullopt;
    }
    const auto v = it->get<std::int64_t>();
    return v >= 1 ? std::optional(std::uint64_t(v)) : std::nullopt;
}

// The body of an event of a known type, or the reason it is refused.
std::variant<input::GatewayEventBody, std::string> event_body(const std::string& type,
                                                              const Json& j) {
    json::Problems problems;
    json::Reader f = json::Reader::named(j, "field", problems);
    input::GatewayEventBody body;
    if (type == "agent.state") {
        input::AgentReport r;
        r.agent = f.bytes("agent", 64, json::required).value_or("");
        const auto state = f.string("state", json::required);
        r.reason = f.string("reason").value_or("");
        if (state && *state != "ready" && *state != "paused" && *state != "logged_out") {
            f.fail(
                fmt::format("field 'state' must be ready, paused or logged_out, not '{}'", *state));
        } else if (state) {
            r.state = *parse_agent_state(*state);
        }
        body = std::move(r);
    } else {
        const std::string call_id =
            f.bytes("call_id", kMaxCallIdBytes, json::required).value_or("");
        if (type == "call.offered") {
            input::CallOffered o;
            o.call_id = call_id;
            o.caller = f.string("caller", json::required).value_or("");
            o.dialed = f.string("dialed", json::required).value_or("");
            o.specialty = f.string("specialty");
            o.call_class = f.call_class("class");
            // Set by the daemon (its keyed choice) before the event is journaled; what a gateway
            // sends here is replaced.
            o.quality_sample = f.boolean("quality_sample").value_or(false);
            body = std::move(o);
        } else if (type == "call.answered") {
            body = input::CallAnswered{call_id, f.bytes("agent", 64)};
        } else if (type == "call.no_answer") {
            body = input::CallNoAnswer{call_id, f.bytes("agent", 64)};
        } else if (type == "call.ended") {
            body = input::CallEnded{call_id, f.string("cause")};
        } else {
            return fmt::format("unknown event type '{}'", type);
        }
    }
    if (auto problem = first_problem(problems)) return *problem;
    return body;
}

Json optional_string(const std::string& s) {
    return s.empty() ? Json(nullptr) : Json(s);
}

template <typename T>
Json optional_value(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Gateway protocol
// ---------------------------------------------------------------------------------------------

Result<input::GatewayEvent, DecodeError> parse_gateway_event(const Json& j,
                                                             std::string_view gateway) {
    if (!j.is_object())
        return DecodeError{ErrorCode::bad_json, "expected a JSON object", std::nullopt};
    const auto type = j.find("type");
    const std::optional<std::uint64_t> seq = valid_seq(j);
    if (type != j.end() && type->is_string() && *type == "hello") {
        return DecodeError{ErrorCode::protocol, "hello is only the first line of a connection",
                           seq};
    }
    if (!seq) {
        return DecodeError{ErrorCode::bad_request, "field 'seq' must be an integer of 1 or more",
                           std::nullopt};
    }
    input::GatewayEvent ev{std::string(gateway), *seq, {}};
    if (type == j.end() || !type->is_string()) {
        ev.body = input::Rejected{ErrorCode::bad_request, "field 'type' must be a string"};
        return ev;
    }
    auto body = event_body(type->get<std::string>(), j);
    if (auto* reason = std::get_if<std::string>(&body)) {
        ev.body = input::Rejected{ErrorCode::bad_request, std::move(*reason)};
    } else {
        ev.body = std::move(std::get<input::GatewayEventBody>(body));
    }
    return ev;
}

Json to_json(const input::GatewayEvent& ev) {
    Json j = Json::object();
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, input::CallOffered>) {
                j = {{"type", "call.offered"},
                     {"call_id", b.call_id},
                     {"caller", b.caller},
                     {"dialed", b.dialed}};
                if (b.specialty) j["specialty"] = *b.specialty;
                if (b.call_class) j["class"] = to_string(*b.call_class);
                if (b.quality_sample) j["quality_sample"] = true;
            } else if constexpr (std::is_same_v<T, input::CallAnswered>) {
                j = {{"type", "call.answered"}, {"call_id", b.call_id}};
                if (b.agent) j["agent"] = *b.agent;
            } else if constexpr (std::is_same_v<T, input::CallNoAnswer>) {
                j = {{"type", "call.no_answer"}, {"call_id", b.call_id}};
                if (b.agent) j["agent"] = *b.agent;
            } else if constexpr (std::is_same_v<T, input::CallEnded>) {
                j = {{"type", "call.ended"}, {"call_id", b.call_id}};
                if (b.cause) j["cause"] = *b.cause;
            } else if constexpr (std::is_same_v<T, input::AgentReport>) {
                j = {{"type", "agent.state"}, {"agent", b.agent}, {"state", to_string(b.state)}};
                if (!b.reason.empty()) j["reason"] = b.reason;
            } else {
                j = {{"type", "rejected"}, {"code", to_string(b.code)}, {"message", b.message}};
            }
        },
        ev.body);
    j["seq"] = ev.seq;
    return j;
}

Json to_json(const Command& c) {
    Json j;
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, CallQueuedCommand>) {
                j = {{"type", "call.queued"},
                     {"call_id", c.call_id},
                     {"specialty", b.specialty},
                     {"class", to_string(b.call_class)},
                     {"position", b.position},
                     {"expected_wait_s", optional_value(b.expected_wait_s)}};
            } else if constexpr (std::is_same_v<T, CallRouteCommand>) {
                j = {{"type", "call.route"},
                     {"call_id", c.call_id},
                     {"to", b.to},
                     {"ring_timeout_s", b.ring_timeout_s}};
                if (!b.agent.empty()) j["agent"] = b.agent;
                if (!b.team.empty()) j["team"] = b.team;
                if (b.record) j["record"] = true;
            } else {
                j = {{"type", "call.reject"}, {"call_id", c.call_id}, {"reason", b.reason}};
            }
        },
        c.body);
    return j;
}

Json error_json(ErrorCode code, std::string_view message, std::optional<std::uint64_t> seq) {
    return {{"type", "error"},
            {"seq", optional_value(seq)},
            {"code", to_string(code)},
            {"message", message}};
}

// ---------------------------------------------------------------------------------------------
// Admin engine commands
// ---------------------------------------------------------------------------------------------

namespace {

input::CallSelector call_selector(json::Reader& f) {
    return {f.string("call_id", json::required).value_or(""), f.string("gateway")};
}

// Each engine command once: its name, the arguments it takes (anything else is refused: a typo
// in a supervisor's script should not pass silently), and the input they make. `admin`: a
// command of the admin protocol; the others are the daemon's own inputs (a gateway's connection
// lost or back), journaled in this form so that replay applies them too.
struct EngineCommand {
    std::string_view name;
    std::initializer_list<std::string_view> arguments;
    Input (*parse)(json::Reader& f);
    bool admin = true;
};

const EngineCommand kEngineCommands[] = {
    {"agent-login",
     {"agent", "paused"},
     [](json::Reader& f) -> Input {
         return input::AgentLogin{f.string("agent", json::required).value_or(""),
                                  f.boolean("paused").value_or(false)};
     }},
    {"agent-logout",
     {"agent"},
     [](json::Reader& f) -> Input {
         return input::AgentLogout{f.string("agent", json::required).value_or("")};
     }},
    {"agent-pause",
     {"agent", "reason"},
     [](json::Reader& f) -> Input {
         return input::AgentPause{f.string("agent", json::required).value_or(""),
                                  f.bytes("reason", 200, json::required).value_or("")};
     }},
    {"agent-ready",
     {"agent"},
     [](json::Reader& f) -> Input {
         return input::AgentReady{f.string("agent", json::required).value_or("")};
     }},
    {"call-reclassify",
     {"call_id", "gateway", "class"},
     [](json::Reader& f) -> Input {
         input::CallSelector call = call_selector(f);
         return input::CallReclassify{
             call, f.call_class("class", json::required).value_or(CallClass::appointment)};
     }},
    {"call-transfer",
     {"call_id", "gateway", "specialty"},
     [](json::Reader& f) -> Input {
         input::CallSelector call = call_selector(f);
         return input::CallTransfer{call, f.string("specialty", json::required).value_or("")};
     }},
    {"overflow-set",
     {"specialty", "threshold", "enabled"},
     [](json::Reader& f) -> Input {
         input::OverflowSet o{f.string("specialty", json::required).value_or(""), {}, {}};
         if (auto t = f.count("threshold")) o.threshold = static_cast<int>(*t);
         o.enabled = f.boolean("enabled");
         if (!f.failed() && !o.threshold && !o.enabled) {
             f.fail("give 'threshold', 'enabled' or both");
         }
         return o;
     }},
    {"call-end",
     {"call_id", "gateway", "reason"},
     [](json::Reader& f) -> Input {
         input::CallSelector call = call_selector(f);
         return input::CallEnd{call, f.bytes("reason", 200, json::required).value_or("")};
     }},
    {"gateway-disconnected",
     {"gateway"},
     [](json::Reader& f) -> Input {
         return input::GatewayDisconnected{f.bytes("gateway", 64, json::required).value_or("")};
     },
     false},
    {"gateway-connected",
     {"gateway"},
     [](json::Reader& f) -> Input {
         return input::GatewayConnected{f.bytes("gateway", 64, json::required).value_or("")};
     },
     false},
};

const EngineCommand* find_engine_command(std::string_view name) {
    for (const EngineCommand& c : kEngineCommands) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

}  // namespace

std::vector<std::string_view> engine_commands() {
    std::vector<std::string_view> names;
    for (const EngineCommand& c : kEngineCommands) {
        if (c.admin) names.push_back(c.name);
    }
    return names;
}

bool is_engine_command(std::string_view command) {
    return find_engine_command(command) != nullptr;
}

Result<Input> parse_engine_command(std::string_view command, const Json& arguments) {
    const EngineCommand* spec = find_engine_command(command);
    if (spec == nullptr) {
        return Error{ErrorCode::unsupported, fmt::format("'{}' is not an engine command", command)};
    }
    const Json empty = Json::object();
    const Json& args = arguments.is_null() ? empty : arguments;
    if (!args.is_object()) return Error{ErrorCode::bad_request, "arguments must be an object"};
    json::Problems problems;
    json::Reader f = json::Reader::named(args, "argument", problems);
    f.only(spec->arguments);
    if (auto problem = first_problem(problems)) return Error{ErrorCode::bad_request, *problem};
    Input input = spec->parse(f);
    if (auto problem = first_problem(problems)) return Error{ErrorCode::bad_request, *problem};
    return input;
}

Json to_json_command(const Input& input) {
    Json j;
    std::visit(
        [&](const auto& in) {
            using T = std::decay_t<decltype(in)>;
            auto call = [](const input::CallSelector& s) {
                Json a = {{"call_id", s.call_id}};
                if (s.gateway) a["gateway"] = *s.gateway;
                return a;
            };
            if constexpr (std::is_same_v<T, input::AgentLogin>) {
                j = {{"command", "agent-login"},
                     {"arguments", {{"agent", in.agent}, {"paused", in.paused}}}};
            } else if constexpr (std::is_same_v<T, input::AgentLogout>) {
                j = {{"command", "agent-logout"}, {"arguments", {{"agent", in.agent}}}};
            } else if constexpr (std::is_same_v<T, input::AgentPause>) {
                j = {{"command", "agent-pause"},
                     {"arguments", {{"agent", in.agent}, {"reason", in.reason}}}};
            } else if constexpr (std::is_same_v<T, input::AgentReady>) {
                j = {{"command", "agent-ready"}, {"arguments", {{"agent", in.agent}}}};
            } else if constexpr (std::is_same_v<T, input::CallReclassify>) {
                Json a = call(in.call);
                a["class"] = to_string(in.call_class);
                j = {{"command", "call-reclassify"}, {"arguments", a}};
            } else if constexpr (std::is_same_v<T, input::CallTransfer>) {
                Json a = call(in.call);
                a["specialty"] = in.specialty;
                j = {{"command", "call-transfer"}, {"arguments", a}};
            } else if constexpr (std::is_same_v<T, input::OverflowSet>) {
                Json a = {{"specialty", in.specialty}};
                if (in.threshold) a["threshold"] = *in.threshold;
                if (in.enabled) a["enabled"] = *in.enabled;
                j = {{"command", "overflow-set"}, {"arguments", a}};
            } else if constexpr (std::is_same_v<T, input::CallEnd>) {
                Json a = call(in.call);
                a["reason"] = in.reason;
                j = {{"command", "call-end"}, {"arguments", a}};
            } else if constexpr (std::is_same_v<T, input::GatewayDisconnected>) {
                j = {{"command", "gateway-disconnected"}, {"arguments", {{"gateway", in.gateway}}}};
            } else if constexpr (std::is_same_v<T, input::GatewayConnected>) {
                j = {{"command", "gateway-connected"}, {"arguments", {{"gateway", in.gateway}}}};
            }
        },
        input);
    return j;
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

Json to_json(const CallSnapshot& c) {
    return {{"gateway", c.gateway},
            {"call_id", c.call_id},
            {"caller", c.caller},
            {"specialty", optional_string(c.specialty)},
            {"class", to_string(c.call_class)},
            {"state", to_string(c.state)},
            {"enqueued_at", format_time(c.enqueued_at)},
            {"deadline", format_time(c.deadline)},
            {"answered_at", c.answered_at ? Json(format_time(*c.answered_at)) : Json(nullptr)},
            {"ended_at", c.ended_at ? Json(format_time(*c.ended_at)) : Json(nullptr)},
            {"outcome", c.outcome ? Json(to_string(*c.outcome)) : Json(nullptr)},
            {"agent", optional_string(c.agent)},
            {"team", optional_string(c.team)},
            {"overflowed", c.overflowed}};
}

std::string change_type(const Change& change) {
    if (const auto* c = std::get_if<CallChange>(&change)) {
        return "call." + std::string(to_string(c->cause));
    }
    if (std::holds_alternative<AgentChange>(change)) return "agent.state";
    if (const auto* a = std::get_if<AlertChange>(&change)) {
        return a->raised ? "alert.raised" : "alert.cleared";
    }
    return "overflow.set";
}

Json to_json(const Change& change) {
    Json j;
    std::visit(
        [&](const auto& ch) {
            using T = std::decay_t<decltype(ch)>;
            if constexpr (std::is_same_v<T, CallChange>) {
                j = to_json(ch.call);
                j["cause"] = to_string(ch.cause);
            } else if constexpr (std::is_same_v<T, AgentChange>) {
                j = {{"agent", ch.agent},
                     {"state", to_string(ch.state)},
                     {"reason", optional_string(ch.reason)},
                     {"cause", to_string(ch.cause)},
                     {"gateway", optional_string(ch.gateway)},
                     {"call_id", optional_string(ch.call_id)}};
            } else if constexpr (std::is_same_v<T, AlertChange>) {
                j = {{"alert", to_string(ch.alert.kind)},
                     {"specialty", ch.alert.specialty},
                     {"gateway", optional_string(ch.alert.gateway)},
                     {"call_id", optional_string(ch.alert.call_id)},
                     {"raised_at", format_time(ch.alert.raised_at)},
                     {"raised", ch.raised}};
            } else {
                j = {{"specialty", ch.overflow.specialty},
                     {"threshold", ch.overflow.threshold},
                     {"enabled", ch.overflow.enabled}};
            }
            j["at"] = format_time(ch.at);
        },
        change);
    return j;
}

}  // namespace acd
