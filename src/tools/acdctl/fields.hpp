// Reading fields of the daemon's JSON leniently: a missing or null field shows as "-" rather
// than failing, so that acdctl still shows what it can of a newer or older daemon's answer.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace acd::ctl {

using Json = nlohmann::json;

// A field as text for a table cell: "-" for null or missing, strings as they are.
inline std::string field_text(const Json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>();
    return it->dump();
}

// A string field, or "" when missing or not a string.
inline std::string field_string(const Json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

inline std::optional<std::int64_t> field_int(const Json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return std::nullopt;
    return it->get<std::int64_t>();
}

inline std::optional<double> field_double(const Json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

// An array field, or an empty array.
inline const Json& field_list(const Json& object, const char* key) {
    static const Json empty = Json::array();
    const auto it = object.find(key);
    return it != object.end() && it->is_array() ? *it : empty;
}

// One alert of status-get or the `alerts` topic (routing.md v1.1 "Alerts") for people:
// "ALERT queue_unstaffed cardiology since 14:03:22" (the site's clock time of raised_at), with
// the call for call_late.
inline std::string alert_text(const Json& alert) {
    std::string text = "ALERT " + field_text(alert, "alert") + " " + field_text(alert, "specialty");
    const std::string call = field_string(alert, "call_id");
    if (!call.empty()) text += " call " + call;
    const std::string raised = field_string(alert, "raised_at");
    // RFC 3339: the clock time is characters 11 to 18.
    if (raised.size() >= 19) text += " since " + raised.substr(11, 8);
    return text;
}

}  // namespace acd::ctl
