// The wallboard of `acdctl watch` (docs/acdctl.md "watch"): a local picture of the daemon's
// queues, calls and agents, and the frame drawn from it.
//
// The picture starts from queue-list, call-list, agent-list and status-get's alerts and follows
// the subscription
// stream (docs/spec/admin-protocol.md "subscribe"). Every streamed message carries the whole row of
// what changed, as it is after the change, so applying messages in order over a snapshot taken
// after subscribing gives the current state even when some of them predate the snapshot: the
// last message about a row wins, and it is the newest.
//
// Durations tick locally between messages: each row remembers when it was received.
// Deadlines of waiting calls come from queue-get only (the stream does not carry them): a
// specialty whose waiting calls changed is marked stale until its queue-get is applied.
//
// Pure: no I/O, the time is an argument. Single-threaded.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace acd::ctl {

using Json = nlohmann::json;
using SteadyTime = std::chrono::steady_clock::time_point;

class Wallboard {
  public:
    // Replaces the picture with the `arguments` of queue-list, call-list and agent-list.
    void reset(const Json& queues, const Json& calls, const Json& agents, SteadyTime at);
    // Replaces the active alerts with status-get's `arguments.alerts` (routing.md v1.1 "Alerts").
    void set_alerts(const Json& status);
    // Applies one message of the stream. Unknown topics are ignored.
    void apply(const Json& message, SteadyTime at);
    // Sets the deadlines of one specialty's waiting calls from queue-get's `arguments`.
    void set_deadlines(const Json& queue, SteadyTime at);
    // Specialties whose waiting calls' deadlines need a queue-get; clears the set.
    std::set<std::string> take_stale();

    enum class Style { plain, title, heading, alert, notice };
    struct Line {
        std::string text;
        Style style = Style::plain;
    };
    struct Frame {
        std::string title;       // e.g. "acdd 0.1.0 · /run/acdd/admin.sock · 14:03:22"
        std::string notice;      // a problem to show under the title, or empty
        std::size_t width = 0;   // 0: no limit
        std::size_t height = 0;  // 0: no limit (all rows)
    };
    // The frame at `now`: at most `height` lines, each at most `width` columns.
    std::vector<Line> draw(const Frame& frame, SteadyTime now) const;

  private:
    // A whole number of seconds that grows with time from `at` (or stays, when not ticking).
    struct Ticking {
        std::optional<std::int64_t> base;
        SteadyTime at{};
        bool ticks = true;
        std::optional<std::int64_t> at_time(SteadyTime now) const;
    };
    struct Queue {
        std::string specialty;
        std::int64_t queued = 0;
        Ticking oldest_wait;
        std::int64_t ready = 0;
        std::int64_t busy = 0;
        bool exceeds_threshold = false;
    };
    struct Call {
        std::string id;
        std::string specialty;
        std::string call_class;
        std::string state;
        std::string held_by;  // agent, or "team X"
        Ticking wait;
        std::optional<std::int64_t> deadline_in;  // at `deadline_at`, from queue-get
        SteadyTime deadline_at{};
        std::uint64_t arrival = 0;  // order of first sight, for stable sorting
    };
    struct Agent {
        std::string id;
        std::string state;
        std::string reason;
        std::string call_id;
        Ticking state_for;
        std::size_t rank = 0;  // position in agent-list
    };

    void put_queue(const Json& q, SteadyTime at);
    void put_call(const Json& c, SteadyTime at);
    void put_agent(const Json& a, SteadyTime at);

    // An alert's identity: kind, specialty, gateway, call id.
    using AlertKey = std::tuple<std::string, std::string, std::string, std::string>;
    static AlertKey alert_key(const Json& alert);

    std::map<AlertKey, Json> alerts_;  // the active alerts
    std::vector<Queue> queues_;        // in queue-list order (the configuration's)
    std::map<std::string, Call> calls_;
    std::map<std::string, Agent> agents_;
    std::set<std::string> stale_;
    std::uint64_t arrivals_ = 0;
    std::size_t agent_ranks_ = 0;
};

}  // namespace acd::ctl
