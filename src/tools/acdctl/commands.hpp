// acdctl's sub-commands (docs/acdctl.md): the friendly command line on one side, the admin
// protocol's request (docs/spec/admin-protocol.md "Commands") and the way to show its response on
// the other.
//
// Parsing is pure: it reads only its arguments (and, for relative paths and times, the current
// folder and clock), so usage errors are found before anything is sent.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace acd::ctl {

using Json = nlohmann::json;

// How a response is shown to people (render.hpp).
enum class View {
    text,  // the response's text
    status,
    version,
    queues,
    queue,
    agents,
    calls,
    overflow,
    stats,
    quality,  // quality-list: the sample's calls and their evaluations
    config,   // config-test and config-reload: the text, then every error
    audit,    // audit-verify: the text; a chain that does not verify is an error
    commands,
    raw,  // the response line as received
};

// One request and how to show its answer.
struct Invocation {
    std::string command;  // the admin protocol's command name
    Json arguments = Json::object();
    View view = View::text;
    bool show_all = false;  // stats --all: also the rows with no calls
    // Streams after the response (subscribe) instead of ending with it.
    bool stream = false;
    // The default wait for the response; audit-verify walks the whole chain and gets longer.
    std::chrono::milliseconds timeout = std::chrono::seconds(10);
    // user add and user passwd: the password is read from standard input (one line), so that it
    // is never on a command line (ps, shell history), and sent as the argument `password`.
    bool password_from_stdin = false;
};

struct WatchOptions {
    bool once = false;
};

struct UsageError {
    std::string message;
};

using Parsed = std::variant<Invocation, WatchOptions, UsageError>;

// `args` are the words after the global options: the sub-command and its own arguments.
Parsed parse_command(const std::vector<std::string>& args);

// "--since" values: an RFC 3339 time as is, or a span back from now ("90m", "2h", "7d") turned
// into an RFC 3339 UTC time. Empty on a malformed value.
std::string since_argument(const std::string& value, std::chrono::system_clock::time_point now);

// The usage text of `acdctl --help`.
extern const char* const kUsage;

}  // namespace acd::ctl
