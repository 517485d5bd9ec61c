// Line framing and the hello line. See framing.hpp.
#include "acd/framing.hpp"

#include <nlohmann/json.hpp>

namespace acd {

using Json = nlohmann::json;

std::optional<std::string_view> line_content(std::string_view raw) {
    if (!raw.empty() && raw.back() == '\n') raw.remove_suffix(1);
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    if (raw.size() > kMaxLineBytes) return std::nullopt;
    return raw;
}

LineCut next_line(std::string_view buffer) {
    const std::string_view window = buffer.substr(0, kMaxReadBytes);
    const std::size_t newline = window.find('\n');
    if (newline == std::string_view::npos) {
        return {window.size() == kMaxReadBytes ? LineCut::too_long : LineCut::need_more, {}, 0};
    }
    const auto content = line_content(window.substr(0, newline + 1));
    if (!content) return {LineCut::too_long, {}, 0};
    return {LineCut::line, *content, newline + 1};
}

std::variant<Hello, HelloRefusal> parse_hello(std::string_view line) {
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    // The type is compared where it is: copying it (as j.value() does) recurses as deep as the
    // gateway nests it, and 32,000 levels fit in one line.
    const auto type = j.is_object() ? j.find("type") : j.end();
    if (type == j.end() || *type != "hello") {
        return HelloRefusal{ErrorCode::protocol, "the first line must be a hello"};
    }
    const auto gw = j.find("gateway");
    if (gw == j.end() || !gw->is_string() || gw->get<std::string>().empty() ||
        gw->get<std::string>().size() > 64) {
        return HelloRefusal{ErrorCode::protocol,
                            "hello needs 'gateway': a string of 1 to 64 bytes"};
    }
    const auto protocol = j.find("protocol");
    if (protocol == j.end() || *protocol != 1) {
        return HelloRefusal{ErrorCode::unsupported_protocol, "this acdd speaks protocol 1"};
    }
    Hello hello{gw->get<std::string>(), std::nullopt};
    if (const auto t = j.find("token"); t != j.end() && t->is_string()) hello.token = *t;
    return hello;
}

}  // namespace acd
