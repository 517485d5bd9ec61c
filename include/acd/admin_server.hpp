// The admin listener (docs/spec/admin-protocol.md "Transport"): a Unix socket with the configured
// mode, peers identified by SO_PEERCRED, one JSON request per line answered in order, a 64 KiB
// line cap, 300 s idle timeout, admin.max_connections (the last 4 for root and acdd's own uid;
// others are answered `too_many_connections` and closed), and subscription streams that never
// block the engine (a subscriber that falls behind is dropped with a final error line).
//
// Everything runs on one io_context thread, the engine's: the hub is called on that thread.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <memory>

#include "acd/codec.hpp"
#include "acd/config.hpp"
#include "acd/control.hpp"
#include "acd/framing.hpp"
#include "acd/result.hpp"

namespace acd::net {

// Requests are cut like gateway lines: at most kMaxLineBytes (framing.hpp), 64 KiB.
inline constexpr std::size_t kAdminMaxLineBytes = kMaxLineBytes;
inline constexpr auto kAdminIdleTimeout = std::chrono::seconds(300);
// Of admin.max_connections (config.md v1.1), the last ones are kept for uid 0 and acdd's uid.
inline constexpr std::size_t kAdminReservedConnections = 4;
// Responses may be large (a call list); a subscriber gets far less slack.
inline constexpr std::size_t kAdminMaxOutboxBytes = 64 << 20;
inline constexpr std::size_t kSubscriberMaxBacklogBytes = 1 << 20;

struct PeerCredentials {
    std::int64_t uid = -1;
    std::int64_t gid = -1;
    std::int64_t pid = -1;
};

// A connected admin client, as the daemon sees it. As a control::Stream: start() once a
// subscribe is accepted (from then on the connection carries only the stream, and is no longer
// closed for being idle); send() after the response to subscribe, one change of the stream (a
// subscriber that falls behind is sent a final `too_slow` error and dropped; false then).
class AdminLink : public control::Stream {
  public:
    virtual const PeerCredentials& peer() const = 0;
    // The response to the request being handled. Exactly one per request, now or later; the next
    // request is read only after it (requests are answered in order).
    virtual void respond(const Json& response) = 0;
    virtual void close() = 0;
};

class AdminHub {
  public:
    virtual ~AdminHub() = default;
    virtual void on_request(const std::shared_ptr<AdminLink>& link, const Json& request) = 0;
    virtual void on_closed(AdminLink& link) = 0;
};

class AdminServer {
  public:
    // Binds admin.socket with admin.mode. Refuses when another live acdd serves the path;
    // replaces a stale socket file left by a crash. A connection that sends nothing for
    // `idle_timeout` is closed, unless it is subscribed (tests shorten the timeout).
    static Result<std::unique_ptr<AdminServer>> start(
        asio::io_context& io, const AdminConfig& config, AdminHub& hub,
        std::chrono::milliseconds idle_timeout = kAdminIdleTimeout);
    ~AdminServer();
    // Stops accepting and removes the socket file; open connections stay until they close.
    void stop();

    struct Impl;

  private:
    explicit AdminServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace acd::net
