// The /api/events clients (docs/spec/web.md, "Live events"): one EventStream per client, all of
// them behind one EventFanout, the only subscriber of the hub on their behalf.
//
// - One subscription, one text: the fan-out writes each message as SSE text once (at the first
//   client that takes it as it is) and hands the same text to every client, so that 200 desks
//   and boards cost one JSON dump per message, not 200. It follows the union of its clients'
//   topics, and nothing while it has no client (then the daemon builds no message for it).
// - Role filter, applied as messages are published: supervisors and admins get every topic they
//   asked for; an agent gets only its own agent's changes, the queue summaries (which hold no
//   callers), and `event: screen_pop` when a call is routed to its agent.
// - A client that falls behind (more than 1 MiB waiting) is dropped, as a slow subscriber of the
//   admin socket is: the fan-out forgets it, its backlog is freed, acdd logs
//   `web.events_dropped`, and the worker ends the response. A comment line goes out at least
//   every 15 s.
// - Events reach the client at most kGather (25 ms) after they happen: what comes meanwhile goes
//   out with them in one write.
//
// Thread safety: EventFanout entirely, and EventStream::send() and close(), on the io thread;
// EventStream::next() on the client's worker; a stream's two sides meet in its mutex.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "acd/control.hpp"

namespace acd::web {

using Topics = std::set<std::string, std::less<>>;

// A message's SSE text ("data: {...}\n\n"), written once when first asked for.
class SharedText {
  public:
    explicit SharedText(const Json& message) : message_(message) {}
    const std::string& get();

  private:
    const Json& message_;
    std::optional<std::string> text_;
};

class EventStream {
  public:
    static constexpr std::size_t kMaxBacklog = 1 << 20;
    // What comes within kGather of a first message goes out in one write (at most kFlushAt
    // bytes wait for it): a burst costs the client's worker one wake, not one per message.
    static constexpr std::chrono::milliseconds kGather{25};
    static constexpr std::size_t kFlushAt = 64 << 10;

    // `screen_pop` turns a call.routed message for `caller.agent` into the screen pop's data (and
    // records the access).
    EventStream(control::Caller caller,
                std::function<Json(const Json& message, const control::Caller&)> screen_pop)
        : caller_(std::move(caller)), screen_pop_(std::move(screen_pop)) {}

    // One message of a topic the client follows, `text` its SSE text; false when the client fell
    // behind and is dropped (or is closed).
    bool send(const Json& message, SharedText& text);
    // Ends the stream (acdd stops, or the client went away).
    void close();

    // The text to write next: events, or "" when nothing came within `wait`; nullopt once the
    // stream is closed or dropped and drained.
    std::optional<std::string> next(std::chrono::milliseconds wait);
    const control::Caller& caller() const { return caller_; }

  private:
    // What of `message` this caller may see, as SSE text ("" for nothing).
    std::string filtered(const Json& message, SharedText& text) const;

    control::Caller caller_;
    std::function<Json(const Json&, const control::Caller&)> screen_pop_;
    std::mutex mu_;
    std::condition_variable grew_;
    std::string backlog_;
    bool closed_ = false;
};

class EventFanout : public control::Stream, public std::enable_shared_from_this<EventFanout> {
  public:
    // The hub's subscription of a stream to topics, and its end.
    using Subscribe = std::function<void(std::shared_ptr<control::Stream>, Topics)>;
    using Unsubscribe = std::function<void(const control::Stream&)>;
    EventFanout(Subscribe subscribe, Unsubscribe unsubscribe)
        : subscribe_(std::move(subscribe)), unsubscribe_(std::move(unsubscribe)) {}

    // A client following `topics`; remove() when it goes (a dropped one is already gone).
    void add(std::shared_ptr<EventStream> stream, Topics topics);
    void remove(const EventStream& stream);

    // control::Stream: never falls behind itself; its clients may.
    void start_stream() override {}
    bool send(const Json& message) override;

  private:
    // Subscribes the hub to the union of the clients' topics when it changed.
    void follow();

    struct Client {
        std::shared_ptr<EventStream> stream;
        Topics topics;
    };
    Subscribe subscribe_;
    Unsubscribe unsubscribe_;
    std::vector<Client> clients_;
    Topics followed_;
};

}  // namespace acd::web
