#include "load/agent_states.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "acdctl/connection.hpp"

namespace acd::load {
namespace {

using Json = nlohmann::json;

Error failed(const std::string& path, const std::string& what) {
    return {ErrorCode::internal, fmt::format("agent-list on {}: {}", path, what)};
}

std::string shown(const AgentState& s) {
    return s.reason.empty() ? s.state : fmt::format("{} ({})", s.state, s.reason);
}

bool on_call(const std::string& state) {
    return state == "reserved" || state == "busy" || state == "wrap_up";
}

}  // namespace

Result<AgentStates> read_agent_states(const std::string& path, std::chrono::milliseconds timeout) {
    auto c = ctl::Connection::open(path, timeout);
    if (!c) return Error{ErrorCode::internal, c.error().message};
    auto line = c->round_trip(R"({"command":"agent-list","arguments":{}})", timeout);
    if (!line) return failed(path, line.error().message);
    const Json response = Json::parse(*line, nullptr, /*allow_exceptions=*/false);
    if (!response.is_object() || response.value("result", -1) != 0) {
        return failed(path, response.is_object() ? response.value("text", *line) : *line);
    }
    AgentStates states;
    const Json agents = response.value("arguments", Json::object()).value("agents", Json::array());
    for (const Json& a : agents) {
        if (!a.is_object() || !a.value("agent", Json()).is_string()) continue;
        AgentState s;
        s.state = a.value("state", Json()).is_string() ? a["state"].get<std::string>() : "";
        s.reason = a.value("reason", Json()).is_string() ? a["reason"].get<std::string>() : "";
        states[a["agent"].get<std::string>()] = s;
    }
    return states;
}

std::optional<StateEvent> restoring_event(const AgentState& before) {
    if (before.state == "reserved" || before.state == "busy") return std::nullopt;
    if (before.state == "paused") return StateEvent{"paused", before.reason};
    if (before.state == "logged_out") return StateEvent{"logged_out", ""};
    return StateEvent{"ready", ""};  // ready, wrap_up
}

std::vector<std::string> not_restored(const AgentStates& before, const AgentStates& after,
                                      const std::vector<std::string>& played) {
    std::vector<std::string> out;
    for (const std::string& agent : played) {
        const auto b = before.find(agent);
        if (b == before.end()) continue;  // unknown to acdd: nothing to put back
        const auto a = after.find(agent);
        const AgentState now = a == after.end() ? AgentState{"gone", ""} : a->second;
        if (now == b->second) continue;
        const bool was_free = b->second.state == "ready" || b->second.state == "wrap_up";
        if (was_free && (now.state == "ready" || on_call(now.state))) continue;
        out.push_back(fmt::format("{} is {}, was {}", agent, shown(now), shown(b->second)));
    }
    return out;
}

}  // namespace acd::load
