#include "arguments.hpp"

#include <limits>
#include <set>

#include "acd/codec.hpp"
#include "acd/site_time.hpp"

namespace acd::agenda {
namespace {

// Digits, and a '+' before them; a number has at least 3 digits and at most 20.
bool plausible_phone(const std::string& normalized) {
    const std::size_t digits = normalized.size() - (normalized.starts_with('+') ? 1 : 0);
    return digits >= 3 && digits <= 20;
}

// A calendar date YYYY-MM-DD.
std::optional<std::chrono::sys_days> parse_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(std::stoi(s.substr(0, 4))),
                                          std::chrono::month(unsigned(std::stoi(s.substr(5, 2)))),
                                          std::chrono::day(unsigned(std::stoi(s.substr(8, 2))))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days(ymd);
}

}  // namespace

Arguments::Arguments(const Json& args, std::string prefix)
    : r_(json::Reader::named(args, "argument", problems_, std::move(prefix))) {}

control::Answer Arguments::refusal() const {
    return control::Answer::failure(ErrorCode::bad_request, problems_.front().message);
}

std::string Arguments::word(const char* name, std::size_t max, bool required) {
    return r_.word(name, max, required).value_or("");
}

std::string Arguments::text(const char* name) {
    return r_.text(name, kMaxTextChars, json::required).value_or("");
}

std::int64_t Arguments::integer(const char* name, std::int64_t lo, std::int64_t hi,
                                std::optional<std::int64_t> fallback) {
    return r_.integer(name, lo, hi, /*required=*/!fallback).value_or(fallback.value_or(0));
}

std::int64_t Arguments::id(const char* name) {
    return integer(name, 1, std::numeric_limits<std::int64_t>::max());
}

Time Arguments::time(const char* name) {
    return r_.time(name, json::required).value_or(Time{});
}

std::optional<Time> Arguments::date_or_time(const char* name, const ZoneRules& zone) {
    const Json* v = r_.get(name);
    if (v == nullptr) return std::nullopt;
    if (v->is_string()) {
        if (const auto d = parse_date(v->get<std::string>())) {
            // The site's day: its 00:00, found from its noon (offsets are within +-14 h).
            const Time noon = Time(*d) + std::chrono::hours(12);
            return site_midnight(zone, noon - zone.offset_at(noon));
        }
        if (const auto t = parse_time(v->get<std::string>())) return *t;
    }
    r_.wrong(name, "a date (YYYY-MM-DD) or an RFC 3339 time");
    return std::nullopt;
}

std::string Arguments::choice(const char* name, std::initializer_list<std::string_view> allowed,
                              bool required) {
    return r_.choice(name, allowed, required).value_or("");
}

std::string Arguments::phone(const char* name) {
    const auto given = r_.word(name, 40, json::required);
    if (!given) return {};
    const std::string normalized = normalize_phone(*given);
    if (!plausible_phone(normalized)) {
        r_.wrong(name, "a phone number, e.g. +33612345678");
        return {};
    }
    return normalized;
}

PatientData Arguments::patient() {
    const Json* v = r_.get("patient");
    if (v == nullptr || !v->is_object()) {
        r_.wrong("patient", "an object with 'phone' and 'name'");
        return {};
    }
    Arguments inner(*v, "patient: ");
    PatientData p;
    p.phone = inner.phone("phone");
    p.name = inner.word("name", kMaxNameChars);
    if (inner.has("birth_date")) {
        const std::string date = inner.word("birth_date", 10);
        if (!inner.failed() && !parse_date(date)) inner.r_.wrong("birth_date", "a date YYYY-MM-DD");
        p.birth_date = date;
    }
    if (inner.failed()) r_.fail(inner.problems_.front().message);
    return p;
}

Actor Arguments::actor(Time now, bool by_required) {
    Actor actor;
    actor.at = now;
    actor.by = word("by", kMaxIdChars, by_required);
    actor.call_id = word("call_id", kMaxCallIdBytes, false);
    actor.gateway = word("gateway", kMaxIdChars, false);
    return actor;
}

Json redacted(const Json& args, const PiiKey& key) {
    static const std::set<std::string, std::less<>> kept = {
        "slot_id",   "appointment_id", "message_id", "specialty", "practitioner",
        "start",     "duration_min",   "count",      "from",      "to",
        "free_only", "urgency",        "action",     "by",        "call_id",
        "gateway",   "before",         "within_h",   "status",    "include_cancelled"};
    Json out = Json::object();
    const auto pseudonym_of = [&](const Json& phone) -> Json {
        if (!phone.is_string()) return nullptr;
        const std::string n = normalize_phone(phone.get<std::string>());
        return plausible_phone(n) ? Json(key.pseudonym(n)) : Json(nullptr);
    };
    for (const auto& [name, value] : args.items()) {
        if (kept.contains(name)) {
            out[name] = value;
        } else if (name == "phone") {
            out["patient"] = pseudonym_of(value);
        } else if (name == "patient") {
            out["patient"] =
                value.is_object() ? pseudonym_of(value.value("phone", Json())) : Json(nullptr);
        }
    }
    return out;
}

}  // namespace acd::agenda
