#include "connection.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace acd::ctl {
namespace {

// A line longer than this is not a response from acdd: the daemon's own cap is 64 KiB on
// requests, but responses (a long call list) may be large, so allow plenty.
constexpr std::size_t kMaxResponseBytes = 256 << 20;

int millis_until(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

std::string connect_error(const std::string& path, int err) {
    std::string text = "cannot connect to " + path + ": " + std::strerror(err);
    if (err == ENOENT || err == ECONNREFUSED) {
        text += " (is acdd running? the socket is admin.socket in its configuration)";
    } else if (err == EACCES) {
        text += " (the socket's group and mode, admin.mode, decide who may use it)";
    }
    return text;
}

}  // namespace

Result<Connection> Connection::open(const std::string& path, std::chrono::milliseconds timeout) {
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
        return Error{ErrorCode::io_error, "socket path '" + path + "' is empty or longer than " +
                                              std::to_string(sizeof addr.sun_path - 1) + " bytes"};
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.data(), path.size());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return Error{ErrorCode::io_error,
                     std::string("cannot create a socket: ") + std::strerror(errno)};
    Connection c(fd);
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return c;
    // A Unix socket whose listen backlog is full says EAGAIN instead of waiting: retry until the
    // deadline, the way a blocking connect would wait.
    const auto deadline = Clock::now() + timeout;
    while (errno == EAGAIN || errno == EINTR || errno == EINPROGRESS) {
        if (errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            if (::poll(&p, 1, millis_until(deadline)) <= 0) break;
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
            if (err == 0) return c;
            return Error{ErrorCode::io_error, connect_error(path, err)};
        }
        if (Clock::now() >= deadline) break;
        pollfd none{-1, 0, 0};
        ::poll(&none, 0, 10);  // a short pause before trying again
        if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) return c;
    }
    if (errno == EAGAIN || errno == EINPROGRESS || errno == EINTR) {
        return Error{ErrorCode::io_error, "cannot connect to " + path + ": timed out after " +
                                              std::to_string(timeout.count()) + " ms"};
    }
    return Error{ErrorCode::io_error, connect_error(path, errno)};
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)), eof_(other.eof_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        buffer_ = std::move(other.buffer_);
        eof_ = other.eof_;
    }
    return *this;
}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

Status Connection::send_line(const std::string& line, std::chrono::milliseconds timeout) {
    const std::string bytes = line + '\n';
    const auto deadline = Clock::now() + timeout;
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) {
            pollfd p{fd_, POLLOUT, 0};
            const int ready = ::poll(&p, 1, millis_until(deadline));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return Error{ErrorCode::io_error, "timed out sending to acdd"};
            continue;
        }
        return Error{ErrorCode::io_error,
                     std::string("cannot send to acdd: ") + std::strerror(errno)};
    }
    return {};
}

bool Connection::has_buffered_line() const {
    return buffer_.find('\n') != std::string::npos;
}

Connection::Read Connection::read_line(std::string& line, Clock::time_point deadline) {
    for (;;) {
        const auto eol = buffer_.find('\n');
        if (eol != std::string::npos) {
            line.assign(buffer_, 0, eol);
            buffer_.erase(0, eol + 1);
            return Read::line;
        }
        if (eof_) return Read::closed;
        if (buffer_.size() > kMaxResponseBytes) return Read::error;
        char chunk[65536];
        const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer_.append(chunk, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0) {
            eof_ = true;
            continue;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN) return errno == ECONNRESET ? Read::closed : Read::error;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, millis_until(deadline));
        if (ready < 0 && errno == EINTR) return Read::timeout;  // a signal: let the caller look
        if (ready < 0) return Read::error;
        if (ready == 0) return Read::timeout;
    }
}

Result<std::string> Connection::round_trip(const std::string& request,
                                           std::chrono::milliseconds timeout) {
    std::string line;
    if (Status s = send_line(request, timeout); !s) {
        // acdd may have answered before reading anything (a connection over its limit is told
        // so and closed): that answer says more than the broken pipe.
        if (read_line(line, Clock::now() + std::chrono::milliseconds(100)) == Read::line) {
            return line;
        }
        return s.error();
    }
    switch (read_line(line, Clock::now() + timeout)) {
        case Read::line:
            return line;
        case Read::timeout:
            return Error{ErrorCode::io_error,
                         "no response from acdd within " + std::to_string(timeout.count()) + " ms"};
        case Read::closed:
            return Error{ErrorCode::io_error, "acdd closed the connection without a response"};
        case Read::error:
            break;
    }
    return Error{ErrorCode::io_error,
                 std::string("cannot read from acdd: ") + std::strerror(errno)};
}

}  // namespace acd::ctl
