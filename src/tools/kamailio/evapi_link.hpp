// The bridge's connection to Kamailio's evapi socket (Kamailio is the server).
//
// Connects, and reconnects with backoff (0.1 s doubling to 5 s) for as long as it runs. Reads
// netstrings and hands each payload to `on_message`; writes the payloads given to send() as
// netstrings, one write in flight. Payloads sent while Kamailio is away are kept (at most
// kMaxEvapiBacklog, the oldest dropped first) and written after the next connect.
//
// TCP_NODELAY is set, and TCP_QUICKACK re-armed after every read: Kamailio's evapi socket keeps
// Nagle's algorithm on, so without an immediate ACK its next small event would wait for the
// delayed ACK (about 40 ms). No read timeout: Kamailio may rightly be silent; TCP keepalive finds
// a dead peer. Single-threaded: everything runs on the io_context's thread.
#pragma once

#include <asio.hpp>
#include <deque>
#include <functional>
#include <string>

#include "config.hpp"

namespace acd::kamailio {

inline constexpr std::size_t kMaxEvapiBacklog = 10000;

class EvapiLink {
  public:
    struct Handlers {
        std::function<void(std::string payload)> on_message;
        std::function<void()> on_up;
        std::function<void(const std::string& why)> on_down;
    };

    EvapiLink(asio::io_context& io, HostPort endpoint, Handlers handlers);
    void start();
    void stop();  // closes for good
    void send(std::string payload);
    bool connected() const { return connected_; }

  private:
    asio::awaitable<void> run();
    asio::awaitable<void> reader();
    asio::awaitable<void> writer(std::uint64_t generation);

    asio::io_context& io_;
    HostPort endpoint_;
    Handlers handlers_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer wake_;  // the writer waits on it; cancelled when there is work
    std::deque<std::string> backlog_;
    bool connected_ = false;
    std::uint64_t generation_ = 0;  // of the connection; a writer of an older one ends
    bool stopped_ = false;
    std::uint64_t dropped_ = 0;
};

}  // namespace acd::kamailio
