// The whole chain on 127.0.0.1 for end-to-end tests: acdd, Kamailio running
// config/kamailio/acdd.cfg, acd-kamailio between them, and sipp playing callers and agents'
// phones. Every port is a free one picked at start, so that tests run beside others (ctest -j).
// Every process is stopped by its PID (SIGTERM, then waited for) when the chain is destroyed.
// Waits are on output (log lines, acdd's admin subscription), each with a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"

namespace acd::e2e {

using namespace std::chrono_literals;
using acd::test::ChildProcess;

// True when kamailio and sipp are installed (else the tests skip).
bool tools_present();

// Runs acd-kamailio with `args` to completion.
acd::test::ProcessResult run_bridge(const std::vector<std::string>& args);

// A port on 127.0.0.1 that nothing listens on now.
std::uint16_t free_tcp_port();
std::uint16_t free_udp_port();

struct ChainOptions {
    bool start_bridge = true;
    bool fallback = false;  // Kamailio's FALLBACK_URI: the "ext" phone, as a reception desk
    int ring_timeout_s = 1;
    int hold_max_s = 60;  // Kamailio's HOLD_MAX_S
    bool tls = false;     // bridge -> acdd over mutual TLS, with a token (certificates made here)
};

class Chain {
  public:
    static constexpr const char* kCardiology = "+35244112221";

    explicit Chain(ChainOptions options = {});
    ~Chain();

    // Starts acdd (again, on the same database and port), the bridge, Kamailio.
    bool start_acdd();
    bool start_bridge();
    bool start_kamailio();
    void kill_acdd();    // SIGKILL
    void kill_bridge();  // SIGKILL
    int stop_bridge();   // SIGTERM; its exit code

    // An agent's phone answering with `scenario` (agent_answer, agent_ring, agent_busy) for
    // `calls` calls; agent ids a01..a03 and the overflow team "ext" have their ports.
    ChildProcess& phone(const std::string& agent, const std::string& scenario, int calls = 1);
    // A caller's sipp: `scenario` (caller_answered, caller_cancel_queued, ...) dialing `dialed`.
    // `name` prefixes its Call-IDs ("name-1-PID@127.0.0.1"). `calls` at 20 per second.
    ChildProcess& caller(const std::string& name, const std::string& scenario,
                         const std::string& cls = "appointment", int calls = 1,
                         const std::string& dialed = kCardiology);
    // The agent dials a feature code (*50, *51, *52) from its phone; true when Kamailio answered
    // 480 and acdd then showed the agent in `expect_state`.
    bool feature_code(const std::string& agent, const std::string& code,
                      const std::string& expect_state);

    // Waits for a line of acdd's admin subscription that holds every one of `parts`.
    bool saw(const std::vector<std::string>& parts, std::chrono::milliseconds deadline = 15s);
    // Waits for a line of the bridge's log holding every one of `parts`.
    bool bridge_logged(const std::vector<std::string>& parts,
                       std::chrono::milliseconds deadline = 15s);
    // acdctl --json COMMAND...: the parsed answer (null on failure).
    nlohmann::json admin(const std::vector<std::string>& args);
    // Waits until `process` exits; its exit code (-1 on timeout).
    static int finished(ChildProcess& process, std::chrono::milliseconds deadline = 20s);

    std::uint16_t sip_port() const { return sip_port_; }
    std::string logs() const;  // everything the chain's programs wrote, for a failing test

  private:
    std::string sipp_path(const std::string& scenario) const;
    void write_acdd_config();
    void write_bridge_config();
    bool make_certificates();
    bool start_subscriber();

    ChainOptions options_;
    std::filesystem::path dir_;
    std::uint16_t gateway_port_ = 0;
    std::uint16_t evapi_port_ = 0;
    std::uint16_t sip_port_ = 0;
    std::vector<std::pair<std::string, std::uint16_t>> phone_ports_;
    std::unique_ptr<ChildProcess> acdd_;
    std::unique_ptr<ChildProcess> bridge_;
    std::unique_ptr<ChildProcess> kamailio_;
    std::unique_ptr<ChildProcess> subscriber_;
    std::vector<std::unique_ptr<ChildProcess>> sipps_;
    std::string old_logs_;  // of processes restarted
    bool certificates_ok_ = true;
};

}  // namespace acd::e2e
