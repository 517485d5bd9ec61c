// Web sessions and login lockout (docs/spec/web.md, "Sessions"), in memory on the io thread.
//
// - A session is a random token of 256 bits (OpenSSL's RAND_bytes, hex), the cookie's value; it
//   ends after `idle` without a request or `max` after login, at logout, or when its user is
//   disabled. Sessions do not survive a restart: users log in again.
// - Lockout: after 5 failed logins for one user name within 5 minutes, logins for that name are
//   refused for 5 minutes (whatever the password), so a guesser gets 5 tries per 5 minutes.
//
// Single-threaded (the io thread).
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <string>

#include "acd/types.hpp"

namespace acd::web {

struct Session {
    std::string user;
    Time started{};
    Time last_seen{};
};

class Sessions {
  public:
    Sessions(Duration idle, Duration max) : idle_(idle), max_(max) {}
    // A new session for `user`: its token.
    std::string open(const std::string& user, Time now);
    // The live session of `token`, its last request moved to `now`; nullopt when there is none or
    // it expired (then it is forgotten).
    std::optional<Session> touch(const std::string& token, Time now);
    void close(const std::string& token) { sessions_.erase(token); }
    // Ends every session of `user`.
    void close_user(const std::string& user);
    std::size_t size() const { return sessions_.size(); }

  private:
    Duration idle_;
    Duration max_;
    std::map<std::string, Session, std::less<>> sessions_;
};

class Lockout {
  public:
    static constexpr int kFailures = 5;
    static constexpr Duration kWindow = std::chrono::minutes(5);
    static constexpr Duration kLock = std::chrono::minutes(5);

    bool locked(const std::string& user, Time now) const;
    // Records a failure; true when it locks the name (the kFailures-th within kWindow).
    bool failed(const std::string& user, Time now);
    void succeeded(const std::string& user) { failures_.erase(user); }

  private:
    std::map<std::string, std::deque<Time>, std::less<>> failures_;
    std::map<std::string, Time, std::less<>> locked_until_;
};

// 32 random bytes as hex; empty when the system has no randomness to give.
std::string random_token();

}  // namespace acd::web
