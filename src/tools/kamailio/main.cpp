// acd-kamailio: the bridge between Kamailio (config/kamailio/acdd.cfg) and acdd.
// Usage in man/acd-kamailio.8 and docs/telephony.md.
#include <systemd/sd-daemon.h>

#include <acd/version.hpp>
#include <asio.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "bridge.hpp"
#include "config.hpp"
#include "log.hpp"
#include "seq_file.hpp"

namespace {

using namespace acd::kamailio;

constexpr const char* kDefaultConfig = "/etc/acdd/acd-kamailio.json";

void usage(std::FILE* to) {
    std::fprintf(to,
                 "usage: acd-kamailio [-c FILE] [-v] [--check-config]\n"
                 "       acd-kamailio --version | --help\n"
                 "  -c FILE          the configuration (default %s)\n"
                 "  -v, --verbose    log every event and command\n"
                 "  --check-config   check the configuration, print ok or every error, exit\n",
                 kDefaultConfig);
}

// Pings systemd's watchdog from the event loop at half its period, when one is set.
void start_watchdog(asio::steady_timer& timer) {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return;
    const auto period = std::chrono::microseconds(usec / 2);
    struct Ping {
        asio::steady_timer& timer;
        std::chrono::microseconds period;
        void operator()(asio::error_code ec) const {
            if (ec) return;
            sd_notify(0, "WATCHDOG=1");
            timer.expires_after(period);
            timer.async_wait(*this);
        }
    };
    timer.expires_after(period);
    timer.async_wait(Ping{timer, period});
}

int run(const std::string& file, const BridgeConfig& config) {
    SeqFile seqs(config.state_file);
    if (std::string err = seqs.load(); !err.empty()) {
        log(Level::error, "state.unreadable", "{}", err);
        return 1;
    }
    asio::io_context io(1);
    std::unique_ptr<Bridge> bridge;
    try {
        bridge = std::make_unique<Bridge>(io, config, seqs);
    } catch (const std::exception& e) {
        log(Level::error, "config.tls", "{}: {}", file, e.what());
        return 1;
    }
    asio::signal_set signals(io, SIGTERM, SIGINT);
    asio::steady_timer watchdog(io);
    signals.async_wait([&](asio::error_code ec, int sig) {
        if (ec) return;
        log(Level::info, "bridge.stop", "signal {}", sig);
        sd_notify(0, "STOPPING=1");
        bridge->shutdown(std::chrono::seconds(3), [&] {
            watchdog.cancel();
            io.stop();
        });
    });
    ::signal(SIGPIPE, SIG_IGN);
    bridge->start();
    log(Level::info, "bridge.start",
        "acd-kamailio {}: evapi {}:{}, acdd {}:{} as '{}', seq after {}", acd::kVersion,
        config.evapi.host, config.evapi.port, config.acdd.host, config.acdd.port, config.gateway_id,
        seqs.last());
    start_watchdog(watchdog);
    sd_notify(0, "READY=1");
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string file = kDefaultConfig;
    bool check = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "-c" && i + 1 < argc) {
            file = argv[++i];
        } else if (a == "--check-config") {
            check = true;
        } else if (a == "-v" || a == "--verbose") {
            set_log_level(Level::debug);
        } else if (a == "--version") {
            std::printf("acd-kamailio %s\n", acd::kVersion);
            return 0;
        } else if (a == "--help" || a == "-h") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "acd-kamailio: unknown argument '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    const ConfigResult result = load_config(file);
    if (!result) {
        for (const auto& e : result.error())
            std::fprintf(stderr, "%s: %s\n", file.c_str(), e.to_string().c_str());
        return 1;
    }
    if (check) {
        std::printf("ok: %s\n", file.c_str());
        return 0;
    }
    return run(file, *result);
}
