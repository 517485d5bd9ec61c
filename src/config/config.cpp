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

#include "acd/zone.hpp"

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
// "HOST:PORT": an IPv4 literal, a bracketed IPv6 literal, or localhost; a port from 0 (any free
// one: the daemon logs the one it got) to 65535. The error says what is wrong.
Status parse_listen(std::string_view s, std::string& host, unsigned& port) {
    const Error wrong{
        ErrorCode::invalid_config,
        fmt::format("expected HOST:PORT with an IP address or localhost, got '{}'", s)};
    const auto colon = s.rfind(':');
    if (colon == std::string_view::npos) return wrong;
    std::string_view h = s.substr(0, colon);
    const std::string_view p = s.substr(colon + 1);
    if (p.empty() || p.size() > 9 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return wrong;
    }
    const long n = std::stol(std::string(p));
    if (n > 65535) {
        return Error{ErrorCode::invalid_config,
                     fmt::format("port {} is out of range (0 to 65535) in '{}'", n, s)};
    }
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') {
        h = h.substr(1, h.size() - 2);
        if (!valid_ipv6(h)) return wrong;
    } else if (h != "localhost" && !valid_ipv4(h)) {
        return wrong;
    }
    host = std::string(h);
    port = static_cast<unsigned>(n);
    return {};
}

// "YYYY-MM-DD", a date that exists.
std::optional<std::chrono::local_days> parse_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const auto number = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i)
            v = v * 10 + (s[i] - '0');
        return v;
    };
    const std::chrono::year_month_day ymd{std::chrono::year(number(0, 4)),
                                          std::chrono::month(unsigned(number(5, 2))),
                                          std::chrono::day(unsigned(number(8, 2)))};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::local_days(ymd);
}

bool is_loopback(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
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
                       "classes", "specialties", "agents", "overflow_teams", "site", "schedules",
                       "team_retry_s", "alerts", "quality", "web", "pause_reasons"});
        if (!r.valid()) return config_;
        if (const Json* j = r.get("gateway")) gateway(*j);
        if (const Json* j = r.get("admin")) admin(*j);
        store(r.get("store"));
        if (const Json* j = r.get("log")) log(*j);
        site(r.get("site"));
        if (const Json* j = r.get("schedules")) schedules(*j);
        if (auto v = r.integer("ring_timeout_s", 1, 600))
            config_.routing.ring_timeout = seconds(*v);
        if (auto v = r.boolean("overflow_on_deadline")) config_.routing.overflow_on_deadline = *v;
        if (auto v = r.integer("team_retry_s", 0, 86400)) config_.routing.team_retry = seconds(*v);
        if (const Json* j = r.get("alerts")) alerts(*j);
        if (const Json* j = r.get("quality")) quality(*j);
        if (const Json* j = r.get("classes")) classes(*j);
        specialties(r);
        if (const Json* j = r.array("agents")) agents(*j);
        if (const Json* j = r.array("overflow_teams")) teams(*j);
        if (const Json* j = r.get("web")) web(*j);
        if (const Json* j = r.array("pause_reasons")) pause_reasons(*j);
        return config_;
    }

  private:
    void report(std::string path, std::string message) {
        errors_.push_back({std::move(path), std::move(message)});
    }

    void gateway(const Json& j) {
        json::Reader r =
            object_at(j, "gateway", errors_,
                      {"listen", "tls", "tokens", "max_connections", "orphan_timeout_s"});
        GatewayConfig& g = config_.gateway;
        if (auto listen = r.string("listen")) {
            if (Status parsed = parse_listen(*listen, g.host, g.port); parsed) {
                g.listen = *listen;
            } else {
                r.fail("listen", parsed.message());
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
        if (auto n = r.integer("max_connections", 1, 10000)) g.max_connections = int(*n);
        if (auto s = r.integer("orphan_timeout_s", 10, 86400)) {
            config_.routing.orphan_timeout = seconds(*s);
        }
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
        json::Reader r = object_at(j, "admin", errors_, {"socket", "mode", "max_connections"});
        if (auto n = r.integer("max_connections", 8, 10000))
            config_.admin.max_connections = int(*n);
        if (auto s = r.string("socket")) config_.admin.socket = resolve(base_, *s);
        if (auto m = r.string("mode")) {
            const bool octal =
                (m->size() == 3 || m->size() == 4) &&
                std::all_of(m->begin(), m->end(), [](char c) { return c >= '0' && c <= '7'; });
            const unsigned mode = octal ? static_cast<unsigned>(std::stoul(*m, nullptr, 8)) : 0;
            if (octal && (mode & 0002) != 0) {
                // Whoever may connect may run every admin command.
                report(r.path("mode"),
                       fmt::format("\"{}\" lets every user of the machine run admin commands "
                                   "(world-writable): use \"0660\" and the socket's group",
                                   *m));
            } else if (octal) {
                config_.admin.mode = mode;
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
                object_at(*v, r.path(to_string(c)), errors_,
                          {"target_s", "tier", "overflow", "overflow_lead_s", "script"});
            ClassPolicy& p = config_.routing.classes[index_of(c)];
            if (auto t = cr.integer("target_s", 1, 86400)) p.target = seconds(*t);
            if (auto t = cr.integer("tier", 0, 9)) p.tier = int(*t);
            if (auto o = cr.boolean("overflow")) p.overflow = *o;
            p.overflow_lead = std::min(p.overflow_lead, p.target);
            const std::int64_t target_s = p.target.count() / 1000;
            if (auto l = cr.integer("overflow_lead_s", 0, target_s)) p.overflow_lead = seconds(*l);
            if (const Json* s = cr.array("script")) p.script = lines(*s, cr.path("script"));
        }
    }

    void specialties(json::Reader& root) {
        const Json* list = root.array("specialties", /*required=*/true);
        if (list == nullptr) return;
        if (list->empty()) report("specialties", "must hold at least one specialty");
        std::map<std::string, std::string> seen;
        std::map<std::string, std::string> number_owner;
        for (std::size_t i = 0; i < list->size(); ++i) {
            json::Reader r =
                object_at((*list)[i], json::item_path("specialties", i), errors_,
                          {"id", "name", "numbers", "default_class", "overflow_threshold",
                           "overflow_enabled", "hours", "closed", "script"});
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
            s.hours = hours(r);
            if (const Json* c = r.get("closed")) closed_rules(*c, r.path("closed"), s);
            if (const Json* l = r.array("script")) s.script = lines(*l, r.path("script"));
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
                                       {"id", "uri", "max_concurrent", "specialties", "hours"});
            TeamConfig t;
            check_id(r, seen, [&](const std::string& id) { t.id = id; });
            uri(r, t.uri);
            if (auto m = r.integer("max_concurrent", 1, 10000)) t.max_concurrent = int(*m);
            t.specialties = specialty_list(r, "specialties", /*star=*/true, t.all_specialties);
            if (t.all_specialties) t.specialties.clear();
            t.hours = hours(r);
            if (!t.id.empty()) config_.routing.teams.push_back(std::move(t));
        }
    }

    // --- v1.1: site time, schedules, alerts, quality, web, pause reasons ----------------------

    void site(const Json* j) {
        std::string name = local_zone_name();
        if (j != nullptr) {
            json::Reader r = object_at(*j, "site", errors_, {"timezone"});
            if (auto tz = r.string("timezone")) name = *tz;
        }
        auto rules = zone_rules(name);
        if (!rules) {
            report(j != nullptr && j->contains("timezone") ? "site.timezone" : "",
                   rules.error().message);
            return;
        }
        config_.timezone = name;
        config_.routing.zone = std::move(*rules);
    }

    void schedules(const Json& j) {
        if (!j.is_object()) {
            report("schedules", "expected an object of schedules by name, got " + json::shown(j));
            return;
        }
        static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu",
                                                     "fri", "sat", "sun"};
        for (const auto& [name, value] : j.items()) {
            const std::string path = json::member_path("schedules", name);
            if (!valid_id(name)) {
                report(path, "a schedule name must be 1 to 64 characters of [A-Za-z0-9_.-]");
                continue;
            }
            json::Reader r =
                object_at(value, path, errors_,
                          {"mon", "tue", "wed", "thu", "fri", "sat", "sun", "closed_dates"});
            if (!r.valid()) continue;
            Schedule sc;
            sc.id = name;
            for (std::size_t d = 0; d < sc.week.size(); ++d) {
                if (const Json* ranges = r.array(kDays[d])) {
                    sc.week[d] = day_ranges(*ranges, r.path(kDays[d]));
                }
            }
            if (const Json* dates = r.array("closed_dates")) {
                sc.closed_dates = closed_dates(*dates, r.path("closed_dates"));
            }
            config_.routing.schedules.push_back(std::move(sc));
        }
    }

    // ["08:00-12:00", "13:00-18:00"]: sorted, each end after its start, none overlapping.
    std::vector<TimeRange> day_ranges(const Json& list, const std::string& path) {
        std::vector<TimeRange> out;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const std::string item = json::item_path(path, k);
            const Json& v = list[k];
            const std::string text = v.is_string() ? v.get<std::string>() : "";
            const auto range = parse_time_range(text);
            if (!range) {
                report(item,
                       "expected a range HH:MM-HH:MM with its end after its start (00:00 "
                       "to 24:00), got " +
                           json::shown(v));
                continue;
            }
            out.push_back(*range);
        }
        std::sort(out.begin(), out.end(),
                  [](const TimeRange& a, const TimeRange& b) { return a.start_min < b.start_min; });
        for (std::size_t k = 1; k < out.size(); ++k) {
            if (out[k].start_min < out[k - 1].end_min) {
                report(path, fmt::format("ranges overlap ({:02}:{:02} starts before {:02}:{:02})",
                                         out[k].start_min / 60, out[k].start_min % 60,
                                         out[k - 1].end_min / 60, out[k - 1].end_min % 60));
            }
        }
        return out;
    }

    std::vector<std::chrono::local_days> closed_dates(const Json& list, const std::string& path) {
        std::vector<std::chrono::local_days> out;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const Json& v = list[k];
            const auto day = v.is_string() ? parse_date(v.get<std::string>()) : std::nullopt;
            if (!day) {
                report(json::item_path(path, k),
                       "expected a date YYYY-MM-DD, got " + json::shown(v));
                continue;
            }
            out.push_back(*day);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    // `hours` of a specialty or a team: the name of a schedule, or absent (always open).
    std::string hours(json::Reader& r) {
        const auto name = r.string("hours");
        if (!name) return {};
        for (const Schedule& sc : config_.routing.schedules) {
            if (sc.id == *name) return *name;
        }
        r.fail("hours", fmt::format("unknown schedule '{}'", *name));
        return {};
    }

    void closed_rules(const Json& j, const std::string& path, SpecialtyConfig& s) {
        json::Reader r = object_at(j, path, errors_, {"urgent", "appointment", "admin"},
                                   "unknown class (expected urgent, appointment or admin)");
        for (CallClass c : kCallClasses) {
            const auto rule = r.choice(to_string(c), {"team", "reject", "queue"});
            if (rule) s.closed[index_of(c)] = *parse_closed_rule(*rule);
        }
    }

    // A script: lines shown to the agent.
    std::vector<std::string> lines(const Json& list, const std::string& path) {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const Json& v = list[k];
            if (!v.is_string() || v.get<std::string>().size() > 1000) {
                report(json::item_path(path, k),
                       "expected a line of text (at most 1000 bytes), got " + json::shown(v));
                continue;
            }
            out.push_back(v.get<std::string>());
        }
        return out;
    }

    void alerts(const Json& j) {
        json::Reader r = object_at(j, "alerts", errors_, {"late_after_s"});
        if (auto v = r.integer("late_after_s", 0, 86400)) config_.routing.late_after = seconds(*v);
    }

    void quality(const Json& j) {
        json::Reader r = object_at(j, "quality", errors_, {"sample_percent"});
        if (auto v = r.integer("sample_percent", 0, 100)) {
            config_.routing.quality_sample_percent = int(*v);
        }
    }

    void web(const Json& j) {
        json::Reader r =
            object_at(j, "web", errors_, {"listen", "tls", "session_idle_s", "session_max_s"});
        if (!r.valid()) return;
        WebConfig w;
        if (auto listen = r.string("listen")) {
            if (Status parsed = parse_listen(*listen, w.host, w.port); parsed) {
                w.listen = *listen;
            } else {
                r.fail("listen", parsed.message());
            }
        }
        if (const Json* t = r.get("tls")) {
            json::Reader tr = object_at(*t, r.path("tls"), errors_, {"cert", "key"});
            const auto cert = tr.string("cert", true);
            const auto key = tr.string("key", true);
            if (cert && key) w.tls = TlsConfig{resolve(base_, *cert), resolve(base_, *key), {}};
        } else if (!is_loopback(w.host)) {
            r.fail("listen", "plain HTTP is only allowed on a loopback address; set web.tls");
        }
        if (auto v = r.integer("session_idle_s", 60, 86400)) w.session_idle = seconds(*v);
        if (auto v = r.integer("session_max_s", 300, 604800)) w.session_max = seconds(*v);
        config_.web = std::move(w);
    }

    void pause_reasons(const Json& list) {
        std::vector<std::string> reasons;
        for (std::size_t k = 0; k < list.size(); ++k) {
            const Json& v = list[k];
            const std::string path = json::item_path("pause_reasons", k);
            if (!v.is_string() || !valid_id(v.get<std::string>())) {
                report(path, "expected a reason id (1 to 64 characters of [A-Za-z0-9_.-]), got " +
                                 json::shown(v));
            } else if (std::find(reasons.begin(), reasons.end(), v.get<std::string>()) !=
                       reasons.end()) {
                report(path, fmt::format("reason '{}' is listed twice", v.get<std::string>()));
            } else {
                reasons.push_back(v.get<std::string>());
            }
        }
        // acdd pauses agents with these itself.
        for (const char* own : {"no_answer", "login"}) {
            if (std::find(reasons.begin(), reasons.end(), own) == reasons.end()) {
                reasons.push_back(own);
            }
        }
        config_.pause_reasons = std::move(reasons);
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
