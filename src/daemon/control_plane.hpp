// The daemon's control plane: the command registry with every command set registered (engine,
// status, operations, agenda, subscriptions), its audit hook, and the admin socket's side of it
// (net::AdminHub): each request runs as the socket's peer, with role admin.
//
// Single-threaded, on the io_context thread, like the Service it drives.
#pragma once

#include <asio.hpp>
#include <memory>
#include <string>

#include "acd/admin_server.hpp"
#include "acd/control.hpp"
#include "agenda/commands.hpp"
#include "commands.hpp"
#include "quality/quality.hpp"

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
};

}  // namespace acd
