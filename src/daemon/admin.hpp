// The admin protocol (docs/spec/admin-protocol.md) on the daemon side, after ISC Kea's control
// channel: one registry of commands and one entry point, execute(), that checks the envelope,
// finds the command, runs it, logs it, records every command that changes something in the audit
// log (with the peer's uid and gid, its arguments and its result), and answers
// {"result","text","arguments"} with the request's id. Signals go through the same entry point
// (SIGHUP is config-reload, SIGTERM is shutdown).
//
// Single-threaded, on the io_context thread, like the Service it drives.
#pragma once

#include <asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "acd/admin_server.hpp"
#include "notify.hpp"
#include "service.hpp"

namespace acd {

class AgendaCommands;

class Admin : public net::AdminHub {
  public:
    struct Answer {
        int result = 0;  // 0 success, 1 error, 2 unsupported, 3 empty
        std::string text;
        Json arguments = Json::object();
    };
    using Done = std::function<void(Answer)>;

    // `config_file` is what config-reload reads again; `shutdown` stops the daemon.
    Admin(asio::io_context& io, Service& service, Store& store, std::string config_file,
          std::function<void()> shutdown);
    ~Admin() override;

    // Told around a reload (systemd's RELOADING=1, then READY=1).
    void set_notifier(Notifier* notifier) { notifier_ = notifier; }

    // The entry point: runs `request` for `peer` and calls `respond` with the response.
    void execute(const Json& request, const Peer& peer, std::function<void(Json)> respond);

    // Fans an engine output out to subscribers (set as the Service's observer).
    void publish(const Output& output);

    // net::AdminHub
    void on_request(const std::shared_ptr<net::AdminLink>& link, const Json& request) override;
    void on_closed(net::AdminLink& link) override;

  private:
    using Handler = std::function<void(const Json& args, const Peer& peer, Done done)>;
    struct Command {
        bool changes_state;
        Handler run;
        // The handler writes a record of its own, richer and without personal data (agenda).
        bool audited_by_handler = false;
    };
    struct Subscriber {
        std::shared_ptr<net::AdminLink> link;
        std::set<std::string> topics;
    };

    void add(std::string name, bool changes_state, Handler run, bool audited_by_handler = false);
    // Streams each (topic, message) to the subscribers of its topic; drops those that fall
    // behind.
    void broadcast(const std::vector<std::pair<std::string, Json>>& messages);
    void register_commands();
    void audit(const std::string& command, const Json& args, const Peer& peer, const Answer& a);

    // Handlers (admin.cpp)
    Answer status(const Json& args);
    Answer queue_get(const Json& args);
    Answer overflow_get();
    Answer engine_command(const std::string& command, const Json& args, const Peer& peer);
    Answer stats_get(const Json& args);
    Answer config_test(const Json& args);
    Answer config_reload(const Peer& peer);
    void audit_verify(Done done);
    void backup(const Json& args, Done done);

    asio::io_context& io_;
    Service& service_;
    Store& store_;
    std::string config_file_;
    std::function<void()> shutdown_;
    Notifier* notifier_ = nullptr;
    std::map<std::string, Command, std::less<>> registry_;
    std::vector<Subscriber> subscribers_;
    // The link whose request is being run, for subscribe.
    std::shared_ptr<net::AdminLink> current_link_;
    std::unique_ptr<AgendaCommands> agenda_;
    asio::thread_pool background_{1};  // work that must not hold the engine (audit-verify)
    const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace acd
