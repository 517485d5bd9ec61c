#include "acd/record_json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>

#include "acd/codec.hpp"

namespace acd {
namespace {

// Whether `s` is valid UTF-8. nlohmann-json refuses to dump anything else (it throws): such a
// string takes the codec's path, so that it fails the same way.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        int extra = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + static_cast<std::size_t>(extra) >= s.size()) return false;
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
        if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

struct NotUtf8 {};

// A JSON string as nlohmann-json writes it (ensure_ascii off): quotes, backslashes and control
// characters escaped, \u00xx in lowercase hex for those without a short form.
void append_string(std::string& out, std::string_view s) {
    if (!valid_utf8(s)) throw NotUtf8{};
    out.push_back('"');
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    out += "\\u00";
                    out.push_back(kHex[c >> 4]);
                    out.push_back(kHex[c & 0xF]);
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

template <typename Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_digits(char* at, unsigned v, int width) {
    for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
}

// One member of an object under construction; members are sorted by key before writing, as
// nlohmann-json's std::map keeps them.
struct Member {
    enum class Kind : std::uint8_t { string, null, integer, unsigned_integer, boolean, time };
    std::string_view key;
    Kind kind = Kind::null;
    std::string_view text;
    std::int64_t integer = 0;
    std::uint64_t unsigned_integer = 0;
    bool boolean = false;
    Time time{};
};

class Object {
  public:
    Object& string(std::string_view key, std::string_view v) {
        Member m = member(key, Member::Kind::string);
        m.text = v;
        return add(m);
    }
    // null when empty, as the codec's optional_string()
    Object& string_or_null(std::string_view key, std::string_view v) {
        return v.empty() ? null(key) : string(key, v);
    }
    Object& null(std::string_view key) { return add(member(key, Member::Kind::null)); }
    Object& integer(std::string_view key, std::int64_t v) {
        Member m = member(key, Member::Kind::integer);
        m.integer = v;
        return add(m);
    }
    Object& unsigned_integer(std::string_view key, std::uint64_t v) {
        Member m = member(key, Member::Kind::unsigned_integer);
        m.unsigned_integer = v;
        return add(m);
    }
    Object& boolean(std::string_view key, bool v) {
        Member m = member(key, Member::Kind::boolean);
        m.boolean = v;
        return add(m);
    }
    Object& time(std::string_view key, Time v) {
        Member m = member(key, Member::Kind::time);
        m.time = v;
        return add(m);
    }
    Object& time_or_null(std::string_view key, const std::optional<Time>& v) {
        return v ? time(key, *v) : null(key);
    }

    std::string write() {
        std::sort(members_.begin(), members_.begin() + static_cast<std::ptrdiff_t>(n_),
                  [](const Member& a, const Member& b) { return a.key < b.key; });
        std::string out;
        out.reserve(512);
        out.push_back('{');
        for (std::size_t i = 0; i < n_; ++i) {
            const Member& m = members_[i];
            if (i > 0) out.push_back(',');
            out.push_back('"');
            out.append(m.key);  // keys are ours: plain ASCII
            out += "\":";
            switch (m.kind) {
                case Member::Kind::string:
                    append_string(out, m.text);
                    break;
                case Member::Kind::null:
                    out += "null";
                    break;
                case Member::Kind::integer:
                    append_int(out, m.integer);
                    break;
                case Member::Kind::unsigned_integer:
                    append_int(out, m.unsigned_integer);
                    break;
                case Member::Kind::boolean:
                    out += m.boolean ? "true" : "false";
                    break;
                case Member::Kind::time:
                    out.push_back('"');
                    append_time(out, m.time);
                    out.push_back('"');
                    break;
            }
        }
        out.push_back('}');
        return out;
    }

  private:
    static Member member(std::string_view key, Member::Kind kind) {
        Member m;
        m.key = key;
        m.kind = kind;
        return m;
    }
    Object& add(const Member& m) {
        members_[n_++] = m;
        return *this;
    }
    std::array<Member, 20> members_;
    std::size_t n_ = 0;
};

void add_call(Object& o, const CallSnapshot& c) {
    o.string("gateway", c.gateway)
        .string("call_id", c.call_id)
        .string("caller", c.caller)
        .string_or_null("specialty", c.specialty)
        .string("class", to_string(c.call_class))
        .string("state", to_string(c.state))
        .time("enqueued_at", c.enqueued_at)
        .time("deadline", c.deadline)
        .time_or_null("answered_at", c.answered_at)
        .time_or_null("ended_at", c.ended_at);
    if (c.outcome) {
        o.string("outcome", to_string(*c.outcome));
    } else {
        o.null("outcome");
    }
    o.string_or_null("agent", c.agent)
        .string_or_null("team", c.team)
        .boolean("overflowed", c.overflowed);
}

std::string fast_change_body(const Change& change) {
    Object o;
    std::visit(
        [&](const auto& ch) {
            using T = std::decay_t<decltype(ch)>;
            if constexpr (std::is_same_v<T, CallChange>) {
                add_call(o, ch.call);
                o.string("cause", to_string(ch.cause));
            } else if constexpr (std::is_same_v<T, AgentChange>) {
                o.string("agent", ch.agent)
                    .string("state", to_string(ch.state))
                    .string_or_null("reason", ch.reason)
                    .string("cause", to_string(ch.cause))
                    .string_or_null("gateway", ch.gateway)
                    .string_or_null("call_id", ch.call_id);
            } else if constexpr (std::is_same_v<T, AlertChange>) {
                o.string("alert", to_string(ch.alert.kind))
                    .string("specialty", ch.alert.specialty)
                    .string_or_null("gateway", ch.alert.gateway)
                    .string_or_null("call_id", ch.alert.call_id)
                    .time("raised_at", ch.alert.raised_at)
                    .boolean("raised", ch.raised);
            } else {
                o.string("specialty", ch.overflow.specialty)
                    .integer("threshold", ch.overflow.threshold)
                    .boolean("enabled", ch.overflow.enabled);
            }
            o.time("at", ch.at);
        },
        change);
    return o.write();
}

std::string fast_gateway_event_body(const input::GatewayEvent& ev) {
    Object o;
    o.string("type", gateway_event_type(ev));
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, input::CallOffered>) {
                o.string("call_id", b.call_id)
                    .string("caller", b.caller)
                    .string("dialed", b.dialed);
                if (b.specialty) o.string("specialty", *b.specialty);
                if (b.call_class) o.string("class", to_string(*b.call_class));
                if (b.quality_sample) o.boolean("quality_sample", true);
            } else if constexpr (std::is_same_v<T, input::CallAnswered> ||
                                 std::is_same_v<T, input::CallNoAnswer>) {
                o.string("call_id", b.call_id);
                if (b.agent) o.string("agent", *b.agent);
            } else if constexpr (std::is_same_v<T, input::CallEnded>) {
                o.string("call_id", b.call_id);
                if (b.cause) o.string("cause", *b.cause);
            } else if constexpr (std::is_same_v<T, input::AgentReport>) {
                o.string("agent", b.agent).string("state", to_string(b.state));
                if (!b.reason.empty()) o.string("reason", b.reason);
            } else {
                o.string("code", to_string(b.code)).string("message", b.message);
            }
        },
        ev.body);
    o.unsigned_integer("seq", ev.seq);
    return o.write();
}

std::string fast_command_text(const Command& c) {
    Object o;
    o.string("call_id", c.call_id);
    std::visit(
        [&](const auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, CallQueuedCommand>) {
                o.string("type", "call.queued")
                    .string("specialty", b.specialty)
                    .string("class", to_string(b.call_class))
                    .integer("position", b.position);
                if (b.expected_wait_s) {
                    o.integer("expected_wait_s", *b.expected_wait_s);
                } else {
                    o.null("expected_wait_s");
                }
            } else if constexpr (std::is_same_v<T, CallRouteCommand>) {
                o.string("type", "call.route")
                    .string("to", b.to)
                    .integer("ring_timeout_s", b.ring_timeout_s);
                if (!b.agent.empty()) o.string("agent", b.agent);
                if (!b.team.empty()) o.string("team", b.team);
                if (b.record) o.boolean("record", true);
            } else {
                o.string("type", "call.reject").string("reason", b.reason);
            }
        },
        c.body);
    return o.write();
}

}  // namespace

void append_time(std::string& out, Time t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const auto ms = (t - day).count();  // 0 .. 86,399,999
    // Years outside 0..9999 need fmt's handling of widths and signs: rare enough to delegate.
    const int y = int(ymd.year());
    if (y < 0 || y > 9999) {
        out += format_time(t);
        return;
    }
    char buf[] = "0000-00-00T00:00:00.000Z";  // 24 characters and the terminator
    append_digits(buf, static_cast<unsigned>(y), 4);
    append_digits(buf + 5, unsigned(ymd.month()), 2);
    append_digits(buf + 8, unsigned(ymd.day()), 2);
    append_digits(buf + 11, static_cast<unsigned>(ms / 3'600'000), 2);
    append_digits(buf + 14, static_cast<unsigned>(ms / 60'000 % 60), 2);
    append_digits(buf + 17, static_cast<unsigned>(ms / 1000 % 60), 2);
    append_digits(buf + 20, static_cast<unsigned>(ms % 1000), 3);
    out.append(buf, 24);
}

std::string_view gateway_event_type(const input::GatewayEvent& ev) {
    return std::visit(
        [](const auto& b) -> std::string_view {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, input::CallOffered>) return "call.offered";
            if constexpr (std::is_same_v<T, input::CallAnswered>) return "call.answered";
            if constexpr (std::is_same_v<T, input::CallNoAnswer>) return "call.no_answer";
            if constexpr (std::is_same_v<T, input::CallEnded>) return "call.ended";
            if constexpr (std::is_same_v<T, input::AgentReport>) return "agent.state";
            return "rejected";
        },
        ev.body);
}

std::string change_body(const Change& change) {
    try {
        return fast_change_body(change);
    } catch (const NotUtf8&) {
        return to_json(change).dump();
    }
}

std::string command_text(const Command& command) {
    try {
        return fast_command_text(command);
    } catch (const NotUtf8&) {
        return to_json(command).dump();
    }
}

std::string gateway_event_body(const input::GatewayEvent& event) {
    try {
        return fast_gateway_event_body(event);
    } catch (const NotUtf8&) {
        return to_json(event).dump();
    }
}

}  // namespace acd
