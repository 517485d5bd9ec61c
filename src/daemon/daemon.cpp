#include "daemon.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

#include "acd/admin_server.hpp"
#include "acd/agenda.hpp"
#include "acd/config.hpp"
#include "acd/engine.hpp"
#include "acd/gateway_server.hpp"
#include "acd/pii.hpp"
#include "acd/store.hpp"
#include "acd/store_lock.hpp"
#include "acd/version.hpp"
#include "acd/views.hpp"
#include "chain_head.hpp"
#include "control_plane.hpp"
#include "logging.hpp"
#include "notify.hpp"
#include "quality/quality.hpp"
#include "recovery.hpp"
#include "service.hpp"
#include "users/users.hpp"
#include "web/web_server.hpp"

namespace acd {
namespace {

// How long a graceful stop may take to deliver the last acknowledgements.
constexpr auto kStopGrace = std::chrono::seconds(5);

// Why acdd does not start: logged at error level under `event`, and told to systemd. The exit
// status is 1.
int refuse(std::string_view event, const std::string& message) {
    log_error(event, "{}", message);
    notify_status(fmt::format("refused to start: {}", message));
    return 1;
}

Result<std::unique_ptr<Store>> open_store(const Config& config, const DaemonOptions& daemon,
                                          const PiiKey& key, asio::io_context& io,
                                          std::function<void(std::uint64_t)> on_durable) {
    StoreOptions options;
    options.path = config.store.path;
    options.accept_data_loss = daemon.accept_data_loss;
    options.synchronous = config.store.synchronous;
    options.modules = {agenda::schema(), quality::schema(), users::schema()};
    options.on_durable = [&io, on_durable](std::uint64_t ticket) {
        asio::post(io, [on_durable, ticket] { on_durable(ticket); });
    };
    options.on_failure = [&io](const std::string& message) {
        log_error("store.failed", "{}: stopping, since nothing more can be made durable", message);
        notify_status(fmt::format("stopped: {}", message));
        asio::post(io, [&io] { io.stop(); });
    };
    return Store::open(std::move(options), key);
}

// The engine as the log left it, brought to the configuration in the file.
std::unique_ptr<Engine> engine_from(Recovered recovered, const Config& config,
                                    bool& config_changed) {
    config_changed = !recovered.engine || recovered.engine->config() != config.routing;
    if (recovered.engine) return std::move(recovered.engine);
    return std::make_unique<Engine>(config.routing);
}

// GET /api/session's additions to the user: the agent's state and wrap-up time (role agent), the
// pause reasons, the classes' answer targets and the site's zone, as the pages show them.
Json session_info(Service& service, const control::Caller& caller) {
    const RoutingConfig& routing = service.engine().config();
    Json targets = Json::object();
    for (CallClass c : kCallClasses) {
        targets[std::string(to_string(c))] =
            std::chrono::duration_cast<std::chrono::seconds>(routing.policy(c).target).count();
    }
    Json specialties = Json::array();
    for (const SpecialtyConfig& s : routing.specialties)
        specialties.push_back(s.id);
    Json agent = nullptr;
    if (!caller.agent.empty()) {
        if (auto view = find_agent(service.engine(), caller.agent)) {
            agent = agent_json(*view, service.now());
        }
        for (const AgentConfig& a : routing.agents) {
            if (a.id == caller.agent && agent.is_object()) {
                agent["wrap_up_s"] =
                    std::chrono::duration_cast<std::chrono::seconds>(a.wrap_up).count();
            }
        }
    }
    return {{"agent_state", agent},
            {"pause_reasons", service.config().pause_reasons},
            {"targets", targets},
            {"specialties", specialties},
            {"timezone", routing.zone.name}};
}

// Where the pages are: --web-root, else share/acdd/web next to acdd's bin folder (the install).
std::filesystem::path web_root(const DaemonOptions& options) {
    if (!options.web_root.empty()) return options.web_root;
    std::error_code e;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", e);
    if (e) return {};
    return exe.parent_path().parent_path() / "share" / "acdd" / "web";
}

}  // namespace

int run_daemon(const std::string& config_file, const DaemonOptions& options) {
    const ConfigResult loaded = load_config(config_file);
    if (!loaded.ok()) {
        for (const ConfigError& e : loaded.error()) {
            std::fprintf(stderr, "%s: %s\n", config_file.c_str(), e.to_string().c_str());
        }
        notify_status(fmt::format("refused to start: {} has {} error(s)", config_file,
                                  loaded.error().size()));
        return 1;
    }
    const Config& config = *loaded;
    // The database and its WAL hold health data: nobody but acdd reads them. (The admin socket
    // gets its configured mode explicitly.)
    ::umask(0077);
    setup_logging(config.log_level);
    log_event("daemon.start", "acdd {} starting with {}", kVersion, config_file);
    // A file size limit (ulimit -f) makes a write fail like a full disk, instead of killing acdd
    // in the middle of a commit.
    std::signal(SIGXFSZ, SIG_IGN);

    // Before anything is read or written: one acdd per database.
    auto lock = StoreLock::acquire(config.store.path);
    if (!lock) return refuse("store.lock", lock.error().message);
    bool key_created = false;
    auto key = PiiKey::load(config.store, &key_created);
    if (!key) return refuse("store.key", key.error().message);
    if (key_created) {
        log_event("store.key_created",
                  "created the PII key {} (mode 0600): back it up with the database",
                  config.store.pii_key_file.string());
    }

    asio::io_context io(1);
    Service* service_ptr = nullptr;
    auto store = open_store(config, options, *key, io, [&service_ptr](std::uint64_t ticket) {
        if (service_ptr != nullptr) service_ptr->on_durable(ticket);
    });
    if (!store) return refuse("store.open", store.error().message);
    auto recovered = recover(**store);
    if (!recovered) return refuse("store.recover", recovered.error().message);
    log_event("store.recovered", "replayed {} inputs after snapshot at record {}",
              recovered->replayed, recovered->snapshot_id);
    bool config_changed = false;
    Service service(io, config, engine_from(std::move(*recovered), config, config_changed), **store,
                    *key);
    service_ptr = &service;
    // An erasure made during a call that is still live: that call still ends unlinked.
    auto unlinked = unlinked_live_calls(**store, service.engine());
    if (!unlinked) return refuse("store.recover", unlinked.error().message);
    for (const auto& [call, pseudonym] : *unlinked)
        service.unlink_call(call, pseudonym);
    if (config_changed) {
        // The file must be what runs: a file the recovered state cannot take (a specialty
        // removed while calls wait in it) is refused, never silently left unapplied.
        const Reply reply = service.apply(input::Reconfigure{config.routing}).output.reply;
        if (!reply.ok()) {
            return refuse("config.apply",
                          fmt::format("{} cannot be applied to the state recovered from the "
                                      "store: {}; start with the previous file until those calls "
                                      "are gone, or change the file",
                                      config_file, reply.message));
        }
    }

    auto gateway = net::GatewayServer::start(io, config.gateway, service);
    if (!gateway) return refuse("gateway.listen", gateway.error().message);
    service.set_gateway_server(gateway->get());
    log_event("gateway.listen", "listening for gateways on {}:{}{}", config.gateway.host,
              (*gateway)->port(), config.gateway.tls ? " (TLS)" : "");

    ChainHeadLog chain_head(io, **store);
    asio::steady_timer grace(io);
    Notifier notifier(io);
    bool stopping = false;
    std::unique_ptr<net::AdminServer> admin_server;
    std::unique_ptr<web::WebServer> web_server;
    // Stops intake, makes everything taken durable and acknowledged, then closes connections.
    const auto stop = [&] {
        if (std::exchange(stopping, true)) return;
        log_event("daemon.stop", "stopping");
        notifier.stopping();
        (*gateway)->stop();
        if (admin_server) admin_server->stop();
        if (web_server) web_server->stop();
        service.stop();
        (*store)->flush();  // every event taken is now durable; its ack is posted
        chain_head.stop();  // the last head, for the auditor
        asio::post(io, [&] {
            grace.expires_after(kStopGrace);  // a gateway that does not read is not waited for
            grace.async_wait([&](std::error_code e) {
                if (!e) io.stop();
            });
            service.close_links([&] {
                grace.cancel();
                io.stop();
            });
        });
    };
    auto control = ControlPlane::open(io, service, **store, config_file, notifier, stop);
    if (!control) return refuse("agenda.open", control.error().message);
    auto admin_started = net::AdminServer::start(io, config.admin, **control);
    if (!admin_started) return refuse("admin.listen", admin_started.error().message);
    admin_server = std::move(*admin_started);
    log_event("admin.listen", "admin socket {} (mode {:04o})", config.admin.socket.string(),
              config.admin.mode);
    bool ready = false;
    if (config.web) {
        auto web_started = web::WebServer::start(
            *config.web,
            web::Context{
                io, (*control)->registry(), (*control)->users(),
                [&service] { return service.now(); },
                [&store](AuditRecord record) {
                    WriteBatch batch;
                    batch.records.push_back(std::move(record));
                    (*store)->append(std::move(batch));
                },
                [&ready, &store]() -> std::optional<std::string> {
                    if ((*store)->failed()) return "the store does not accept writes";
                    if (!ready) return "starting";
                    return std::nullopt;
                },
                [&control] { return (*control)->metrics_text(); },
                [&control](std::shared_ptr<control::Stream> stream,
                           std::set<std::string, std::less<>> topics) {
                    (*control)->hub().subscribe(std::move(stream), std::move(topics));
                },
                [&control](const control::Stream& stream) {
                    (*control)->hub().unsubscribe(stream);
                },
                [&control](const Json& message, const control::Caller& caller) {
                    return (*control)->screen_pop(message, caller);
                },
                [&service](const control::Caller& caller) { return session_info(service, caller); },
                web_root(options)});
        if (!web_started) {
            log_error("web.listen", "{}", web_started.error().message);
            return 1;
        }
        web_server = std::move(*web_started);
        log_event("web.listen", "web listener on {}:{}{}", config.web->host, web_server->port(),
                  config.web->tls ? " (TLS)" : "");
        if ((*control)->users().empty()) {
            log_warning("web.no_users",
                        "no user yet, so every login fails: add the first with `acdctl user add "
                        "USER --name NAME --role admin` (the password is read from stdin)");
        }
    }
    service.start();
    chain_head.start();

    // Signals go through the admin commands: SIGHUP is config-reload, SIGTERM is shutdown.
    asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
    std::function<void(const std::error_code&, int)> on_signal = [&](const std::error_code& ec,
                                                                     int signal) {
        if (ec) return;
        const char* command = signal == SIGHUP ? "config-reload" : "shutdown";
        log_event("daemon.signal", "signal {}: {}", signal, command);
        (*control)->run_as_daemon(command);
        if (signal == SIGHUP) signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    // Ready once the agenda has had its first look at overdue messages (status-get counts them).
    (*control)->start([&] {
        // Ready only once what the start wrote (a configuration record) is durable: a store that
        // cannot write stops acdd here, before systemd hears READY=1.
        (*store)->flush();
        if ((*store)->failed()) return;
        ready = true;
        log_event("daemon.ready", "acdd {} ready", kVersion);
        notifier.ready(fmt::format("serving gateways on port {}", (*gateway)->port()));
        notifier.start_watchdog();
    });
    io.run();
    if ((*store)->failed()) {
        log_error("daemon.stopped", "acdd stopped on a store failure");
        return 1;
    }
    log_event("daemon.stopped", "acdd stopped");
    return 0;
}

}  // namespace acd
