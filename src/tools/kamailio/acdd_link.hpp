// The bridge's connection to acdd: one gateway of docs/spec/gateway-protocol.md.
//
// Connects (TCP, or TLS with optional client certificate), says hello (with the token when
// set), and reconnects with backoff (0.1 s doubling to 5 s) whenever the connection drops or the
// handshake fails. Events given to send() are kept until an ack (or a welcome's last_seq) covers
// them, at most kMaxUnacked (then the oldest is dropped, loudly), and every one not yet
// acknowledged is resent in order after each welcome. Lines from acdd other than the welcome and
// acks go to `on_line`. TCP_NODELAY on; the welcome must come within 10 s; after it, no read
// timeout (acdd may rightly be silent), TCP keepalive finds a dead peer.
// Single-threaded: everything runs on the io_context's thread.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "config.hpp"
#include "translate.hpp"

namespace acd::kamailio {

inline constexpr std::size_t kMaxUnacked = 100000;

class AcddLink {
  public:
    struct Handlers {
        std::function<void(const FromAcdd& message)> on_line;  // commands, errors, unknown lines
        std::function<void()> on_ready;                        // welcome came, resend done
    };
    struct Pending {
        std::uint64_t seq;
        std::string line;  // with its '\n'
    };

    // `tls`: nullptr for plain TCP.
    AcddLink(asio::io_context& io, const BridgeConfig& config, asio::ssl::context* tls,
             Handlers handlers);
    void start();
    void stop();  // closes for good
    // Queues an event line with its seq (strictly above every earlier one).
    void send(std::uint64_t seq, std::string line);
    // The pending event with `seq`, or nullptr (acknowledged, or never sent).
    const Pending* pending(std::uint64_t seq) const;
    // Calls `done` once every event sent is acknowledged (at once when none waits, or when acdd
    // is not connected: nothing more can be acknowledged then).
    void when_all_acked(std::function<void()> done);
    bool ready() const { return ready_; }
    std::size_t unacked() const { return unacked_.size(); }

  private:
    using Stream = asio::ssl::stream<asio::ip::tcp::socket>;

    asio::awaitable<void> run();
    asio::awaitable<bool> open_stream();
    asio::awaitable<void> reader();
    asio::awaitable<void> writer(std::uint64_t generation);
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buf, asio::error_code& ec);
    asio::awaitable<void> write_all(const std::string& data, asio::error_code& ec);
    void handle(std::string_view line);
    void acknowledged(std::uint64_t seq);
    void close_stream();

    asio::io_context& io_;
    const BridgeConfig& config_;
    asio::ssl::context* tls_;
    asio::ssl::context plain_;  // unused context for the plain stream's (never used) TLS layer
    Handlers handlers_;
    std::unique_ptr<Stream> stream_;
    asio::steady_timer wake_;
    std::deque<Pending> unacked_;  // in seq order
    std::uint64_t written_ = 0;    // highest seq written on the current connection
    std::uint64_t generation_ = 0;
    bool connected_ = false;  // the TCP (and TLS) connection is up
    bool ready_ = false;      // ... and the welcome came
    bool stopped_ = false;
    std::uint64_t dropped_ = 0;
    std::function<void()> all_acked_;
};

}  // namespace acd::kamailio
