// Sessions and lockout. See sessions.hpp.
#include "sessions.hpp"

#include <openssl/rand.h>

#include <array>

#include "acd/pii.hpp"

namespace acd::web {

std::string random_token() {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), int(bytes.size())) != 1) return {};
    return to_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::string Sessions::open(const std::string& user, Time now) {
    std::string token = random_token();
    if (!token.empty()) sessions_[token] = Session{user, now, now};
    return token;
}

std::optional<Session> Sessions::touch(const std::string& token, Time now) {
    const auto it = sessions_.find(token);
    if (it == sessions_.end()) return std::nullopt;
    Session& s = it->second;
    if (now - s.last_seen >= idle_ || now - s.started >= max_) {
        sessions_.erase(it);
        return std::nullopt;
    }
    s.last_seen = now;
    return s;
}

void Sessions::close_user(const std::string& user) {
    std::erase_if(sessions_, [&](const auto& entry) { return entry.second.user == user; });
}

bool Lockout::locked(const std::string& user, Time now) const {
    const auto it = locked_until_.find(user);
    return it != locked_until_.end() && now < it->second;
}

bool Lockout::failed(const std::string& user, Time now) {
    std::deque<Time>& times = failures_[user];
    times.push_back(now);
    while (!times.empty() && now - times.front() >= kWindow)
        times.pop_front();
    if (int(times.size()) < kFailures) return false;
    failures_.erase(user);
    locked_until_[user] = now + kLock;
    return true;
}

}  // namespace acd::web
