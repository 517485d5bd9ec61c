// acdctl: the command-line client of acdd's admin socket (docs/acdctl.md, man/acdctl.8).
#include <fmt/format.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "acd/admin_socket.hpp"
#include "acd/version.hpp"
#include "commands.hpp"
#include "connection.hpp"
#include "render.hpp"
#include "watch.hpp"

namespace {

using namespace acd::ctl;

constexpr const char* kDefaultSocket = "/run/acdd/admin.sock";
constexpr auto kDefaultTimeout = std::chrono::seconds(10);

struct Options {
    std::string socket;
    std::string config;
    bool json = false;
    std::optional<std::chrono::milliseconds> timeout;
    std::vector<std::string> command;  // the sub-command and its arguments
};

int usage_error(const std::string& message) {
    fmt::print(stderr, "acdctl: {}\nTry 'acdctl --help'.\n", message);
    return kExitUsage;
}

// Global options may come anywhere before "--"; every other word is the sub-command's.
// Returns an exit status when acdctl is done (help, version, usage error).
std::optional<int> parse_options(int argc, char** argv, Options& o) {
    std::vector<std::string> args(argv + 1, argv + argc);
    bool only_words = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        std::optional<std::string> inline_value;
        if (!only_words && a.starts_with("--") && a.find('=') != std::string::npos) {
            inline_value = a.substr(a.find('=') + 1);
            a = a.substr(0, a.find('='));
        }
        const auto value = [&]() -> std::optional<std::string> {
            if (inline_value) return inline_value;
            if (i + 1 < args.size()) return args[++i];
            return std::nullopt;
        };
        if (only_words) {
            o.command.push_back(a);
        } else if (a == "--") {
            only_words = true;
        } else if (a == "-h" || a == "--help" || (o.command.empty() && a == "help")) {
            fmt::print("{}", kUsage);
            return kExitOk;
        } else if (a == "-V" || a == "--version") {
            fmt::print("acdctl {}\n", acd::kVersion);
            return kExitOk;
        } else if (a == "-j" || a == "--json") {
            o.json = true;
        } else if (a == "-s" || a == "--socket") {
            const auto v = value();
            if (!v || v->empty()) return usage_error(a + " needs a socket path");
            o.socket = *v;
        } else if (a == "-c" || a == "--config") {
            const auto v = value();
            if (!v || v->empty()) return usage_error(a + " needs a configuration file");
            o.config = *v;
        } else if (a == "-t" || a == "--timeout") {
            const auto v = value();
            double seconds = 0;
            if (!v ||
                std::from_chars(v->data(), v->data() + v->size(), seconds).ptr !=
                    v->data() + v->size() ||
                !(seconds > 0)) {
                return usage_error(a + " takes a number of seconds above 0");
            }
            o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
        } else if (inline_value) {
            o.command.push_back(args[i]);  // "--since=2h": the sub-command's own
        } else {
            o.command.push_back(a);
        }
    }
    return std::nullopt;
}

// -s, else admin.socket of -c's file, else $ACDCTL_SOCKET, else the default. Of -c's file only
// admin.socket is read: the operator fixing an error elsewhere in it can still reach acdd.
std::variant<std::string, int> socket_path(const Options& o) {
    if (!o.socket.empty()) return o.socket;
    if (!o.config.empty()) {
        const auto r = acd::admin_socket_of(o.config);
        if (!r.ok()) {
            fmt::print(stderr, "acdctl: cannot take admin.socket from {}:\n", o.config);
            for (const acd::ConfigError& e : r.error())
                fmt::print(stderr, "  {}\n", e.to_string());
            return kExitUsage;
        }
        if (*r) return (*r)->string();
        fmt::print(stderr, "acdctl: {} sets no admin.socket: using acdd's default, {}\n", o.config,
                   kDefaultSocket);
        return std::string(kDefaultSocket);
    }
    if (const char* env = std::getenv("ACDCTL_SOCKET"); env != nullptr && *env != '\0') return env;
    return std::string(kDefaultSocket);
}

void put(const Shown& shown) {
    std::fputs(shown.out.c_str(), stdout);
    std::fflush(stdout);
    std::fputs(shown.err.c_str(), stderr);
}

// After subscribe: every streamed line as it comes, until acdd ends the stream.
int follow(Connection& c) {
    for (std::string line;;) {
        const auto r = c.read_line(line, Clock::now() + std::chrono::hours(24 * 365));
        if (r == Connection::Read::timeout) continue;     // a signal
        if (r != Connection::Read::line) return kExitOk;  // acdd closed the stream
        std::fputs((line + '\n').c_str(), stdout);
        std::fflush(stdout);
        // The final line of a dropped subscriber is an error response.
        const auto m = nlohmann::json::parse(line, nullptr, false);
        if (m.is_object() && m.contains("result")) {
            fmt::print(stderr, "acdctl: {}\n", m.value("text", "the subscription ended"));
            return kExitError;
        }
    }
}

// The text of acdd's answer to a connection over admin.max_connections, else "".
std::string connection_refusal(const std::string& line) {
    const auto m = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!m.is_object() || !m.contains("arguments") || !m["arguments"].is_object()) return "";
    if (m["arguments"].value("code", "") != "too_many_connections") return "";
    return m.value("text", "too many connections");
}

int run(const Options& o, const std::string& socket, const Invocation& inv) {
    const auto timeout = o.timeout.value_or(inv.timeout);
    auto c = Connection::open(socket, o.timeout.value_or(kDefaultTimeout));
    if (!c) {
        fmt::print(stderr, "acdctl: {}\n", c.error().message);
        return kExitUnreachable;
    }
    const std::string request =
        nlohmann::json{{"command", inv.command}, {"arguments", inv.arguments}}.dump();
    auto line = c->round_trip(request, timeout);
    if (!line) {
        fmt::print(stderr, "acdctl: {}\n", line.error().message);
        return kExitUnreachable;
    }
    if (const std::string refusal = connection_refusal(*line); !refusal.empty()) {
        fmt::print(stderr, "acdctl: {} (acdd refused this connection; try again later)\n", refusal);
        return kExitUnreachable;
    }
    const Shown shown = show(inv, *line, o.json);
    put(shown);
    if (inv.stream && shown.exit_code == kExitOk) return follow(*c);
    return shown.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (const auto done = parse_options(argc, argv, o)) return *done;
    const Parsed parsed = parse_command(o.command);
    if (const auto* e = std::get_if<UsageError>(&parsed)) return usage_error(e->message);
    const auto socket = socket_path(o);
    if (const int* code = std::get_if<int>(&socket)) return *code;
    const std::string& path = std::get<std::string>(socket);
    if (const auto* w = std::get_if<WatchOptions>(&parsed)) {
        if (o.json) return usage_error("watch has no --json form (acdctl subscribe streams JSON)");
        return run_watch(path, *w, o.timeout.value_or(kDefaultTimeout));
    }
    Invocation inv = std::get<Invocation>(parsed);
    if (inv.password_from_stdin) {
        // One line from standard input (a terminal, a pipe or a file), without its line end.
        if (::isatty(STDIN_FILENO) != 0) fmt::print(stderr, "password: ");
        std::string password;
        if (!std::getline(std::cin, password)) return usage_error("no password on standard input");
        if (!password.empty() && password.back() == '\r') password.pop_back();
        inv.arguments["password"] = password;
    }
    return run(o, path, inv);
}
