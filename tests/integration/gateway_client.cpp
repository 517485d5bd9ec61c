#include "gateway_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace acd::test {

using Clock = std::chrono::steady_clock;

GatewayClient::GatewayClient(std::uint16_t port, const std::optional<TlsFiles>& tls) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        failed_ = true;
        return;
    }
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!tls) return;
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, tls->ca.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (tls->max_version != 0) {
        SSL_CTX_set_security_level(ctx_, 0);
        SSL_CTX_set_min_proto_version(ctx_, 0);
        SSL_CTX_set_max_proto_version(ctx_, tls->max_version);
    }
    if (!tls->cert.empty()) {
        SSL_CTX_use_certificate_chain_file(ctx_, tls->cert.c_str());
        SSL_CTX_use_PrivateKey_file(ctx_, tls->key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
    if (SSL_connect(ssl_) != 1) failed_ = true;
}

GatewayClient::~GatewayClient() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

void GatewayClient::set_receive_buffer(int bytes) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

void GatewayClient::send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size() && !failed_) {
        const ssize_t n =
            ssl_ != nullptr
                ? SSL_write(ssl_, bytes.data() + done, static_cast<int>(bytes.size() - done))
                : ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n <= 0) {
            failed_ = true;
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

bool GatewayClient::fill(Clock::time_point until) {
    if (failed_) return false;
    char buf[65536];
    for (;;) {
        if (ssl_ == nullptr || SSL_pending(ssl_) == 0) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return false;
        }
        const ssize_t n =
            ssl_ != nullptr ? SSL_read(ssl_, buf, sizeof buf) : ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            buffer_.append(buf, static_cast<std::size_t>(n));
            return true;
        }
        if (ssl_ != nullptr && n < 0 &&
            SSL_get_error(ssl_, static_cast<int>(n)) == SSL_ERROR_WANT_READ) {
            continue;
        }
        failed_ = true;
        return false;
    }
}

std::optional<Json> GatewayClient::receive(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    for (;;) {
        const auto eol = buffer_.find('\n');
        if (eol != std::string::npos) {
            const std::string line = buffer_.substr(0, eol);
            buffer_.erase(0, eol + 1);
            return Json::parse(line, nullptr, false);
        }
        if (!fill(until)) return std::nullopt;
    }
}

std::optional<Json> GatewayClient::receive_type(const std::string& type,
                                                std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
        auto line = receive(std::max(left, std::chrono::milliseconds(0)));
        if (!line) return std::nullopt;
        if (line->value("type", "") == type) return line;
    }
}

bool GatewayClient::closed_by_peer(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    while (fill(until))
        buffer_.clear();
    return failed_;
}

std::optional<Json> GatewayClient::hello(const std::string& gateway,
                                         std::optional<std::string> token) {
    Json h = {{"type", "hello"}, {"gateway", gateway}, {"protocol", 1}};
    if (token) h["token"] = *token;
    send(h);
    auto reply = receive();
    if (!reply || reply->value("type", "") != "welcome") return std::nullopt;
    return reply;
}

bool GatewayClient::send_acked(const Json& event, std::vector<Json>* others) {
    const std::uint64_t seq = event.at("seq");
    send(event);
    for (;;) {
        auto line = receive();
        if (!line) return false;
        if (line->value("type", "") != "ack") {
            if (others != nullptr) others->push_back(std::move(*line));
        } else if ((*line)["seq"] >= seq) {
            return true;
        }
    }
}

}  // namespace acd::test
