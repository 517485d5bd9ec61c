// The web listener (docs/spec/web.md): HTTP/1.1, with TLS when `web.tls` is set, carrying the
// admin protocol unchanged through the same control::Registry as the admin socket, after ISC Kea's
// control agent: one registry, one validation, one audit, whatever the transport.
//
// Threads (docs/architecture.md, "The web listener"): cpp-httplib runs its own listening thread
// and a pool of worker threads; a worker reads and parses a request, then hands the work that
// touches acdd's state (sessions, users, the registry) to the io thread with asio::post and waits
// for its answer. Nothing but the worker waits: the io thread never blocks on a client, and a slow
// client holds only its worker, for at most the read and write timeouts. Password checks
// (Argon2id, tens of milliseconds) run on the worker, never on the io thread.
//
// Routes: POST /api/login, /api/logout, /api/command; GET /api/events (Server-Sent Events, a
// worker per client), /api/session, /healthz, /readyz, /metrics; the pages: GET / (sign-in),
// /desk (role agent), /board (supervisor, admin), /assets/*. A page without a session redirects
// to the sign-in; a role's wrong page is 403. Every
// response carries the spec's security headers; a body must be application/json (415) of at most
// 65536 bytes (413); an unknown path is 404, a known one with the wrong method 405.
//
// start() and the destructor on the thread that owns the io_context, before it runs and after it
// has stopped respectively; stop() from the io thread.
#pragma once

#include <asio.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "acd/config.hpp"
#include "acd/control.hpp"
#include "acd/store.hpp"
#include "users/users.hpp"

namespace acd::web {

struct Context {
    asio::io_context& io;
    control::Registry& registry;
    users::Users& users;
    std::function<Time()> now;
    // Appends an audit record (logins, failures, lockouts, logouts).
    std::function<void(AuditRecord)> audit;
    // Why acdd is not ready to serve (recovery, a failed store), or nullopt when it is.
    std::function<std::optional<std::string>()> not_ready;
    // The Prometheus text of GET /metrics.
    std::function<std::string()> metrics;
    // /api/events: the hub's subscription of a stream to topics, and its end.
    std::function<void(std::shared_ptr<control::Stream>, std::set<std::string, std::less<>>)>
        subscribe;
    std::function<void(const control::Stream&)> unsubscribe;
    // An agent's screen pop for a call.routed message of the `calls` topic: call_id, specialty,
    // class, wait_s, the caller summary, the script lines; recorded as an access by `caller`.
    std::function<Json(const Json& message, const control::Caller& caller)> screen_pop;
    // GET /api/session: what the pages need besides the user (the agent's state, the pause
    // reasons, the site's zone), on the io thread.
    std::function<Json(const control::Caller& caller)> session_info;
    // The pages (index.html, desk.html, board.html, forbidden.html, assets/); empty or missing:
    // the listener serves the API only.
    std::filesystem::path pages;
};

class WebServer {
  public:
    // Binds `config.listen` (port 0: any free port) and starts serving. Errors: the certificate
    // or key does not load, the address cannot be bound.
    static Result<std::unique_ptr<WebServer>> start(const WebConfig& config, Context context);
    ~WebServer();  // stops, then waits for the listening thread and the workers
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    unsigned port() const;
    // Stops accepting; requests waiting for the io thread are answered 503.
    void stop();

    struct Impl;

  private:
    explicit WebServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace acd::web
