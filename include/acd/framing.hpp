// The pure part of the gateway listener (docs/spec/gateway-protocol.md "Framing", "Handshake"): how
// a byte stream is cut into lines and how the hello line is read. No I/O, so that the fuzz target
// (tests/fuzz) runs exactly the code the sessions run.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "acd/types.hpp"

namespace acd {

inline constexpr std::size_t kMaxLineBytes = 65536;
// What a reader buffers while it looks for the '\n': a line at the cap, its '\r' and its '\n'.
inline constexpr std::size_t kMaxReadBytes = kMaxLineBytes + 2;

// The content of a line read up to and including its '\n': without the '\n' and one '\r' before
// it. nullopt when that content is longer than kMaxLineBytes.
std::optional<std::string_view> line_content(std::string_view raw);

// One step of cutting `buffer` (the bytes received and not yet taken) into lines, as a session
// does: look for '\n' in the first kMaxReadBytes bytes.
struct LineCut {
    enum Status {
        line,       // `content` is the next line; `consumed` bytes are taken off the buffer
        need_more,  // no '\n' yet and the buffer is below kMaxReadBytes: read more
        too_long,   // the line is over the cap: error line_too_long, connection closed
    };
    Status status = need_more;
    std::string_view content;
    std::size_t consumed = 0;
};
LineCut next_line(std::string_view buffer);

struct Hello {
    std::string gateway;
    std::optional<std::string> token;

    bool operator==(const Hello&) const = default;
};

// Why a first line is refused; the connection is closed after the error.
struct HelloRefusal {
    ErrorCode code = ErrorCode::protocol;
    std::string message;
};

// Reads the first line of a connection: {"type":"hello","gateway":"gw1","protocol":1} with an
// optional "token". Never throws.
std::variant<Hello, HelloRefusal> parse_hello(std::string_view line);

}  // namespace acd
