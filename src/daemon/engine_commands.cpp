// The engine's commands: parsed by the protocol's one table (include/acd/codec.hpp), applied
// through Service::apply like gateway events (journaled as inputs, replayed at recovery).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "acd/views.hpp"
#include "commands.hpp"

namespace acd {
namespace {

// The agent, call or setting an engine command was about, as its result (spec: "the agent", "the
// call"), and the sentence that says what was done.
control::Answer done_answer(const Engine& engine, const Input& input, Time now) {
    return std::visit(
        [&](const auto& in) -> control::Answer {
            using T = std::decay_t<decltype(in)>;
            if constexpr (requires { in.agent; }) {
                const auto a = find_agent(engine, in.agent);
                const char* what = std::is_same_v<T, input::AgentLogin>    ? "logged in"
                                   : std::is_same_v<T, input::AgentLogout> ? "logged out"
                                   : std::is_same_v<T, input::AgentPause>  ? "paused"
                                                                           : "ready";
                return control::Answer::success(fmt::format("agent {} {}", in.agent, what),
                                                a ? agent_json(*a, now) : Json::object());
            } else if constexpr (requires { in.call; }) {
                const auto c = engine.find_call(in.call);
                Json subject = c ? call_json(*c, now) : Json::object();
                if constexpr (std::is_same_v<T, input::CallReclassify>) {
                    return control::Answer::success(
                        fmt::format("call {} is now {}", in.call.call_id, to_string(in.call_class)),
                        std::move(subject));
                } else if constexpr (std::is_same_v<T, input::CallEnd>) {
                    return control::Answer::success(
                        fmt::format("call {} ended: {}", in.call.call_id, in.reason),
                        std::move(subject));
                } else {
                    return control::Answer::success(
                        fmt::format("call {} transferred to {}", in.call.call_id, in.specialty),
                        std::move(subject));
                }
            } else if constexpr (std::is_same_v<T, input::OverflowSet>) {
                Json subject = Json::object();
                for (const OverflowSetting& s : engine.overflow_settings()) {
                    if (s.specialty == in.specialty) {
                        subject = {{"specialty", s.specialty},
                                   {"threshold", s.threshold},
                                   {"enabled", s.enabled}};
                    }
                }
                return control::Answer::success("overflow of " + in.specialty + " set",
                                                std::move(subject));
            } else {
                return control::Answer::success("done");
            }
        },
        input);
}

// Admin protocol v1.1: a pause reason is one of the configured pause_reasons. The audit log is
// append-only, so free text that could hold a patient's name or number never enters it: not in
// the input, and not in the record of the refusal either (its argument is replaced).
std::optional<control::Answer> refuse_unlisted_reason(control::Request& request,
                                                      const std::vector<std::string>& reasons) {
    if (request.command != "agent-pause") return std::nullopt;
    const auto reason = request.arguments.find("reason");
    if (reason == request.arguments.end() || !reason->is_string()) return std::nullopt;
    if (std::find(reasons.begin(), reasons.end(), reason->get<std::string>()) != reasons.end()) {
        return std::nullopt;
    }
    *reason = "(not a configured reason)";
    return control::Answer::failure(
        ErrorCode::bad_request,
        fmt::format("argument 'reason' must be one of the configured pause_reasons: {}",
                    fmt::join(reasons, ", ")));
}

}  // namespace

void add_engine_commands(control::Registry& registry, Service& service) {
    for (std::string_view name : engine_commands()) {
        registry.add({std::string(name), control::Access::changes,
                      [&service](control::Request& request, control::Done done) {
                          if (auto refused =
                                  refuse_unlisted_reason(request, service.config().pause_reasons))
                              return done(std::move(*refused));
                          auto input = parse_engine_command(request.command, request.arguments);
                          if (!input) return done(control::Answer::failure(input.error()));
                          const Reply reply = service.apply(*input, &request.caller).output.reply;
                          if (!reply.ok()) {
                              return done(control::Answer::failure(reply.code, reply.message));
                          }
                          done(done_answer(service.engine(), *input, service.now()));
                      }});
    }
}

}  // namespace acd
