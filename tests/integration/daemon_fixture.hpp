// Starts a real acdd for a test: a config written into a fresh folder (gateway on a free port,
// store and admin socket in that folder), the daemon started as a child process, ready when it
// logs "daemon.ready". The gateway port is read from its "gateway.listen" log line.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "acd/codec.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace acd::test {

// A config in the form of docs/spec/config.md: two specialties (cardiology +1001, neurology +1002),
// agents a1 (cardiology, no wrap-up), a2 (cardiology, neurology), one team "ext" for all; the
// gateway on 127.0.0.1:0; the store and admin socket in `dir`; no quality sample (0 %); the site
// on UTC.
Json test_config(const std::filesystem::path& dir);

class Daemon {
  public:
    // A fresh folder, with test_config() written to dir()/acdd.json. The folder is kept
    // between restarts of the same Daemon.
    Daemon();
    ~Daemon();
    // Replaces the config file (write it before start()).
    void configure(const Json& config);

    // Starts (again) with `env` added to the environment, and waits for "daemon.ready"; false
    // when it exits or takes too long.
    bool start(const std::vector<std::string>& env = {});
    // SIGTERM, then the exit status (0 for a clean stop).
    int stop();
    void kill();  // SIGKILL
    std::uint16_t port() const { return port_; }
    const std::filesystem::path& dir() const { return dir_; }
    std::string log() const;
    ChildProcess& process() { return *process_; }

  private:
    TempDir own_dir_;
    std::filesystem::path dir_;
    std::unique_ptr<ChildProcess> process_;
    std::uint16_t port_ = 0;
    std::string previous_logs_;
};

}  // namespace acd::test
