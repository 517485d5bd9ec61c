#include "admin_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace acd::test {

using Clock = std::chrono::steady_clock;

AdminClient::AdminClient(const std::string& socket_path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) failed_ = true;
}

AdminClient::~AdminClient() {
    if (fd_ >= 0) ::close(fd_);
}

void AdminClient::send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size() && !failed_) {
        const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            failed_ = true;
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

std::optional<Json> AdminClient::receive(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    for (;;) {
        const auto eol = buffer_.find('\n');
        if (eol != std::string::npos) {
            const std::string line = buffer_.substr(0, eol);
            buffer_.erase(0, eol + 1);
            return Json::parse(line, nullptr, false);
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        if (failed_ || left.count() <= 0) return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return std::nullopt;
        char buf[65536];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) {
            failed_ = true;
            return std::nullopt;
        }
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

Json AdminClient::call(const std::string& command, const Json& arguments) {
    send_raw(Json{{"command", command}, {"arguments", arguments}}.dump() + "\n");
    return receive().value_or(Json::object());
}

bool AdminClient::closed_by_peer(std::chrono::milliseconds deadline) {
    while (receive(deadline)) {
    }
    return failed_;
}

}  // namespace acd::test
