// Parsing and validation of the configuration file (docs/spec/config.md). See
// include/acd/config.hpp.
//
// The JSON is read once by nlohmann::json (with a callback that reports duplicate keys, which
// the library would otherwise silently collapse), then walked section by section. Each reader
// knows the JSON path it stands at, so every error names the exact value it is about.
#include "acd/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace acd {
namespace {

using Errors = json::Problems;

// Reads the object `j` at `path`, with a problem for each key not in `known`.
json::Reader object_at(const Json& j, std::string path, Errors& errors,
                       std::initializer_list<std::string_view> known,
                       std::string_view unknown_message = "unknown key") {
    json::Reader r = json::Reader::at_path(j, std::move(path), errors);
    r.only(known, unknown_message);
    return r;
}

// ---------------------------------------------------------------------------------------------
// Value rules
// ---------------------------------------------------------------------------------------------

bool valid_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

bool valid_number(std::string_view n) {
    if (!n.empty() && n.front() == '+') n.remove_prefix(1);
    return !n.empty() && n.size() <= 32 &&
           std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool valid_uri(std::string_view uri) {
    for (std::string_view scheme : {"sip:", "sips:", "tel:"}) {
        if (uri.starts_with(scheme) && uri.size() > scheme.size()) return true;
    }
    return false;
}

bool valid_ipv4(std::string_view s) {
    int parts = 0;
    while (!s.empty()) {
        const auto dot = s.find('.');
        const std::string_view part = s.substr(0, dot);
        if (part.empty() || part.size() > 3 ||
            !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoi(std::string(part)) > 255) {
            return false;
        }
        ++parts;
        if (dot == std::string_view::npos) break;
        s.remove_prefix(dot + 1);
        if (s.empty()) return false;
    }
    return parts == 4;
}

bool valid_ipv6(std::string_view s) {
    return !s.empty() && s.find(':') != std::string_view::npos &&
           std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
}

// "HOST:PORT": an IPv4 literal, a bracketed IPv6 literal, or localhost.
bool parse_listen(std::string_view s, std::string& host, unsigned& port) {
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string_view h = s.substr(0, colon);
    const std::string_view p = s.substr(colon + 1);
    if (p.empty() || p.size() > 5 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const int n = std::stoi(std::string(p));
    if (n > 65535) return false;  // 0: any free port (the daemon logs the one it got)
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
        if (!valid_ipv6(h)) return false;
    } else if (h != "localhost" && !valid_ipv4(h)) {
        return false;
    }
    host = std::string(h);
    port = static_cast<unsigned>(n);
    return true;
}

std::filesystem::path resolve(const std::filesystem::path& base, const std::string& p) {
    const std::filesystem::path path(p);
    return (path.is_absolute() ? path : base / path).lexically_normal();
}

// Ids of one list must be valid and unique. Returns the ids in order ("" for bad ones).
template <typename Get>
void check_id(json::Reader& r, std::map<std::string, std::string>& seen, Get&& set_id) {
    const auto id = r.string("id", /*required=*/true);
    if (!id) return;
    if (!valid_id(*id)) {
        r.fail("id", fmt::format("'{}' must be 1 to 64 characters of [A-Za-z0-9_.-]", *id));
        return;
    }
    if (auto [it, added] = seen.try_emplace(*id, r.path()); !added) {
        r.fail("id", fmt::format("duplicate id '{}' (also {})", *id, it->second));
        return;
    }
    set_id(*id);
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

class ConfigParser {
  public:
    ConfigParser(const Json& root, std::filesystem::path base, Errors& errors)
        : root_(root), base_(std::move(base)), errors_(errors) {}

    Config parse() {
        json::Reader r =
            object_at(root_, "", errors_,
                      {"gateway", "admin", "store", "log", "ring_timeout_s", "overflow_on_deadline",
                       "classes", "specialties", "agents", "overflow_teams"});
        if (!r.valid()) return config_;
        if (const Json* j = r.get("gateway")) gateway(*j);
        if (const Json* j = r.get("admin")) admin(*j);
        store(r.get("store"));
        if (const Json* j = r.get("log")) log(*j);
        if (auto v = r.integer("ring_timeout_s", 1, 600))
            config_.routing.ring_timeout = seconds(*v);
        if (auto v = r.boolean("overflow_on_deadline")) config_.routing.overflow_on_deadline = *v;
        if (const Json* j = r.get("classes")) classes(*j);
        specialties(r);
        if (const Json* j = r.array("agents")) agents(*j);
        if (const Json* j = r.array("overflow_teams")) teams(*j);
        return config_;
    }

  private:
    void report(std::string path, std::string message) {
        errors_.push_back({std::move(path), std::move(message)});
    }

    void gateway(const Json& j) {
        json::Reader r = object_at(j, "gateway", errors_, {"listen", "tls", "tokens"});
        GatewayConfig& g = config_.gateway;
        if (auto listen = r.string("listen")) {
            if (parse_listen(*listen, g.host, g.port)) {
                g.listen = *listen;
            } else {
                report(r.path("listen"),
                       fmt::format("expected HOST:PORT with an IP address or localhost, got '{}'",
                                   *listen));
            }
        }
        if (const Json* t = r.get("tls")) {
            json::Reader tr = object_at(*t, r.path("tls"), errors_, {"cert", "key", "client_ca"});
            const auto cert = tr.string("cert", true);
            const auto key = tr.string("key", true);
            const auto ca = tr.string("client_ca");
            if (cert && key) {
                g.tls = TlsConfig{resolve(base_, *cert), resolve(base_, *key), std::nullopt};
                if (ca) g.tls->client_ca = resolve(base_, *ca);
            }
        }
        if (const Json* t = r.get("tokens")) tokens(*t, r.path("tokens"));
    }

    void tokens(const Json& j, const std::string& path) {
        if (!j.is_object()) {
            errors_.push_back({path, "expected an object, got " + json::shown(j)});
            return;
        }
        for (const auto& [gw, value] : j.items()) {
            const std::string p = json::member_path(path, gw);
            if (!valid_id(gw)) {
                errors_.push_back({p, "gateway id must be 1 to 64 characters of [A-Za-z0-9_.-]"});
                continue;
            }
            const std::string s = value.is_string() ? value.get<std::string>() : "";
            std::string hex = s.starts_with("sha256:") ? s.substr(7) : "";
            std::transform(hex.begin(), hex.end(), hex.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            if (hex.size() != 64 || !std::all_of(hex.begin(), hex.end(), [](char c) {
                    return std::isxdigit(static_cast<unsigned char>(c));
                })) {
                errors_.push_back(
                    {p,
                     "expected \"sha256:\" followed by the 64 hex digits of the token's "
                     "SHA-256, got " +
                         json::shown(value)});
                continue;
            }
            config_.gateway.tokens[gw] = hex;
        }
    }

    void admin(const Json& j) {
        json::Reader r = object_at(j, "admin", errors_, {"socket", "mode"});
        if (auto s = r.string("socket")) config_.admin.socket = resolve(base_, *s);
        if (auto m = r.string("mode")) {
            const bool octal =
                (m->size() == 3 || m->size() == 4) &&
                std::all_of(m->begin(), m->end(), [](char c) { return c >= '0' && c <= '7'; });
            if (octal) {
                config_.admin.mode = static_cast<unsigned>(std::stoul(*m, nullptr, 8));
            } else {
                report(r.path("mode"),
                       fmt::format("expected an octal mode like \"0660\", got \"{}\"", *m));
            }
        }
    }

    void store(const Json* j) {
        StoreConfig& s = config_.store;
        if (j != nullptr) {
            json::Reader r = object_at(*j, "store", errors_,
                                       {"path", "synchronous", "pii_key_file", "retention_days"});
            if (auto p = r.string("path")) s.path = resolve(base_, *p);
            if (auto sync = r.string("synchronous")) {
                if (*sync == "full" || *sync == "normal") {
                    s.synchronous = *sync == "full" ? Synchronous::full : Synchronous::normal;
                } else {
                    report(r.path("synchronous"),
                           fmt::format("expected \"full\" or \"normal\", got \"{}\"", *sync));
                }
            }
            if (auto k = r.string("pii_key_file")) {
                s.pii_key_file = resolve(base_, *k);
                s.pii_key_file_given = true;
            }
            if (auto d = r.integer("retention_days", 1, 36500)) s.retention_days = int(*d);
        }
        if (!s.pii_key_file_given) s.pii_key_file = s.path.string() + ".key";
    }

    void log(const Json& j) {
        json::Reader r = object_at(j, "log", errors_, {"level"});
        if (auto level =
                r.choice("level", {"trace", "debug", "info", "warn", "error", "critical", "off"})) {
            config_.log_level = *level;
        }
    }

    void classes(const Json& j) {
        json::Reader r = object_at(j, "classes", errors_, {"urgent", "appointment", "admin"},
                                   "unknown class (expected urgent, appointment or admin)");
        for (CallClass c : kCallClasses) {
            const Json* v = r.get(to_string(c));
            if (v == nullptr) continue;
            json::Reader cr =
                object_at(*v, r.path(to_string(c)), errors_, {"target_s", "tier", "overflow"});
            ClassPolicy& p = config_.routing.classes[index_of(c)];
            if (auto t = cr.integer("target_s", 1, 86400)) p.target = seconds(*t);
            if (auto t = cr.integer("tier", 0, 9)) p.tier = int(*t);
            if (auto o = cr.boolean("overflow")) p.overflow = *o;
        }
    }

    void specialties(json::Reader& root) {
        const Json* list = root.array("specialties", /*required=*/true);
        if (list == nullptr) return;
        if (list->empty()) report("specialties", "must hold at least one specialty");
        std::map<std::string, std::string> seen;
        std::map<std::string, std::string> number_owner;
        for (std::size_t i = 0; i < list->size(); ++i) {
            json::Reader r = object_at((*list)[i], json::item_path("specialties", i), errors_,
                                       {"id", "name", "numbers", "default_class",
                                        "overflow_threshold", "overflow_enabled"});
            SpecialtyConfig s;
            check_id(r, seen, [&](const std::string& id) { s.id = id; });
            s.name = r.string("name").value_or(s.id);
            if (const Json* numbers = r.array("numbers")) {
                for (std::size_t k = 0; k < numbers->size(); ++k) {
                    number((*numbers)[k], json::item_path(r.path("numbers"), k), s, number_owner);
                }
            }
            if (auto c = r.string("default_class")) {
                if (auto cls = parse_call_class(*c)) {
                    s.default_class = *cls;
                } else {
                    report(r.path("default_class"),
                           fmt::format("unknown class '{}' (expected urgent, appointment or admin)",
                                       *c));
                }
            }
            if (auto t = r.integer("overflow_threshold", 0, 100000)) s.overflow_threshold = int(*t);
            if (auto e = r.boolean("overflow_enabled")) s.overflow_enabled = *e;
            if (!s.id.empty()) config_.routing.specialties.push_back(std::move(s));
        }
    }

    void number(const Json& v, const std::string& path, SpecialtyConfig& s,
                std::map<std::string, std::string>& owner) {
        if (!v.is_string() || !valid_number(v.get<std::string>())) {
            report(path, "expected a phone number (digits with an optional leading +), got " +
                             json::shown(v));
            return;
        }
        const std::string n = v.get<std::string>();
        if (auto [it, added] = owner.try_emplace(n, s.id); !added) {
            report(path,
                   fmt::format("number '{}' already belongs to specialty '{}'", n, it->second));
            return;
        }
        s.numbers.push_back(n);
    }

    bool known_specialty(std::string_view id) const {
        const auto& list = config_.routing.specialties;
        return std::any_of(list.begin(), list.end(), [&](const auto& s) { return s.id == id; });
    }

    // A list of specialty ids (agent skills, team specialties); "*" alone when `star` allows it.
    std::vector<std::string> specialty_list(json::Reader& r, std::string_view key, bool star,
                                            bool& all) {
        std::vector<std::string> out;
        const Json* list = r.array(key, /*required=*/true);
        if (list == nullptr) return out;
        const std::string path = r.path(key);
        if (list->empty()) report(path, "must name at least one specialty");
        for (std::size_t i = 0; i < list->size(); ++i) {
            const Json& v = (*list)[i];
            const std::string p = json::item_path(path, i);
            if (!v.is_string()) {
                report(p, "expected a specialty id, got " + json::shown(v));
                continue;
            }
            const std::string id = v.get<std::string>();
            if (star && id == "*") {
                if (list->size() != 1) report(p, "\"*\" must stand alone");
                all = true;
            } else if (!known_specialty(id)) {
                report(p, fmt::format("unknown specialty '{}'", id));
            } else if (std::find(out.begin(), out.end(), id) != out.end()) {
                report(p, fmt::format("specialty '{}' is listed twice", id));
            } else {
                out.push_back(id);
            }
        }
        return out;
    }

    void agents(const Json& list) {
        std::map<std::string, std::string> seen;
        for (std::size_t i = 0; i < list.size(); ++i) {
            json::Reader r = object_at(list[i], json::item_path("agents", i), errors_,
                                       {"id", "name", "uri", "skills", "wrap_up_s"});
            AgentConfig a;
            check_id(r, seen, [&](const std::string& id) { a.id = id; });
            a.name = r.string("name").value_or(a.id);
            uri(r, a.uri);
            bool all = false;
            a.skills = specialty_list(r, "skills", /*star=*/false, all);
            if (auto w = r.integer("wrap_up_s", 0, 3600)) a.wrap_up = seconds(*w);
            if (!a.id.empty()) config_.routing.agents.push_back(std::move(a));
        }
    }

    void teams(const Json& list) {
        std::map<std::string, std::string> seen;
        for (std::size_t i = 0; i < list.size(); ++i) {
            json::Reader r = object_at(list[i], json::item_path("overflow_teams", i), errors_,
                                       {"id", "uri", "max_concurrent", "specialties"});
            TeamConfig t;
            check_id(r, seen, [&](const std::string& id) { t.id = id; });
            uri(r, t.uri);
            if (auto m = r.integer("max_concurrent", 1, 10000)) t.max_concurrent = int(*m);
            t.specialties = specialty_list(r, "specialties", /*star=*/true, t.all_specialties);
            if (t.all_specialties) t.specialties.clear();
            if (!t.id.empty()) config_.routing.teams.push_back(std::move(t));
        }
    }

    void uri(json::Reader& r, std::string& out) {
        const auto u = r.string("uri", /*required=*/true);
        if (!u) return;
        if (!valid_uri(*u)) {
            report(r.path("uri"), fmt::format("expected a sip:, sips: or tel: URI, got '{}'", *u));
            return;
        }
        out = *u;
    }

    const Json& root_;
    std::filesystem::path base_;
    Errors& errors_;
    Config config_;
};

}  // namespace

ConfigResult parse_config(std::string_view text, const std::filesystem::path& base_dir) {
    Errors errors;
    const auto root = json::parse_document(text, errors);
    if (!root) return errors;
    Config config = ConfigParser(*root, base_dir, errors).parse();
    if (!errors.empty()) return errors;
    return config;
}

ConfigResult load_config(const std::filesystem::path& file) {
    Errors errors;
    const auto text = json::read_file(file, errors);
    if (!text) return errors;
    return parse_config(*text, std::filesystem::absolute(file).parent_path());
}

}  // namespace acd
