// The command registry and its entry point. See include/acd/control.hpp.
#include <fmt/format.h>

#include <exception>

#include "acd/control.hpp"
#include "acd/log.hpp"

namespace acd::control {

Answer Answer::success(std::string text, Json arguments) {
    return {ResultCode::success, std::move(text), std::move(arguments)};
}

Answer Answer::listing(bool nothing, std::string text, Json arguments) {
    return {nothing ? ResultCode::empty : ResultCode::success, std::move(text),
            std::move(arguments)};
}

Answer Answer::failure(ErrorCode code, std::string text, Json extra) {
    Answer a{ResultCode::error, std::move(text), Json{{"code", to_string(code)}}};
    for (auto& [key, value] : extra.items())
        a.arguments[key] = std::move(value);
    return a;
}

ErrorCode Answer::code() const {
    if (ok()) return ErrorCode::none;
    const auto it = arguments.find("code");
    if (it == arguments.end() || !it->is_string()) return ErrorCode::internal;
    return parse_error_code(it->get_ref<const std::string&>()).value_or(ErrorCode::internal);
}

std::string_view to_string(Role role) {
    switch (role) {
        case Role::agent:
            return "agent";
        case Role::supervisor:
            return "supervisor";
        case Role::admin:
            return "admin";
    }
    return "admin";
}

std::optional<Role> parse_role(std::string_view word) {
    for (Role r : {Role::agent, Role::supervisor, Role::admin}) {
        if (to_string(r) == word) return r;
    }
    return std::nullopt;
}

std::string Caller::describe() const {
    if (channel == Channel::web) return "user " + user;
    return fmt::format("uid {} gid {}", uid, gid);
}

Registry::Registry() {
    add({"list-commands", Access::reads, [this](Request&, Done done) {
             const std::vector<std::string> list = names();
             done(Answer::success(fmt::format("{} commands", list.size()), {{"commands", list}}));
         }});
}

void Registry::add(Command command) {
    std::string name = command.name;
    commands_.insert_or_assign(std::move(name), std::move(command));
}

std::vector<std::string> Registry::names() const {
    std::vector<std::string> out;
    out.reserve(commands_.size());
    for (const auto& [name, command] : commands_)
        out.push_back(name);
    return out;
}

void Registry::execute(const Json& envelope, Caller caller, std::shared_ptr<Stream> stream,
                       std::function<void(Json)> respond) {
    const Json id = envelope.is_object() ? envelope.value("id", Json()) : Json();
    Done reply = [id, respond = std::move(respond)](const Answer& a) {
        Json r = {
            {"result", static_cast<int>(a.result)}, {"text", a.text}, {"arguments", a.arguments}};
        if (!id.is_null()) r["id"] = id;
        respond(std::move(r));
    };
    const auto command = envelope.is_object() ? envelope.find("command") : envelope.end();
    if (!envelope.is_object() || command == envelope.end() || !command->is_string()) {
        return reply(
            Answer::failure(ErrorCode::bad_request, "a request needs 'command': a string"));
    }
    Request request{command->get<std::string>(), envelope.value("arguments", Json::object()),
                    std::move(caller), std::move(stream)};
    if (!request.arguments.is_object()) {
        return reply(Answer::failure(ErrorCode::bad_request, "'arguments' must be an object"));
    }
    run(std::move(request), std::move(reply));
}

void Registry::run(Request request, Done done) {
    const auto it = commands_.find(request.command);
    if (it == commands_.end()) {
        Answer a{ResultCode::unsupported,
                 fmt::format("unsupported command '{}'", request.command),
                 {{"code", to_string(ErrorCode::unsupported)}}};
        return done(std::move(a));
    }
    const Command& command = it->second;
    if (permission_) {
        if (auto refused = permission_(request, command)) {
            log_warning("admin.refused", "{} by {}: {}", request.command, request.caller.describe(),
                        refused->text);
            if (audit_) audit_(request, *refused);
            return done(std::move(*refused));
        }
    }
    const bool changes = command.access == Access::changes;
    const bool audit_here = changes && !command.audits_itself;
    auto shared = std::make_shared<Request>(std::move(request));
    Done finish = [this, shared, changes, audit_here, done = std::move(done)](Answer a) {
        // Reads at debug: a wallboard polls several times a second, and its lines would bury
        // the changes in the journal.
        if (changes) {
            log_event("admin.command", "{} by {}: result {}: {}", shared->command,
                      shared->caller.describe(), static_cast<int>(a.result), a.text);
        } else {
            log_debug("admin.command", "{} by {}: result {}: {}", shared->command,
                      shared->caller.describe(), static_cast<int>(a.result), a.text);
        }
        if (audit_here && audit_) audit_(*shared, a);
        if (answered_) answered_(*shared, a);
        done(std::move(a));
    };
    try {
        command.run(*shared, finish);
    } catch (const std::exception& e) {
        log_error("admin.internal", "{} failed: {}", shared->command, e.what());
        finish(Answer::failure(ErrorCode::internal, fmt::format("{} failed inside acdd: {}",
                                                                shared->command, e.what())));
    }
}

}  // namespace acd::control
