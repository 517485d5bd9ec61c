#include "acd/admin_server.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "line_stream.hpp"

namespace acd::net {
namespace {

using asio::awaitable;
using asio::use_awaitable;
using local = asio::local::stream_protocol;

Json error_response(std::string_view code, std::string_view text) {
    return {{"result", 1}, {"text", text}, {"arguments", {{"code", code}}}};
}

PeerCredentials credentials_of(local::socket& socket) {
    ucred cred{};
    socklen_t len = sizeof cred;
    PeerCredentials peer;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
        peer = {cred.uid, cred.gid, cred.pid};
    }
    return peer;
}

class Session : public AdminLink, public std::enable_shared_from_this<Session> {
  public:
    // `open` counts live sessions; shared, since sessions may outlive the server at exit.
    Session(local::socket socket, AdminHub& hub, std::shared_ptr<std::size_t> open,
            std::chrono::milliseconds idle_timeout)
        : peer_(credentials_of(socket)),
          idle_timeout_(idle_timeout),
          lines_(std::move(socket), kAdminMaxOutboxBytes),
          hub_(hub),
          open_(std::move(open)),
          responded_(lines_.socket().get_executor()) {
        ++*open_;
    }
    ~Session() override { --*open_; }

    void start() {
        auto self = shared_from_this();
        const auto executor = lines_.socket().get_executor();
        asio::co_spawn(
            executor, [self] { return self->reader(); }, asio::detached);
        asio::co_spawn(
            executor,
            [self]() -> awaitable<void> {
                co_await self->lines_.write_loop();
                self->hub_.on_closed(*self);
                self->responded_.cancel();
            },
            asio::detached);
    }

    // Refuses a connection over the bound, then closes.
    void refuse(std::string_view text) {
        auto self = shared_from_this();
        lines_.send(error_response("too_many_connections", text).dump());
        lines_.close();
        asio::co_spawn(
            lines_.socket().get_executor(), [self] { return self->lines_.write_loop(); },
            asio::detached);
    }

    const PeerCredentials& peer() const override { return peer_; }

    void respond(const Json& response) override {
        if (!lines_.send(response.dump())) lines_.abort();
        waiting_ = false;
        responded_.cancel();
    }

    void start_stream() override { subscribed_ = true; }

    bool send(const Json& message) override {
        if (lines_.outbox_bytes() > kSubscriberMaxBacklogBytes || !lines_.send(message.dump())) {
            // Behind: what is queued will never be read in time; say why, and drop it.
            lines_.clear_outbox();
            lines_.send(
                error_response("too_slow", "subscriber too slow: dropped; subscribe again").dump());
            lines_.close();
            return false;
        }
        return true;
    }

    void close() override { lines_.close(); }

  private:
    awaitable<void> reader() {
        std::string line;
        while (!lines_.closing()) {
            // A subscriber only listens: no idle timeout, lines are read to notice the close.
            const auto timeout = subscribed_ ? std::chrono::milliseconds(0) : idle_timeout_;
            const ReadStatus status = co_await lines_.read_line(line, timeout);
            if (status == ReadStatus::too_long) {
                lines_.send(error_response("bad_request",
                                           fmt::format("a request line is longer than {} bytes",
                                                       kAdminMaxLineBytes))
                                .dump());
                lines_.close();
                break;
            }
            if (status != ReadStatus::line) break;
            if (subscribed_) continue;
            co_await handle(line);
        }
        if (!lines_.closing()) lines_.abort();
    }

    awaitable<void> handle(const std::string& line) {
        const Json request = Json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (!request.is_object()) {
            respond(error_response("bad_request", "a request is one JSON object per line"));
            co_return;
        }
        waiting_ = true;
        hub_.on_request(shared_from_this(), request);
        while (waiting_ && !lines_.closed()) {
            std::error_code ec;
            responded_.expires_at(std::chrono::steady_clock::time_point::max());
            co_await responded_.async_wait(asio::redirect_error(use_awaitable, ec));
        }
    }

    PeerCredentials peer_;
    std::chrono::milliseconds idle_timeout_;
    LineStream<local::socket> lines_;
    AdminHub& hub_;
    std::shared_ptr<std::size_t> open_;
    asio::steady_timer responded_;
    bool waiting_ = false;
    bool subscribed_ = false;
};

// Another live acdd answers on the path; a stale file from a crash does not.
bool someone_listens(asio::io_context& io, const std::string& path) {
    local::socket probe(io);
    std::error_code ec;
    probe.connect(local::endpoint(path), ec);
    return !ec;
}

}  // namespace

struct AdminServer::Impl {
    asio::io_context& io;
    AdminHub& hub;
    local::acceptor acceptor;
    std::string path;
    std::chrono::milliseconds idle_timeout;
    std::shared_ptr<std::size_t> open = std::make_shared<std::size_t>(0);

    Impl(asio::io_context& io, AdminHub& hub, std::chrono::milliseconds idle_timeout)
        : io(io), hub(hub), acceptor(io), idle_timeout(idle_timeout) {}

    awaitable<void> accept_loop() {
        for (;;) {
            std::error_code ec;
            local::socket socket =
                co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
            if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            auto session = std::make_shared<Session>(std::move(socket), hub, open, idle_timeout);
            if (*open > kMaxAdminConnections) {
                session->refuse(
                    fmt::format("more than {} admin connections", kMaxAdminConnections));
            } else {
                session->start();
            }
        }
    }
};

Result<std::unique_ptr<AdminServer>> AdminServer::start(asio::io_context& io,
                                                        const AdminConfig& config, AdminHub& hub,
                                                        std::chrono::milliseconds idle_timeout) {
    auto impl = std::make_unique<Impl>(io, hub, idle_timeout);
    impl->path = config.socket.string();
    if (impl->path.size() >= sizeof(sockaddr_un::sun_path)) {
        return Error{ErrorCode::io_error,
                     fmt::format("admin.socket: {} is longer than {} bytes", impl->path,
                                 sizeof(sockaddr_un::sun_path) - 1)};
    }
    struct stat st {};
    if (::lstat(impl->path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            return Error{ErrorCode::io_error,
                         fmt::format("admin.socket: {} exists and is not a socket", impl->path)};
        }
        if (someone_listens(io, impl->path)) {
            return Error{ErrorCode::io_error,
                         fmt::format("admin.socket: another acdd already serves {}", impl->path)};
        }
        ::unlink(impl->path.c_str());  // stale, from a crash
    }
    std::error_code ec;
    impl->acceptor.open(local(), ec);
    if (!ec) impl->acceptor.bind(local::endpoint(impl->path), ec);
    if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        return Error{ErrorCode::io_error, fmt::format("admin.socket: cannot listen on {}: {}",
                                                      impl->path, ec.message())};
    // File permissions are the authentication (the umask kept it private until now).
    if (::chmod(impl->path.c_str(), config.mode) != 0) {
        return Error{ErrorCode::io_error, fmt::format("admin.socket: cannot chmod {}: {}",
                                                      impl->path, std::strerror(errno))};
    }
    Impl* raw = impl.get();
    asio::co_spawn(
        io, [raw] { return raw->accept_loop(); }, asio::detached);
    return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminServer::~AdminServer() {
    stop();
}

void AdminServer::stop() {
    if (!impl_->acceptor.is_open()) return;
    std::error_code ignored;
    impl_->acceptor.close(ignored);
    ::unlink(impl_->path.c_str());
}

}  // namespace acd::net
