#include "daemon.hpp"

#include <asio.hpp>
#include <cstdio>

#include "acd/config.hpp"
#include "acd/engine.hpp"
#include "acd/version.hpp"
#include "logging.hpp"

namespace acd {

int run_daemon(const std::string& config_file) {
    const ConfigResult r = load_config(config_file);
    if (!r.ok()) {
        for (const ConfigError& e : r.errors) {
            std::fprintf(stderr, "%s: %s\n", config_file.c_str(), e.to_string().c_str());
        }
        return 1;
    }
    const Config& config = *r.config;
    setup_logging(config.log_level);
    Engine engine(config.routing);
    log_event("daemon.start", "acdd {} starting with {} ({} specialties, {} agents)", kVersion,
              config_file, config.routing.specialties.size(), config.routing.agents.size());

    asio::io_context io;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code&, int signal) {
        log_event("daemon.stop", "signal {}: stopping", signal);
        io.stop();
    });
    io.run();
    return 0;
}

}  // namespace acd
