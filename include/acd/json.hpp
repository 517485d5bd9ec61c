// Reading JSON input. Every parser of acdd (the configuration file, gateway events, admin command
// arguments) reads its objects through json::Reader, so that a refusal always names the exact
// value, and the same mistake reads the same way everywhere.
//
//   json::Problems problems;
//   json::Reader r = json::Reader::named(args, "argument", problems);
//   const auto agent = r.bytes("agent", 64, json::required);
//   if (!problems.empty()) return refuse(problems.front().message);
//
// Two ways to word a problem:
// - at a path (the configuration file): "agents[2].wrap_up_s: expected an integer, got \"15\"",
//   "agents[0]: missing key 'uri'". A caller reports every problem: a file is fixed all at once.
// - named (gateway fields, command arguments): "field 'call_id' must be a string", "missing
//   argument 'agent'". A caller reports the first: a request is refused as a whole.
//
// Contract: getters never throw. A getter returns the value when the key holds a valid one, and
// nullopt (or nullptr) when it is absent (a problem only when it is `required`) or invalid (always
// a problem). A null value counts as absent, for named readers only (a null in the configuration
// file is a wrong type). Problems are appended to the list the reader was given, in the order
// the getters ran. Not thread-safe; a Reader refers to the JSON and the list, which must outlive
// it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/types.hpp"

namespace acd {

using Json = nlohmann::json;

namespace json {

// One problem with a value: `path` names it in a path reader ("" for the whole document); the
// message of a named reader is whole and its path empty.
struct Problem {
    std::string path;
    std::string message;

    std::string to_string() const { return path.empty() ? message : path + ": " + message; }
    bool operator==(const Problem&) const = default;
};
using Problems = std::vector<Problem>;

inline constexpr bool required = true;

// A value as the user wrote it, shortened for messages (never inside a UTF-8 character).
std::string shown(const Json& value);
// "a.b", "a[2]": the path of a member or an item.
std::string member_path(std::string_view path, std::string_view key);
std::string item_path(std::string_view path, std::size_t index);

// Parses a document as a file is read: a syntax error is one problem naming the line and column
// (and nothing else is read); every duplicate key, which nlohmann-json would silently collapse, is
// a problem at its path.
std::optional<Json> parse_document(std::string_view text, Problems& problems);
// The bytes of `file`, or a problem that says why not (missing, unreadable, a directory).
std::optional<std::string> read_file(const std::filesystem::path& file, Problems& problems);

class Reader {
  public:
    // A reader of the object at `path` of a file ("" for the root).
    static Reader at_path(const Json& object, std::string path, Problems& problems);
    // A reader of a protocol object whose members are called `noun` ("field", "argument"); a
    // non-empty `prefix` ("patient: ") begins each of its messages.
    static Reader named(const Json& object, std::string noun, Problems& problems,
                        std::string prefix = "");

    // The object is an object (else one problem was recorded when the reader was made).
    bool valid() const { return object_.is_object(); }
    bool failed() const { return problems_.size() > problems_at_start_; }
    // A problem for each member whose key is not in `known`; `message` words it in a path reader
    // ("unknown key" by default), a named reader says "unknown argument 'x'".
    void only(std::initializer_list<std::string_view> known,
              std::string_view message = "unknown key");

    bool has(std::string_view key) const;
    // The member, or nullptr when absent (a problem when required).
    const Json* get(std::string_view key, bool required = false);
    std::optional<std::string> string(std::string_view key, bool required = false);
    // An identifier of 1 to `max` bytes (call ids, agent ids, reasons).
    std::optional<std::string> bytes(std::string_view key, std::size_t max, bool required = false);
    // A string of 1 to `max` characters (UTF-8).
    std::optional<std::string> word(std::string_view key, std::size_t max, bool required = false);
    // A string of at most `max` characters, possibly empty (free text).
    std::optional<std::string> text(std::string_view key, std::size_t max, bool required = false);
    // An integer in [min, max].
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                                        bool required = false);
    // An integer from 0 to 2^31 - 1: "an integer of 0 or more".
    std::optional<std::int64_t> count(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    // An RFC 3339 time with any offset.
    std::optional<Time> time(std::string_view key, bool required = false);
    // One of `allowed`.
    std::optional<std::string> choice(std::string_view key,
                                      std::initializer_list<std::string_view> allowed,
                                      bool required = false);
    std::optional<CallClass> call_class(std::string_view key, bool required = false);
    // The array or object at `key`, or nullptr.
    const Json* array(std::string_view key, bool required = false);
    const Json* object(std::string_view key, bool required = false);

    // The path of a member (path reader), for problems found by the caller.
    std::string path(std::string_view key) const { return member_path(path_, key); }
    const std::string& path() const { return path_; }
    // Problems the caller finds itself: about the value at `key` (a path reader says
    // "path.key: message", a named one "argument 'key': message"), or about the whole object.
    void fail(std::string_view key, std::string message);
    void fail(std::string message);
    // The value at `key` is not what `expected` says ("an object with 'phone' and 'name'").
    void wrong(std::string_view key, std::string_view expected);

  private:
    Reader(const Json& object, std::string path, std::string noun, std::string prefix,
           Problems& problems);
    void missing(std::string_view key);
    void out_of_range(std::string_view key, std::int64_t min, std::int64_t max);
    bool absent(const Json* value) const;
    std::string quoted(std::string_view key) const;  // "argument 'key'"

    const Json& object_;
    std::string path_;
    std::string noun_;  // empty: a path reader
    std::string prefix_;
    Problems& problems_;
    std::size_t problems_at_start_;
};

}  // namespace json
}  // namespace acd
