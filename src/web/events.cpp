// /api/events clients. See events.hpp.
#include "events.hpp"

#include <algorithm>

#include "acd/log.hpp"

namespace acd::web {
namespace {

std::string data(const Json& message) {
    return "data: " + message.dump() + "\n\n";
}

std::string string_at(const Json& object, const char* outer, const char* inner) {
    const auto o = object.find(outer);
    if (o == object.end() || !o->is_object()) return "";
    const auto i = o->find(inner);
    return i != o->end() && i->is_string() ? i->get<std::string>() : "";
}

}  // namespace

const std::string& SharedText::get() {
    if (!text_) text_ = data(message_);
    return *text_;
}

std::string EventStream::filtered(const Json& message, SharedText& text) const {
    if (caller_.role != control::Role::agent) return text.get();
    const std::string topic = message.value("topic", "");
    if (topic == "queues") return text.get();
    if (topic == "agents") {
        return string_at(message, "agent", "agent") == caller_.agent ? text.get() : "";
    }
    if (topic == "calls" && message.value("event", "") == "call.routed" &&
        string_at(message, "call", "agent") == caller_.agent) {
        return "event: screen_pop\n" + data(screen_pop_(message, caller_));
    }
    return "";  // other calls, agenda, alerts: not an agent's to see
}

bool EventStream::send(const Json& message, SharedText& shared) {
    const std::string text = filtered(message, shared);
    std::lock_guard lock(mu_);
    if (closed_) return false;
    if (text.empty()) return true;
    if (backlog_.size() + text.size() > kMaxBacklog) {
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
    backlog_ += text;
    if (before == 0 || (before < kFlushAt && backlog_.size() >= kFlushAt)) grew_.notify_all();
    return true;
}

void EventStream::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    grew_.notify_all();
}

std::optional<std::string> EventStream::next(std::chrono::milliseconds wait) {
    std::unique_lock lock(mu_);
    grew_.wait_for(lock, wait, [this] { return !backlog_.empty() || closed_; });
    if (!backlog_.empty() && !closed_ && backlog_.size() < kFlushAt) {
        grew_.wait_for(lock, kGather, [this] { return closed_ || backlog_.size() >= kFlushAt; });
    }
    if (!backlog_.empty()) return std::exchange(backlog_, std::string());
    if (closed_) return std::nullopt;
    return std::string();
}

void EventFanout::add(std::shared_ptr<EventStream> stream, Topics topics) {
    clients_.push_back({std::move(stream), std::move(topics)});
    follow();
}

void EventFanout::remove(const EventStream& stream) {
    std::erase_if(clients_, [&](const Client& c) { return c.stream.get() == &stream; });
    follow();
}

bool EventFanout::send(const Json& message) {
    const std::string topic = message.value("topic", "");
    SharedText text(message);
    // A dropped client's topics are still followed until the next add() or remove(): the hub is
    // in the middle of publishing, and its subscriptions must not change under it.
    std::erase_if(clients_, [&](const Client& c) {
        return c.topics.contains(topic) && !c.stream->send(message, text);  // dropped
    });
    return true;
}

void EventFanout::follow() {
    Topics wanted;
    for (const Client& c : clients_)
        wanted.insert(c.topics.begin(), c.topics.end());
    if (wanted == followed_) return;
    if (!followed_.empty()) unsubscribe_(*this);
    followed_ = std::move(wanted);
    if (!followed_.empty()) subscribe_(shared_from_this(), followed_);
}

}  // namespace acd::web
