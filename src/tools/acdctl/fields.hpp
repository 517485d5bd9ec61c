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

}  // namespace acd::ctl
