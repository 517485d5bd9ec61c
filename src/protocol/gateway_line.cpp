// The gateway line parser. See include/acd/gateway_line.hpp.
//
// The refusals below are worded as json::Reader words them for parse_gateway_event() (codec.cpp),
// in the same order: a change there is a change here, and tests/unit/gateway_line_test.cpp fails
// until both agree again.
#include "acd/gateway_line.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <cstring>

namespace acd {

Result<input::GatewayEvent, DecodeError> parse_gateway_line_reference(std::string_view line,
                                                                      std::string_view gateway) {
    const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
        return DecodeError{ErrorCode::bad_json, std::string(kNotJsonMessage), std::nullopt};
    }
    return parse_gateway_event(message, gateway);
}

namespace {

namespace od = simdjson::ondemand;

// Containers nested deeper than this in a member the events ignore go to the reference (the
// reader below recurses; nlohmann-json's parser does not).
constexpr int kMaxDepth = 64;

// What a member of the line holds, as far as the events care.
struct Value {
    enum Kind : std::uint8_t { absent, null, string, unsigned_integer, other, boolean };
    Kind kind = absent;
    std::string_view text;     // string: unescaped, in the simdjson parser's buffer
    std::uint64_t number = 0;  // unsigned_integer
    bool truth = false;        // boolean
};

// The members the events read. Several members with one key: the last one counts, as in
// nlohmann-json.
struct Fields {
    Value type, seq, call_id, caller, dialed, specialty, call_class, quality_sample, agent, state,
        reason, cause;

    Value* find(std::string_view key) {
        if (key == "type") return &type;
        if (key == "seq") return &seq;
        if (key == "call_id") return &call_id;
        if (key == "caller") return &caller;
        if (key == "dialed") return &dialed;
        if (key == "specialty") return &specialty;
        if (key == "class") return &call_class;
        if (key == "quality_sample") return &quality_sample;
        if (key == "agent") return &agent;
        if (key == "state") return &state;
        if (key == "reason") return &reason;
        if (key == "cause") return &cause;
        return nullptr;
    }
};

// A JSON number as nlohmann-json reads it: an unsigned integer when it is a non-negative integer
// that fits 64 bits; any other valid number is `other` unless it overflows a double (refused by
// nlohmann-json), which is only settled here when it is plainly below 10^308 (`unsure`: ask the
// reference).
enum class Number { invalid, unsigned_integer, other, unsure };

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

Number classify_number(std::string_view t, std::uint64_t& value) {
    const std::size_t n = t.size();
    std::size_t i = 0;
    const auto digits = [&] {
        while (i < n && is_digit(t[i]))
            ++i;
    };
    const bool negative = i < n && t[i] == '-';
    if (negative) ++i;
    const std::size_t int_begin = i;
    if (i == n || !is_digit(t[i])) return Number::invalid;
    if (t[i] == '0') {
        ++i;
    } else {
        digits();
    }
    const std::size_t int_end = i;
    std::size_t frac_begin = i, frac_end = i;
    const bool fraction = i < n && t[i] == '.';
    if (fraction) {
        frac_begin = ++i;
        if (i == n || !is_digit(t[i])) return Number::invalid;
        digits();
        frac_end = i;
    }
    std::int64_t exponent = 0;
    const bool has_exponent = i < n && (t[i] == 'e' || t[i] == 'E');
    if (has_exponent) {
        ++i;
        const bool exponent_negative = i < n && t[i] == '-';
        if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
        if (i == n || !is_digit(t[i])) return Number::invalid;
        for (; i < n && is_digit(t[i]); ++i) {
            if (exponent < 1'000'000) exponent = exponent * 10 + (t[i] - '0');  // saturates
        }
        if (exponent_negative) exponent = -exponent;
    }
    if (i != n) return Number::invalid;
    if (!fraction && !has_exponent) {
        // nlohmann-json keeps an integer that fits (uint64 when positive, int64 when negative).
        if (!negative) {
            const auto r = std::from_chars(t.data() + int_begin, t.data() + int_end, value);
            if (r.ec == std::errc()) return Number::unsigned_integer;
        } else {
            std::int64_t signed_value = 0;
            const auto r = std::from_chars(t.data(), t.data() + int_end, signed_value);
            if (r.ec == std::errc()) return Number::other;
        }
    }
    // A double. Its value is below 10^(order + exponent), order counting the digits before the
    // point from the first non-zero one (negative for leading zeros after the point).
    std::int64_t order = 0;
    bool zero = true;
    for (std::size_t k = int_begin; k < int_end && zero; ++k) {
        if (t[k] != '0') order = std::int64_t(int_end - k), zero = false;
    }
    for (std::size_t k = frac_begin; k < frac_end && zero; ++k) {
        if (t[k] != '0') order = -std::int64_t(k - frac_begin), zero = false;
    }
    if (zero || order + exponent <= 308) return Number::other;
    return Number::unsure;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Reads `v` whole, checking it as nlohmann-json would. False when the line goes to the reference:
// simdjson refused something, or this reader does not settle it.
bool read_value(od::value v, Value& out, int depth) {
    od::json_type type{};
    if (v.type().get(type)) return false;
    switch (type) {
        case od::json_type::string: {
            out.kind = Value::string;
            return !v.get_string().get(out.text);
        }
        case od::json_type::number: {
            std::string_view token = v.raw_json_token();
            while (!token.empty() && is_space(token.back()))
                token.remove_suffix(1);
            switch (classify_number(token, out.number)) {
                case Number::unsigned_integer:
                    out.kind = Value::unsigned_integer;
                    return true;
                case Number::other:
                    out.kind = Value::other;
                    return true;
                default:
                    return false;
            }
        }
        case od::json_type::boolean: {
            out.kind = Value::boolean;
            return !v.get_bool().get(out.truth);
        }
        case od::json_type::null: {
            bool null = false;
            out.kind = Value::null;
            return !v.is_null().get(null) && null;
        }
        case od::json_type::object: {
            od::object object;
            if (depth >= kMaxDepth || v.get_object().get(object)) return false;
            for (auto field : object) {
                std::string_view key;  // unescaped, so that a bad escape in a key is caught
                od::value child;
                Value ignored;
                if (field.unescaped_key().get(key) || field.value().get(child) ||
                    !read_value(child, ignored, depth + 1)) {
                    return false;
                }
            }
            out.kind = Value::other;
            return true;
        }
        case od::json_type::array: {
            od::array array;
            if (depth >= kMaxDepth || v.get_array().get(array)) return false;
            for (auto element : array) {
                od::value child;
                Value ignored;
                if (element.get(child) || !read_value(child, ignored, depth + 1)) return false;
            }
            out.kind = Value::other;
            return true;
        }
    }
    return false;
}

// json::Reader::named(event, "field", ...) over Fields: the same getters, the same messages, and
// the first problem kept.
class FieldReader {
  public:
    std::optional<std::string_view> string(std::string_view key, const Value& v,
                                           bool required = false) {
        if (v.kind == Value::absent || v.kind == Value::null) {
            if (required) problem(fmt::format("missing field '{}'", key));
            return std::nullopt;
        }
        if (v.kind != Value::string) {
            problem(fmt::format("field '{}' must be a string", key));
            return std::nullopt;
        }
        return v.text;
    }
    std::optional<std::string_view> bytes(std::string_view key, const Value& v, std::size_t max,
                                          bool required = false) {
        const auto s = string(key, v, required);
        if (s && (s->empty() || s->size() > max)) {
            problem(fmt::format("field '{}' must be 1 to {} bytes", key, max));
            return std::nullopt;
        }
        return s;
    }
    std::optional<bool> boolean(std::string_view key, const Value& v) {
        if (v.kind == Value::absent || v.kind == Value::null) return std::nullopt;
        if (v.kind != Value::boolean) {
            problem(fmt::format("field '{}' must be true or false", key));
            return std::nullopt;
        }
        return v.truth;
    }
    std::optional<CallClass> call_class(std::string_view key, const Value& v) {
        const auto s = string(key, v);
        if (!s) return std::nullopt;
        const auto c = parse_call_class(*s);
        if (!c) {
            problem(
                fmt::format("field '{}': unknown class '{}' (expected urgent, appointment or "
                            "admin)",
                            key, *s));
        }
        return c;
    }
    void problem(std::string message) {
        if (!first_) first_ = std::move(message);
    }
    std::optional<std::string>& first() { return first_; }

  private:
    std::optional<std::string> first_;
};

std::optional<std::string> copy(std::optional<std::string_view> s) {
    return s ? std::optional<std::string>(*s) : std::nullopt;
}

// The body of an event of a known type, or the reason it is refused (codec.cpp's event_body()).
std::variant<input::GatewayEventBody, std::string> event_body(std::string_view type,
                                                              const Fields& f) {
    FieldReader r;
    input::GatewayEventBody body;
    if (type == "agent.state") {
        input::AgentReport report;
        report.agent = r.bytes("agent", f.agent, 64, json::required).value_or("");
        const auto state = r.string("state", f.state, json::required);
        report.reason = r.string("reason", f.reason).value_or("");
        if (state && *state != "ready" && *state != "paused" && *state != "logged_out") {
            r.problem(
                fmt::format("field 'state' must be ready, paused or logged_out, not '{}'", *state));
        } else if (state) {
            report.state = *parse_agent_state(*state);
        }
        body = std::move(report);
    } else {
        std::string call_id(
            r.bytes("call_id", f.call_id, kMaxCallIdBytes, json::required).value_or(""));
        if (type == "call.offered") {
            input::CallOffered o;
            o.call_id = std::move(call_id);
            o.caller = r.string("caller", f.caller, json::required).value_or("");
            o.dialed = r.string("dialed", f.dialed, json::required).value_or("");
            o.specialty = copy(r.string("specialty", f.specialty));
            o.call_class = r.call_class("class", f.call_class);
            o.quality_sample = r.boolean("quality_sample", f.quality_sample).value_or(false);
            body = std::move(o);
        } else if (type == "call.answered") {
            body = input::CallAnswered{std::move(call_id), copy(r.bytes("agent", f.agent, 64))};
        } else if (type == "call.no_answer") {
            body = input::CallNoAnswer{std::move(call_id), copy(r.bytes("agent", f.agent, 64))};
        } else if (type == "call.ended") {
            body = input::CallEnded{std::move(call_id), copy(r.string("cause", f.cause))};
        } else {
            return fmt::format("unknown event type '{}'", type);
        }
    }
    if (r.first()) return std::move(*r.first());
    return body;
}

// parse_gateway_event() (codec.cpp) over the members of an object.
Result<input::GatewayEvent, DecodeError> decode(const Fields& f, std::string_view gateway) {
    std::optional<std::uint64_t> seq;
    if (f.seq.kind == Value::unsigned_integer && f.seq.number >= 1) seq = f.seq.number;
    if (f.type.kind == Value::string && f.type.text == "hello") {
        return DecodeError{ErrorCode::protocol, "hello is only the first line of a connection",
                           seq};
    }
    if (!seq) {
        return DecodeError{ErrorCode::bad_request, "field 'seq' must be an integer of 1 or more",
                           std::nullopt};
    }
    input::GatewayEvent ev{std::string(gateway), *seq, {}};
    if (f.type.kind != Value::string) {
        ev.body = input::Rejected{ErrorCode::bad_request, "field 'type' must be a string"};
        return ev;
    }
    auto body = event_body(f.type.text, f);
    if (auto* reason = std::get_if<std::string>(&body)) {
        ev.body = input::Rejected{ErrorCode::bad_request, std::move(*reason)};
    } else {
        ev.body = std::move(std::get<input::GatewayEventBody>(body));
    }
    return ev;
}

}  // namespace

struct GatewayLineParser::Impl {
    od::parser parser;
    std::string padded;  // the line and simdjson's padding

    // The members of the line's object, or nullopt when the line goes to the reference.
    std::optional<Fields> read(std::string_view line) {
        // nlohmann-json skips a byte order mark at the start of its input.
        constexpr std::string_view kBom = "\xEF\xBB\xBF";
        if (line.starts_with(kBom)) line.remove_prefix(kBom.size());
        if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) {
            padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
        }
        std::memcpy(padded.data(), line.data(), line.size());
        // What a longer line left in the padding is not read as JSON, but spaces are what
        // simdjson's own padded strings hold there.
        std::memset(padded.data() + line.size(), ' ', simdjson::SIMDJSON_PADDING);
        od::document doc;
        od::object object;
        if (parser.iterate(padded.data(), line.size(), padded.size()).get(doc) ||
            doc.get_object().get(object)) {
            return std::nullopt;
        }
        Fields fields;
        for (auto field : object) {
            std::string_view key;
            od::value v;
            if (field.unescaped_key().get(key) || field.value().get(v)) return std::nullopt;
            Value ignored;
            Value* slot = fields.find(key);
            Value& target = slot != nullptr ? *slot : ignored;
            target = Value{};
            if (!read_value(v, target, 1)) return std::nullopt;
        }
        // Nothing may follow the object: current_location() is out of bounds at the end.
        if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return std::nullopt;
        return fields;
    }
};

GatewayLineParser::GatewayLineParser() : impl_(std::make_unique<Impl>()) {}
GatewayLineParser::~GatewayLineParser() = default;

Result<input::GatewayEvent, DecodeError> GatewayLineParser::parse(std::string_view line,
                                                                  std::string_view gateway) {
    if (auto fields = impl_->read(line)) return decode(*fields, gateway);
    ++referred_;
    return parse_gateway_line_reference(line, gateway);
}

}  // namespace acd
