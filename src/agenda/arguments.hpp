// The agenda's arguments, read with the shared reader (include/acd/json.hpp): its vocabulary on
// top of it (phone numbers, patients, dates, who acts), and the form the audit log keeps of them.
#pragma once

#include <optional>
#include <string>

#include "acd/agenda.hpp"
#include "acd/control.hpp"
#include "acd/json.hpp"
#include "acd/pii.hpp"

namespace acd::agenda {

inline constexpr std::size_t kMaxIdChars = 128;  // by, practitioner, specialty
inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxTextChars = 4000;  // reason, body

// The arguments of one request. The first problem is the request's refusal (bad_request);
// after one, getters still return defaults so that a handler reads on without checks.
class Arguments {
  public:
    explicit Arguments(const Json& args, std::string prefix = "");

    bool failed() const { return !problems_.empty(); }
    control::Answer refusal() const;
    bool has(const char* name) const { return r_.has(name); }
    json::Reader& reader() { return r_; }

    // A string of 1 to `max` characters.
    std::string word(const char* name, std::size_t max = kMaxIdChars, bool required = true);
    // Free text of at most kMaxTextChars, possibly empty; required.
    std::string text(const char* name);
    std::int64_t integer(const char* name, std::int64_t lo, std::int64_t hi,
                         std::optional<std::int64_t> fallback = std::nullopt);
    std::int64_t id(const char* name);  // 1 or more
    Time time(const char* name);        // required
    // A date (YYYY-MM-DD: 00:00 of that day in `zone`) or an RFC 3339 time with any offset.
    std::optional<Time> date_or_time(const char* name, const ZoneRules& zone);
    bool flag(const char* name, bool fallback) { return r_.boolean(name).value_or(fallback); }
    std::string choice(const char* name, std::initializer_list<std::string_view> allowed,
                       bool required = true);
    // A phone number, normalized (digits and a leading '+').
    std::string phone(const char* name);
    // {"phone", "name", optional "birth_date"}
    PatientData patient();
    // Who acts: `by` (required where the spec lists it), and the call it is made during.
    Actor actor(Time now, bool by_required);

  private:
    json::Problems problems_;
    json::Reader r_;
};

// The arguments as the audit log keeps them: no personal data, no free text (both may name the
// patient, and the log is append-only: they could never be erased). The patient appears as their
// pseudonym.
Json redacted(const Json& args, const PiiKey& key);

}  // namespace acd::agenda
