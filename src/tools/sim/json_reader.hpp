// Reads JSON values into plain C++ values and collects every error with the JSON path of the
// value at fault ("agents[2].skills[0]: ..."), so that one run shows all that is wrong in a file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace acd::sim {

using Json = nlohmann::json;

// The path of member `key` of the object at `path`, and of item `index` of the array at `path`.
std::string member_path(std::string_view path, std::string_view key);
std::string item_path(std::string_view path, std::size_t index);

class JsonReader {
  public:
    explicit JsonReader(std::vector<std::string>& errors) : errors_(errors) {}

    void error(std::string_view path, std::string_view message);
    bool ok() const { return errors_.empty(); }

    // True when `j` is an object whose keys are all in `allowed`; else reports each offence.
    bool object(const Json& j, std::string_view path,
                std::initializer_list<std::string_view> allowed);
    bool array(const Json& j, std::string_view path);
    // Bounds are inclusive.
    std::optional<double> number(const Json& j, std::string_view path, double min, double max);
    std::optional<std::int64_t> integer(const Json& j, std::string_view path, std::int64_t min,
                                        std::int64_t max);
    std::optional<bool> boolean(const Json& j, std::string_view path);
    std::optional<std::string> string(const Json& j, std::string_view path);
    // An id of docs/spec/config.md: 1 to 64 characters of [A-Za-z0-9_.-].
    std::optional<std::string> id(const Json& j, std::string_view path);

  private:
    std::vector<std::string>& errors_;
};

// The member `key` of object `j`, or nullptr.
const Json* member(const Json& j, std::string_view key);

}  // namespace acd::sim
