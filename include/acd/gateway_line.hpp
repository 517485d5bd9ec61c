// One line from a gateway after the handshake (docs/spec/gateway-protocol.md, "Framing",
// "Events"), read into the event it carries or the error it gets, without building a JSON
// document: the gateway server's parser of every event it receives.
//
// GatewayLineParser gives, for every line, exactly what parse_gateway_line_reference() gives:
// the same event, or the same refusal (code, message and seq). The reference is the line read
// into a JSON document (nlohmann-json) and then parse_gateway_event() (codec.hpp), the path that
// recovery uses to read journaled events back; tests/unit/gateway_line_test.cpp and the
// differential fuzz target (tests/fuzz/gateway_line_fuzz.cpp) hold the two to agreement.
//
// How: simdjson's On-Demand API reads the line once, keeping the members the events use and
// checking every other value as thoroughly as nlohmann-json does (strings, numbers, literals,
// nested values). A line that simdjson does not take, or that holds something this parser does
// not settle on its own (a number at the edge of double's range, values nested over 64 deep, a
// root that is not an object), is handed to the reference, which decides: such lines are
// refused or rare, and their answer is the reference's by construction.
//
// Contract: parse() never throws. The event's strings are copies: nothing refers to the line or
// to the parser after parse() returns. Not thread-safe: one parser per thread (the gateway server
// has one for its io thread). The parser keeps its buffers between lines (they grow to the
// longest line seen, at most kMaxLineBytes plus padding).
#pragma once

#include <memory>
#include <string_view>

#include "acd/codec.hpp"

namespace acd {

// The message of the `bad_json` error for a line that is not JSON at all.
inline constexpr std::string_view kNotJsonMessage = "the line is not valid JSON";

// The line (its content, without "\r\n") read as nlohmann-json reads it (a line that is not JSON
// is `bad_json` kNotJsonMessage), then through parse_gateway_event().
Result<input::GatewayEvent, DecodeError> parse_gateway_line_reference(std::string_view line,
                                                                      std::string_view gateway);

class GatewayLineParser {
  public:
    GatewayLineParser();
    ~GatewayLineParser();
    GatewayLineParser(const GatewayLineParser&) = delete;
    GatewayLineParser& operator=(const GatewayLineParser&) = delete;

    // What parse_gateway_line_reference(line, gateway) gives.
    Result<input::GatewayEvent, DecodeError> parse(std::string_view line, std::string_view gateway);

    // How many lines parse() handed to the reference (for tests and benchmarks).
    std::uint64_t referred() const { return referred_; }

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::uint64_t referred_ = 0;
};

}  // namespace acd
