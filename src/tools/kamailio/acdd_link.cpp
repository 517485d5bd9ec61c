#include "acdd_link.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <utility>

#include "log.hpp"

namespace acd::kamailio {

using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;

namespace {

constexpr auto kWelcomeTimeout = std::chrono::seconds(10);
constexpr std::size_t kMaxLine = 1 << 20;  // acdd's lines are far shorter

bool is_ip_literal(const std::string& host) {
    asio::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

AcddLink::AcddLink(asio::io_context& io, const BridgeConfig& config, asio::ssl::context* tls,
                   Handlers handlers)
    : io_(io),
      config_(config),
      tls_(tls),
      plain_(asio::ssl::context::tls_client),
      handlers_(std::move(handlers)),
      wake_(io, asio::steady_timer::time_point::max()) {}

void AcddLink::start() {
    asio::co_spawn(io_, run(), asio::detached);
}

void AcddLink::stop() {
    stopped_ = true;
    close_stream();
    wake_.cancel();
}

void AcddLink::close_stream() {
    if (!stream_) return;
    asio::error_code ignored;
    stream_->next_layer().close(ignored);
}

void AcddLink::send(std::uint64_t seq, std::string line) {
    if (unacked_.size() >= kMaxUnacked) {
        unacked_.pop_front();
        if (dropped_++ % 1000 == 0) {
            log(Level::error, "acdd.backlog_full",
                "{} events wait for acdd's ack: the oldest is dropped ({} so far)", kMaxUnacked,
                dropped_);
        }
    }
    unacked_.push_back({seq, std::move(line)});
    wake_.cancel();
}

const AcddLink::Pending* AcddLink::pending(std::uint64_t seq) const {
    const auto it = std::lower_bound(unacked_.begin(), unacked_.end(), seq,
                                     [](const Pending& p, std::uint64_t s) { return p.seq < s; });
    return it != unacked_.end() && it->seq == seq ? &*it : nullptr;
}

void AcddLink::acknowledged(std::uint64_t seq) {
    while (!unacked_.empty() && unacked_.front().seq <= seq)
        unacked_.pop_front();
    if (unacked_.empty() && all_acked_) std::exchange(all_acked_, nullptr)();
}

void AcddLink::when_all_acked(std::function<void()> done) {
    if (unacked_.empty() || !ready_) {
        done();
        return;
    }
    all_acked_ = std::move(done);
}

awaitable<bool> AcddLink::open_stream() {
    asio::error_code ec;
    tcp::resolver resolver(io_);
    const HostPort& to = config_.acdd;
    auto endpoints = co_await resolver.async_resolve(to.host, std::to_string(to.port),
                                                     asio::redirect_error(use_awaitable, ec));
    if (ec) {
        log(Level::warning, "acdd.connect_failed", "{}:{}: {}", to.host, to.port, ec.message());
        co_return false;
    }
    stream_ = std::make_unique<Stream>(io_, tls_ ? *tls_ : plain_);
    co_await asio::async_connect(stream_->next_layer(), endpoints,
                                 asio::redirect_error(use_awaitable, ec));
    if (ec) {
        log(Level::debug, "acdd.connect_failed", "{}:{}: {}", to.host, to.port, ec.message());
        co_return false;
    }
    stream_->next_layer().set_option(tcp::no_delay(true), ec);
    stream_->next_layer().set_option(asio::socket_base::keep_alive(true), ec);
    if (tls_) {
        if (!is_ip_literal(to.host))
            SSL_set_tlsext_host_name(stream_->native_handle(), to.host.c_str());
        stream_->set_verify_mode(asio::ssl::verify_peer);
        stream_->set_verify_callback(asio::ssl::host_name_verification(to.host));
        co_await stream_->async_handshake(asio::ssl::stream_base::client,
                                          asio::redirect_error(use_awaitable, ec));
        if (ec) {
            log(Level::warning, "acdd.tls_failed", "{}:{}: {}", to.host, to.port, ec.message());
            co_return false;
        }
    }
    co_return true;
}

awaitable<std::size_t> AcddLink::read_some(asio::mutable_buffer buf, asio::error_code& ec) {
    if (tls_)
        co_return co_await stream_->async_read_some(buf, asio::redirect_error(use_awaitable, ec));
    co_return co_await stream_->next_layer().async_read_some(
        buf, asio::redirect_error(use_awaitable, ec));
}

awaitable<void> AcddLink::write_all(const std::string& data, asio::error_code& ec) {
    if (tls_) {
        co_await asio::async_write(*stream_, asio::buffer(data),
                                   asio::redirect_error(use_awaitable, ec));
    } else {
        co_await asio::async_write(stream_->next_layer(), asio::buffer(data),
                                   asio::redirect_error(use_awaitable, ec));
    }
}

awaitable<void> AcddLink::run() {
    auto backoff = std::chrono::milliseconds(100);
    while (!stopped_) {
        if (!co_await open_stream()) {
            if (stopped_) break;
            asio::error_code ec;
            asio::steady_timer t(io_, backoff);
            co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
            backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
            continue;
        }
        connected_ = true;
        written_ = 0;
        log(Level::info, "acdd.connected", "{}:{}{}", config_.acdd.host, config_.acdd.port,
            tls_ ? " (TLS)" : "");
        nlohmann::json hello{{"type", "hello"}, {"gateway", config_.gateway_id}, {"protocol", 1}};
        if (!config_.token.empty()) hello["token"] = config_.token;
        asio::error_code ec;
        co_await write_all(hello.dump() + "\n", ec);
        if (!ec) {
            // No welcome within 10 s: drop the connection and try again.
            asio::steady_timer welcome_deadline(io_, kWelcomeTimeout);
            welcome_deadline.async_wait([this](asio::error_code e) {
                if (!e && !ready_) {
                    log(Level::warning, "acdd.no_welcome", "no welcome within 10 s");
                    close_stream();
                }
            });
            co_await reader();
            welcome_deadline.cancel();
        }
        const bool was_ready = ready_;
        connected_ = false;
        ready_ = false;
        close_stream();
        wake_.cancel();
        if (stopped_) break;
        log(Level::warning, "acdd.lost", "{} events not yet acknowledged are kept",
            unacked_.size());
        if (was_ready) backoff = std::chrono::milliseconds(100);
        asio::steady_timer t(io_, backoff);
        co_await t.async_wait(asio::redirect_error(use_awaitable, ec));
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
}

awaitable<void> AcddLink::reader() {
    std::string buffer;
    std::array<char, 65536> chunk;
    for (;;) {
        asio::error_code ec;
        const std::size_t n = co_await read_some(asio::buffer(chunk), ec);
        if (ec) co_return;
        buffer.append(chunk.data(), n);
        std::size_t start = 0;
        for (;;) {
            const auto nl = buffer.find('\n', start);
            if (nl == std::string::npos) break;
            std::string_view line(buffer.data() + start, nl - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (!line.empty()) handle(line);
            start = nl + 1;
        }
        buffer.erase(0, start);
        if (buffer.size() > kMaxLine) {
            log(Level::error, "acdd.line_too_long", "a line from acdd passes {} bytes", kMaxLine);
            co_return;
        }
        if (!connected_) co_return;
    }
}

void AcddLink::handle(std::string_view line) {
    const FromAcdd m = from_acdd(line);
    switch (m.kind) {
        case FromAcdd::Kind::welcome:
            if (ready_) return;
            acknowledged(m.seq);
            ready_ = true;
            log(Level::info, "acdd.welcome", "last_seq {}, {} events to resend", m.seq,
                unacked_.size());
            asio::co_spawn(io_, writer(++generation_), asio::detached);
            if (handlers_.on_ready) handlers_.on_ready();
            return;
        case FromAcdd::Kind::ack:
            acknowledged(m.seq);
            return;
        default:
            if (handlers_.on_line) handlers_.on_line(m);
    }
}

awaitable<void> AcddLink::writer(std::uint64_t generation) {
    while (ready_ && !stopped_ && generation == generation_) {
        auto it = std::upper_bound(unacked_.begin(), unacked_.end(), written_,
                                   [](std::uint64_t s, const Pending& p) { return s < p.seq; });
        if (it == unacked_.end()) {
            asio::error_code ec;
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(asio::redirect_error(use_awaitable, ec));
            continue;
        }
        std::string out;
        std::uint64_t last = written_;
        for (; it != unacked_.end() && (out.empty() || out.size() + it->line.size() <= 65536);
             ++it) {
            out += it->line;
            last = it->seq;
        }
        asio::error_code ec;
        co_await write_all(out, ec);
        if (ec) {
            close_stream();  // the reader sees it and the link reconnects
            co_return;
        }
        if (generation == generation_) written_ = std::max(written_, last);
    }
}

}  // namespace acd::kamailio
