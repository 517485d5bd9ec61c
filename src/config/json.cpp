// The JSON reader every parser uses. See include/acd/json.hpp.
#include "acd/json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace acd::json {
namespace {

std::size_t utf8_length(std::string_view s);

// Tracks where the parser stands (object keys and array indexes) to name duplicate keys.
class DuplicateKeyFinder {
  public:
    explicit DuplicateKeyFinder(Problems& errors) : errors_(errors) {}

    bool operator()(int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
            case Json::parse_event_t::object_start:
                frames_.push_back(Frame{false, path(), {}, {}, 0});
                break;
            case Json::parse_event_t::array_start:
                frames_.push_back(Frame{true, path(), {}, {}, 0});
                break;
            case Json::parse_event_t::key: {
                Frame& f = frames_.back();
                f.key = parsed.get<std::string>();
                if (!f.keys.insert(f.key).second) {
                    errors_.push_back({member_path(f.path, f.key), "duplicate key"});
                }
                break;
            }
            case Json::parse_event_t::object_end:
            case Json::parse_event_t::array_end:
                frames_.pop_back();
                next_element();
                break;
            case Json::parse_event_t::value:
                next_element();
                break;
        }
        return true;
    }

  private:
    struct Frame {
        bool array;
        std::string path;  // of the object or array itself
        std::string key;   // current key (objects)
        std::set<std::string> keys;
        std::size_t index;  // current index (arrays)
    };

    // The path of the value being parsed now.
    std::string path() const {
        if (frames_.empty()) return "";
        const Frame& f = frames_.back();
        return f.array ? item_path(f.path, f.index) : member_path(f.path, f.key);
    }
    void next_element() {
        if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    }

    Problems& errors_;
    std::vector<Frame> frames_;
};

// nlohmann's messages read "[json.exception.parse_error.101] parse error at line 3, column 14:
// syntax error while parsing ..."; keep them from "line".
std::string syntax_message(const Json::parse_error& e) {
    std::string what = e.what();
    const auto at = what.find("line ");
    return at == std::string::npos ? what : what.substr(at);
}

std::size_t utf8_length(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string shown(const Json& v) {
    std::string s = v.dump();
    if (s.size() <= 40) return s;
    std::size_t cut = 37;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return s.substr(0, cut) + "...";
}

std::string member_path(std::string_view path, std::string_view key) {
    return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}
std::string item_path(std::string_view path, std::size_t index) {
    return fmt::format("{}[{}]", path, index);
}

std::optional<std::string> read_file(const std::filesystem::path& file, Problems& problems) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) {
        problems.push_back({"", fmt::format("{} is a directory, not a file", file.string())});
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problems.push_back(
            {"", fmt::format("cannot read {}: {}", file.string(), std::strerror(errno))});
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<Json> parse_document(std::string_view text, Problems& problems) {
    try {
        return Json::parse(text, DuplicateKeyFinder(problems));
    } catch (const Json::parse_error& e) {
        problems = {{"", syntax_message(e)}};
        return std::nullopt;
    }
}

Reader::Reader(const Json& object, std::string path, std::string noun, std::string prefix,
               Problems& problems)
    : object_(object),
      path_(std::move(path)),
      noun_(std::move(noun)),
      prefix_(std::move(prefix)),
      problems_(problems),
      problems_at_start_(problems.size()) {}

Reader Reader::at_path(const Json& object, std::string path, Problems& problems) {
    Reader r(object, std::move(path), "", "", problems);
    if (!object.is_object())
        problems.push_back({r.path_, "expected an object, got " + shown(object)});
    return r;
}

Reader Reader::named(const Json& object, std::string noun, Problems& problems, std::string prefix) {
    return Reader(object, "", std::move(noun), std::move(prefix), problems);
}

void Reader::only(std::initializer_list<std::string_view> known, std::string_view message) {
    if (!valid()) return;
    for (const auto& [key, value] : object_.items()) {
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        if (noun_.empty()) {
            problems_.push_back({path(key), std::string(message)});
        } else {
            fail(fmt::format("unknown {} '{}'", noun_, key));
        }
    }
}

bool Reader::absent(const Json* value) const {
    return value == nullptr || (!noun_.empty() && value->is_null());
}

bool Reader::has(std::string_view key) const {
    if (!valid()) return false;
    const auto it = object_.find(key);
    return it != object_.end() && !absent(&*it);
}

const Json* Reader::get(std::string_view key, bool required) {
    const Json* v = nullptr;
    if (valid()) {
        const auto it = object_.find(key);
        if (it != object_.end()) v = &*it;
    }
    if (absent(v)) {
        if (required) missing(key);
        return nullptr;
    }
    return v;
}

std::string Reader::quoted(std::string_view key) const {
    return fmt::format("{}{} '{}'", prefix_, noun_, key);
}

void Reader::missing(std::string_view key) {
    if (noun_.empty()) {
        problems_.push_back({path_, fmt::format("missing key '{}'", key)});
    } else {
        fail(fmt::format("missing {} '{}'", noun_, key));
    }
}

void Reader::wrong(std::string_view key, std::string_view expected) {
    if (noun_.empty()) {
        const Json* v = valid() && object_.contains(key) ? &object_[std::string(key)] : nullptr;
        problems_.push_back(
            {path(key), fmt::format("expected {}, got {}", expected, v ? shown(*v) : "nothing")});
    } else {
        problems_.push_back({"", fmt::format("{} must be {}", quoted(key), expected)});
    }
}

void Reader::out_of_range(std::string_view key, std::int64_t min, std::int64_t max) {
    if (noun_.empty()) {
        problems_.push_back({path(key), fmt::format("must be between {} and {}, got {}", min, max,
                                                    shown(object_[std::string(key)]))});
    } else {
        wrong(key, fmt::format("an integer from {} to {}", min, max));
    }
}

void Reader::fail(std::string_view key, std::string message) {
    if (noun_.empty()) {
        problems_.push_back({path(key), std::move(message)});
    } else {
        problems_.push_back({"", fmt::format("{}: {}", quoted(key), message)});
    }
}

void Reader::fail(std::string message) {
    if (noun_.empty()) {
        problems_.push_back({path_, std::move(message)});
    } else {
        problems_.push_back({"", prefix_ + message});
    }
}

std::optional<std::string> Reader::string(std::string_view key, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string()) return wrong(key, "a string"), std::nullopt;
    return v->get<std::string>();
}

std::optional<std::string> Reader::bytes(std::string_view key, std::size_t max, bool required) {
    auto s = string(key, required);
    if (s && (s->empty() || s->size() > max)) {
        wrong(key, fmt::format("1 to {} bytes", max));
        return std::nullopt;
    }
    return s;
}

std::optional<std::string> Reader::word(std::string_view key, std::size_t max, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    const std::size_t n = v->is_string() ? utf8_length(v->get_ref<const std::string&>()) : 0;
    if (n == 0 || n > max) {
        wrong(key, fmt::format("a string of 1 to {} characters", max));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<std::string> Reader::text(std::string_view key, std::size_t max, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_string() || utf8_length(v->get_ref<const std::string&>()) > max) {
        wrong(key, fmt::format("a string of at most {} characters", max));
        return std::nullopt;
    }
    return v->get<std::string>();
}

std::optional<std::int64_t> Reader::integer(std::string_view key, std::int64_t min,
                                            std::int64_t max, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) {
        if (noun_.empty()) return wrong(key, "an integer"), std::nullopt;
        return out_of_range(key, min, max), std::nullopt;
    }
    if (v->is_number_unsigned() && v->get<std::uint64_t>() > std::uint64_t(max)) {
        return out_of_range(key, min, max), std::nullopt;
    }
    const auto n = v->get<std::int64_t>();
    if (n < min || n > max) return out_of_range(key, min, max), std::nullopt;
    return n;
}

std::optional<std::int64_t> Reader::count(std::string_view key) {
    const Json* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() && v->get<std::uint64_t>() > INT32_MAX) ||
        v->get<std::int64_t>() < 0 || v->get<std::int64_t>() > INT32_MAX) {
        wrong(key, "an integer of 0 or more");
        return std::nullopt;
    }
    return v->get<std::int64_t>();
}

std::optional<bool> Reader::boolean(std::string_view key) {
    const Json* v = get(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) return wrong(key, "true or false"), std::nullopt;
    return v->get<bool>();
}

std::optional<Time> Reader::time(std::string_view key, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    const auto t = v->is_string() ? parse_time(v->get_ref<const std::string&>()) : std::nullopt;
    if (!t) wrong(key, "an RFC 3339 time, e.g. 2026-11-23T09:30:00+01:00");
    return t;
}

std::optional<std::string> Reader::choice(std::string_view key,
                                          std::initializer_list<std::string_view> allowed,
                                          bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return std::nullopt;
    if (v->is_string()) {
        for (std::string_view a : allowed) {
            if (v->get_ref<const std::string&>() == a) return std::string(a);
        }
    }
    if (noun_.empty()) {
        fail(key, fmt::format("expected one of {}; got {}", fmt::join(allowed, ", "), shown(*v)));
    } else {
        wrong(key, fmt::format("one of: {}", fmt::join(allowed, ", ")));
    }
    return std::nullopt;
}

std::optional<CallClass> Reader::call_class(std::string_view key, bool required) {
    const auto s = string(key, required);
    if (!s) return std::nullopt;
    const auto c = parse_call_class(*s);
    if (!c)
        fail(key, fmt::format("unknown class '{}' (expected urgent, appointment or admin)", *s));
    return c;
}

const Json* Reader::array(std::string_view key, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return nullptr;
    if (!v->is_array()) return wrong(key, "an array"), nullptr;
    return v;
}

const Json* Reader::object(std::string_view key, bool required) {
    const Json* v = get(key, required);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) return wrong(key, "an object"), nullptr;
    return v;
}

}  // namespace acd::json
