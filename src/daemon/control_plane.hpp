// The daemon's control plane: the command registry with every command set registered (engine,
// status, operations, agenda, subscriptions), its audit hook, and the admin socket's side of it
// (net::AdminHub): each request runs as the socket's peer, with role admin; the users' commands,
// and the roles table as the registry's permission hook (web callers).
//
// Single-threaded, on the io_context thread, like the Service it drives.
#pragma once

#include <asio.hpp>
#include <deque>
#include <memory>
#include <string>

#include "acd/admin_server.hpp"
#include "acd/control.hpp"
#include "agenda/commands.hpp"
#include "call_figures.hpp"
#include "commands.hpp"
#include "quality/quality.hpp"
#include "users/users.hpp"

namespace acd {

class ControlPlane : public net::AdminHub {
  public:
    // `config_file` is what config-reload reads again; `shutdown` stops the daemon. Loads the
    // agenda's caller summaries.
    static Result<std::unique_ptr<ControlPlane>> open(asio::io_context& io, Service& service,
                                                      Store& store, std::string config_file,
                                                      Notifier& notifier,
                                                      std::function<void()> shutdown);
    ~ControlPlane() override;

    control::Registry& registry() { return registry_; }
    users::Users& users() { return *users_; }
    // GET /metrics: the Prometheus text of the counters and the engine's gauges.
    std::string metrics_text() const;
    // /api/events subscribes through the hub directly (`subscribe` is the socket's).
    control::Hub& hub() { return hub_; }
    // An agent's screen pop for a call.routed message: the call, its caller summary (when the
    // message carries one) and the script lines of its class, then of its specialty. Recorded as
    // an access by `caller` when the caller is known.
    Json screen_pop(const Json& message, const control::Caller& caller);
    // Runs a command as acdd itself (signals: SIGHUP is config-reload, SIGTERM shutdown).
    void run_as_daemon(std::string command);
    // Starts the agenda's watch of overdue messages; `ready` runs after its first look.
    void start(std::function<void()> ready);

    // net::AdminHub
    void on_request(const std::shared_ptr<net::AdminLink>& link, const Json& request) override;
    void on_closed(net::AdminLink& link) override;

  private:
    ControlPlane(asio::io_context& io, Service& service, Store& store, std::string config_file,
                 Notifier& notifier, std::function<void()> shutdown);

    Service& service_;
    Store& store_;
    control::Registry registry_;
    control::Hub hub_;
    OperationCommands operations_;
    std::unique_ptr<agenda::Commands> agenda_;
    std::unique_ptr<quality::Quality> quality_;
    std::unique_ptr<users::Users> users_;
    // The figures of finished calls: stats-get's today and /metrics' counters.
    std::unique_ptr<CallFigures> figures_;
    // Calls that ended at an agent in the last 10 minutes, oldest first: an agent may still read
    // its caller's data (docs/spec/web.md, roles).
    struct Ended {
        std::string call_id;
        std::string agent;
        Time at{};
    };
    std::deque<Ended> recently_ended_;
    void call_ended(const CallSnapshot& call);
    // Records an access (docs/spec/web.md, "Access traces") when `answer` shows personal data.
    void trace_access(const control::Request& request, const control::Answer& answer);
    void record_access(const control::Caller& caller, const std::string& command, Json patients);
    bool call_of_agent(const std::string& call_id, const std::string& agent);
};

}  // namespace acd
