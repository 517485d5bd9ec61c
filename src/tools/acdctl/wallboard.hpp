// The wallboard of `acdctl watch` (docs/acdctl.md "watch"): a local picture of the daemon's
// queues, calls, teams, agents and today's figures, and the frame drawn from it.
//
// The picture starts from queue-list, call-list, agent-list, status-get's alerts, overflow-get's
// teams and stats-get's figures, and follows the subscription stream
// (docs/spec/admin-protocol.md "subscribe"). Every streamed message carries the whole row of
// what changed, as it is after the change, so applying messages in order over a snapshot taken
// after subscribing gives the current state even when some of them predate the snapshot: the
// last message about a row wins, and it is the newest. The figures of the day and the teams'
// sizes are not streamed: the caller sets them again every few seconds.
//
// Durations tick locally between messages: each row remembers when it was received.
// Deadlines of waiting calls come from queue-get only (the stream does not carry them): a
// specialty whose waiting calls changed is marked stale until its queue-get is applied.
//
// When acdd is gone (disconnected()), the picture stays as it was, frozen at that moment and
// marked stale on every block, until the next reset().
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
    // Replaces the picture with the `arguments` of queue-list, call-list and agent-list; the
    // picture is current again (no longer stale).
    void reset(const Json& queues, const Json& calls, const Json& agents, SteadyTime at);
    // Replaces the active alerts with status-get's `arguments.alerts` (routing.md v1.1 "Alerts").
    void set_alerts(const Json& status);
    // The overflow teams and their max_concurrent, from overflow-get's `arguments`. True when
    // that changed the picture.
    bool set_teams(const Json& overflow);
    // Today's figures per specialty, from stats-get's `arguments` (summed over the classes).
    // True when that changed the picture.
    bool set_figures(const Json& stats);
    // Applies one message of the stream. Unknown topics are ignored.
    void apply(const Json& message, SteadyTime at);
    // Sets the deadlines of one specialty's waiting calls from queue-get's `arguments`.
    void set_deadlines(const Json& queue, SteadyTime at);
    // Specialties whose waiting calls' deadlines need a queue-get; clears the set.
    std::set<std::string> take_stale();
    // acdd cannot be reached: the figures are stale from `at` (`clock`, the wall clock time shown
    // to people) on; `why` says what happened. A later call keeps the first time, takes `why`.
    void disconnected(SteadyTime at, const std::string& clock, const std::string& why);
    bool stale() const { return loss_.has_value(); }

    enum class Style { plain, title, heading, alert, notice };
    struct Line {
        std::string text;
        Style style = Style::plain;
    };
    struct Frame {
        std::string title;       // e.g. "acdd 0.1.0 · /run/acdd/admin.sock · 14:03:22"
        std::string notice;      // a problem to show under the title, or empty; wrapped
        std::size_t width = 0;   // 0: no limit
        std::size_t height = 0;  // 0: no limit (all rows)
    };
    // The frame at `now`: at most `height` lines, each at most `width` columns. When the height
    // is short, the waiting calls (the latest first) keep their rows before the queues, the
    // teams and the agents; a list cut short ends with "... and N more".
    std::vector<Line> draw(const Frame& frame, SteadyTime now) const;

    // One list of the frame (defined with the drawing).
    struct Block;

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
        std::string agent;
        std::string team;
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
    struct Team {
        std::string id;
        std::optional<std::int64_t> max_concurrent;
        bool operator==(const Team&) const = default;
    };
    // One specialty's figures of the day, summed over its classes (routing.md "Service figures").
    struct Figures {
        std::int64_t offered = 0;
        std::int64_t answered = 0;
        std::int64_t abandoned = 0;
        std::int64_t short_abandoned = 0;
        std::int64_t within_target = 0;
        std::optional<double> service_level() const;
        void add(const Figures& other);
        bool operator==(const Figures&) const = default;
    };
    struct Loss {
        SteadyTime at;
        std::string clock;
        std::string why;
    };
    void put_queue(const Json& q, SteadyTime at);
    void put_call(const Json& c, SteadyTime at);
    void put_agent(const Json& a, SteadyTime at);

    std::vector<Line> top_lines(const Frame& frame, SteadyTime now) const;
    Block calls_block(SteadyTime now) const;
    Block queues_block(SteadyTime now) const;
    Block teams_block() const;
    Block agents_block(SteadyTime now) const;

    // An alert's identity: kind, specialty, gateway, call id.
    using AlertKey = std::tuple<std::string, std::string, std::string, std::string>;
    static AlertKey alert_key(const Json& alert);

    std::map<AlertKey, Json> alerts_;  // the active alerts
    std::vector<Queue> queues_;        // in queue-list order (the configuration's)
    std::map<std::string, Call> calls_;
    std::map<std::string, Agent> agents_;
    std::vector<Team> teams_;  // in overflow-get order
    std::map<std::string, Figures> figures_;
    std::optional<std::string> figures_since_;  // none until set_figures()
    std::optional<Loss> loss_;
    bool has_picture_ = false;  // a reset() happened: there are figures to call stale
    std::set<std::string> stale_;
    std::uint64_t arrivals_ = 0;
    std::size_t agent_ranks_ = 0;
};

}  // namespace acd::ctl
