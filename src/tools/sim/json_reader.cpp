#include "sim/json_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace acd::sim {

std::string member_path(std::string_view path, std::string_view key) {
    if (path.empty()) return std::string(key);
    return fmt::format("{}.{}", path, key);
}

std::string item_path(std::string_view path, std::size_t index) {
    return fmt::format("{}[{}]", path, index);
}

const Json* member(const Json& j, std::string_view key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

void JsonReader::error(std::string_view path, std::string_view message) {
    errors_.push_back(fmt::format("{}: {}", path.empty() ? "(root)" : path, message));
}

namespace {
std::string_view type_name(const Json& j) {
    if (j.is_number()) return "a number";
    return j.type_name();
}
}  // namespace

bool JsonReader::object(const Json& j, std::string_view path,
                        std::initializer_list<std::string_view> allowed) {
    if (!j.is_object()) {
        error(path, fmt::format("must be an object, not {}", type_name(j)));
        return false;
    }
    bool good = true;
    for (const auto& [key, value] : j.items()) {
        if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
        error(member_path(path, key), "unknown key");
        good = false;
    }
    return good;
}

bool JsonReader::array(const Json& j, std::string_view path) {
    if (j.is_array()) return true;
    error(path, fmt::format("must be an array, not {}", type_name(j)));
    return false;
}

std::optional<double> JsonReader::number(const Json& j, std::string_view path, double min,
                                         double max) {
    if (!j.is_number()) {
        error(path, fmt::format("must be a number, not {}", type_name(j)));
        return std::nullopt;
    }
    const double v = j.get<double>();
    if (!std::isfinite(v) || v < min || v > max) {
        error(path, fmt::format("{} is out of range [{}, {}]", v, min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<std::int64_t> JsonReader::integer(const Json& j, std::string_view path,
                                                std::int64_t min, std::int64_t max) {
    if (!j.is_number_integer()) {
        error(path, fmt::format("must be an integer, not {}", type_name(j)));
        return std::nullopt;
    }
    if (j.is_number_unsigned() && j.get<std::uint64_t>() > std::uint64_t(INT64_MAX)) {
        error(path, fmt::format("{} is out of range [{}, {}]", j.dump(), min, max));
        return std::nullopt;
    }
    const auto v = j.get<std::int64_t>();
    if (v < min || v > max) {
        error(path, fmt::format("{} is out of range [{}, {}]", j.dump(), min, max));
        return std::nullopt;
    }
    return v;
}

std::optional<bool> JsonReader::boolean(const Json& j, std::string_view path) {
    if (j.is_boolean()) return j.get<bool>();
    error(path, fmt::format("must be true or false, not {}", type_name(j)));
    return std::nullopt;
}

std::optional<std::string> JsonReader::string(const Json& j, std::string_view path) {
    if (j.is_string()) return j.get<std::string>();
    error(path, fmt::format("must be a string, not {}", type_name(j)));
    return std::nullopt;
}

std::optional<std::string> JsonReader::id(const Json& j, std::string_view path) {
    auto s = string(j, path);
    if (!s) return std::nullopt;
    const bool valid_chars = std::all_of(s->begin(), s->end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
    if (s->empty() || s->size() > 64 || !valid_chars) {
        error(path, fmt::format("'{}' is not an id (1 to 64 characters of A-Z a-z 0-9 _ . -)", *s));
        return std::nullopt;
    }
    return s;
}

}  // namespace acd::sim
