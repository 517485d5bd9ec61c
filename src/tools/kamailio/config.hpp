// acd-kamailio's configuration (docs/spec/telephony.md, docs/telephony.md): a JSON file, read
// whole and refused with every error, each naming the JSON path of the bad value
// ("acdd.connect: expected HOST:PORT ..."), as acdd refuses its own.
//
// Only a fully valid file gives a BridgeConfig. Relative file paths (TLS files, state_file) are
// taken from the configuration file's folder. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/json.hpp"
#include "acd/result.hpp"

namespace acd::kamailio {

struct HostPort {
    std::string host;  // an IP literal (IPv6 without brackets) or a host name
    std::uint16_t port = 0;
};

struct TlsSettings {
    std::string ca;    // empty: the system's trusted CAs
    std::string cert;  // client certificate for mutual TLS; empty: none (then key is empty too)
    std::string key;
};

struct BridgeConfig {
    HostPort acdd{"127.0.0.1", 7400};
    std::string gateway_id = "kamailio";
    std::string token;               // empty: no token in hello
    std::optional<TlsSettings> tls;  // absent: plain TCP
    HostPort evapi{"127.0.0.1", 8448};
    std::string state_file = "/var/lib/acdd/acd-kamailio.state";
};

// A bad value: `path` is e.g. "acdd.connect", empty for the file as a whole (acdd's reader,
// include/acd/json.hpp).
using ConfigError = json::Problem;
// A valid configuration, or every error found in it.
using ConfigResult = Result<BridgeConfig, json::Problems>;

// Parses `text`; relative paths are resolved against `base_dir`.
ConfigResult parse_config(std::string_view text, const std::filesystem::path& base_dir);
// Reads and parses `file`.
ConfigResult load_config(const std::filesystem::path& file);
// "HOST:PORT" (IPv6 in brackets); nullopt when it is not one.
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace acd::kamailio
