// The roles table. See roles.hpp.
#include "roles.hpp"

#include <fmt/format.h>

#include <map>
#include <string_view>

namespace acd::users {
namespace {

using control::Answer;
using control::Role;

enum class Rule {
    everyone,      // agent, supervisor, admin
    own_agent,     // an agent only for its own agent
    own_call,      // an agent only for the call routed to it (now or within 10 minutes)
    own_password,  // anyone for their own user; others: admin
    supervisor,    // supervisor and admin
    admin,         // admin
    socket_only,   // the admin socket (subscribe: the web has /api/events)
};

const std::map<std::string_view, Rule>& table() {
    static const std::map<std::string_view, Rule> rules = {
        {"list-commands", Rule::everyone},      {"version-get", Rule::everyone},
        {"status-get", Rule::everyone},         {"queue-list", Rule::everyone},
        {"user-passwd", Rule::own_password},    {"agent-login", Rule::own_agent},
        {"agent-logout", Rule::own_agent},      {"agent-pause", Rule::own_agent},
        {"agent-ready", Rule::own_agent},       {"slot-list", Rule::everyone},
        {"appointment-book", Rule::everyone},   {"appointment-cancel", Rule::everyone},
        {"appointment-move", Rule::everyone},   {"waitlist-add", Rule::everyone},
        {"message-create", Rule::everyone},     {"caller-history", Rule::own_call},
        {"appointment-list", Rule::own_call},   {"call-reclassify", Rule::own_call},
        {"call-transfer", Rule::own_call},      {"queue-get", Rule::supervisor},
        {"agent-list", Rule::supervisor},       {"call-list", Rule::supervisor},
        {"stats-get", Rule::supervisor},        {"overflow-get", Rule::supervisor},
        {"overflow-set", Rule::supervisor},     {"waitlist-list", Rule::supervisor},
        {"message-list", Rule::supervisor},     {"message-ack", Rule::supervisor},
        {"reminders-due", Rule::supervisor},    {"reminder-sent", Rule::supervisor},
        {"slot-open", Rule::supervisor},        {"quality-list", Rule::supervisor},
        {"quality-evaluate", Rule::supervisor}, {"access-list", Rule::supervisor},
        {"subscribe", Rule::socket_only},
        // Everything else (config-test, config-reload, audit-verify, backup, patient-erase,
        // shutdown, user-add, user-set, user-list, call-end, ...) is the admin's.
    };
    return rules;
}

Rule rule_of(std::string_view command) {
    const auto it = table().find(command);
    return it == table().end() ? Rule::admin : it->second;
}

std::string argument(const control::Request& request, const char* key) {
    const auto it = request.arguments.find(key);
    return it != request.arguments.end() && it->is_string() ? it->get<std::string>() : "";
}

Answer forbidden(const control::Request& request, std::string_view why) {
    return Answer::failure(
        ErrorCode::forbidden,
        fmt::format("{} may not run '{}'{}", request.caller.describe(), request.command, why));
}

bool allowed(const control::Request& request, Rule rule, const RoleFacts& facts) {
    const control::Caller& c = request.caller;
    if (c.role == Role::admin && rule != Rule::socket_only) return true;
    switch (rule) {
        case Rule::everyone:
            return true;
        case Rule::own_agent:
            return c.role == Role::supervisor || argument(request, "agent") == c.agent;
        case Rule::own_call: {
            if (c.role == Role::supervisor) return true;
            const std::string call = argument(request, "call_id");
            return !call.empty() && facts.call_of_agent && facts.call_of_agent(call, c.agent);
        }
        case Rule::own_password:
            return argument(request, "user") == c.user;
        case Rule::supervisor:
            return c.role == Role::supervisor;
        case Rule::admin:
        case Rule::socket_only:
            return false;
    }
    return false;
}

}  // namespace

std::optional<Answer> permit(const control::Request& request, const control::Command& command,
                             const RoleFacts& facts) {
    // The admin socket and acdd itself act as admin (file permissions are the authentication).
    if (request.caller.channel != control::Caller::Channel::web) return std::nullopt;
    if (!allowed(request, rule_of(command.name), facts)) {
        const Rule rule = rule_of(command.name);
        if (rule == Rule::socket_only) return forbidden(request, ": use /api/events");
        if (rule == Rule::own_agent) return forbidden(request, " for another agent");
        if (rule == Rule::own_call) {
            return forbidden(request, " but for the call routed to its agent (argument 'call_id')");
        }
        return forbidden(request, fmt::format(" with role {}", to_string(request.caller.role)));
    }
    // Every `by` is the user's name: a web request never acts in someone else's name.
    const auto by = request.arguments.find("by");
    if (by != request.arguments.end() && (!by->is_string() || *by != request.caller.user)) {
        return forbidden(request, fmt::format(" with 'by' other than '{}'", request.caller.user));
    }
    return std::nullopt;
}

}  // namespace acd::users
