// JSON forms of engine inputs and outputs. See include/acd/codec.hpp.
#include "acd/codec.hpp"

#include <fmt/format.h>

#include <charconv>

namespace acd {
namespace {

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    const char* first = s.data() + pos;
    for (std::size_t i = 0; i < n; ++i) {
        if (first[i] < '0' || first[i] > '9') return false;
    }
    std::from_chars(first, first + n, out);
    return true;
}

// ---------------------------------------------------------------------------------------------
// Field readers: each returns the value, or records why not.
// ---------------------------------------------------------------------------------------------

class Fields {
  public:
    Fields(const Json& j, std::string_view noun) : j_(j), noun_(noun) {}

    const std::optional<std::string>& error() const { return error_; }

    std::optional<std::string> string(const char* name, bool required) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) {
            if (required) fail(fmt::format("missing {} '{}'", noun_, name));
            return std::nullopt;
        }
        if (!it->is_string()) {
            fail(fmt::format("{} '{}' must be a string", noun_, name));
            return std::nullopt;
        }
        return it->get<std::string>();
    }

    std::optional<std::string> nonempty(const char* name, bool required, std::size_t max) {
        auto s = string(name, required);
        if (s && (s->empty() || s->size() > max)) {
            fail(fmt::format("{} '{}' must be 1 to {} bytes", noun_, name, max));
            return std::nullopt;
        }
        return s;
    }

    std::optional<bool> boolean(const char* name) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_boolean()) {
            fail(fmt::format("{} '{}' must be true or false", noun_, name));
            return std::nullopt;
        }
        return it->get<bool>();
    }

    std::optional<std::int64_t> count(const char* name) {
        const auto it = j_.find(name);
        if (it == j_.end() || it->is_null()) return std::nullopt;
        if (!it->is_number_integer() ||
            (it->is_number_unsigned() && it->get<std::uint64_t>() > INT32_MAX) ||
            it->get<std::int64_t>() < 0 || it->get<std::int64_t>() > INT32_MAX) {
            fail(fmt::format("{} '{}' must be an integer of 0 or more", noun_, name));
            return std::nullopt;
        }
        return it->get<std::int64_t>();
    }

    std::optional<CallClass> call_class(const char* name, bool required) {
        auto s = string(name, required);
        if (!s) return std::nullopt;
        auto c = parse_call_class(*s);
        if (!c) {
            fail(fmt::format("{} '{}': unknown class '{}' (expected urgent, appointment or admin)",
                             noun_, name, *s));
        }
        return c;
    }

    void fail(std::string message) {
        if (!error_) error_ = std::move(message);
    }

  private:
    const Json& j_;
    std::string_view noun_;
    std::optional<std::string> error_;
};

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
    Fields f(j, "field");
    input::GatewayEventBody body;
    if (type == "agent.state") {
        input::AgentReport r;
        r.agent = f.nonempty("agent", true, 64).value_or("");
        const auto state = f.string("state", true);
        r.reason = f.string("reason", false).value_or("");
        if (state && *state != "ready" && *state != "paused" && *state != "logged_out") {
            f.fail(
                fmt::format("field 'state' must be ready, paused or logged_out, not '{}'", *state));
        } else if (state) {
            r.state = *parse_agent_state(*state);
        }
        body = std::move(r);
    } else {
        const std::string call_id = f.nonempty("call_id", true, kMaxCallIdBytes).value_or("");
        if (type == "call.offered") {
            input::CallOffered o;
            o.call_id = call_id;
            o.caller = f.string("caller", true).value_or("");
            o.dialed = f.string("dialed", true).value_or("");
            o.specialty = f.string("specialty", false);
            o.call_class = f.call_class("class", false);
            // Set by the daemon (its keyed choice) before the event is journaled; what a gateway
            // sends here is replaced.
            o.quality_sample = f.boolean("quality_sample").value_or(false);
            body = std::move(o);
        } else if (type == "call.answered") {
            body = input::CallAnswered{call_id, f.nonempty("agent", false, 64)};
        } else if (type == "call.no_answer") {
            body = input::CallNoAnswer{call_id, f.nonempty("agent", false, 64)};
        } else if (type == "call.ended") {
            body = input::CallEnded{call_id, f.string("cause", false)};
        } else {
            return fmt::format("unknown event type '{}'", type);
        }
    }
    if (f.error()) return *f.error();
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

// ---------------------------------------------------------------------------------------------
// Gateway protocol
// ---------------------------------------------------------------------------------------------

std::variant<input::GatewayEvent, DecodeError> parse_gateway_event(const Json& j,
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

// call-end is the supervisor's (admin-protocol.md v1.1); gateway-disconnected and
// gateway-connected are the daemon's own inputs, journaled like commands so that replay applies
// them too.
constexpr std::string_view kEngineCommands[] = {
    "agent-login",   "agent-logout", "agent-pause", "agent-ready",          "call-reclassify",
    "call-transfer", "overflow-set", "call-end",    "gateway-disconnected", "gateway-connected"};

// The arguments each engine command accepts; anything else is refused (a typo in a supervisor's
// script should not pass silently).
std::vector<std::string_view> allowed_arguments(std::string_view command) {
    if (command == "agent-login") return {"agent", "paused"};
    if (command == "agent-pause") return {"agent", "reason"};
    if (command == "call-reclassify") return {"call_id", "gateway", "class"};
    if (command == "call-transfer") return {"call_id", "gateway", "specialty"};
    if (command == "overflow-set") return {"specialty", "threshold", "enabled"};
    if (command == "call-end") return {"call_id", "gateway", "reason"};
    if (command == "gateway-disconnected" || command == "gateway-connected") return {"gateway"};
    return {"agent"};
}

}  // namespace

bool is_engine_command(std::string_view command) {
    return std::find(std::begin(kEngineCommands), std::end(kEngineCommands), command) !=
           std::end(kEngineCommands);
}

std::variant<Input, DecodeError> parse_engine_command(std::string_view command,
                                                      const Json& arguments) {
    const Json empty = Json::object();
    const Json& args = arguments.is_null() ? empty : arguments;
    if (!args.is_object())
        return DecodeError{ErrorCode::bad_request, "arguments must be an object", {}};
    const auto allowed = allowed_arguments(command);
    for (const auto& [key, value] : args.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            return DecodeError{
                ErrorCode::bad_request, fmt::format("unknown argument '{}'", key), {}};
        }
    }
    Fields f(args, "argument");
    Input input;
    if (command == "agent-login") {
        input = input::AgentLogin{f.string("agent", true).value_or(""),
                                  f.boolean("paused").value_or(false)};
    } else if (command == "agent-logout") {
        input = input::AgentLogout{f.string("agent", true).value_or("")};
    } else if (command == "agent-pause") {
        input = input::AgentPause{f.string("agent", true).value_or(""),
                                  f.nonempty("reason", true, 200).value_or("")};
    } else if (command == "agent-ready") {
        input = input::AgentReady{f.string("agent", true).value_or("")};
    } else if (command == "call-reclassify") {
        input::CallSelector sel{f.string("call_id", true).value_or(""), f.string("gateway", false)};
        input = input::CallReclassify{sel,
                                      f.call_class("class", true).value_or(CallClass::appointment)};
    } else if (command == "call-transfer") {
        input::CallSelector sel{f.string("call_id", true).value_or(""), f.string("gateway", false)};
        input = input::CallTransfer{sel, f.string("specialty", true).value_or("")};
    } else if (command == "call-end") {
        input::CallSelector sel{f.string("call_id", true).value_or(""), f.string("gateway", false)};
        input = input::CallEnd{sel, f.nonempty("reason", true, 200).value_or("")};
    } else if (command == "gateway-disconnected") {
        input = input::GatewayDisconnected{f.nonempty("gateway", true, 64).value_or("")};
    } else if (command == "gateway-connected") {
        input = input::GatewayConnected{f.nonempty("gateway", true, 64).value_or("")};
    } else {
        input::OverflowSet o{f.string("specialty", true).value_or(""), {}, {}};
        if (auto t = f.count("threshold")) o.threshold = static_cast<int>(*t);
        o.enabled = f.boolean("enabled");
        if (!f.error() && !o.threshold && !o.enabled) f.fail("give 'threshold', 'enabled' or both");
        input = o;
    }
    if (f.error()) return DecodeError{ErrorCode::bad_request, *f.error(), {}};
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

Json to_json(const RoutingConfig& c) {
    Json classes = Json::object();
    for (CallClass cls : kCallClasses) {
        const ClassPolicy& p = c.policy(cls);
        classes[std::string(to_string(cls))] = {
            {"target_s", p.target.count() / 1000}, {"tier", p.tier}, {"overflow", p.overflow}};
    }
    Json specialties = Json::array();
    for (const SpecialtyConfig& s : c.specialties) {
        specialties.push_back({{"id", s.id},
                               {"name", s.name},
                               {"numbers", s.numbers},
                               {"default_class", to_string(s.default_class)},
                               {"overflow_threshold", s.overflow_threshold},
                               {"overflow_enabled", s.overflow_enabled}});
    }
    Json agents = Json::array();
    for (const AgentConfig& a : c.agents) {
        agents.push_back({{"id", a.id},
                          {"name", a.name},
                          {"uri", a.uri},
                          {"skills", a.skills},
                          {"wrap_up_s", a.wrap_up.count() / 1000}});
    }
    Json teams = Json::array();
    for (const TeamConfig& t : c.teams) {
        teams.push_back(
            {{"id", t.id},
             {"uri", t.uri},
             {"max_concurrent", t.max_concurrent},
             {"specialties", t.all_specialties ? Json::array({"*"}) : Json(t.specialties)}});
    }
    return {{"ring_timeout_s", c.ring_timeout.count() / 1000},
            {"overflow_on_deadline", c.overflow_on_deadline},
            {"classes", classes},
            {"specialties", specialties},
            {"agents", agents},
            {"overflow_teams", teams}};
}

}  // namespace acd
