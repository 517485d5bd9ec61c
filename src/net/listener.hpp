// The accept loop both listeners share (the gateway's TCP port and the admin socket): accepted
// sockets go to the server's callback, which decides (within its connection limit) whether to
// start a session; accept errors (no descriptor left: EMFILE, ENFILE; no memory) are logged, at
// most one line a second with a count of the others, and the loop pauses before accepting again
// rather than spinning on a listening socket that stays readable.
//
// Single-threaded: everything runs on the io_context thread. stop() closes the acceptor; the loop
// ends on its own (its pending accept or pause completes as cancelled, without touching the
// listener, which may be gone by then).
#pragma once

#include <fmt/format.h>

#include <asio.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "acd/log.hpp"

namespace acd::net {

// How long the loop waits after a failed accept: the descriptors a closing session gives back
// come within that time, and the thread keeps serving the others meanwhile.
inline constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// At most one line per `every` for an event that may repeat fast, with the count of lines left
// out since the last one.
class RateLimitedLog {
  public:
    explicit RateLimitedLog(std::chrono::milliseconds every = std::chrono::seconds(1))
        : every_(every) {}
    // Calls `log(skipped)` when a line is due, else counts this one as left out.
    template <typename Log>
    void operator()(Log&& log) {
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < every_) {
            ++skipped_;
            return;
        }
        last_ = now;
        log(std::exchange(skipped_, 0));
    }

  private:
    std::chrono::milliseconds every_;
    std::chrono::steady_clock::time_point last_{};
    std::uint64_t skipped_ = 0;
};

template <typename Protocol>
class Listener {
  public:
    using Acceptor = typename Protocol::acceptor;
    using Socket = typename Protocol::socket;

    // `name` ("gateway", "admin") prefixes the log events: "<name>.accept_failed".
    Listener(asio::io_context& io, std::string name)
        : acceptor_(io), pause_(io), name_(std::move(name)) {}
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    Acceptor& acceptor() { return acceptor_; }
    bool open() const { return acceptor_.is_open(); }

    // Opens the acceptor, binds it to `endpoint` and listens (SO_REUSEADDR set, as Asio's own
    // acceptor constructor does); the first error, if any.
    std::error_code listen(const typename Protocol::endpoint& endpoint) {
        std::error_code ec;
        acceptor_.open(endpoint.protocol(), ec);
        if (!ec) acceptor_.set_option(typename Acceptor::reuse_address(true), ec);
        if (!ec) acceptor_.bind(endpoint, ec);
        if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        return ec;
    }

    // Starts the loop on an acceptor already listening: each accepted socket goes to
    // `server->on_accept(Socket)`; `server` outlives the listener (it owns it).
    template <typename Server>
    void start(Server* server) {
        on_accept_ = [server](Socket socket) { server->on_accept(std::move(socket)); };
        asio::co_spawn(
            acceptor_.get_executor(), [this] { return loop(); }, asio::detached);
    }

    void stop() {
        std::error_code ignored;
        acceptor_.close(ignored);
        pause_.cancel();
    }

  private:
    // Errors that the next accept would meet again at once.
    static bool out_of_resources(const std::error_code& ec) {
        return ec == asio::error::no_descriptors ||
               ec == std::errc::too_many_files_open_in_system ||
               ec == asio::error::no_buffer_space || ec == asio::error::no_memory;
    }

    asio::awaitable<void> loop() {
        for (;;) {
            std::error_code ec;
            Socket socket =
                co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            if (!ec) {
                on_accept_(std::move(socket));
                continue;
            }
            const bool exhausted = out_of_resources(ec);
            failures_([&](std::uint64_t skipped) {
                log_error(
                    name_ + ".accept_failed",
                    "cannot accept a connection: {}{} ({} more since the last line)", ec.message(),
                    exhausted ? fmt::format("; pausing {} ms", kAcceptPause.count()) : "", skipped);
            });
            if (!exhausted) continue;  // that connection only (reset before it was accepted)
            pause_.expires_after(kAcceptPause);
            co_await pause_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
        }
    }

    Acceptor acceptor_;
    asio::steady_timer pause_;
    std::string name_;
    std::function<void(Socket)> on_accept_;
    RateLimitedLog failures_;
};

}  // namespace acd::net
