// The daemon's command sets (docs/spec/admin-protocol.md), each registered in the control
// registry (include/acd/control.hpp):
// - engine: the commands the engine applies (agent-*, call-reclassify, call-transfer,
//   overflow-set), journaled as inputs like gateway events and replayed at recovery;
// - status: what the engine shows (status-get, queue-list, queue-get, agent-list, call-list,
//   overflow-get, stats-get, version-get);
// - operations: config-test, config-reload, audit-verify, backup, shutdown.
// And the audit of the registry: every command that changes something, with who ran it, its
// arguments and its result.
//
// Single-threaded, on the io_context thread, like the Service they drive.
#pragma once

#include <asio.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "acd/control.hpp"
#include "acd/store.hpp"
#include "call_figures.hpp"
#include "notify.hpp"
#include "quality/quality.hpp"
#include "service.hpp"

namespace acd {

void add_engine_commands(control::Registry& registry, Service& service);

// `figures` are the day's figures stats-get shows without a `since` (and with today's); other
// days are read from the store (a scan of their calls, on this thread). `urgent_overdue` is what
// status-get reports of urgent messages open too long (nullopt when it cannot be read);
// `quality_figures` what stats-get reports of the quality sample since a time.
using QualityFigures =
    std::function<Result<std::map<std::pair<std::string, CallClass>, quality::Figures>>(Time)>;
void add_status_commands(control::Registry& registry, Service& service, Store& store,
                         CallFigures& figures,
                         std::function<std::optional<std::int64_t>()> urgent_overdue,
                         QualityFigures quality_figures);

class OperationCommands {
  public:
    // `config_file` is what config-reload reads again; `shutdown` stops the daemon; `notifier`
    // is told around a reload (systemd's RELOADING=1, then READY=1).
    OperationCommands(asio::io_context& io, Service& service, Store& store, std::string config_file,
                      Notifier& notifier, std::function<void()> shutdown);
    ~OperationCommands();  // waits for a verify or backup under way
    OperationCommands(const OperationCommands&) = delete;
    OperationCommands& operator=(const OperationCommands&) = delete;

    void add_to(control::Registry& registry);

  private:
    control::Answer config_test(const Json& args);
    control::Answer config_reload(const control::Caller& caller);
    void audit_verify(const Json& args, control::Done done);
    void backup(const Json& args, control::Done done);

    asio::io_context& io_;
    Service& service_;
    Store& store_;
    std::string config_file_;
    Notifier& notifier_;
    std::function<void()> shutdown_;
    asio::thread_pool background_{1};  // work that must not hold the engine
};

// The registry's audit hook: an `action` record of the command, its caller, its arguments and
// its result.
void audit_command(Store& store, Time at, const control::Request& request,
                   const control::Answer& answer);

}  // namespace acd
