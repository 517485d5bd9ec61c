// One /api/events client (docs/spec/web.md, "Live events"): a control::Stream that the hub
// publishes to on the io thread, and that a cpp-httplib worker drains as Server-Sent Events.
//
// - Role filter, applied as messages are published: supervisors and admins get every topic they
//   asked for; an agent gets only its own agent's changes, the queue summaries (which hold no
//   callers), and `event: screen_pop` when a call is routed to its agent.
// - A client that falls behind (more than 1 MiB waiting) is dropped, as a slow subscriber of the
//   admin socket is: send() returns false and the hub forgets it, the backlog is freed, acdd logs
//   `web.events_dropped`, and the worker ends the response. A comment line goes out at least every
//   15 s.
//
// Thread safety: send() and close() on the io thread, next() on the worker; they meet in a mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "acd/control.hpp"

namespace acd::web {

class EventStream : public control::Stream {
  public:
    static constexpr std::size_t kMaxBacklog = 1 << 20;

    // `screen_pop` turns a call.routed message for `caller.agent` into the screen pop's data (and
    // records the access).
    EventStream(control::Caller caller,
                std::function<Json(const Json& message, const control::Caller&)> screen_pop)
        : caller_(std::move(caller)), screen_pop_(std::move(screen_pop)) {}

    // control::Stream (io thread)
    void start_stream() override {}
    bool send(const Json& message) override;
    // Ends the stream (acdd stops, or the client went away).
    void close();

    // The text to write next: events, or "" when nothing came within `wait`; nullopt once the
    // stream is closed or dropped and drained.
    std::optional<std::string> next(std::chrono::milliseconds wait);
    const control::Caller& caller() const { return caller_; }

  private:
    // What of `message` this caller may see, as SSE text ("" for nothing).
    std::string filtered(const Json& message) const;

    control::Caller caller_;
    std::function<Json(const Json&, const control::Caller&)> screen_pop_;
    std::mutex mu_;
    std::condition_variable grew_;
    std::string backlog_;
    bool closed_ = false;
};

}  // namespace acd::web
