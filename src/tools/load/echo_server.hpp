// A bare NDJSON echo server, so that acd-load can measure what loopback TCP (or TLS) and the
// client alone allow, with the same client it drives acdd with. It answers the first line
// (the hello) with a welcome whose last_seq is 0, then sends every byte it reads back as it is.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "load/options.hpp"

namespace acd::load {

class EchoServer {
  public:
    // Listens on `where` (port 0: any free port). `tls`: nullptr for plain TCP. Throws
    // std::system_error when it cannot listen.
    EchoServer(asio::io_context& io, const Endpoint& where, asio::ssl::context* tls);
    std::uint16_t port() const;

  private:
    void accept();

    asio::io_context& io_;
    asio::ip::tcp::acceptor acceptor_;
    asio::ssl::context* tls_;
};

}  // namespace acd::load
