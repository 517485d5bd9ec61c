// /api/events clients. See events.hpp.
#include "events.hpp"

#include <algorithm>

#include "acd/log.hpp"

namespace acd::web {
namespace {

// A worker keeps the room of its last write for the next one, up to this much.
constexpr std::size_t kKeepRoom = 2 * EventStream::kFlushAt;

std::string data(const Json& message) {
    return "data: " + message.dump() + "\n\n";
}

const std::string* string_at(const Json& object, const char* key) {
    const auto i = object.find(key);
    return i != object.end() && i->is_string() ? &i->get_ref<const std::string&>() : nullptr;
}

const std::string* string_at(const Json& object, const char* outer, const char* inner) {
    const auto o = object.find(outer);
    return o != object.end() && o->is_object() ? string_at(*o, inner) : nullptr;
}

}  // namespace

bool EventStream::send(const std::vector<const std::string*>& texts) {
    std::size_t size = 0;
    for (const std::string* text : texts)
        size += text->size();
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (backlog_.size() + size > kMaxBacklog) {
        // Fell behind: dropped. What it had not read goes too (it must read everything again
        // when it reconnects), so a client that stopped reading holds no memory.
        log_warning("web.events_dropped", "user {} fell more than {} bytes behind: dropped",
                    caller_.user, kMaxBacklog);
        closed_ = true;
        backlog_.clear();
        backlog_.shrink_to_fit();
        grew_.notify_all();
        return false;
    }
    // The worker is woken when there is something to write, then gathers for kGather: one wake
    // and one write per burst, not per message (200 clients each woken per message would keep
    // two cores switching threads).
    const std::size_t before = backlog_.size();
    backlog_.reserve(before + size);
    for (const std::string* text : texts)
        backlog_ += *text;
    if (before == 0 || (before < kFlushAt && backlog_.size() >= kFlushAt)) grew_.notify_all();
    return true;
}

void EventStream::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    grew_.notify_all();
}

const std::string* EventStream::next(std::chrono::milliseconds wait) {
    // The io thread goes on appending into the room of the previous write (no reallocation
    // from nothing at each burst), unless that write was a large one.
    if (writing_.capacity() > kKeepRoom) {
        std::string().swap(writing_);
    } else {
        writing_.clear();
    }
    std::unique_lock lock(mu_);
    grew_.wait_for(lock, wait, [this] { return !backlog_.empty() || closed_; });
    if (!backlog_.empty() && !closed_ && backlog_.size() < kFlushAt) {
        grew_.wait_for(lock, kGather, [this] { return closed_ || backlog_.size() >= kFlushAt; });
    }
    if (!backlog_.empty()) {
        backlog_.swap(writing_);
        return &writing_;
    }
    if (closed_) return nullptr;
    return &writing_;  // empty
}

void EventFanout::add(std::shared_ptr<EventStream> stream, Topics topics) {
    flush();  // the batch points into clients_
    TopicSet bits = 0;
    for (std::size_t t = 0; t < kTopics.size(); ++t)
        if (topics.contains(kTopics[t])) bits |= TopicSet{1} << t;
    clients_.push_back({std::move(stream), std::move(topics), bits, {}});
    follow();
}

void EventFanout::remove(const EventStream& stream) {
    flush();
    std::erase_if(clients_, [&](const Client& c) { return c.stream.get() == &stream; });
    follow();
}

void EventFanout::deliver(Client* client, const std::string& text) {
    if (client->pending.empty()) waiting_.push_back(client);
    client->pending.push_back(&text);
    if (!flush_posted_) {
        flush_posted_ = true;
        post_([weak = weak_from_this()] {
            if (auto self = weak.lock()) self->flush();
        });
    }
}

void EventFanout::flush() {
    flush_posted_ = false;
    bool dropped = false;
    for (Client* c : waiting_) {
        if (!c->stream->send(c->pending)) {
            c->stream.reset();  // dropped (or gone): forgotten below
            dropped = true;
        }
        c->pending.clear();  // its room kept for the next batch
    }
    waiting_.clear();
    texts_.clear();
    if (dropped) {
        // A dropped client's topics are still followed until the next add() or remove() (which
        // subscribes the hub again only when the topics followed change).
        std::erase_if(clients_, [](const Client& c) { return !c.stream; });
        index();
    }
}

bool EventFanout::send(const Json& message) {
    const std::string* topic = string_at(message, "topic");
    if (topic == nullptr) return true;
    const auto t = std::size_t(std::find(kTopics.begin(), kTopics.end(), *topic) - kTopics.begin());
    if (t == kTopics.size()) return true;
    const TopicSet bit = TopicSet{1} << t;
    const std::string* text = nullptr;  // the message's SSE text, written once when first taken
    auto shared = [&]() -> const std::string& {
        if (text == nullptr) text = &texts_.emplace_back(data(message));
        return *text;
    };

    for (Client* c : others_[t])
        deliver(c, shared());
    // Agents' desks: every queue summary; their own agent's changes; the pops of their calls.
    if (*topic == "queues") {
        for (Client* c : desks_)
            deliver(c, shared());
    } else if (*topic == "agents") {
        if (const std::string* agent = string_at(message, "agent", "agent")) {
            if (const auto d = desks_of_.find(*agent); d != desks_of_.end()) {
                for (Client* c : d->second)
                    if (c->bits & bit) deliver(c, shared());
            }
        }
    } else if (*topic == "calls") {
        const std::string* event = string_at(message, "event");
        const std::string* agent = string_at(message, "call", "agent");
        if (event != nullptr && *event == "call.routed" && agent != nullptr) {
            if (const auto d = desks_of_.find(*agent); d != desks_of_.end()) {
                for (Client* c : d->second) {
                    if (!(c->bits & bit)) continue;
                    // Each user's pop is its own access to the caller's data.
                    deliver(c,
                            texts_.emplace_back("event: screen_pop\n" +
                                                data(screen_pop_(message, c->stream->caller()))));
                }
            }
        }
    }
    // Other calls, agenda and alerts are not an agent's to see.
    return true;
}

void EventFanout::index() {
    static_assert(std::string_view(kTopics[2]) == "queues");  // kQueues
    for (auto& clients : others_)
        clients.clear();
    desks_.clear();
    desks_of_.clear();
    for (Client& c : clients_) {
        if (c.stream->caller().role == control::Role::agent) {
            if (c.bits & kQueues) desks_.push_back(&c);
            desks_of_[c.stream->caller().agent].push_back(&c);
            continue;
        }
        for (std::size_t t = 0; t < kTopics.size(); ++t)
            if (c.bits & (TopicSet{1} << t)) others_[t].push_back(&c);
    }
}

void EventFanout::follow() {
    index();
    Topics wanted;
    for (const Client& c : clients_)
        wanted.insert(c.topics.begin(), c.topics.end());
    if (wanted == followed_) return;
    if (!followed_.empty()) unsubscribe_(*this);
    followed_ = std::move(wanted);
    if (!followed_.empty()) subscribe_(shared_from_this(), followed_);
}

}  // namespace acd::web
