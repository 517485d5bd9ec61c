// acdd's configuration file (docs/spec/config.md): parsing and validation.
//
//   acd::ConfigResult r = acd::load_config("/etc/acdd/acdd.json");
//   if (!r) for (const auto& e : r.error()) std::cerr << e.to_string() << '\n';
//
// Contract:
// - Every error is reported, each naming the JSON path of the bad value, e.g.
//   "agents[2].skills[0]: unknown specialty 'cardio'"; they come section by section in the
//   order of docs/spec/config.md. A JSON syntax error names the line and column (and is then the
//   only error). Unknown keys, duplicate keys, wrong types and out-of-range values are errors.
// - A Config is only ever returned valid, with every default of docs/spec/config.md filled in and
//   every relative path made absolute against the config file's folder.
// - Pure: parse_config() reads nothing but its arguments; load_config() reads only the file.
//   Whether the files a config names exist is checked where they are used.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/json.hpp"
#include "acd/result.hpp"
#include "acd/routing_config.hpp"

namespace acd {

struct TlsConfig {
    std::filesystem::path cert;
    std::filesystem::path key;
    std::optional<std::filesystem::path> client_ca;  // set: mutual TLS is required

    bool operator==(const TlsConfig&) const = default;
};

struct GatewayConfig {
    std::string listen = "127.0.0.1:7400";  // as written: HOST:PORT
    std::string host = "127.0.0.1";         // IP literal (IPv6 without brackets) or localhost
    unsigned port = 7400;
    std::optional<TlsConfig> tls;
    std::map<std::string, std::string> tokens;  // gateway id -> lowercase hex SHA-256 of token
    int max_connections = 64;                   // connections beyond it are closed at once (v1.1)

    bool operator==(const GatewayConfig&) const = default;
};

struct AdminConfig {
    std::filesystem::path socket = "/run/acdd/admin.sock";
    unsigned mode = 0660;
    int max_connections = 64;  // the last 4 kept for uid 0 and acdd's own uid (v1.1)

    bool operator==(const AdminConfig&) const = default;
};

enum class Synchronous { full, normal };

struct StoreConfig {
    std::filesystem::path path = "/var/lib/acdd/acdd.db";
    Synchronous synchronous = Synchronous::full;
    std::filesystem::path pii_key_file;  // "<path>.key" when not given
    bool pii_key_file_given = false;     // false: created on first start when absent
    int retention_days = 180;

    bool operator==(const StoreConfig&) const = default;
};

// The web listener (docs/spec/web.md, config.md v1.1). Absent: no listener.
struct WebConfig {
    std::string listen = "127.0.0.1:8080";  // as written: HOST:PORT
    std::string host = "127.0.0.1";
    unsigned port = 8080;
    std::optional<TlsConfig> tls;  // required unless `host` is a loopback address
    Duration session_idle = seconds(1800);
    Duration session_max = seconds(43200);

    bool operator==(const WebConfig&) const = default;
};

struct Config {
    GatewayConfig gateway;
    AdminConfig admin;
    StoreConfig store;
    std::string log_level = "info";  // trace, debug, info, warn, error, critical, off
    RoutingConfig routing;           // with the site's zone (site.timezone) as data
    std::string timezone;            // site.timezone as written, or the machine's zone
    std::optional<WebConfig> web;
    // The accepted pause reasons (config.md v1.1); no_answer and login are always among them.
    std::vector<std::string> pause_reasons = {"break", "lunch",     "training", "meeting",
                                              "admin", "no_answer", "login"};
};

// A bad value: `path` is its JSON path (empty for the file as a whole).
using ConfigError = json::Problem;
using ConfigErrors = json::Problems;
// A valid configuration, or every error found in it (at least one).
using ConfigResult = Result<Config, ConfigErrors>;

// Parses `text`; relative paths are made absolute against `base_dir`.
ConfigResult parse_config(std::string_view text, const std::filesystem::path& base_dir);

// Reads and parses `file` (relative paths against its folder). An unreadable file is one error.
ConfigResult load_config(const std::filesystem::path& file);

}  // namespace acd
