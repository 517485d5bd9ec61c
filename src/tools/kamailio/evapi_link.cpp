#include "evapi_link.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "log.hpp"
#include "netstring.hpp"

namespace acd::kamailio {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

void set_quickack(tcp::socket& s) {
    int one = 1;
    ::setsockopt(s.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

EvapiLink::EvapiLink(asio::io_context& io, HostPort endpoint, Handlers handlers)
    : io_(io),
      endpoint_(std::move(endpoint)),
      handlers_(std::move(handlers)),
      socket_(io),
      wake_(io, asio::steady_timer::time_point::max()) {}

void EvapiLink::start() {
    asio::co_spawn(io_, run(), asio::detached);
}

void EvapiLink::stop() {
    stopped_ = true;
    asio::error_code ignored;
    socket_.close(ignored);
    wake_.cancel();
}

void EvapiLink::send(std::string payload) {
    if (backlog_.size() >= kMaxEvapiBacklog) {
        backlog_.pop_front();
        if (dropped_++ % 1000 == 0) {
            log(Level::error, "kamailio.backlog_full",
                "{} commands kept for Kamailio: the oldest is dropped ({} so far)",
                kMaxEvapiBacklog, dropped_);
        }
    }
    backlog_.push_back(encode_netstring(payload));
    wake_.cancel();
}

awaitable<void> EvapiLink::run() {
    auto backoff = std::chrono::milliseconds(100);
    tcp::resolver resolver(io_);
    while (!stopped_) {
        asio::error_code ec;
        auto endpoints =
            co_await resolver.async_resolve(endpoint_.host, std::to_string(endpoint_.port),
                                            asio::redirect_error(use_awaitable, ec));
        if (!ec) {
            socket_ = tcp::socket(io_);
            co_await asio::async_connect(socket_, endpoints,
                                         asio::redirect_error(use_awaitable, ec));
        }
        if (stopped_) break;
        if (ec) {
            log(Level::debug, "kamailio.connect_failed", "{}:{}: {}", endpoint_.host,
                endpoint_.port, ec.message());
            asio::steady_timer t(io_, backoff);
            co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            continue;
        }
        backoff = std::chrono::milliseconds(100);
        socket_.set_option(tcp::no_delay(true), ec);
        socket_.set_option(asio::socket_base::keep_alive(true), ec);
        connected_ = true;
        log(Level::info, "kamailio.connected", "evapi {}:{}", endpoint_.host, endpoint_.port);
        if (handlers_.on_up) handlers_.on_up();
        // The writer ends when the socket closes; the reader returns first (on any error).
        asio::co_spawn(io_, writer(++generation_), asio::detached);
        co_await reader();
        connected_ = false;
        socket_.close(ec);
        wake_.cancel();
        if (handlers_.on_down && !stopped_) handlers_.on_down("connection lost");
    }
}

awaitable<void> EvapiLink::reader() {
    NetstringDecoder decoder;
    std::array<char, 65536> buf;
    for (;;) {
        asio::error_code ec;
        const std::size_t n = co_await socket_.async_read_some(
            asio::buffer(buf), asio::redirect_error(use_awaitable, ec));
        if (ec) {
            if (!stopped_) log(Level::warning, "kamailio.lost", "evapi: {}", ec.message());
            co_return;
        }
        set_quickack(socket_);
        decoder.feed(std::string_view(buf.data(), n));
        while (auto payload = decoder.next())
            handlers_.on_message(std::move(*payload));
        if (!decoder.error().empty()) {
            log(Level::error, "kamailio.bad_stream", "evapi: {}; reconnecting", decoder.error());
            co_return;
        }
    }
}

awaitable<void> EvapiLink::writer(std::uint64_t generation) {
    while (connected_ && !stopped_ && generation == generation_) {
        if (backlog_.empty()) {
            asio::error_code ec;
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(asio::redirect_error(use_awaitable, ec));
            continue;
        }
        // Everything queued goes in one write.
        std::string out;
        std::size_t count = 0;
        for (const auto& b : backlog_) {
            if (!out.empty() && out.size() + b.size() > 65536) break;
            out += b;
            ++count;
        }
        asio::error_code ec;
        co_await asio::async_write(socket_, asio::buffer(out),
                                   asio::redirect_error(use_awaitable, ec));
        if (ec) {
            asio::error_code ignored;
            socket_.close(ignored);  // the reader sees it and the link reconnects
            co_return;
        }
        backlog_.erase(backlog_.begin(), backlog_.begin() + static_cast<std::ptrdiff_t>(count));
    }
}

}  // namespace acd::kamailio
