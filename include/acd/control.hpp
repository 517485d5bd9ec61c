// The control channel (docs/spec/admin-protocol.md), after ISC Kea's command manager: one
// registry of commands and one entry point, whatever the transport (the admin socket today, HTTP
// later), that reads the envelope, finds the command, checks the caller's permission, runs the
// command, logs it, audits every command that changes something and answers with the request's
// id. Command sets (engine, status, operations, agenda, users) register their commands; the
// subscription hub is one of them.
//
//   control::Registry registry;
//   registry.add({"version-get", control::Access::reads, [](control::Request&, control::Done done)
//   {
//       done(control::Answer::success("acdd 0.1.0", {{"version", "0.1.0"}}));
//   }});
//   registry.execute(request_json, caller, stream, [&](Json response) { send(response); });
//
// Contract:
// - A handler answers exactly once, through `done`, now or later (on the same thread).
// - No exception escapes execute(): a handler that throws is answered with result 1, code
//   `internal`, and logged at error level.
// - Each command is logged (`admin.command`) once answered: at debug level when it only reads,
//   at info when it changes something.
// - Single-threaded: every member runs on the thread that owns the registry (the engine's).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acd/json.hpp"
#include "acd/result.hpp"

namespace acd::control {

// The envelope's `result`.
enum class ResultCode : int { success = 0, error = 1, unsupported = 2, empty = 3 };

// What a command returns: `text` for people, `arguments` for programs (with `code` on error).
struct Answer {
    ResultCode result = ResultCode::success;
    std::string text;
    Json arguments = Json::object();

    static Answer success(std::string text, Json arguments = Json::object());
    // success, or empty (result 3: success with nothing to show) when `nothing` is true.
    static Answer listing(bool nothing, std::string text, Json arguments);
    // An error: `arguments` gets `code`, and any `extra` members.
    static Answer failure(ErrorCode code, std::string text, Json extra = Json::object());
    static Answer failure(const Error& error) { return failure(error.code, error.message); }

    bool ok() const { return result == ResultCode::success || result == ResultCode::empty; }
    // The error code of a failure, none otherwise.
    ErrorCode code() const;
};
using Done = std::function<void(Answer)>;

enum class Role : std::uint8_t { agent, supervisor, admin };
std::string_view to_string(Role role);
std::optional<Role> parse_role(std::string_view word);

// Who runs a command. On the admin socket: the peer's uid and gid, as admin (file permissions are
// the authentication). Signals run as acdd itself.
struct Caller {
    enum class Channel : std::uint8_t { socket, web, internal };
    Channel channel = Channel::internal;
    std::int64_t uid = -1;  // socket and internal
    std::int64_t gid = -1;
    std::string user;  // web: the user name
    Role role = Role::admin;
    std::string agent;    // role agent: the agent id it works as
    std::string address;  // web: the peer's address

    // "uid 1000 gid 1000" or "user alice": for logs.
    std::string describe() const;
};

// A subscriber's connection (the admin socket's, or an HTTP event stream).
class Stream {
  public:
    virtual ~Stream() = default;
    // The subscription is accepted: from now on the connection carries only the stream.
    virtual void start_stream() = 0;
    // One message; false when the subscriber fell behind and was dropped.
    virtual bool send(const Json& message) = 0;
};

struct Request {
    std::string command;
    Json arguments = Json::object();
    Caller caller;
    std::shared_ptr<Stream> stream;  // the connection, where there is one to stream on
};

enum class Access : std::uint8_t { reads, changes };

using Handler = std::function<void(Request& request, Done done)>;

struct Command {
    std::string name;
    Access access = Access::reads;
    Handler run;
    // The handler appends an audit record of its own, richer and without personal data (the
    // agenda's changes): the registry does not audit it again.
    bool audits_itself = false;
};

class Registry {
  public:
    // Refuses a request (an answer, usually `forbidden`), or lets it run (nullopt).
    using Permission = std::function<std::optional<Answer>(const Request&, const Command&)>;
    // Records a command that changes something, or that was refused, with its answer.
    using Audit = std::function<void(const Request&, const Answer&)>;
    // Sees the answer of every command that ran, reads too (access traces of personal data).
    using Answered = std::function<void(const Request&, const Answer&)>;

    Registry();
    void add(Command command);
    void set_permission(Permission permission) { permission_ = std::move(permission); }
    void set_audit(Audit audit) { audit_ = std::move(audit); }
    void set_answered(Answered answered) { answered_ = std::move(answered); }
    std::vector<std::string> names() const;

    // The entry point: `envelope` is {"command", "arguments", "id"}; `respond` gets the response
    // envelope {"result", "text", "arguments", "id"}.
    void execute(const Json& envelope, Caller caller, std::shared_ptr<Stream> stream,
                 std::function<void(Json)> respond);
    // The same without an envelope (signals, tests): `done` gets the answer.
    void run(Request request, Done done);

  private:
    std::map<std::string, Command, std::less<>> commands_;
    Permission permission_;
    Audit audit_;
    Answered answered_;
};

// Subscriptions (the `subscribe` command, later the HTTP event stream): topics, fan-out, and
// dropping of subscribers that fall behind, so that publishing never waits for a reader.
class Hub {
  public:
    // The topics a subscriber may ask for (all of them when it names none), in the order
    // messages list them.
    explicit Hub(std::vector<std::string> topics);
    // Registers `subscribe` (needs a Request with a stream).
    void add_commands(Registry& registry);
    // What a new subscriber of `topic` is sent at once, after the response (e.g. the urgent
    // messages already overdue).
    void set_greeting(std::string topic, std::function<std::vector<Json>()> greeting);

    void subscribe(std::shared_ptr<Stream> stream, std::set<std::string, std::less<>> topics);
    void unsubscribe(const Stream& stream);
    bool watched(std::string_view topic) const;
    // Streams each (topic, message) to the subscribers of its topic.
    void publish(const std::vector<std::pair<std::string, Json>>& messages);
    void publish(std::string topic, Json message) {
        publish({{std::move(topic), std::move(message)}});
    }

  private:
    struct Subscriber {
        std::shared_ptr<Stream> stream;
        std::set<std::string, std::less<>> topics;
    };
    Answer subscribe_command(const Request& request, std::vector<Json>& greeting);

    std::vector<std::string> topics_;
    std::map<std::string, std::function<std::vector<Json>()>, std::less<>> greetings_;
    std::vector<Subscriber> subscribers_;
};

}  // namespace acd::control
