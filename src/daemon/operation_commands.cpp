// The operators' commands: config-test, config-reload, audit-verify, backup, shutdown; and the
// audit of every command that changes something.
#include <fmt/format.h>

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
                  [this](Request&, Done done) { audit_verify(std::move(done)); }});
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
    const std::string path = r.string("path").value_or(config_file_);
    if (!problems.empty()) return Answer::failure(ErrorCode::bad_request, problems.front().message);
    const ConfigResult loaded = load_config(path);
    if (loaded) return Answer::success("ok: " + path, {{"path", path}});
    return Answer::failure(ErrorCode::invalid_config,
                           fmt::format("{} error(s) in {}", loaded.error().size(), path),
                           {{"path", path}, {"errors", error_list(loaded.error())}});
}

Answer OperationCommands::config_reload(const control::Caller& caller) {
    const ConfigResult loaded = load_config(config_file_);
    if (!loaded) {
        return Answer::failure(ErrorCode::invalid_config,
                               fmt::format("{} error(s) in {}: the running configuration stays",
                                           loaded.error().size(), config_file_),
                               {{"errors", error_list(loaded.error())}});
    }
    const Config& next = *loaded;
    const auto restart = needing_restart(service_.config(), next);
    const Reply reply = service_.apply(input::Reconfigure{next.routing}, &caller).output.reply;
    if (!reply.ok()) {
        return Answer::failure(reply.code, reply.message + ": the running configuration stays");
    }
    service_.update_config(next);  // the live parts: tokens, retention, log level
    std::string text = "configuration reloaded";
    if (!restart.empty()) {
        text += "; a restart is needed to apply: " + fmt::format("{}", fmt::join(restart, ", "));
    }
    return Answer::success(text, {{"needs_restart", restart}});
}

void OperationCommands::audit_verify(control::Done done) {
    // Walking a long chain takes seconds: not on the engine's thread.
    asio::post(background_, [this, done = std::move(done)] {
        store_.flush();  // covers every record appended before the command
        auto verified = store_.verify();
        asio::post(io_, [verified = std::move(verified), done] {
            if (!verified) return done(Answer::failure(verified.error()));
            Json args = {{"ok", verified->ok}, {"records", verified->records}};
            if (!verified->ok) {
                args["first_bad_id"] = *verified->first_bad_id;
                args["reason"] = verified->reason;
            }
            done(Answer::success(
                verified->ok
                    ? fmt::format("the audit chain of {} records verifies", verified->records)
                    : fmt::format("record {} is bad: {}", *verified->first_bad_id,
                                  verified->reason),
                args));
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
