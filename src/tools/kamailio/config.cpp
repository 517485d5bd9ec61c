#include "config.hpp"

#include <fmt/format.h>

#include <fstream>

namespace acd::kamailio {

namespace {

bool host_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '_';
}

// The readers of the bridge's values, on top of the shared JSON reader.
class Values {
  public:
    Values(std::filesystem::path base, json::Problems& problems)
        : base_(std::move(base)), problems_(problems) {}

    void host_port(json::Reader& r, const char* key, HostPort& out) {
        const auto s = r.string(key);
        if (!s) return;
        if (auto hp = parse_host_port(*s)) {
            out = *hp;
        } else {
            r.fail(key, fmt::format("expected HOST:PORT (an IP address or a host name, and a "
                                    "port from 1 to 65535), got '{}'",
                                    *s));
        }
    }

    // A file path: non-empty; relative to the configuration file's folder.
    std::optional<std::string> file(json::Reader& r, const char* key) {
        auto s = r.string(key);
        if (!s) return std::nullopt;
        if (s->empty()) {
            r.fail(key, "expected a file path, got an empty string");
            return std::nullopt;
        }
        std::filesystem::path p(*s);
        if (p.is_relative()) p = base_ / p;
        return p.lexically_normal().string();
    }

    // A file that must exist and be readable now (TLS files).
    void readable(const std::string& path, const std::optional<std::string>& file) {
        if (!file) return;
        std::ifstream in(*file);
        if (!in) problems_.push_back({path, fmt::format("cannot read '{}'", *file)});
    }

  private:
    std::filesystem::path base_;
    json::Problems& problems_;
};

json::Reader object(const Json& j, std::string path, json::Problems& problems,
                    std::initializer_list<std::string_view> known) {
    json::Reader r = json::Reader::at_path(j, std::move(path), problems);
    r.only(known);
    return r;
}

void read_tls(Values& v, const Json& tls, json::Problems& problems, BridgeConfig& c) {
    json::Reader r = object(tls, "acdd.tls", problems, {"ca", "cert", "key"});
    if (!r.valid()) return;
    TlsSettings t;
    const auto ca = v.file(r, "ca");
    const auto cert = v.file(r, "cert");
    const auto key = v.file(r, "key");
    v.readable("acdd.tls.ca", ca);
    v.readable("acdd.tls.cert", cert);
    v.readable("acdd.tls.key", key);
    if (cert.has_value() != key.has_value()) {
        problems.push_back({cert ? "acdd.tls.key" : "acdd.tls.cert",
                            "cert and key go together (a client certificate and its private key)"});
    }
    t.ca = ca.value_or("");
    t.cert = cert.value_or("");
    t.key = key.value_or("");
    c.tls = t;
}

void read_acdd(Values& v, const Json& a, json::Problems& problems, BridgeConfig& c) {
    json::Reader r = object(a, "acdd", problems, {"connect", "gateway_id", "token", "tls"});
    if (!r.valid()) return;
    v.host_port(r, "connect", c.acdd);
    if (auto id = r.string("gateway_id")) {
        if (id->empty() || id->size() > 64) {
            r.fail("gateway_id", fmt::format("expected 1 to 64 bytes, got {} bytes", id->size()));
        } else {
            c.gateway_id = *id;
        }
    }
    if (auto token = r.string("token")) {
        if (token->empty()) {
            r.fail("token", "expected a non-empty token (leave the key out for none)");
        } else {
            c.token = *token;
        }
    }
    if (const Json* tls = r.get("tls")) read_tls(v, *tls, problems, c);
}

}  // namespace

std::optional<HostPort> parse_host_port(std::string_view text) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return std::nullopt;  // IPv6: brackets
    }
    if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
    for (char c : host)
        if (!host_name_char(c)) return std::nullopt;
    unsigned value = 0;
    for (char c : port) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) return std::nullopt;
    return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

ConfigResult parse_config(std::string_view text, const std::filesystem::path& base_dir) {
    json::Problems problems;
    const auto root = json::parse_document(text, problems);
    if (!root) return problems;
    Values v(base_dir, problems);
    BridgeConfig c;
    json::Reader r = object(*root, "", problems, {"acdd", "kamailio", "state_file"});
    if (r.valid()) {
        if (const Json* a = r.get("acdd")) read_acdd(v, *a, problems, c);
        if (const Json* k = r.get("kamailio")) {
            json::Reader kr = object(*k, "kamailio", problems, {"evapi"});
            if (kr.valid()) v.host_port(kr, "evapi", c.evapi);
        }
        if (auto f = v.file(r, "state_file")) c.state_file = *f;
    }
    if (!problems.empty()) return problems;
    return c;
}

ConfigResult load_config(const std::filesystem::path& file) {
    json::Problems problems;
    const auto text = json::read_file(file, problems);
    if (!text) return problems;
    return parse_config(*text, file.parent_path().empty() ? "." : file.parent_path());
}

}  // namespace acd::kamailio
