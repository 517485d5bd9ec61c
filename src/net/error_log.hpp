// The protocol errors acdd sends a gateway, logged for the operator (gateway-protocol.md v1.1): at
// warning level with the gateway id, the event's seq and the code, at most kErrorLinesPerSecond
// lines a second per connection, then one line with the count left out, so that a gateway
// sending garbage cannot flood the journal.
//
// One per session, on the session's thread; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "acd/json.hpp"

namespace acd::net {

inline constexpr int kErrorLinesPerSecond = 10;

class ErrorLog {
  public:
    using Clock = std::chrono::steady_clock;

    // `error` is the gateway protocol's error message ({"type":"error","seq","code","message"}).
    void sent(std::string_view gateway, const Json& error, Clock::time_point now = Clock::now());
    // Logs how many lines were left out since the last one, if any (at the next second's first
    // error, and when the connection closes).
    void flush(std::string_view gateway);

  private:
    Clock::time_point window_start_{};
    int in_window_ = 0;
    std::uint64_t left_out_ = 0;
};

}  // namespace acd::net
