#include "config.hpp"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace acd::kamailio {

namespace {

using json = nlohmann::json;

std::string shown(const json& v) {
    std::string s = v.dump();
    if (s.size() > 80) s = s.substr(0, 77) + "...";
    return s;
}

bool host_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '_';
}

// Collects errors with their paths while the file is read.
class Reader {
  public:
    explicit Reader(std::filesystem::path base) : base_(std::move(base)) {}

    void error(std::string path, std::string message) {
        errors_.push_back({std::move(path), std::move(message)});
    }
    std::vector<ConfigError> take_errors() { return std::move(errors_); }

    // Checks that `obj` (at `path`) is an object holding only `keys`.
    bool object(const json& obj, const std::string& path, std::initializer_list<const char*> keys) {
        if (!obj.is_object()) {
            error(path, "expected an object, got " + shown(obj));
            return false;
        }
        for (const auto& [k, v] : obj.items()) {
            bool known = false;
            for (const char* key : keys)
                known = known || k == key;
            if (!known) error(join(path, k), "unknown key");
        }
        return true;
    }

    std::optional<std::string> string(const json& obj, const std::string& path, const char* key) {
        const auto it = obj.find(key);
        if (it == obj.end()) return std::nullopt;
        if (!it->is_string()) {
            error(join(path, key), "expected a string, got " + shown(*it));
            return std::nullopt;
        }
        return it->get<std::string>();
    }

    void host_port(const json& obj, const std::string& path, const char* key, HostPort& out) {
        const auto s = string(obj, path, key);
        if (!s) return;
        if (auto hp = parse_host_port(*s)) {
            out = *hp;
        } else {
            error(join(path, key), fmt::format("expected HOST:PORT (an IP address or a host name, "
                                               "and a port from 1 to 65535), got '{}'",
                                               *s));
        }
    }

    // A file path: non-empty; relative to the configuration file's folder.
    std::optional<std::string> file(const json& obj, const std::string& path, const char* key) {
        auto s = string(obj, path, key);
        if (!s) return std::nullopt;
        if (s->empty()) {
            error(join(path, key), "expected a file path, got an empty string");
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
        if (!in) error(path, fmt::format("cannot read '{}'", *file));
    }

    static std::string join(const std::string& path, std::string_view key) {
        return path.empty() ? std::string(key) : path + "." + std::string(key);
    }

  private:
    std::filesystem::path base_;
    std::vector<ConfigError> errors_;
};

void read_tls(Reader& r, const json& tls, BridgeConfig& c) {
    if (!r.object(tls, "acdd.tls", {"ca", "cert", "key"})) return;
    TlsSettings t;
    const auto ca = r.file(tls, "acdd.tls", "ca");
    const auto cert = r.file(tls, "acdd.tls", "cert");
    const auto key = r.file(tls, "acdd.tls", "key");
    r.readable("acdd.tls.ca", ca);
    r.readable("acdd.tls.cert", cert);
    r.readable("acdd.tls.key", key);
    if (cert.has_value() != key.has_value()) {
        r.error(cert ? "acdd.tls.key" : "acdd.tls.cert",
                "cert and key go together (a client certificate and its private key)");
    }
    t.ca = ca.value_or("");
    t.cert = cert.value_or("");
    t.key = key.value_or("");
    c.tls = t;
}

void read_acdd(Reader& r, const json& a, BridgeConfig& c) {
    if (!r.object(a, "acdd", {"connect", "gateway_id", "token", "tls"})) return;
    r.host_port(a, "acdd", "connect", c.acdd);
    if (auto id = r.string(a, "acdd", "gateway_id")) {
        if (id->empty() || id->size() > 64) {
            r.error("acdd.gateway_id",
                    fmt::format("expected 1 to 64 bytes, got {} bytes", id->size()));
        } else {
            c.gateway_id = *id;
        }
    }
    if (auto token = r.string(a, "acdd", "token")) {
        if (token->empty()) {
            r.error("acdd.token", "expected a non-empty token (leave the key out for none)");
        } else {
            c.token = *token;
        }
    }
    if (const auto it = a.find("tls"); it != a.end()) read_tls(r, *it, c);
}

// nlohmann-json keeps the last of two equal keys silently: find them while parsing.
struct DuplicateFinder {
    std::vector<std::set<std::string>> seen;
    std::vector<std::string> path;  // keys of the objects entered, "" for array levels
    std::string last_key;
    std::vector<std::string> duplicates;

    bool operator()(int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start:
                path.push_back(last_key);
                seen.emplace_back();
                last_key.clear();
                break;
            case json::parse_event_t::object_end:
                seen.pop_back();
                path.pop_back();
                break;
            case json::parse_event_t::key: {
                last_key = parsed.get<std::string>();
                if (!seen.empty() && !seen.back().insert(last_key).second) {
                    std::string p;
                    for (std::size_t i = 1; i < path.size(); ++i)
                        p = Reader::join(p, path[i]);
                    duplicates.push_back(Reader::join(p, last_key));
                }
                break;
            }
            default:
                break;
        }
        return true;
    }
};

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
    ConfigResult result;
    DuplicateFinder dups;
    json root;
    try {
        root = json::parse(text, std::ref(dups));
    } catch (const json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 3, column 15: syntax error ..."
        std::string what = e.what();
        const auto at = what.find(" at ");
        result.errors.push_back({"", at == std::string::npos ? what : what.substr(at + 4)});
        return result;
    }
    Reader r(base_dir);
    for (const auto& d : dups.duplicates)
        r.error(d, "duplicate key");
    BridgeConfig c;
    if (r.object(root, "", {"acdd", "kamailio", "state_file"})) {
        if (const auto it = root.find("acdd"); it != root.end()) read_acdd(r, *it, c);
        if (const auto it = root.find("kamailio"); it != root.end()) {
            if (r.object(*it, "kamailio", {"evapi"}))
                r.host_port(*it, "kamailio", "evapi", c.evapi);
        }
        if (auto f = r.file(root, "", "state_file")) c.state_file = *f;
    }
    result.errors = r.take_errors();
    if (result.errors.empty()) result.config = std::move(c);
    return result;
}

ConfigResult load_config(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        ConfigResult r;
        r.errors.push_back({"", fmt::format("cannot read '{}'", file.string())});
        return r;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), file.parent_path().empty() ? "." : file.parent_path());
}

std::string to_string(const ConfigError& e) {
    return e.path.empty() ? e.message : e.path + ": " + e.message;
}

}  // namespace acd::kamailio
