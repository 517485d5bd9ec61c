// The gateway listener (docs/spec/gateway-protocol.md "Transport", "Framing", "Handshake"): TCP or
// TLS (mutual when a client CA is set), NDJSON lines of at most 65536 bytes, one reader and one
// writer coroutine per connection with a bounded outbound queue (Asio's cpp20 chat server is the
// model), the hello/welcome handshake within 10 s.
//
// Everything runs on one io_context thread, the engine's: the hub is called on that thread.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "acd/codec.hpp"
#include "acd/config.hpp"
#include "acd/framing.hpp"
#include "acd/gateway_line.hpp"
#include "acd/result.hpp"

namespace acd::net {

inline constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// A peer that lets this much pile up unread is disconnected rather than allowed to grow memory.
inline constexpr std::size_t kMaxOutboxBytes = 4 << 20;

// A connected gateway, as the daemon sees it.
class GatewayLink {
  public:
    virtual ~GatewayLink() = default;
    virtual const std::string& gateway() const = 0;
    // Queues one line (without the newline). Never blocks.
    virtual void send(const Json& message) = 0;
    // Queues one line already written as JSON (without the newline), such as command_text()'s
    // (record_json.hpp): no JSON value is built. Not for errors, which send() also logs.
    virtual void send_line(std::string line) = 0;
    // Sends what is queued, then closes.
    virtual void close() = 0;
    // Closes now, dropping what is queued.
    virtual void abort() = 0;
};

// What the listener needs from the daemon.
class GatewayHub {
  public:
    virtual ~GatewayHub() = default;
    // A valid hello arrived. Return the error to send (unauthorized), or the welcome's last_seq;
    // on success the hub registers `link` (closing an older link of the same gateway) and may
    // send() at once: the welcome is queued before anything the hub sends.
    virtual Result<std::uint64_t> admit(const std::shared_ptr<GatewayLink>& link,
                                        const Hello& hello) = 0;
    // Called after the welcome was queued: the hub resends its call.route commands.
    virtual void welcomed(const std::shared_ptr<GatewayLink>& link) = 0;
    // One line after the handshake, read by the gateway line parser (gateway_line.hpp): the
    // event, or the error to answer (a line that is not JSON, not an event, or has no valid seq).
    virtual void on_message(GatewayLink& link, Result<input::GatewayEvent, DecodeError> parsed) = 0;
    virtual void on_closed(GatewayLink& link) = 0;
    // While false, sessions stop reading (back-pressure from the store).
    virtual bool accepting() const = 0;
};

class GatewayServer {
  public:
    // Binds gateway.listen. Fails with a clear message (address in use, bad TLS files).
    static Result<std::unique_ptr<GatewayServer>> start(asio::io_context& io,
                                                        const GatewayConfig& config,
                                                        GatewayHub& hub);
    ~GatewayServer();
    // Stops accepting; open sessions stay until closed by the hub.
    void stop();
    std::uint16_t port() const;  // the bound port (useful with port 0 in tests)
    // Wakes sessions that paused reading because the hub was not accepting.
    void resume_reading();

    struct Impl;

  private:
    explicit GatewayServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace acd::net
