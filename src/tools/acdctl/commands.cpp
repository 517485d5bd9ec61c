#include "commands.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <vector>

namespace acd::ctl {

const char* const kUsage = R"(usage: acdctl [OPTIONS] COMMAND [ARGS]

Talks to a running acdd over its admin socket (docs/acdctl.md, acdctl(8)).

Options:
  -s, --socket PATH   the admin socket (default: $ACDCTL_SOCKET, else /run/acdd/admin.sock)
  -c, --config FILE   use admin.socket from acdd's configuration FILE
  -j, --json          print acdd's JSON response unchanged instead of tables
  -t, --timeout SEC   wait at most SEC seconds for acdd (default 10; audit verify, backup 600)
  -h, --help          print this help
  -V, --version       print acdctl's version

Commands:
  status                          version, uptime, calls and agents by state, overdue
                                  urgent messages
  version                         acdd's version
  queues                          every queue: queued calls, oldest wait, agents
  queue SPECIALTY                 the calls queued for SPECIALTY, in dispatch order
  agents                          every agent: state, for how long, reason, call
  agent login AGENT [--paused]    log AGENT in: ready (or paused, reason "login")
  agent logout AGENT              log AGENT out
  agent pause AGENT REASON...     pause AGENT (e.g. break, lunch, meeting)
  agent ready AGENT               make AGENT ready
  calls                           every live call
  call reclassify CALL CLASS      change a call's class (urgent, appointment, admin)
  call transfer CALL SPECIALTY    move a queued call to another specialty's queue
                                  (both take --gateway GW when two gateways use the id)
  overflow                        overflow settings per specialty, load per team
  overflow set SPECIALTY [--threshold N] [--enable|--disable]
  stats [--since TIME] [--all]    service figures per specialty and class
                                  (TIME: RFC 3339, or back from now: 90m, 2h, 7d;
                                  default today 00:00; --all: rows without calls too)
  quality [list] [--since TIME]   the calls of the quality sample and their evaluations
                                  (default today 00:00)
  quality evaluate CALL SCORE --by WHO COMMENT...
                                  score a call of the sample from 1 to 5, with a comment
  config test [FILE]              check a configuration file (default: acdd's own)
  config reload                   apply acdd's configuration file again
  audit verify [HEAD] [--deep]    check the audit log's hash chain (and that it reaches HEAD,
                                  ID:HASH as the log's audit.head lines give it; --deep:
                                  also SQLite's integrity check of every page)
  backup FILE                     copy the database, online and consistent, to FILE (new)
  watch [--once]                  live wallboard: queues, waiting calls, agents
  subscribe [TOPIC...]            print every change as JSON lines (topics calls,
                                  agents, queues, alerts, agenda; default: all)
  user add USER --name NAME --role ROLE [--agent AGENT]
                                  add a web console user (role agent, supervisor or
                                  admin; agent: the agent it works as); the password
                                  is read from standard input
  user set USER [--name NAME] [--role ROLE] [--agent AGENT] [--disable|--enable]
  user passwd USER                set USER's password (read from standard input)
  user list                       the web console's users
  commands                        the admin commands acdd supports
  shutdown                        stop acdd gracefully
  raw COMMAND [JSON]              send any admin command with JSON arguments; print the answer

Exit status: 0 success (or nothing to show), 1 acdd refused or failed the command,
2 usage error or a command acdd does not support, 3 acdd could not be reached.
)";

namespace {

const std::string kSinceUsage =
    "--since takes an RFC 3339 time (2025-03-14T08:00:00+01:00) or a span back from now (90m, "
    "2h, 7d), got '";

UsageError usage(std::string message) {
    return {std::move(message)};
}

// The arguments of a sub-command after its name: positional words and its own --options.
struct Words {
    std::vector<std::string> positional;
    std::vector<std::pair<std::string, std::string>> options;  // (name, value or "")
};

// Splits `args` (from `first` on) into positional words and the options in `with_value` (each
// taking the next word) and `flags`. Anything else that starts with "--" is a usage error.
std::variant<Words, UsageError> split(const std::vector<std::string>& args, std::size_t first,
                                      const std::vector<std::string>& with_value,
                                      const std::vector<std::string>& flags) {
    Words w;
    bool only_words = false;
    for (std::size_t i = first; i < args.size(); ++i) {
        const std::string& a = args[i];
        // "--since=2h" is "--since 2h".
        const auto eq = a.find('=');
        if (!only_words && a.starts_with("--") && eq != std::string::npos &&
            std::find(with_value.begin(), with_value.end(), a.substr(0, eq)) != with_value.end()) {
            w.options.emplace_back(a.substr(0, eq), a.substr(eq + 1));
            continue;
        }
        if (only_words || a.size() < 2 || a[0] != '-' || a == "-") {
            w.positional.push_back(a);
        } else if (a == "--") {
            only_words = true;
        } else if (std::find(with_value.begin(), with_value.end(), a) != with_value.end()) {
            if (i + 1 >= args.size()) return usage(a + " needs a value");
            w.options.emplace_back(a, args[++i]);
        } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
            w.options.emplace_back(a, "");
        } else {
            return usage("unknown option " + a + " for '" + args[0] + "'");
        }
    }
    return w;
}

// Checks the number of positional words; `what` names them for the message.
std::optional<UsageError> expect_words(const Words& w, std::size_t min, std::size_t max,
                                       const std::string& synopsis) {
    if (w.positional.size() < min) return usage("missing arguments: acdctl " + synopsis);
    if (w.positional.size() > max) {
        return usage("too many arguments: acdctl " + synopsis);
    }
    return std::nullopt;
}

Parsed simple(const std::vector<std::string>& args, const std::string& command, View view) {
    if (args.size() > 1) return usage("'" + args[0] + "' takes no arguments");
    return Invocation{command, Json::object(), view};
}

Parsed agent(const std::vector<std::string>& args) {
    const std::string actions = "agent login|logout|pause|ready AGENT ...";
    if (args.size() < 2) return usage("missing action: acdctl " + actions);
    const std::string& action = args[1];
    auto split_or = split(
        args, 2, {},
        action == "login" ? std::vector<std::string>{"--paused"} : std::vector<std::string>{});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    if (action == "login") {
        if (auto e = expect_words(w, 1, 1, "agent login AGENT [--paused]")) return *e;
        Json a = {{"agent", w.positional[0]}};
        if (!w.options.empty()) a["paused"] = true;
        return Invocation{"agent-login", a};
    }
    if (action == "logout" || action == "ready") {
        if (auto e = expect_words(w, 1, 1, "agent " + action + " AGENT")) return *e;
        return Invocation{"agent-" + action, {{"agent", w.positional[0]}}};
    }
    if (action == "pause") {
        if (auto e = expect_words(w, 2, 64, "agent pause AGENT REASON")) return *e;
        // "agent pause a1 team meeting": the reason is every word after the agent.
        std::string reason = w.positional[1];
        for (std::size_t i = 2; i < w.positional.size(); ++i)
            reason += " " + w.positional[i];
        return Invocation{"agent-pause", {{"agent", w.positional[0]}, {"reason", reason}}};
    }
    return usage("unknown action '" + action + "': acdctl " + actions);
}

Parsed user(const std::vector<std::string>& args) {
    const std::string actions = "user add|set|passwd|list ...";
    if (args.size() < 2) return usage("missing action: acdctl " + actions);
    const std::string& action = args[1];
    if (action == "list") {
        if (args.size() > 2) return usage("'user list' takes no arguments");
        return Invocation{"user-list", Json::object(), View::raw};
    }
    auto split_or = split(args, 2, {"--name", "--role", "--agent"}, {"--disable", "--enable"});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    Json a = Json::object();
    for (const auto& [option, value] : w.options) {
        if (option == "--disable" || option == "--enable") {
            a["disabled"] = option == "--disable";
        } else {
            a[option.substr(2)] = value;
        }
    }
    if (action == "add") {
        const std::string synopsis = "user add USER --name NAME --role ROLE [--agent AGENT]";
        if (auto e = expect_words(w, 1, 1, synopsis)) return *e;
        if (!a.contains("name") || !a.contains("role") || a.contains("disabled")) {
            return usage("usage: acdctl " + synopsis);
        }
        a["user"] = w.positional[0];
        Invocation inv{"user-add", a, View::text};
        inv.password_from_stdin = true;
        return inv;
    }
    if (action == "set") {
        if (auto e = expect_words(w, 1, 1, "user set USER [--name NAME] [--role ROLE] ...")) {
            return *e;
        }
        a["user"] = w.positional[0];
        return Invocation{"user-set", a, View::text};
    }
    if (action == "passwd") {
        if (auto e = expect_words(w, 1, 1, "user passwd USER")) return *e;
        if (!w.options.empty()) return usage("usage: acdctl user passwd USER");
        Invocation inv{"user-passwd", {{"user", w.positional[0]}}, View::text};
        inv.password_from_stdin = true;
        return inv;
    }
    return usage("unknown action '" + action + "': acdctl " + actions);
}

Parsed call(const std::vector<std::string>& args) {
    const std::string actions =
        "call reclassify CALL CLASS | call transfer CALL SPECIALTY [--gateway GW]";
    if (args.size() < 2) return usage("missing action: acdctl " + actions);
    const std::string& action = args[1];
    auto split_or = split(args, 2, {"--gateway"}, {});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    Invocation inv;
    if (action == "reclassify") {
        if (auto e = expect_words(w, 2, 2, "call reclassify CALL CLASS [--gateway GW]")) return *e;
        inv = {"call-reclassify", {{"call_id", w.positional[0]}, {"class", w.positional[1]}}};
    } else if (action == "transfer") {
        if (auto e = expect_words(w, 2, 2, "call transfer CALL SPECIALTY [--gateway GW]")) {
            return *e;
        }
        inv = {"call-transfer", {{"call_id", w.positional[0]}, {"specialty", w.positional[1]}}};
    } else {
        return usage("unknown action '" + action + "': acdctl " + actions);
    }
    // Call ids are unique per gateway: acdd asks for the gateway when two have the same id.
    for (const auto& [name, value] : w.options)
        inv.arguments["gateway"] = value;
    return inv;
}

std::optional<long long> integer(const std::string& text) {
    long long v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

Parsed overflow(const std::vector<std::string>& args) {
    if (args.size() == 1) return Invocation{"overflow-get", Json::object(), View::overflow};
    const std::string synopsis = "overflow set SPECIALTY [--threshold N] [--enable|--disable]";
    if (args[1] != "set") return usage("unknown action '" + args[1] + "': acdctl " + synopsis);
    auto split_or = split(args, 2, {"--threshold"}, {"--enable", "--disable"});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    if (auto e = expect_words(w, 1, 1, synopsis)) return *e;
    Json a = {{"specialty", w.positional[0]}};
    for (const auto& [name, value] : w.options) {
        if (name == "--threshold") {
            const auto n = integer(value);
            if (!n) return usage("--threshold takes a whole number, got '" + value + "'");
            a["threshold"] = *n;  // the daemon checks the range
        } else {
            if (a.contains("enabled")) return usage("give one of --enable and --disable");
            a["enabled"] = name == "--enable";
        }
    }
    if (a.size() == 1) return usage("nothing to set: acdctl " + synopsis);
    return Invocation{"overflow-set", a};
}

Parsed stats(const std::vector<std::string>& args) {
    auto split_or = split(args, 1, {"--since"}, {"--all"});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    if (auto e = expect_words(w, 0, 0, "stats [--since TIME] [--all]")) return *e;
    Invocation inv{"stats-get", Json::object(), View::stats};
    for (const auto& [name, value] : w.options) {
        if (name == "--all") {
            inv.show_all = true;
            continue;
        }
        const std::string since = since_argument(value, std::chrono::system_clock::now());
        if (since.empty()) {
            return usage(kSinceUsage + value + "'");
        }
        inv.arguments["since"] = since;
    }
    return inv;
}

Parsed config(const std::vector<std::string>& args) {
    const std::string actions = "config test [FILE] | config reload";
    if (args.size() < 2) return usage("missing action: acdctl " + actions);
    auto split_or = split(args, 2, {}, {});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    if (args[1] == "test") {
        if (auto e = expect_words(w, 0, 1, "config test [FILE]")) return *e;
        Invocation inv{"config-test", Json::object(), View::config};
        // The daemon reads the file from its own working folder: send an absolute path.
        if (!w.positional.empty()) {
            inv.arguments["path"] = std::filesystem::absolute(w.positional[0]).lexically_normal();
        }
        return inv;
    }
    if (args[1] == "reload") {
        if (auto e = expect_words(w, 0, 0, "config reload")) return *e;
        return Invocation{"config-reload", Json::object(), View::config};
    }
    return usage("unknown action '" + args[1] + "': acdctl " + actions);
}

Parsed raw(const std::vector<std::string>& args) {
    if (args.size() < 2 || args.size() > 3) return usage("usage: acdctl raw COMMAND [JSON]");
    Invocation inv{args[1], Json::object(), View::raw};
    if (args.size() == 3) {
        inv.arguments = Json::parse(args[2], nullptr, /*allow_exceptions=*/false);
        if (!inv.arguments.is_object()) {
            return usage("raw: the arguments must be a JSON object, e.g. '{\"agent\":\"a1\"}'");
        }
    }
    if (inv.command == "subscribe") inv.stream = true;
    return inv;
}

Parsed subscribe(const std::vector<std::string>& args) {
    Invocation inv{"subscribe", Json::object(), View::raw};
    inv.stream = true;
    if (args.size() > 1) {
        // The daemon checks the names; an unknown one is its bad_request.
        inv.arguments["topics"] = std::vector<std::string>(args.begin() + 1, args.end());
    }
    return inv;
}

// quality list [--since TIME] | quality evaluate CALL SCORE --by WHO COMMENT...
// (routing.md v1.1 "Quality sample"). The comment is every word after the score, as agent
// pause's reason; acdd keeps only its length in the audit log.
Parsed quality(const std::vector<std::string>& args) {
    const std::string actions =
        "quality list [--since TIME] | quality evaluate CALL SCORE --by "
        "WHO COMMENT...";
    // "quality" and "quality --since 2h" are the list.
    const bool named = args.size() >= 2 && !args[1].starts_with("-");
    const std::string action = named ? args[1] : "list";
    if (action == "list") {
        auto split_or = split(args, named ? 2 : 1, {"--since"}, {});
        if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
        const Words& w = std::get<Words>(split_or);
        if (auto e = expect_words(w, 0, 0, "quality list [--since TIME]")) return *e;
        Invocation inv{"quality-list", Json::object(), View::quality};
        for (const auto& [name, value] : w.options) {
            const std::string since = since_argument(value, std::chrono::system_clock::now());
            if (since.empty()) return usage(kSinceUsage + value + "'");
            inv.arguments["since"] = since;
        }
        return inv;
    }
    if (action != "evaluate") return usage("unknown action '" + action + "': acdctl " + actions);
    auto split_or = split(args, 2, {"--by"}, {});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    const std::string synopsis = "quality evaluate CALL SCORE --by WHO COMMENT...";
    if (auto e = expect_words(w, 3, 256, synopsis)) return *e;
    if (w.options.empty()) return usage("--by WHO is needed: who listened to the call");
    const auto score = integer(w.positional[1]);
    if (!score)
        return usage("the score is a whole number from 1 to 5, got '" + w.positional[1] + "'");
    std::string comment = w.positional[2];
    for (std::size_t i = 3; i < w.positional.size(); ++i)
        comment += " " + w.positional[i];
    // The daemon checks the score's range and the call: its refusals name what is wrong.
    return Invocation{"quality-evaluate",
                      {{"call_id", w.positional[0]},
                       {"score", *score},
                       {"comment", comment},
                       {"by", w.options.back().second}},
                      View::text};
}

Parsed watch(const std::vector<std::string>& args) {
    auto split_or = split(args, 1, {}, {"--once"});
    if (auto* e = std::get_if<UsageError>(&split_or)) return *e;
    const Words& w = std::get<Words>(split_or);
    if (auto e = expect_words(w, 0, 0, "watch [--once]")) return *e;
    return WatchOptions{!w.options.empty()};
}

}  // namespace

std::string since_argument(const std::string& value, std::chrono::system_clock::time_point now) {
    if (value.size() >= 2) {
        const auto n = integer(value.substr(0, value.size() - 1));
        const char unit = value.back();
        if (n && *n >= 0) {
            const long long seconds = unit == 'm'   ? 60
                                      : unit == 'h' ? 3600
                                      : unit == 'd' ? 86400
                                                    : 0;
            if (seconds != 0) {
                const std::time_t t = std::chrono::system_clock::to_time_t(now) -
                                      static_cast<std::time_t>(*n * seconds);
                std::tm utc{};
                gmtime_r(&t, &utc);
                char text[32];
                std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
                return text;
            }
        }
    }
    // Looks like a date and time: the daemon parses it and says precisely what is wrong.
    if (value.size() >= 19 && value[4] == '-' && value[10] == 'T') return value;
    return "";
}

Parsed parse_command(const std::vector<std::string>& args) {
    if (args.empty()) return usage("missing command (acdctl --help lists them)");
    const std::string& name = args[0];
    if (name == "status") return simple(args, "status-get", View::status);
    if (name == "version") return simple(args, "version-get", View::version);
    if (name == "queues") return simple(args, "queue-list", View::queues);
    if (name == "queue") {
        if (args.size() != 2) {
            return usage("usage: acdctl queue SPECIALTY (acdctl queues lists every queue)");
        }
        return Invocation{"queue-get", {{"specialty", args[1]}}, View::queue};
    }
    if (name == "agents") return simple(args, "agent-list", View::agents);
    if (name == "agent") return agent(args);
    if (name == "calls") return simple(args, "call-list", View::calls);
    if (name == "call") return call(args);
    if (name == "overflow") return overflow(args);
    if (name == "stats") return stats(args);
    if (name == "config") return config(args);
    if (name == "audit") {
        std::vector<std::string> rest(args.begin() + std::min<std::size_t>(args.size(), 2),
                                      args.end());
        const auto flag = std::find(rest.begin(), rest.end(), "--deep");
        const bool deep = flag != rest.end();
        if (deep) rest.erase(flag);
        if (args.size() < 2 || args[1] != "verify" || rest.size() > 1) {
            return usage("usage: acdctl audit verify [HEAD] [--deep]");
        }
        Invocation inv{"audit-verify", Json::object(), View::audit};
        if (!rest.empty()) inv.arguments["head"] = rest.front();
        if (deep) inv.arguments["deep"] = true;
        inv.timeout = std::chrono::seconds(600);
        return inv;
    }
    if (name == "backup") {
        if (args.size() != 2 || args[1].empty()) return usage("usage: acdctl backup FILE");
        // acdd writes the copy itself, from its own working folder: send an absolute path.
        Invocation inv{"backup",
                       {{"path", std::filesystem::absolute(args[1]).lexically_normal().string()}},
                       View::text};
        // The copy is of the whole database, in one step.
        inv.timeout = std::chrono::seconds(600);
        return inv;
    }
    if (name == "quality") return quality(args);
    if (name == "watch") return watch(args);
    if (name == "subscribe") return subscribe(args);
    if (name == "user") return user(args);
    if (name == "commands") return simple(args, "list-commands", View::commands);
    if (name == "shutdown") return simple(args, "shutdown", View::text);
    if (name == "raw") return raw(args);
    return usage("unknown command '" + name +
                 "' (acdctl --help lists them; acdctl raw sends "
                 "any admin command)");
}

}  // namespace acd::ctl
