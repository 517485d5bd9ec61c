#include "load/options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>

namespace acd::load {
namespace {

constexpr const char* kUsage = R"(usage: acd-load [options]
       acd-load --echo-server [--listen HOST:PORT] [--tls --cert FILE --key FILE]

Drives acdd through the gateway protocol: opens N gateway connections, logs the configured
agents in, offers calls with a mix of specialties and classes, plays the agents' part (answers
after a delay, hangs up after a handle time, sometimes does not answer) and the callers' (some
hang up early), and reports events/s, ack latency and call.offered -> call.route latency.
Resumes after a disconnect: resends every event above the welcome's last_seq.

It changes the daemon it drives: its calls are recorded in the audit log and counted in the
day's statistics. The agents it plays are put back at the end (and on Ctrl-C) in the state it
read on the admin socket before the run; agents on a call then are not played.

Connection:
  --connect HOST:PORT     acdd's gateway listener (default 127.0.0.1:7400)
  --tls                   speak TLS
  --cert FILE, --key FILE client certificate and key, for mutual TLS
  --ca FILE               verify the server's certificate chain with this CA (hostnames are not
                          checked); without it the server is not verified
  --token TOKEN           the hello's token (the same for every gateway)
  --gateways N            gateway connections, named PREFIX1..PREFIXN (default 1)
  --gateway-prefix NAME   (default "load")
  --reconnect-timeout S   give up when a gateway cannot reconnect for S seconds (default 30)
  --admin-socket PATH     acdd's admin socket, to read the agents' states before the run and
                          check them after it (default: admin.socket of the config file, else
                          /run/acdd/admin.sock)
  --no-restore            do not read the agents' states: log every agent out at the end

Load:
  -c, --config FILE       acdd's configuration: specialties, numbers, agents (default
                          config/acdd.json)
  --rate R|max            calls offered per second over all gateways, or max: as fast as the
                          window allows (default max)
  --duration S            seconds of offering calls (default 10)
  --window N              unacknowledged events per gateway before offers wait (default 4000)
  --max-waiting N         with --rate max, offers also wait while N calls wait for their first
                          call.route (default: as many as there are agents)
  --answer-ms MS          mean delay before an agent answers (default 20)
  --handle-ms MS          mean handle time of an answered call (default 200)
  --patience-ms MS        a caller not answered after this long hangs up (default 30000)
  --no-answer PCT         share of offers the agent does not answer (default 3)
  --abandon PCT           share of callers who hang up early, within about answer-ms (default 2)
  --seed N                random seed (default 1)
  --drain-timeout S       at the end, wait this long for the last acks (default 30)

Output:
  --json                  print the report as JSON
  --progress              print one progress line per second on stderr
  --acked-file FILE       write every acknowledged event as "GATEWAY SEQ" lines (events a
                          welcome's last_seq confirmed included)

Echo (to measure the transport alone, with the same client):
  --echo-server           run a bare NDJSON echo server: answers hello with a welcome, then
                          sends every byte back; logs "echo.listen listening on HOST:PORT"
  --listen HOST:PORT      where the echo server listens (default 127.0.0.1:0: any free port)
  --echo                  the peer is an echo server: an echoed line acknowledges its seq

  -h, --help              print this help
)";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "acd-load: %s\n(acd-load --help lists the options)\n", message.c_str());
    return 2;
}

std::optional<double> parse_number(const std::string& s) {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
}

std::optional<std::uint64_t> parse_count(const std::string& s) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// A setter takes the option's value and returns an error message, or "" when it took it.
using Setter = std::function<std::string(const std::string&)>;

Setter number(double& out, double min, double max, const char* what) {
    return [&out, min, max, what](const std::string& v) -> std::string {
        const auto n = parse_number(v);
        if (!n || *n < min || *n > max) return fmt::format("takes {}, not '{}'", what, v);
        out = *n;
        return "";
    };
}

Setter text(std::string& out) {
    return [&out](const std::string& v) -> std::string {
        if (v.empty()) return "takes a non-empty value";
        out = v;
        return "";
    };
}

Setter endpoint(Endpoint& out) {
    return [&out](const std::string& v) -> std::string {
        const auto e = parse_endpoint(v);
        if (!e) return fmt::format("takes HOST:PORT, not '{}'", v);
        out = *e;
        return "";
    };
}

}  // namespace

std::optional<Endpoint> parse_endpoint(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']') return std::nullopt;
        host = host.substr(1, host.size() - 2);
    }
    const auto port = parse_count(text.substr(colon + 1));
    if (!port || *port > 65535) return std::nullopt;
    return Endpoint{host, static_cast<std::uint16_t>(*port)};
}

const char* usage() {
    return kUsage;
}

std::variant<Options, int> parse_options(const std::vector<std::string>& args) {
    Options o;
    double gateways = 1;
    double window = double(o.window);
    double max_waiting = 0;
    const std::map<std::string, Setter> with_value = {
        {"--connect", endpoint(o.connect)},
        {"--listen", endpoint(o.listen)},
        {"--cert", text(o.tls_files.cert)},
        {"--key", text(o.tls_files.key)},
        {"--ca", text(o.tls_files.ca)},
        {"--token", text(o.token)},
        {"--gateways", number(gateways, 1, 1000, "a whole number from 1 to 1000")},
        {"--gateway-prefix", text(o.gateway_prefix)},
        {"--reconnect-timeout", number(o.reconnect_timeout_s, 0, 86400, "seconds (0 to 86400)")},
        {"-c", text(o.config)},
        {"--config", text(o.config)},
        {"--rate",
         [&o](const std::string& v) -> std::string {
             if (v == "max") {
                 o.rate.reset();
                 return "";
             }
             const auto n = parse_number(v);
             if (!n || *n <= 0 || *n > 1e7) {
                 return fmt::format("takes calls per second (above 0) or max, not '{}'", v);
             }
             o.rate = *n;
             return "";
         }},
        {"--max-waiting", number(max_waiting, 1, 1e7, "a whole number from 1")},
        {"--duration", number(o.duration_s, 0.001, 1e7, "seconds above 0")},
        {"--window", number(window, 1, 1e7, "a whole number of events from 1")},
        {"--answer-ms", number(o.answer_ms, 0, 1e8, "milliseconds (0 or more)")},
        {"--handle-ms", number(o.handle_ms, 0, 1e8, "milliseconds (0 or more)")},
        {"--patience-ms", number(o.patience_ms, 0, 1e9, "milliseconds (0 or more)")},
        {"--no-answer", number(o.no_answer_pct, 0, 100, "a percentage from 0 to 100")},
        {"--abandon", number(o.abandon_pct, 0, 100, "a percentage from 0 to 100")},
        {"--seed",
         [&o](const std::string& v) -> std::string {
             const auto n = parse_count(v);
             if (!n) return fmt::format("takes a non-negative integer, not '{}'", v);
             o.seed = *n;
             return "";
         }},
        {"--drain-timeout", number(o.drain_timeout_s, 0, 86400, "seconds (0 to 86400)")},
        {"--acked-file", text(o.acked_file)},
        {"--admin-socket", text(o.admin_socket)},
    };
    const std::map<std::string, bool*> flags = {
        {"--tls", &o.tls},
        {"--echo", &o.echo},
        {"--json", &o.json},
        {"--progress", &o.progress},
    };
    bool no_restore = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        std::optional<std::string> value;
        if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
            value = name.substr(eq + 1);
            name.resize(eq);
        }
        if (name == "-h" || name == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        if (name == "--echo-server") {
            o.mode = Options::Mode::echo_server;
            continue;
        }
        if (name == "--no-restore") {
            if (value) return usage_error(name + " takes no value");
            no_restore = true;
            continue;
        }
        if (const auto f = flags.find(name); f != flags.end()) {
            if (value) return usage_error(name + " takes no value");
            *f->second = true;
            continue;
        }
        const auto s = with_value.find(name);
        if (s == with_value.end()) return usage_error(fmt::format("unknown option '{}'", name));
        if (!value) {
            if (i + 1 == args.size()) return usage_error(name + " needs a value");
            value = args[++i];
        }
        if (const std::string error = s->second(*value); !error.empty()) {
            return usage_error(name + " " + error);
        }
    }
    if (gateways != std::floor(gateways)) return usage_error("--gateways takes a whole number");
    if (window != std::floor(window)) return usage_error("--window takes a whole number");
    if (max_waiting != std::floor(max_waiting)) {
        return usage_error("--max-waiting takes a whole number");
    }
    o.max_waiting = static_cast<std::size_t>(max_waiting);
    o.restore = !no_restore;
    o.gateways = static_cast<int>(gateways);
    o.window = static_cast<std::size_t>(window);
    if (o.tls_files.cert.empty() != o.tls_files.key.empty()) {
        return usage_error("--cert and --key go together");
    }
    if (!o.tls && (!o.tls_files.cert.empty() || !o.tls_files.ca.empty())) {
        return usage_error("--cert, --key and --ca need --tls");
    }
    if (o.mode == Options::Mode::echo_server && o.tls && o.tls_files.cert.empty()) {
        return usage_error("--echo-server --tls needs --cert and --key");
    }
    if (o.no_answer_pct + o.abandon_pct > 100) {
        return usage_error("--no-answer and --abandon add up to more than 100");
    }
    return o;
}

}  // namespace acd::load
