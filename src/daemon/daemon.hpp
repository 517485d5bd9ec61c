// The running daemon: loads the configuration, wires engine, store and listeners, and serves
// until SIGTERM or SIGINT.
#pragma once

#include <filesystem>
#include <string>

namespace acd {

struct DaemonOptions {
    // Start on a database behind its side file, recording the loss (store.hpp accept_data_loss).
    bool accept_data_loss = false;
    // The web pages' folder (docs/web.md); empty: <acdd's folder>/../share/acdd/web.
    std::filesystem::path web_root;
};

// 0 after a clean stop; 1 when acdd refuses to start (the reason logged at error level and sent
// as sd_notify STATUS=) or stops on a fatal error (the store cannot write any more).
int run_daemon(const std::string& config_file, const DaemonOptions& options = {});

}  // namespace acd
