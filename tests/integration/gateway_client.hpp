// A gateway for tests: one connection (plain TCP or TLS with OpenSSL), NDJSON lines out, lines in
// with a deadline. Blocking and simple on purpose: the daemon is what is under test.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "acd/codec.hpp"

namespace acd::test {

struct TlsFiles {
    std::string ca;    // to verify the server
    std::string cert;  // client certificate, empty for none
    std::string key;
    int max_version = 0;  // e.g. TLS1_1_VERSION to try an old protocol; 0: no limit
};

class GatewayClient {
  public:
    GatewayClient(std::uint16_t port, const std::optional<TlsFiles>& tls = std::nullopt);
    ~GatewayClient();
    GatewayClient(const GatewayClient&) = delete;
    GatewayClient& operator=(const GatewayClient&) = delete;

    bool connected() const { return fd_ >= 0 && !failed_; }
    void set_receive_buffer(int bytes);

    void send(const Json& message) { send_raw(message.dump() + "\n"); }
    void send_raw(const std::string& bytes);
    // The next line, or nullopt when the connection closes or `deadline` passes.
    std::optional<Json> receive(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // Skips lines until one of `type` comes; nullopt when none does.
    std::optional<Json> receive_type(const std::string& type,
                                     std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // Sends an event (with its "seq") and reads until an ack covers it; the other lines read
    // meanwhile go to `others` when given. False when no such ack comes.
    bool send_acked(const Json& event, std::vector<Json>* others = nullptr);
    // Waits until the daemon closes the connection.
    bool closed_by_peer(std::chrono::milliseconds deadline = std::chrono::seconds(15));

    // hello, then the welcome (nullopt when refused).
    std::optional<Json> hello(const std::string& gateway, std::optional<std::string> token = {});

  private:
    // Reads more bytes into buffer_; false on close, error or deadline.
    bool fill(std::chrono::steady_clock::time_point until);

    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    bool failed_ = false;
    std::string buffer_;
};

}  // namespace acd::test
