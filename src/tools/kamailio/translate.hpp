// The bridge's pure part: what Kamailio's messages become for acdd, what acdd's become for
// Kamailio. No I/O, no clock; thread-compatible (RouteMemo is not thread-safe).
//
// Kamailio (config/kamailio/acdd.cfg) sends the gateway protocol's events without their seq;
// they are checked here so that acdd never receives an event it would refuse for its shape (a
// refused call.offered would leave the INVITE held for nobody): such a call is rejected back to
// Kamailio instead. acdd's commands go to Kamailio as acdd wrote them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace acd::kamailio {

// The longest call_id the gateway protocol takes.
inline constexpr std::size_t kMaxCallId = 128;

struct FromKamailio {
    std::optional<nlohmann::json> event;  // a gateway event without its seq: number it, send it
    std::optional<std::string> reply;     // a command back to Kamailio (JSON text)
    std::string problem;                  // why the message was refused or changed; empty if not
};

// Checks one evapi payload from Kamailio.
FromKamailio from_kamailio(std::string_view payload);

// The event line for acdd: `event` with `seq`, one JSON object and '\n'.
std::string event_line(nlohmann::json event, std::uint64_t seq);

// A line from acdd, classified.
struct FromAcdd {
    enum class Kind { welcome, ack, error, command, unknown } kind = Kind::unknown;
    std::uint64_t seq = 0;  // welcome: last_seq; ack: seq; error: seq (0 when null)
    std::string type;       // the message's type
    std::string call_id;    // command: the call
    std::string code;       // error: its code
    std::string message;    // error: its message; unknown: why
    std::string text;       // command: the JSON text to forward to Kamailio
};

FromAcdd from_acdd(std::string_view line);

// A call.reject for Kamailio (a call acdd cannot take).
std::string reject_command(std::string_view call_id, std::string_view reason);

// Remembers the last call.route of each call, so that an identical one (acdd sends it again
// after every welcome) is a no-op. Calls are forgotten when they end; when `capacity` calls are
// remembered the memo starts over (an identical route is then forwarded, and Kamailio drops it
// since the call already rings there).
class RouteMemo {
  public:
    explicit RouteMemo(std::size_t capacity = 100000) : capacity_(capacity) {}
    // True when `command_text` is the same as the last route of `call_id`; remembers it if not.
    bool repeat(const std::string& call_id, const std::string& command_text);
    void forget(const std::string& call_id) { last_.erase(call_id); }
    std::size_t size() const { return last_.size(); }

  private:
    std::size_t capacity_;
    std::unordered_map<std::string, std::string> last_;
};

}  // namespace acd::kamailio
