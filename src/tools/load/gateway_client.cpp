#include "load/gateway_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

namespace acd::load {
namespace {

using tcp = asio::ip::tcp;
using Json = nlohmann::json;

constexpr std::size_t kReadChunk = 64 * 1024;
constexpr auto kFirstBackoff = std::chrono::milliseconds(20);
constexpr auto kMaxBackoff = std::chrono::milliseconds(500);

std::optional<std::uint64_t> digits_at(std::string_view s, std::size_t pos) {
    std::uint64_t v = 0;
    const char* begin = s.data() + pos;
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec != std::errc() || end == begin) return std::nullopt;
    return v;
}

// acdd writes acks as {"seq":N,"type":"ack"} (nlohmann-json sorts keys): read those without a
// JSON parser, since they are most of what comes back. Anything else is parsed in full.
std::optional<std::uint64_t> plain_ack(std::string_view line) {
    constexpr std::string_view head = "{\"seq\":";
    constexpr std::string_view tail = ",\"type\":\"ack\"}";
    if (!line.starts_with(head) || !line.ends_with(tail)) return std::nullopt;
    return digits_at(line.substr(0, line.size() - tail.size()), head.size());
}

// An echoed event: its "seq" field, which acd-load writes without spaces.
std::optional<std::uint64_t> echoed_seq(std::string_view line) {
    const auto at = line.find("\"seq\":");
    if (at == std::string_view::npos) return std::nullopt;
    return digits_at(line, at + 6);
}

}  // namespace

GatewayClient::GatewayClient(asio::io_context& io, const ClientSettings& settings,
                             std::string gateway, std::size_t index, ClientListener& listener)
    : io_(io),
      settings_(settings),
      gateway_(std::move(gateway)),
      index_(index),
      listener_(listener),
      retry_timer_(io) {
    in_.resize(kReadChunk);
}

template <typename F>
void GatewayClient::with_stream(F&& f) {
    if (tls_) {
        f(*tls_);
    } else {
        f(*plain_);
    }
}

tcp::socket& GatewayClient::socket() {
    return tls_ ? tls_->next_layer() : *plain_;
}

void GatewayClient::start() {
    down_since_ = Clock::now();
    connect();
}

void GatewayClient::close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    ++generation_;
    retry_timer_.cancel();
    if (plain_ || tls_) {
        std::error_code ignored;
        socket().close(ignored);
    }
}

void GatewayClient::connect() {
    state_ = State::connecting;
    const std::uint64_t gen = ++generation_;
    plain_.reset();
    tls_.reset();
    if (settings_.tls != nullptr) {
        tls_.emplace(io_, *settings_.tls);
    } else {
        plain_.emplace(io_);
    }
    std::error_code ec;
    const std::string host =
        settings_.endpoint.host == "localhost" ? "127.0.0.1" : settings_.endpoint.host;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) {
        state_ = State::closed;
        listener_.on_failed(*this, fmt::format("'{}' is not an IP address", host));
        return;
    }
    socket().async_connect(tcp::endpoint(address, settings_.endpoint.port),
                           [this, gen](const std::error_code& error) {
                               if (gen != generation_) return;
                               if (error) return lost("connect: " + error.message());
                               on_connected();
                           });
}

void GatewayClient::on_connected() {
    std::error_code ignored;
    // Connecting to a loopback port nobody listens on can, rarely, connect the socket to itself
    // (TCP simultaneous open, when the kernel picks that same port as the source). Not a server.
    if (socket().local_endpoint(ignored) == socket().remote_endpoint(ignored)) {
        return lost("connected to itself: nobody listens there");
    }
    socket().set_option(tcp::no_delay(true), ignored);
    const std::uint64_t gen = generation_;
    const auto say_hello = [this] {
        state_ = State::handshaking;
        Json hello = {{"type", "hello"}, {"gateway", gateway_}, {"protocol", 1}};
        if (!settings_.token.empty()) hello["token"] = settings_.token;
        out_ = hello.dump() + "\n";
        flush();
        start_reading();
    };
    if (!tls_) return say_hello();
    tls_->async_handshake(asio::ssl::stream_base::client,
                          [this, gen, say_hello](const std::error_code& error) {
                              if (gen != generation_) return;
                              if (error) return lost("TLS handshake: " + error.message());
                              say_hello();
                          });
}

void GatewayClient::start_reading() {
    const std::uint64_t gen = generation_;
    with_stream([&](auto& stream) {
        stream.async_read_some(asio::buffer(in_),
                               [this, gen](const std::error_code& error, std::size_t n) {
                                   if (gen != generation_) return;
                                   if (error) return lost("read: " + error.message());
                                   handle_input(n);
                                   if (gen != generation_) return;
                                   listener_.on_input_done(*this);
                                   if (gen == generation_) start_reading();
                               });
    });
}

void GatewayClient::handle_input(std::size_t n) {
    const std::uint64_t gen = generation_;
    std::string_view data(in_.data(), n);
    while (gen == generation_) {
        const auto nl = data.find('\n');
        if (nl == std::string_view::npos) {
            part_.append(data);
            return;
        }
        if (part_.empty()) {
            handle_line(data.substr(0, nl));
        } else {
            part_.append(data.substr(0, nl));
            const std::string line = std::move(part_);
            part_.clear();
            handle_line(line);
        }
        data.remove_prefix(nl + 1);
    }
}

void GatewayClient::handle_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (state_ == State::handshaking) return handle_welcome(line);
    if (const auto seq = settings_.echo ? echoed_seq(line) : plain_ack(line)) {
        return acked_up_to(*seq, false);
    }
    if (!settings_.echo && line.find("\"ack\"") != std::string_view::npos) {
        const Json j = Json::parse(line, nullptr, false);
        if (j.is_object() && j.value("type", "") == "ack" && j.value("seq", Json()).is_number()) {
            return acked_up_to(j["seq"].get<std::uint64_t>(), false);
        }
    }
    listener_.on_message(*this, line);
}

void GatewayClient::handle_welcome(std::string_view line) {
    const Json j = Json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("type", "") != "welcome" ||
        !j.value("last_seq", Json()).is_number_unsigned()) {
        // A refusal (unauthorized, protocol) will not get better by retrying.
        close();
        listener_.on_failed(*this, fmt::format("expected a welcome, got: {}", line));
        return;
    }
    const auto last_seq = j["last_seq"].get<std::uint64_t>();
    const bool first = !welcomed_once_;
    if (first && unacked_.empty() && next_seq_ <= last_seq) {
        next_seq_ = last_seq + 1;  // this gateway id was used before: carry on above it
    }
    if (!first) ++reconnects_;
    welcomed_once_ = true;
    if (last_seq < highest_acked_) lost_acked_ += highest_acked_ - last_seq;
    acked_up_to(last_seq, true);
    state_ = State::ready;
    backoff_ = std::chrono::milliseconds(0);
    const auto now = Clock::now();
    for (Unacked& u : unacked_) {
        u.sent_at = now;
        out_ += u.line;
        if (!first) ++resent_;
    }
    flush();
    listener_.on_ready(*this, first);
}

void GatewayClient::acked_up_to(std::uint64_t seq, bool by_welcome) {
    highest_acked_ = std::max(highest_acked_, seq);
    while (!unacked_.empty() && unacked_.front().seq <= seq) {
        listener_.on_acked(*this, unacked_.front().seq, unacked_.front().sent_at, by_welcome);
        unacked_.pop_front();
    }
}

std::string GatewayClient::event_type(std::uint64_t seq) const {
    const auto it = std::lower_bound(unacked_.begin(), unacked_.end(), seq,
                                     [](const Unacked& u, std::uint64_t s) { return u.seq < s; });
    if (it == unacked_.end() || it->seq != seq) return "";
    const Json j = Json::parse(it->line, nullptr, false);
    return j.is_object() ? j.value("type", std::string()) : "";
}

void GatewayClient::queue(std::uint64_t seq, std::string line) {
    if (state_ == State::ready) {
        out_ += line;
        schedule_flush();
    }
    unacked_.push_back({seq, std::move(line), Clock::now()});
}

// Lines queued by one handler go out in one write once it returns.
void GatewayClient::schedule_flush() {
    if (flush_posted_ || !writing_.empty()) return;
    flush_posted_ = true;
    asio::post(io_, [this] {
        flush_posted_ = false;
        flush();
    });
}

void GatewayClient::flush() {
    if ((state_ != State::ready && state_ != State::handshaking) || !writing_.empty() ||
        out_.empty()) {
        return;
    }
    std::swap(out_, writing_);
    const std::uint64_t gen = generation_;
    with_stream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(writing_),
                          [this, gen](const std::error_code& error, std::size_t) {
                              if (gen != generation_) return;
                              if (error) return lost("write: " + error.message());
                              writing_.clear();
                              flush();
                          });
    });
}

void GatewayClient::lost(const std::string& why) {
    if (state_ == State::closed) return;
    // Up means welcomed: a connection dropped before its welcome (a refused TLS client
    // certificate shows only then under TLS 1.3) does not restart the reconnect timeout.
    const bool was_up = state_ == State::ready;
    if (was_up) down_since_ = Clock::now();
    state_ = State::down;
    ++generation_;
    std::error_code ignored;
    socket().close(ignored);
    out_.clear();  // every event in it is also in unacked_, resent after the next welcome
    writing_.clear();
    part_.clear();
    if (Clock::now() - down_since_ > settings_.reconnect_timeout) {
        state_ = State::closed;
        listener_.on_failed(*this, fmt::format("cannot reach {}:{} ({})", settings_.endpoint.host,
                                               settings_.endpoint.port, why));
        return;
    }
    if (was_up) listener_.on_down(*this, why);
    retry();
}

void GatewayClient::retry() {
    backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(kFirstBackoff), kMaxBackoff);
    retry_timer_.expires_after(backoff_);
    retry_timer_.async_wait([this](const std::error_code& error) {
        if (!error && state_ == State::down) connect();
    });
}

}  // namespace acd::load
