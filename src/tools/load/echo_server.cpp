#include "load/echo_server.hpp"

#include <array>

namespace acd::load {
namespace {

using tcp = asio::ip::tcp;

constexpr std::string_view kWelcome =
    "{\"type\":\"welcome\",\"protocol\":1,\"server\":\"echo\",\"last_seq\":0}\n";

// One connection: read a chunk, write it back, again. Keeps itself alive through its handlers.
template <typename Stream>
class EchoSession : public std::enable_shared_from_this<EchoSession<Stream>> {
  public:
    explicit EchoSession(Stream stream) : stream_(std::move(stream)) {}

    void start() {
        if constexpr (std::is_same_v<Stream, tcp::socket>) {
            read();
        } else {
            auto self = this->shared_from_this();
            stream_.async_handshake(asio::ssl::stream_base::server,
                                    [self](const std::error_code& ec) {
                                        if (!ec) self->read();
                                    });
        }
    }

  private:
    void read() {
        auto self = this->shared_from_this();
        stream_.async_read_some(asio::buffer(in_),
                                [self](const std::error_code& ec, std::size_t n) {
                                    if (!ec) self->echo(n);
                                });
    }

    void echo(std::size_t n) {
        out_.assign(in_.data(), n);
        if (!welcomed_) {
            // Everything up to the first newline is the hello: answer it with the welcome.
            const auto nl = out_.find('\n');
            if (nl == std::string::npos) return read();  // still in the hello
            out_.replace(0, nl + 1, kWelcome);
            welcomed_ = true;
        }
        auto self = this->shared_from_this();
        asio::async_write(stream_, asio::buffer(out_),
                          [self](const std::error_code& ec, std::size_t) {
                              if (!ec) self->read();
                          });
    }

    Stream stream_;
    std::array<char, 64 * 1024> in_{};
    std::string out_;
    bool welcomed_ = false;
};

}  // namespace

EchoServer::EchoServer(asio::io_context& io, const Endpoint& where, asio::ssl::context* tls)
    : io_(io), acceptor_(io), tls_(tls) {
    const tcp::endpoint endpoint(
        asio::ip::make_address(where.host == "localhost" ? "127.0.0.1" : where.host), where.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
    accept();
}

std::uint16_t EchoServer::port() const {
    return acceptor_.local_endpoint().port();
}

void EchoServer::accept() {
    acceptor_.async_accept([this](const std::error_code& ec, tcp::socket socket) {
        if (!ec) {
            std::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            if (tls_ != nullptr) {
                std::make_shared<EchoSession<asio::ssl::stream<tcp::socket>>>(
                    asio::ssl::stream<tcp::socket>(std::move(socket), *tls_))
                    ->start();
            } else {
                std::make_shared<EchoSession<tcp::socket>>(std::move(socket))->start();
            }
        }
        accept();
    });
}

}  // namespace acd::load
