// The operators' commands: config-test, config-reload, audit-verify, backup, shutdown; and the
// audit of every command that changes something.
#include <fmt/format.h>

#include <filesystem>

#include "acd/log.hpp"
#include "commands.hpp"

namespace acd {
namespace {

using control::Answer;

// Settings that a reload cannot change while acdd runs: they are reported, not applied.
std::vector<std::string> needing_restart(const Config& running, const Config& next) {
    std::vector<std::string> keys;
    if (running.gateway.listen != next.gateway.listen) keys.push_back("gateway.listen");
    if (running.gateway.tls != next.gateway.tls) keys.push_back("gateway.tls");
    if (running.admin != next.admin) keys.push_back("admin");
    if (running.store.path != next.store.path) keys.push_back("store.path");
    if (running.store.synchronous != next.store.synchronous) keys.push_back("store.synchronous");
    if (running.store.pii_key_file != next.store.pii_key_file) keys.push_back("store.pii_key_file");
    return keys;
}

Json error_list(const ConfigErrors& errors) {
    Json list = Json::array();
    for (const ConfigError& e : errors)
        list.push_back(e.to_string());
    return list;
}

// "<path>: <first error> (and N more)": enough for a person to start fixing the file; the
// whole list is in the answer's `errors`.
std::string first_error(const Json& errors, const std::string& path) {
    std::string text = path + ": " + errors.front().get<std::string>();
    if (errors.size() > 1) text += fmt::format(" (and {} more)", errors.size() - 1);
    return text;
}

// config-test reads files an admin names (admin-protocol.md v1.1): a syntax error says where,
// never what was read there (a key file is not JSON, and its content is a secret).
Json unquoted_error_list(const ConfigErrors& errors) {
    Json list = Json::array();
    for (const ConfigError& e : errors) {
        std::string text = e.to_string();
        if (const auto at = text.find("; last read"); at != std::string::npos) text.resize(at);
        if (text.find("syntax error") != std::string::npos) {
            if (const auto dash = text.find(" - "); dash != std::string::npos) text.resize(dash);
        }
        list.push_back(text);
    }
    return list;
}

// `path` when it is in the folder of the configuration file (resolved, links followed), else "".
std::string beside(const std::string& config_file, const std::string& path) {
    std::error_code ec;
    const auto folder = std::filesystem::weakly_canonical(config_file, ec).parent_path();
    const auto wanted = std::filesystem::weakly_canonical(
        std::filesystem::path(path).is_absolute() ? std::filesystem::path(path) : folder / path,
        ec);
    if (ec || wanted.parent_path() != folder) return "";
    return wanted.string();
}

}  // namespace

OperationCommands::OperationCommands(asio::io_context& io, Service& service, Store& store,
                                     std::string config_file, Notifier& notifier,
                                     std::function<void()> shutdown)
    : io_(io),
      service_(service),
      store_(store),
      config_file_(std::move(config_file)),
      notifier_(notifier),
      shutdown_(std::move(shutdown)) {}

OperationCommands::~OperationCommands() {
    background_.join();
}

void OperationCommands::add_to(control::Registry& registry) {
    using control::Access;
    using control::Done;
    using control::Request;
    registry.add({"config-test", Access::reads,
                  [this](Request& r, Done done) { done(config_test(r.arguments)); }});
    registry.add({"config-reload", Access::changes, [this](Request& r, Done done) {
                      notifier_.reloading();
                      Answer a = config_reload(r.caller);
                      notifier_.ready(a.text);
                      done(std::move(a));
                  }});
    registry.add({"audit-verify", Access::reads,
                  [this](Request& r, Done done) { audit_verify(r.arguments, std::move(done)); }});
    registry.add({"backup", Access::changes,
                  [this](Request& r, Done done) { backup(r.arguments, std::move(done)); }});
    registry.add({"shutdown", Access::changes, [this](Request&, Done done) {
                      asio::post(io_, shutdown_);
                      done(Answer::success("acdd is stopping"));
                  }});
}

Answer OperationCommands::config_test(const Json& args) {
    json::Problems problems;
    json::Reader r = json::Reader::named(args, "argument", problems);
    const std::string asked = r.string("path").value_or(config_file_);
    if (!problems.empty()) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    const std::string path = beside(config_file_, asked);
    if (path.empty()) {
        return Answer::failure(
            ErrorCode::bad_request,
            fmt::format("argument 'path' must be a file in {}, the folder of acdd's configuration",
                        std::filesystem::path(config_file_).parent_path().string()));
    }
    const ConfigResult loaded = load_config(path);
    if (loaded) return Answer::success("ok: " + asked, {{"path", asked}});
    const Json errors = unquoted_error_list(loaded.error());
    return Answer::failure(ErrorCode::invalid_config, first_error(errors, asked),
                           {{"path", asked}, {"errors", errors}});
}

Answer OperationCommands::config_reload(const control::Caller& caller) {
    const ConfigResult loaded = load_config(config_file_);
    if (!loaded) {
        // Who sent SIGHUP reads the journal, not the answer: each error, with its path.
        for (const ConfigError& e : loaded.error())
            log_warning("config.invalid", "{}: {}", config_file_, e.to_string());
        const Json errors = error_list(loaded.error());
        return Answer::failure(
            ErrorCode::invalid_config,
            first_error(errors, config_file_) + ": the running configuration stays",
            {{"errors", errors}});
    }
    const Config& next = *loaded;
    const auto restart = needing_restart(service_.config(), next);
    const Reply reply = service_.apply(input::Reconfigure{next.routing}, &caller).output.reply;
    if (!reply.ok()) {
        log_error("config.reload", "{}: the running configuration stays", reply.message);
        return Answer::failure(reply.code, reply.message + ": the running configuration stays");
    }
    service_.update_config(next);  // the live parts: tokens, retention, log level
    std::string text = "configuration reloaded";
    if (!restart.empty()) {
        text += "; a restart is needed to apply: " + fmt::format("{}", fmt::join(restart, ", "));
    }
    return Answer::success(text, {{"needs_restart", restart}});
}

void OperationCommands::audit_verify(const Json& args, control::Done done) {
    // `head`: one the log showed ("audit.head ... head 1234:ab12..."), kept by an auditor.
    std::optional<ChainHead> expected;
    if (const auto head = args.find("head"); head != args.end()) {
        if (head->is_string()) expected = ChainHead::parse(head->get<std::string>());
        if (!expected) {
            return done(Answer::failure(
                ErrorCode::bad_request,
                "argument 'head' must be a chain head as acdd logs it: ID:HASH (64 hex digits)"));
        }
    }
    // `deep`: also SQLite's integrity_check, which reads every page (issue of a damaged index or
    // page that the chain's records do not show).
    bool deep = false;
    if (const auto d = args.find("deep"); d != args.end()) {
        if (!d->is_boolean()) {
            return done(
                Answer::failure(ErrorCode::bad_request, "argument 'deep' must be a boolean"));
        }
        deep = d->get<bool>();
    }
    // Walking a long chain takes seconds: not on the engine's thread.
    asio::post(background_, [this, expected, deep, done = std::move(done)] {
        store_.flush();  // covers every record appended before the command
        auto verified = store_.verify(expected);
        std::optional<Result<std::string>> integrity;
        if (deep && verified) integrity = store_.integrity_check();
        asio::post(io_, [verified = std::move(verified), integrity = std::move(integrity), expected,
                         done] {
            if (!verified) return done(Answer::failure(verified.error()));
            if (integrity && !*integrity) return done(Answer::failure(integrity->error()));
            Json args = {{"ok", verified->ok}, {"records", verified->records}};
            if (!verified->ok) {
                args["first_bad_id"] = *verified->first_bad_id;
                args["reason"] = verified->reason;
            }
            std::string text =
                verified->ok
                    ? fmt::format("the audit chain of {} records verifies", verified->records)
                    : fmt::format("record {} is bad: {}", *verified->first_bad_id,
                                  verified->reason);
            if (expected) {
                args["head_reached"] = *verified->reaches_head;
                text += *verified->reaches_head
                            ? fmt::format("; it reaches the head {}", expected->to_string())
                            : fmt::format(
                                  "; it does NOT reach the head of record {}: records "
                                  "were cut or changed",
                                  expected->id);
            }
            if (integrity) {
                const std::string& found = **integrity;
                args["integrity"] = found;
                if (found != "ok") args["ok"] = false;
                text += found == "ok" ? "; SQLite's integrity check finds nothing"
                                      : "; SQLite's integrity check finds: " + found;
            }
            done(Answer::success(text, args));
        });
    });
}

void OperationCommands::backup(const Json& args, control::Done done) {
    const auto path = args.find("path");
    if (path == args.end() || !path->is_string() || path->get<std::string>().empty() ||
        path->get<std::string>().front() != '/') {
        return done(Answer::failure(ErrorCode::bad_request,
                                    "argument 'path' must be an absolute file path"));
    }
    const std::string target = *path;
    asio::post(background_, [this, target, done = std::move(done)] {
        auto copied = store_.backup(target);
        asio::post(io_, [copied = std::move(copied), target, done] {
            if (!copied) return done(Answer::failure(copied.error()));
            done(Answer::success(fmt::format("backed up {} audit records to {}", *copied, target),
                                 {{"path", target}, {"records", *copied}}));
        });
    });
}

void audit_command(Store& store, Time at, const control::Request& request,
                   const control::Answer& answer) {
    AuditRecord r;
    r.at = at;
    r.kind = RecordKind::action;
    r.type = request.command;
    // Web callers are recorded with their user name instead of uid/gid (docs/spec/web.md).
    const bool web = request.caller.channel == control::Caller::Channel::web;
    if (!web) {
        r.uid = request.caller.uid;
        r.gid = request.caller.gid;
    }
    const Json& args = request.arguments;
    if (args.contains("agent") && args["agent"].is_string()) r.agent = args["agent"];
    if (args.contains("call_id") && args["call_id"].is_string()) r.call_id = args["call_id"];
    Json body = {
        {"arguments", args}, {"result", static_cast<int>(answer.result)}, {"text", answer.text}};
    if (web) body["user"] = request.caller.user;
    r.body = body.dump();
    WriteBatch batch;
    batch.records.push_back(std::move(r));
    store.append(std::move(batch));
}

}  // namespace acd
