#include "acd/admin_server.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "acd/log.hpp"
#include "line_stream.hpp"
#include "listener.hpp"

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

    void start() { start_reader_and_writer(shared_from_this(), lines_); }

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

    // Once the writer has ended (start_reader_and_writer): leaves the hub.
    void closed() {
        hub_.on_closed(*this);
        responded_.cancel();
    }

  private:
    template <typename S, typename T>
    friend void net::start_reader_and_writer(std::shared_ptr<S>, LineStream<T>&);

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
    Listener<local> listener;
    std::string path;
    std::size_t max_connections;
    std::chrono::milliseconds idle_timeout;
    std::shared_ptr<std::size_t> open = std::make_shared<std::size_t>(0);
    RateLimitedLog refusals;

    Impl(asio::io_context& io, AdminHub& hub, std::size_t max_connections,
         std::chrono::milliseconds idle_timeout)
        : io(io),
          hub(hub),
          listener(io, "admin"),
          max_connections(max_connections),
          idle_timeout(idle_timeout) {}

    // The last kAdminReservedConnections of admin.max_connections are kept for root and acdd's
    // own uid (systemctl reload, the operator), so that idle clients never lock them out.
    void on_accept(local::socket socket) {
        const std::size_t open_before = *open;
        auto session = std::make_shared<Session>(std::move(socket), hub, open, idle_timeout);
        const std::int64_t uid = session->peer().uid;
        const bool reserved_for = uid == 0 || uid == std::int64_t(::geteuid());
        const std::size_t limit =
            reserved_for ? max_connections : max_connections - kAdminReservedConnections;
        if (open_before < limit) return session->start();
        refusals([&](std::uint64_t skipped) {
            log_warning("admin.refused",
                        "connection of uid {} refused: {} admin connections are open "
                        "(admin.max_connections {}, the last {} kept for root and acdd; {} more "
                        "refused since the last line)",
                        uid, open_before, max_connections, kAdminReservedConnections, skipped);
        });
        session->refuse(
            fmt::format("too many connections: {} admin connections are open", open_before));
    }
};

Result<std::unique_ptr<AdminServer>> AdminServer::start(asio::io_context& io,
                                                        const AdminConfig& config, AdminHub& hub,
                                                        std::chrono::milliseconds idle_timeout) {
    auto impl = std::make_unique<Impl>(io, hub, static_cast<std::size_t>(config.max_connections),
                                       idle_timeout);
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
    if (const std::error_code ec = impl->listener.listen(local::endpoint(impl->path)))
        return Error{ErrorCode::io_error, fmt::format("admin.socket: cannot listen on {}: {}",
                                                      impl->path, ec.message())};
    // File permissions are the authentication (the umask kept it private until now).
    if (::chmod(impl->path.c_str(), config.mode) != 0) {
        return Error{ErrorCode::io_error, fmt::format("admin.socket: cannot chmod {}: {}",
                                                      impl->path, std::strerror(errno))};
    }
    impl->listener.start(impl.get());
    return std::unique_ptr<AdminServer>(new AdminServer(std::move(impl)));
}

AdminServer::AdminServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AdminServer::~AdminServer() {
    stop();
}

void AdminServer::stop() {
    if (!impl_->listener.open()) return;
    impl_->listener.stop();
    ::unlink(impl_->path.c_str());
}

}  // namespace acd::net
