#include "engine_harness.hpp"

#include <stdexcept>

namespace acd::test {

RoutingConfig basic_config() {
    RoutingConfig c;
    c.specialties = {SpecialtyConfig{"cardio", "Cardiology", {"+1001"}},
                     SpecialtyConfig{"neuro", "Neurology", {"+1002"}},
                     SpecialtyConfig{"radio", "Radiology", {"+1003"}}};
    return c;
}

AgentConfig agent(std::string id, std::vector<std::string> skills, int wrap_up_s) {
    AgentConfig a;
    a.uri = "sip:" + id + "@pbx.test";
    a.id = std::move(id);
    a.name = a.id;
    a.skills = std::move(skills);
    a.wrap_up = seconds(wrap_up_s);
    return a;
}

TeamConfig team(std::string id, std::vector<std::string> specialties, int max_concurrent) {
    TeamConfig t;
    t.uri = "sip:" + id + "@overflow.test";
    t.id = std::move(id);
    t.max_concurrent = max_concurrent;
    if (specialties == std::vector<std::string>{"*"}) {
        t.all_specialties = true;
    } else {
        t.specialties = std::move(specialties);
    }
    return t;
}

RoutingConfig with_agents(std::vector<AgentConfig> agents, std::vector<TeamConfig> teams) {
    RoutingConfig c = basic_config();
    c.agents = std::move(agents);
    c.teams = std::move(teams);
    return c;
}

Time start_time() {
    return Time{} + std::chrono::hours(24 * 20000);
}

Harness::Harness(const RoutingConfig& config) : engine(config), time_(start_time()) {}

void Harness::at(double s) {
    time_ = start_time() + Duration(static_cast<std::int64_t>(s * 1000));
}
double Harness::now_s() const {
    return static_cast<double>((time_ - start_time()).count()) / 1000.0;
}

const Output& Harness::send(const Input& in) {
    return engine.handle(in, time_);
}
const Output& Harness::event(input::GatewayEventBody body) {
    return send(input::GatewayEvent{"gw", ++seq, std::move(body)});
}

const Output& Harness::offer(const std::string& call_id, const std::string& specialty,
                             std::optional<CallClass> cls) {
    return event(input::CallOffered{call_id, "p-" + call_id, "+999", specialty, cls});
}
const Output& Harness::offer_dialed(const std::string& call_id, const std::string& dialed) {
    return event(input::CallOffered{call_id, "p-" + call_id, dialed, std::nullopt, std::nullopt});
}
const Output& Harness::answer(const std::string& call_id, std::optional<std::string> agent) {
    return event(input::CallAnswered{call_id, std::move(agent)});
}
const Output& Harness::no_answer(const std::string& call_id, std::optional<std::string> agent) {
    return event(input::CallNoAnswer{call_id, std::move(agent)});
}
const Output& Harness::end(const std::string& call_id) {
    return event(input::CallEnded{call_id, std::nullopt});
}
const Output& Harness::report(const std::string& agent, AgentState state, std::string reason) {
    return event(input::AgentReport{agent, state, std::move(reason)});
}
const Output& Harness::login(const std::string& agent, bool paused) {
    return send(input::AgentLogin{agent, paused});
}
const Output& Harness::logout(const std::string& agent) {
    return send(input::AgentLogout{agent});
}
const Output& Harness::pause(const std::string& agent, const std::string& reason) {
    return send(input::AgentPause{agent, reason});
}
const Output& Harness::ready(const std::string& agent) {
    return send(input::AgentReady{agent});
}
const Output& Harness::reclassify(const std::string& call_id, CallClass cls) {
    return send(input::CallReclassify{{call_id, std::nullopt}, cls});
}
const Output& Harness::transfer(const std::string& call_id, const std::string& specialty) {
    return send(input::CallTransfer{{call_id, std::nullopt}, specialty});
}
const Output& Harness::overflow_set(const std::string& specialty, std::optional<int> threshold,
                                    std::optional<bool> enabled) {
    return send(input::OverflowSet{specialty, threshold, enabled});
}
const Output& Harness::tick() {
    return send(input::Tick{});
}

AgentState Harness::agent_state(const std::string& id) const {
    for (const AgentView& a : engine.agents()) {
        if (a.id == id) return a.state;
    }
    throw std::invalid_argument("no agent " + id);
}
std::string Harness::agent_reason(const std::string& id) const {
    for (const AgentView& a : engine.agents()) {
        if (a.id == id) return a.reason;
    }
    throw std::invalid_argument("no agent " + id);
}
std::optional<CallSnapshot> Harness::call(const std::string& call_id) const {
    return engine.find_call({call_id, std::nullopt});
}
std::vector<std::string> Harness::queue_ids(const std::string& specialty) const {
    std::vector<std::string> ids;
    const auto queue = engine.queue(specialty);
    for (const CallSnapshot& c : queue.value())
        ids.push_back(c.call_id);
    return ids;
}
int Harness::team_active(const std::string& id) const {
    for (const TeamView& t : engine.teams()) {
        if (t.id == id) return t.active;
    }
    throw std::invalid_argument("no team " + id);
}

namespace {
template <typename T>
std::optional<T> command_of(const Output& out, const std::string& call_id) {
    for (const Command& c : out.commands) {
        if (c.call_id != call_id) continue;
        if (const T* body = std::get_if<T>(&c.body)) return *body;
    }
    return std::nullopt;
}
}  // namespace

std::optional<CallRouteCommand> route_of(const Output& out, const std::string& call_id) {
    return command_of<CallRouteCommand>(out, call_id);
}
std::optional<CallQueuedCommand> queued_of(const Output& out, const std::string& call_id) {
    return command_of<CallQueuedCommand>(out, call_id);
}
std::optional<CallRejectCommand> reject_of(const Output& out, const std::string& call_id) {
    return command_of<CallRejectCommand>(out, call_id);
}
std::string routed_to(const Output& out, const std::string& call_id) {
    const auto r = route_of(out, call_id);
    if (!r) return "";
    return r->agent.empty() ? r->team : r->agent;
}

}  // namespace acd::test
