// Subscriptions. See include/acd/control.hpp.
#include <fmt/format.h>

#include <algorithm>

#include "acd/control.hpp"

namespace acd::control {

Hub::Hub(std::vector<std::string> topics) : topics_(std::move(topics)) {}

void Hub::set_greeting(std::string topic, std::function<std::vector<Json>()> greeting) {
    greetings_.insert_or_assign(std::move(topic), std::move(greeting));
}

void Hub::add_commands(Registry& registry) {
    registry.add({"subscribe", Access::reads, [this](Request& request, Done done) {
                      std::vector<Json> greeting;
                      Answer a = subscribe_command(request, greeting);
                      const auto stream = request.stream;
                      done(std::move(a));
                      // After the response: what a late subscriber must know at once.
                      for (const Json& m : greeting) {
                          if (!stream->send(m)) return;
                      }
                  }});
}

Answer Hub::subscribe_command(const Request& request, std::vector<Json>& greeting) {
    std::set<std::string, std::less<>> topics(topics_.begin(), topics_.end());
    if (const auto it = request.arguments.find("topics"); it != request.arguments.end()) {
        if (!it->is_array() || it->empty()) {
            return Answer::failure(ErrorCode::bad_request,
                                   "argument 'topics' must be a list of topics");
        }
        topics.clear();
        for (const Json& topic : *it) {
            if (!topic.is_string() ||
                std::find(topics_.begin(), topics_.end(), topic.get_ref<const std::string&>()) ==
                    topics_.end()) {
                return Answer::failure(
                    ErrorCode::bad_request,
                    fmt::format("unknown topic {} ({})", topic.dump(), fmt::join(topics_, ", ")));
            }
            topics.insert(topic.get<std::string>());
        }
    }
    if (!request.stream) {
        return Answer::failure(ErrorCode::bad_request, "subscribe needs a connection");
    }
    for (const std::string& topic : topics) {
        if (const auto g = greetings_.find(topic); g != greetings_.end()) {
            for (Json& m : g->second())
                greeting.push_back(std::move(m));
        }
    }
    subscribe(request.stream, topics);
    return Answer::success("subscribed", {{"topics", topics}});
}

void Hub::subscribe(std::shared_ptr<Stream> stream, std::set<std::string, std::less<>> topics) {
    stream->start_stream();
    subscribers_.push_back({std::move(stream), std::move(topics)});
}

void Hub::unsubscribe(const Stream& stream) {
    std::erase_if(subscribers_, [&](const Subscriber& s) { return s.stream.get() == &stream; });
}

bool Hub::watched(std::string_view topic) const {
    return std::any_of(subscribers_.begin(), subscribers_.end(),
                       [&](const Subscriber& s) { return s.topics.contains(topic); });
}

void Hub::publish(const std::vector<std::pair<std::string, Json>>& messages) {
    if (messages.empty()) return;
    std::erase_if(subscribers_, [&](Subscriber& s) {
        for (const auto& [topic, message] : messages) {
            if (s.topics.contains(topic) && !s.stream->send(message)) return true;  // dropped
        }
        return false;
    });
}

}  // namespace acd::control
