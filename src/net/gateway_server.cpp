#include "acd/gateway_server.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include "acd/log.hpp"
#include "acd/version.hpp"
#include "line_stream.hpp"
#include "listener.hpp"
#include "net/error_log.hpp"

namespace acd::net {
namespace {

using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using TlsStream = asio::ssl::stream<tcp::socket>;

// Failed TLS handshakes, logged at most once a second (a scanner may make many).
RateLimitedLog& tls_failures() {
    static RateLimitedLog log;  // the io_context thread only
    return log;
}

// What the server keeps of a session, whatever its stream.
class SessionBase : public GatewayLink {
  public:
    virtual void resume() = 0;  // reading paused for back-pressure may go on
};

template <typename Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  public:
    // `open` counts live sessions, `parser` reads their lines (one for the io thread); shared,
    // since sessions may outlive the server at exit.
    Session(Stream stream, GatewayHub& hub, std::shared_ptr<std::size_t> open,
            std::shared_ptr<GatewayLineParser> parser)
        : lines_(std::move(stream), kMaxOutboxBytes),
          hub_(hub),
          wake_reader_(lines_.socket().get_executor()),
          open_(std::move(open)),
          parser_(std::move(parser)) {
        wake_reader_.expires_at(std::chrono::steady_clock::time_point::max());
        ++*open_;
    }
    ~Session() override { --*open_; }

    void start() { start_reader_and_writer(this->shared_from_this(), lines_); }

    const std::string& gateway() const override { return gateway_; }

    void send(const Json& message) override {
        // Every error a gateway gets, the operator can read too (rate-limited).
        if (const auto type = message.find("type");
            type != message.end() && type->is_string() && *type == "error") {
            errors_.sent(gateway_, message);
        }
        send_line(message.dump());
    }
    void send_line(std::string line) override {
        // A peer that does not read is dropped rather than allowed to grow memory.
        if (lines_.send(std::move(line))) return;
        log_warning("gateway.slow",
                    "gateway {} disconnected: it left more than {} bytes unread (it does not "
                    "read what acdd sends)",
                    gateway_.empty() ? std::string("(before hello)") : gateway_, kMaxOutboxBytes);
        abort();
    }
    void close() override { lines_.close(); }
    void abort() override { lines_.abort(); }
    void resume() override { wake_reader_.cancel(); }

    // Once the writer has ended (start_reader_and_writer): leaves the hub.
    void closed() {
        wake_reader_.cancel();
        errors_.flush(gateway_);
        if (welcomed_) hub_.on_closed(*this);
        welcomed_ = false;
    }

  private:
    template <typename S, typename T>
    friend void net::start_reader_and_writer(std::shared_ptr<S>, LineStream<T>&);

    void refuse(ErrorCode code, const std::string& message) {
        send(error_json(code, message, std::nullopt));
        close();
    }

    // A line within the handshake time (until welcomed) or without a time limit after it: a
    // gateway may rightly be silent for hours, and dead peers are found by TCP keepalive.
    awaitable<bool> read_line(std::string& line) {
        const auto timeout = welcomed_ ? std::chrono::milliseconds(0) : remaining_handshake();
        switch (co_await lines_.read_line(line, timeout)) {
            case ReadStatus::line:
                co_return true;
            case ReadStatus::too_long:
                refuse(ErrorCode::line_too_long,
                       fmt::format("a line is longer than {} bytes", kMaxLineBytes));
                co_return false;
            default:
                co_return false;
        }
    }

    std::chrono::milliseconds remaining_handshake() const {
        const auto left = handshake_deadline_ - std::chrono::steady_clock::now();
        return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(left),
                        std::chrono::milliseconds(1));
    }

    awaitable<bool> tls_handshake() {
        if constexpr (std::is_same_v<Stream, TlsStream>) {
            asio::steady_timer timer(lines_.socket().get_executor());
            timer.expires_after(remaining_handshake());
            timer.async_wait([this](std::error_code ec) {
                if (!ec) abort();
            });
            std::error_code ec;
            co_await lines_.stream().async_handshake(asio::ssl::stream_base::server,
                                                     asio::redirect_error(use_awaitable, ec));
            timer.cancel();
            if (ec) {
                std::error_code ignored;
                const auto peer = lines_.socket().remote_endpoint(ignored);
                tls_failures()([&](std::uint64_t skipped) {
                    log_warning("gateway.tls",
                                "TLS handshake from {} failed: {} ({} more since the last line)",
                                ignored ? std::string("?") : peer.address().to_string(),
                                lines_.closed() ? std::string("no handshake within the time")
                                                : ec.message(),
                                skipped);
                });
                abort();
                co_return false;
            }
        }
        co_return true;
    }

    awaitable<void> handshake() {
        if (!co_await tls_handshake()) co_return;
        std::string line;
        if (!co_await read_line(line)) {
            if (!lines_.closing()) abort();  // the handshake time is over
            co_return;
        }
        auto hello = parse_hello(line);
        if (auto* err = std::get_if<HelloRefusal>(&hello)) {
            co_return refuse(err->code, err->message);
        }
        gateway_ = std::get<Hello>(hello).gateway;
        auto self = this->shared_from_this();
        auto admitted = hub_.admit(self, std::get<Hello>(hello));
        if (!admitted) co_return refuse(ErrorCode::unauthorized, admitted.error().message);
        welcomed_ = true;
        lines_.full_reads();  // an admitted gateway may send in bursts
        // The welcome goes before anything the hub sent while admitting.
        lines_.send_first(Json{
            {"type", "welcome"},
            {"protocol", 1},
            {"server", std::string("acdd/") + kVersion},
            {"last_seq",
             *admitted}}.dump());
        hub_.welcomed(self);
    }

    awaitable<void> reader() {
        co_await handshake();
        std::string line;
        while (welcomed_ && !lines_.closing()) {
            while (!hub_.accepting() && !lines_.closing()) {
                std::error_code ec;
                wake_reader_.expires_at(std::chrono::steady_clock::time_point::max());
                co_await wake_reader_.async_wait(asio::redirect_error(use_awaitable, ec));
            }
            if (lines_.closing() || !co_await read_line(line)) break;
            hub_.on_message(*this, parser_->parse(line, gateway_));
        }
        if (!lines_.closing()) abort();
    }

    LineStream<Stream> lines_;
    GatewayHub& hub_;
    asio::steady_timer wake_reader_;
    ErrorLog errors_;
    const std::chrono::steady_clock::time_point handshake_deadline_ =
        std::chrono::steady_clock::now() + kHandshakeTimeout;
    std::string gateway_;
    bool welcomed_ = false;
    std::shared_ptr<std::size_t> open_;
    std::shared_ptr<GatewayLineParser> parser_;
};

Result<std::unique_ptr<asio::ssl::context>> tls_context(const TlsConfig& tls) {
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
    std::error_code ec;
    const auto fail = [&](const std::string& what, const std::filesystem::path& p) {
        return Error{ErrorCode::io_error, fmt::format("gateway.tls.{}: cannot use {}: {}", what,
                                                      p.string(), ec.message())};
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
    Listener<tcp> listener;
    std::size_t max_connections;
    std::unique_ptr<asio::ssl::context> tls;
    std::vector<std::weak_ptr<SessionBase>> sessions;
    std::shared_ptr<std::size_t> open = std::make_shared<std::size_t>(0);
    std::shared_ptr<GatewayLineParser> parser = std::make_shared<GatewayLineParser>();
    RateLimitedLog refusals;

    Impl(asio::io_context& io, GatewayHub& hub, std::size_t max_connections)
        : io(io), hub(hub), listener(io, "gateway"), max_connections(max_connections) {}

    // Over gateway.max_connections, a connection is closed at once: it costs nothing more.
    void on_accept(tcp::socket socket) {
        std::error_code ec;
        if (*open >= max_connections) {
            refusals([&](std::uint64_t skipped) {
                const auto peer = socket.remote_endpoint(ec);
                log_warning("gateway.refused",
                            "connection from {} closed: {} gateway connections are open "
                            "(gateway.max_connections; {} more refused since the last line)",
                            ec ? std::string("?") : peer.address().to_string(), *open, skipped);
            });
            socket.close(ec);
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        // A gateway may rightly stay silent for hours: dead peers are found by keepalive.
        socket.set_option(asio::socket_base::keep_alive(true), ec);
        if (tls) {
            spawn(std::make_shared<Session<TlsStream>>(TlsStream(std::move(socket), *tls), hub,
                                                       open, parser));
        } else {
            spawn(std::make_shared<Session<tcp::socket>>(std::move(socket), hub, open, parser));
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
    auto impl = std::make_unique<Impl>(io, hub, static_cast<std::size_t>(config.max_connections));
    if (config.tls) {
        auto ctx = tls_context(*config.tls);
        if (!ctx) return ctx.error();
        impl->tls = std::move(*ctx);
    }
    std::error_code ec;
    const auto address =
        asio::ip::make_address(config.host == "localhost" ? "127.0.0.1" : config.host, ec);
    if (ec)
        return Error{ErrorCode::io_error,
                     fmt::format("gateway.listen: bad address '{}'", config.host)};
    const tcp::endpoint endpoint(address, static_cast<std::uint16_t>(config.port));
    if ((ec = impl->listener.listen(endpoint)))
        return Error{ErrorCode::io_error, fmt::format("gateway.listen: cannot listen on {}: {}",
                                                      config.listen, ec.message())};
    impl->listener.start(impl.get());
    return std::unique_ptr<GatewayServer>(new GatewayServer(std::move(impl)));
}

GatewayServer::GatewayServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GatewayServer::~GatewayServer() {
    stop();
}

void GatewayServer::stop() {
    impl_->listener.stop();
}

std::uint16_t GatewayServer::port() const {
    std::error_code ec;
    return impl_->listener.acceptor().local_endpoint(ec).port();
}

void GatewayServer::resume_reading() {
    for (const auto& weak : impl_->sessions) {
        if (auto s = weak.lock()) s->resume();
    }
}

}  // namespace acd::net
