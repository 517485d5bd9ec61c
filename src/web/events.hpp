// The /api/events clients (docs/spec/web.md, "Live events"): one EventStream per client, all of
// them behind one EventFanout, the only subscriber of the hub on their behalf.
//
// - One subscription, one text: the fan-out writes each message as SSE text once (at the first
//   client that takes it) and hands the same text to every client, so that 200 desks and boards
//   cost one JSON dump per message, not 200. It follows the union of its clients' topics, and
//   nothing while it has no client (then the daemon builds no message for it).
// - Role filter, decided once per message, not once per client: supervisors and admins get every
//   topic they asked for; an agent gets only its own agent's changes, the queue summaries (which
//   hold no callers), and `event: screen_pop` when a call is routed to its agent. The fan-out
//   reads a message's topic, event and agent once, and visits only the clients that take it
//   (the clients of each topic, the desks of one agent): an agent's change or a call costs the
//   boards and that agent's desks, not every desk.
// - Batches: what the hub publishes is noted per client (a pointer to the shared text), and
//   handed over in one go a moment later on the io thread (a posted flush, after the handlers
//   already waiting): one lock of each client's stream per batch, not per message. Under load
//   the batches grow by themselves.
// - Every message a client takes reaches it, once, in the order the hub published them: nothing
//   is merged or skipped (the spec makes each change one `data:` line).
// - A client that falls behind (more than 1 MiB waiting) is dropped, as a slow subscriber of the
//   admin socket is: the fan-out forgets it, its backlog is freed, acdd logs
//   `web.events_dropped`, and the worker ends the response. A comment line goes out at least
//   every 15 s.
// - Events reach the client at most kGather (25 ms) after they happen: what comes meanwhile goes
//   out with them in one write.
//
// Thread safety: EventFanout entirely, and EventStream::send() and close(), on the io thread;
// EventStream::next() on the client's worker; a stream's two sides meet in its mutex, which is
// never held across a write to the socket.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/control.hpp"

namespace acd::web {

using Topics = std::set<std::string, std::less<>>;

class EventStream {
  public:
    static constexpr std::size_t kMaxBacklog = 1 << 20;
    // What comes within kGather of a first message goes out in one write (at most kFlushAt
    // bytes wait for it): a burst costs the client's worker one wake, not one per message.
    static constexpr std::chrono::milliseconds kGather{25};
    static constexpr std::size_t kFlushAt = 64 << 10;

    explicit EventStream(control::Caller caller) : caller_(std::move(caller)) {}

    // Appends `texts` (SSE text of messages, in order) to what the client has to read; false
    // when the client fell behind and is dropped (or is closed).
    bool send(const std::vector<const std::string*>& texts);
    // Ends the stream (acdd stops, or the client went away).
    void close();

    // The text to write next, valid until the next call: events, or "" when nothing came within
    // `wait`; nullptr once the stream is closed or dropped and drained.
    const std::string* next(std::chrono::milliseconds wait);
    const control::Caller& caller() const { return caller_; }

  private:
    control::Caller caller_;
    std::mutex mu_;
    std::condition_variable grew_;
    std::string backlog_;  // what the io thread appends to
    std::string writing_;  // the worker's: what next() handed out (its room reused)
    bool closed_ = false;
};

class EventFanout : public control::Stream, public std::enable_shared_from_this<EventFanout> {
  public:
    // The hub's subscription of a stream to topics, and its end.
    using Subscribe = std::function<void(std::shared_ptr<control::Stream>, Topics)>;
    using Unsubscribe = std::function<void(const control::Stream&)>;
    // `screen_pop` turns a call.routed message into the screen pop's data for an agent's user
    // (and records the access).
    using ScreenPop = std::function<Json(const Json& message, const control::Caller&)>;
    // Runs work on the io thread after the handlers already waiting (asio::post).
    using Post = std::function<void(std::function<void()>)>;
    EventFanout(Subscribe subscribe, Unsubscribe unsubscribe, ScreenPop screen_pop, Post post)
        : subscribe_(std::move(subscribe)),
          unsubscribe_(std::move(unsubscribe)),
          screen_pop_(std::move(screen_pop)),
          post_(std::move(post)) {}

    // A client following `topics` (the listener's known topics); remove() when it goes (a
    // dropped one is already gone).
    void add(std::shared_ptr<EventStream> stream, Topics topics);
    void remove(const EventStream& stream);

    // control::Stream: never falls behind itself; its clients may.
    void start_stream() override {}
    bool send(const Json& message) override;

  private:
    // The topics of docs/spec/web.md, as indexes.
    static constexpr std::array<const char*, 5> kTopics = {"calls", "agents", "queues", "alerts",
                                                           "agenda"};
    using TopicSet = unsigned;  // bit i: kTopics[i]
    static constexpr TopicSet kQueues = 1U << 2;
    struct Client {
        std::shared_ptr<EventStream> stream;
        Topics topics;
        TopicSet bits = 0;
        std::vector<const std::string*> pending;  // of texts_, to hand over at the flush
    };

    // Indexes the clients by what they take, and subscribes the hub to the union of their
    // topics when it changed.
    void follow();
    void index();
    // Notes `text` for `client`, and asks for a flush when the batch starts.
    void deliver(Client* client, const std::string& text);
    // Hands every client its part of the batch; forgets the clients that fell behind.
    void flush();

    Subscribe subscribe_;
    Unsubscribe unsubscribe_;
    ScreenPop screen_pop_;
    Post post_;
    std::vector<Client> clients_;
    Topics followed_;
    // The index (rebuilt by follow()): supervisors' and admins' clients per topic; agents'
    // clients following the queues; agents' clients per agent id.
    std::array<std::vector<Client*>, kTopics.size()> others_;
    std::vector<Client*> desks_;
    std::unordered_map<std::string, std::vector<Client*>> desks_of_;
    // The batch: the texts of the messages published since the last flush (a deque: they stay
    // where they are as it grows), and the clients with something pending.
    std::deque<std::string> texts_;
    std::vector<Client*> waiting_;
    bool flush_posted_ = false;
};

}  // namespace acd::web
