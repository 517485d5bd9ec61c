#include "gateway_server.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <deque>

#include "acd/version.hpp"

namespace acd::net {
namespace {

using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;

tcp::socket& lowest(tcp::socket& s) {
    return s;
}
tcp::socket& lowest(TlsStream& s) {
    return s.next_layer();
}

// What the server keeps of a session, whatever its stream.
class SessionBase : public GatewayLink {
  public:
    virtual void resume() = 0;  // reading paused for back-pressure may go on
};

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  public:
    Session(Stream stream, GatewayHub& hub)
        : stream_(std::move(stream)),
          hub_(hub),
          wake_writer_(lowest(stream_).get_executor()),
          wake_reader_(lowest(stream_).get_executor()),
          handshake_timer_(lowest(stream_).get_executor()) {
        wake_writer_.expires_at(std::chrono::steady_clock::time_point::max());
        wake_reader_.expires_at(std::chrono::steady_clock::time_point::max());
    }

    void start() {
        auto self = this->shared_from_this();
        handshake_timer_.expires_after(kHandshakeTimeout);
        handshake_timer_.async_wait([self](std::error_code ec) {
            if (!ec && !self->welcomed_) self->abort();
        });
        asio::co_spawn(
            lowest(stream_).get_executor(), [self] { return self->reader(); }, asio::detached);
        asio::co_spawn(
            lowest(stream_).get_executor(), [self] { return self->writer(); }, asio::detached);
    }

    const std::string& gateway() const override { return gateway_; }

    void send(const Json& message) override {
        if (closing_) return;
        std::string line = message.dump();
        line.push_back('\n');
        outbox_bytes_ += line.size();
        outbox_.push_back(std::move(line));
        if (outbox_bytes_ > kMaxOutboxBytes) {
            abort();  // the peer does not read: drop it, never grow without bound
            return;
        }
        wake_writer_.cancel_one();
    }

    void close() override {
        closing_ = true;
        wake_writer_.cancel_one();
    }

    void abort() override {
        if (closed_) return;
        closed_ = closing_ = true;
        std::error_code ignored;
        lowest(stream_).shutdown(tcp::socket::shutdown_both, ignored);
        lowest(stream_).close(ignored);
        handshake_timer_.cancel();
        wake_writer_.cancel();
        wake_reader_.cancel();
        if (welcomed_) hub_.on_closed(*this);
    }

    void resume() override { wake_reader_.cancel(); }

  private:
    void refuse(ErrorCode code, const std::string& message) {
        send(error_json(code, message, std::nullopt));
        close();
    }

    // Reads one line into `line`; false when the connection is over (or the line was too long:
    // then the error is sent and the connection closes).
    awaitable<bool> read_line(std::string& line) {
        std::error_code ec;
        const std::size_t n =
            co_await asio::async_read_until(stream_, asio::dynamic_buffer(buffer_, kMaxReadBytes),
                                            '\n', asio::redirect_error(use_awaitable, ec));
        if (ec && ec != asio::error::not_found) co_return false;
        // The same cut as framing.hpp's next_line() (which the fuzz target runs): '\n' within
        // kMaxReadBytes, then line_content() strips it and checks the length.
        const auto content =
            ec ? std::nullopt : line_content(std::string_view(buffer_).substr(0, n));
        if (!content) {
            refuse(ErrorCode::line_too_long,
                   fmt::format("a line is longer than {} bytes", kMaxLineBytes));
            co_return false;
        }
        line.assign(*content);
        buffer_.erase(0, n);
        co_return true;
    }

    awaitable<void> handshake() {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            std::error_code ec;
            co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                             asio::redirect_error(use_awaitable, ec));
            if (ec) {
                abort();
                co_return;
            }
        }
        std::string line;
        if (!co_await read_line(line)) co_return;
        auto hello = parse_hello(line);
        if (auto* err = std::get_if<HelloRefusal>(&hello)) {
            co_return refuse(err->code, err->message);
        }
        gateway_ = std::get<Hello>(hello).gateway;
        auto self = this->shared_from_this();
        // The welcome goes first; what the hub sends while admitting (nothing) or after follows.
        auto admitted = hub_.admit(self, std::get<Hello>(hello));
        if (!admitted) co_return refuse(ErrorCode::unauthorized, admitted.error().message);
        welcomed_ = true;
        handshake_timer_.cancel();
        outbox_.push_front(Json{{"type", "welcome"},
                                {"protocol", 1},
                                {"server", std::string("acdd/") + kVersion},
                                {"last_seq", *admitted}}
                               .dump() +
                           "\n");
        outbox_bytes_ += outbox_.front().size();
        wake_writer_.cancel_one();
        hub_.welcomed(self);
    }

    awaitable<void> reader() {
        co_await handshake();
        std::string line;
        while (welcomed_ && !closing_) {
            while (!hub_.accepting() && !closing_) {
                std::error_code ec;
                wake_reader_.expires_at(std::chrono::steady_clock::time_point::max());
                co_await wake_reader_.async_wait(asio::redirect_error(use_awaitable, ec));
            }
            if (closing_ || !co_await read_line(line)) break;
            const Json message = Json::parse(line, nullptr, /*allow_exceptions=*/false);
            if (message.is_discarded()) {
                send(error_json(ErrorCode::bad_json, "the line is not valid JSON", std::nullopt));
                continue;
            }
            hub_.on_message(*this, message);
        }
        if (!closing_) abort();
    }

    awaitable<void> writer() {
        while (!closed_) {
            if (outbox_.empty()) {
                if (closing_) break;
                std::error_code ec;
                co_await wake_writer_.async_wait(asio::redirect_error(use_awaitable, ec));
                continue;
            }
            std::error_code ec;
            co_await asio::async_write(stream_, asio::buffer(outbox_.front()),
                                       asio::redirect_error(use_awaitable, ec));
            if (ec) break;
            outbox_bytes_ -= outbox_.front().size();
            outbox_.pop_front();
        }
        abort();
    }

    Stream stream_;
    GatewayHub& hub_;
    asio::steady_timer wake_writer_;
    asio::steady_timer wake_reader_;
    asio::steady_timer handshake_timer_;
    std::string buffer_;
    std::deque<std::string> outbox_;
    std::size_t outbox_bytes_ = 0;
    std::string gateway_;
    bool welcomed_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

Result<std::unique_ptr<asio::ssl::context>> tls_context(const TlsConfig& tls) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
    std::error_code ec;
    const auto fail = [&](const std::string& what, const std::filesystem::path& p) {
        return Error{
            fmt::format("gateway.tls.{}: cannot use {}: {}", what, p.string(), ec.message())};
    };
    if (ctx->use_certificate_chain_file(tls.cert.string(), ec); ec) return fail("cert", tls.cert);
    if (ctx->use_private_key_file(tls.key.string(), asio::ssl::context::pem, ec); ec) {
        return fail("key", tls.key);
    }
    if (tls.client_ca) {
        if (ctx->load_verify_file(tls.client_ca->string(), ec); ec) {
            return fail("client_ca", *tls.client_ca);
        }
        ctx->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
    }
    return ctx;
}

}  // namespace

struct GatewayServer::Impl {
    asio::io_context& io;
    GatewayHub& hub;
    tcp::acceptor acceptor;
    std::unique_ptr<asio::ssl::context> tls;
    std::vector<std::weak_ptr<SessionBase>> sessions;

    Impl(asio::io_context& io, GatewayHub& hub) : io(io), hub(hub), acceptor(io) {}

    awaitable<void> accept_loop() {
        for (;;) {
            std::error_code ec;
            tcp::socket socket =
                co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            socket.set_option(tcp::no_delay(true), ec);
            // A gateway may rightly stay silent for hours: dead peers are found by keepalive.
            socket.set_option(asio::socket_base::keep_alive(true), ec);
            if (tls) {
                spawn(
                    std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls), hub));
            } else {
                spawn(std::make_shared<Session<tcp::socket>>(std::move(socket), hub));
            }
        }
    }

    template <typename S>
    void spawn(std::shared_ptr<S> session) {
        std::erase_if(sessions, [](const auto& w) { return w.expired(); });
        sessions.push_back(session);
        session->start();
    }
};

Result<std::unique_ptr<GatewayServer>> GatewayServer::start(asio::io_context& io,
                                                            const GatewayConfig& config,
                                                            GatewayHub& hub) {
    auto impl = std::make_unique<Impl>(io, hub);
    if (config.tls) {
        auto ctx = tls_context(*config.tls);
        if (!ctx) return ctx.error();
        impl->tls = std::move(*ctx);
    }
    std::error_code ec;
    const auto address =
        asio::ip::make_address(config.host == "localhost" ? "127.0.0.1" : config.host, ec);
    if (ec) return Error{fmt::format("gateway.listen: bad address '{}'", config.host)};
    const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(config.port));
    impl->acceptor.open(endpoint.protocol(), ec);
    if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) impl->acceptor.bind(endpoint, ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Error{
            fmt::format("gateway.listen: cannot listen on {}: {}", config.listen, ec.message())};
    Impl* raw = impl.get();
    asio::co_spawn(
        io, [raw] { return raw->accept_loop(); }, asio::detached);
    return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(impl)));
}

GatewayServer::GatewayServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayServer::~GatewayServer() {
    stop();
}

void GatewayServer::stop() {
    std::error_code ignored;
    impl_->acceptor.close(ignored);
}

std::uint16_t GatewayServer::port() const {
    std::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void GatewayServer::resume_reading() {
    for (const auto& weak : impl_->sessions) {
        if (auto s = weak.lock()) s->resume();
    }
}

}  // namespace acd::net
