// The running daemon: loads the configuration, wires engine, store and listeners, and serves
// until SIGTERM or SIGINT. Returns the process exit status.
#pragma once

#include <string>

namespace acd {

int run_daemon(const std::string& config_file);

}  // namespace acd
