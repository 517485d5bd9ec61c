// acd-load's command line (docs/performance.md shows it in use).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace acd::load {

struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
};

// Parses "HOST:PORT" ("[::1]:7400" for IPv6); nullopt when it is not one.
std::optional<Endpoint> parse_endpoint(const std::string& text);

struct TlsOptions {
    std::string cert;  // client certificate (mutual TLS); empty: none
    std::string key;
    std::string ca;  // verifies the server's chain; empty: not verified
};

struct Options {
    enum class Mode { load, echo_server };
    Mode mode = Mode::load;

    Endpoint connect{"127.0.0.1", 7400};
    Endpoint listen{"127.0.0.1", 0};  // echo server
    bool tls = false;
    TlsOptions tls_files;
    std::string token;
    std::string config = "config/acdd.json";
    int gateways = 1;
    std::string gateway_prefix = "load";
    std::optional<double> rate;  // calls per second; nullopt: as fast as the window allows
    double duration_s = 10;
    std::size_t window = 4000;  // unacknowledged events per gateway
    // Max mode: offers also wait while this many calls wait for their first call.route (0: as
    // many as there are agents), so that the queues stay as short as in a staffed call center.
    std::size_t max_waiting = 0;
    // The agents' and callers' part, as means of exponential distributions in milliseconds.
    double answer_ms = 20;
    double handle_ms = 200;
    double patience_ms = 30'000;  // a caller still waiting after this long hangs up
    double no_answer_pct = 3;
    double abandon_pct = 2;  // callers who hang up early, within about answer_ms
    std::uint64_t seed = 1;
    double reconnect_timeout_s = 30;  // give up when a gateway cannot reconnect for this long
    double drain_timeout_s = 30;      // at the end, wait this long for the last acks
    bool echo = false;                // the peer is an echo server: echoed lines count as acks
    bool json = false;
    bool progress = false;
    std::string acked_file;
    // Where acd-load reads the agents' states before the run and checks them after it
    // (agent_states.hpp); empty: admin.socket of --config's file, else acdd's default.
    std::string admin_socket;
    bool restore = true;  // --no-restore: log every played agent out at the end instead
};

// The help text.
const char* usage();

// The options, or an exit code: 0 after --help, 2 after a usage error (printed on stderr).
std::variant<Options, int> parse_options(const std::vector<std::string>& args);

}  // namespace acd::load
