#include "random_inputs.hpp"

#include "engine_harness.hpp"

namespace acd::test {

int pick(Rng& rng, int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
}
bool chance(Rng& rng, double p) {
    return std::bernoulli_distribution(p)(rng);
}
// "c7" and the like. Not `"c" + std::to_string(n)`: GCC 12 at -O3 warns (falsely) that it
// overflows (GCC bug 105651), which -Werror turns into a failed Release build.
static std::string numbered(const char* prefix, long n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

const std::vector<std::string> kSpecialties = {"s0", "s1", "s2", "s3"};

// A zone with an offset change now and then in the hours the sequences cover (they start at
// start_time() and last a few hours to a few days), so that schedules cross them.
ZoneRules random_zone(Rng& rng) {
    ZoneRules z;
    z.name = "Test/Shifting";
    z.initial_offset = std::chrono::minutes(60 * (pick(rng, 5) - 2));
    Time at = start_time() + std::chrono::minutes(pick(rng, 600));
    for (int i = 0; i < 6; ++i) {
        z.transitions.push_back({at, std::chrono::minutes(60 * (pick(rng, 5) - 2))});
        at += std::chrono::minutes(60 + pick(rng, 1440));
    }
    return z;
}

// Short ranges, so that a sequence of a few hours opens and closes many times.
Schedule random_schedule(Rng& rng, std::string id) {
    Schedule s;
    s.id = std::move(id);
    for (auto& day : s.week) {
        int minute = pick(rng, 30);
        while (minute < 1440 && !chance(rng, 0.05)) {
            const int end = std::min(1440, minute + 1 + pick(rng, 90));
            day.push_back({minute, end});
            minute = end + 1 + pick(rng, 90);
        }
        if (chance(rng, 0.1)) day = {{0, 1440}};
    }
    if (chance(rng, 0.3)) {
        const auto first = std::chrono::floor<std::chrono::days>(start_time());
        s.closed_dates = {
            std::chrono::local_days((first + std::chrono::days(pick(rng, 3))).time_since_epoch())};
    }
    return s;
}

RoutingConfig random_config(Rng& rng, bool v11) {
    RoutingConfig c;
    for (int i = 0; i < 3; ++i) {
        c.classes[i].overflow = chance(rng, 0.8);
        c.classes[i].tier = pick(rng, 2);
        c.classes[i].target = seconds(10 + pick(rng, 120));
    }
    c.overflow_on_deadline = chance(rng, 0.7);
    c.ring_timeout = seconds(5 + pick(rng, 20));
    for (int i = 0; i < 3; ++i) {
        // v1 keeps the default leads (a configuration file without them means that too).
        c.classes[i].overflow_lead = std::min(c.classes[i].target, c.classes[i].overflow_lead);
        if (v11) c.classes[i].overflow_lead = Duration{0};
        if (v11 && chance(rng, 0.5)) {
            c.classes[i].overflow_lead = std::min(c.classes[i].target, seconds(pick(rng, 20)));
        }
    }
    if (v11 && chance(rng, 0.7)) c.zone = random_zone(rng);
    if (v11) {
        for (int i = 0; i < 2; ++i)
            c.schedules.push_back(random_schedule(rng, numbered("h", i)));
        c.team_retry = seconds(pick(rng, 4) * 20);
        c.late_after = seconds(pick(rng, 3) * 30);
        c.orphan_timeout = seconds(10 + pick(rng, 200));
    }
    for (std::size_t i = 0; i < kSpecialties.size(); ++i) {
        SpecialtyConfig s{
            kSpecialties[i], kSpecialties[i], {numbered("+", static_cast<long>(100 + i))}};
        s.default_class = kCallClasses[pick(rng, 3)];
        s.overflow_threshold = pick(rng, 5);
        s.overflow_enabled = chance(rng, 0.8);
        if (v11 && chance(rng, 0.6)) s.hours = c.schedules[pick(rng, 2)].id;
        for (auto& rule : s.closed) {
            if (v11 && chance(rng, 0.4)) rule = static_cast<ClosedRule>(pick(rng, 3));
        }
        c.specialties.push_back(s);
    }
    const int n_agents = 2 + pick(rng, 7);
    for (int i = 0; i < n_agents; ++i) {
        std::vector<std::string> skills;
        for (const auto& s : kSpecialties) {
            if (chance(rng, 0.4)) skills.push_back(s);
        }
        if (skills.empty()) skills.push_back(kSpecialties[pick(rng, 4)]);
        c.agents.push_back(agent(numbered("a", i), skills, pick(rng, 3) * 5));
    }
    const int n_teams = pick(rng, 3);
    for (int i = 0; i < n_teams; ++i) {
        std::vector<std::string> specs;
        if (chance(rng, 0.3)) {
            specs = {"*"};
        } else {
            for (const auto& s : kSpecialties) {
                if (chance(rng, 0.5)) specs.push_back(s);
            }
        }
        if (specs.empty()) specs = {"*"};
        c.teams.push_back(team(numbered("t", i), specs, 1 + pick(rng, 3)));
        if (v11 && chance(rng, 0.5)) c.teams.back().hours = c.schedules[pick(rng, 2)].id;
    }
    return c;
}

// Keeps track of call ids so that inputs mostly name live calls.
// A changed configuration that stays valid (as parse_config would accept it): other targets,
// thresholds and skills, an agent added or removed, now and then a team or a specialty removed
// (the engine refuses the latter while they hold calls).
RoutingConfig random_reconfig(Rng& rng, RoutingConfig c) {
    for (auto& p : c.classes) {
        if (chance(rng, 0.3)) p.target = seconds(10 + pick(rng, 120));
    }
    for (auto& s : c.specialties) {
        if (chance(rng, 0.3)) s.overflow_threshold = pick(rng, 5);
    }
    if (chance(rng, 0.5) && !c.agents.empty()) {
        auto& a = c.agents[pick(rng, static_cast<int>(c.agents.size()))];
        a.skills = {c.specialties[pick(rng, static_cast<int>(c.specialties.size()))].id};
    }
    if (chance(rng, 0.3)) {
        const std::string id = numbered("n", pick(rng, 1000));
        bool taken = false;
        for (const auto& a : c.agents)
            taken = taken || a.id == id;
        if (!taken) c.agents.push_back(agent(id, {c.specialties[0].id}, pick(rng, 2) * 5));
    }
    if (chance(rng, 0.3) && c.agents.size() > 1) {
        c.agents.erase(c.agents.begin() + pick(rng, static_cast<int>(c.agents.size())));
    }
    if (chance(rng, 0.1) && !c.teams.empty()) c.teams.pop_back();
    const bool v11 = !c.schedules.empty();
    if (v11 && chance(rng, 0.2)) {
        const int i = pick(rng, 2);
        c.schedules[i] = random_schedule(rng, c.schedules[i].id);
    }
    if (v11 && chance(rng, 0.2)) c.team_retry = seconds(pick(rng, 4) * 20);
    if (chance(rng, 0.05) && c.specialties.size() > 1) {
        const std::string gone = c.specialties.back().id;
        c.specialties.pop_back();
        for (auto& a : c.agents) {
            std::erase(a.skills, gone);
            if (a.skills.empty()) a.skills.push_back(c.specialties[0].id);
        }
        for (auto& t : c.teams) {
            std::erase(t.specialties, gone);
            if (t.specialties.empty()) t.all_specialties = true;
        }
    }
    return c;
}

Generator::Generator(Rng& r, const Engine& e, bool with_v11)
    : rng(r), engine(e), now(start_time()), v11(with_v11) {}

std::string Generator::some_call(const Engine& engine, std::optional<CallState> state) {
    std::vector<std::string> ids;
    for (const auto& c : engine.calls()) {
        if (!state || c.state == *state) ids.push_back(c.call_id);
    }
    if (ids.empty() || chance(rng, 0.03)) return numbered("c", pick(rng, next_call + 1));
    return ids[pick(rng, static_cast<int>(ids.size()))];
}
std::string Generator::some_agent() {
    const auto& agents = engine.config().agents;
    if (chance(rng, 0.02) || agents.empty()) return "ghost";
    return agents[pick(rng, static_cast<int>(agents.size()))].id;
}
std::string Generator::some_specialty() {
    if (chance(rng, 0.03)) return "nowhere";
    return kSpecialties[pick(rng, 4)];
}
std::optional<std::string> Generator::maybe_agent(const Engine& engine,
                                                  const std::string& call_id) {
    if (chance(rng, 0.5)) return std::nullopt;
    if (chance(rng, 0.1)) return some_agent();
    const auto call = engine.find_call({call_id, std::nullopt});
    if (call && !call->agent.empty()) return call->agent;
    return std::nullopt;
}
input::GatewayEvent Generator::event(input::GatewayEventBody body) {
    if (chance(rng, 0.02) && seq > 0) return {"gw", seq - pick(rng, 2), std::move(body)};
    return {"gw", ++seq, std::move(body)};
}

Input Generator::next(const Engine& engine) {
    now += Duration(pick(rng, 8000));
    // While "gw" is away, mostly let time pass (its return comes with its next event), so that
    // calls wait unrouted and orphan timeouts come due.
    for (const GatewayView& g : engine.gateways()) {
        if (g.id == "gw" && g.away_since && chance(rng, 0.8)) {
            now += Duration(pick(rng, 30000));
            return input::Tick{};
        }
    }
    switch (pick(rng, 17)) {
        case 0:
        case 1:
        case 2: {
            input::CallOffered o;
            o.call_id = numbered("c", ++next_call);
            o.caller = numbered("p", pick(rng, 20));
            o.dialed = numbered("+", 100 + pick(rng, 5));
            if (chance(rng, 0.5)) o.specialty = some_specialty();
            if (chance(rng, 0.6)) o.call_class = kCallClasses[pick(rng, 3)];
            o.quality_sample = v11 && chance(rng, 0.1);
            return event(o);
        }
        case 3:
        case 4: {
            const auto id = some_call(engine, CallState::offering);
            return event(input::CallAnswered{id, maybe_agent(engine, id)});
        }
        case 5: {
            const auto id = some_call(engine, CallState::offering);
            return event(input::CallNoAnswer{id, maybe_agent(engine, id)});
        }
        case 6:
        case 7:
            return event(input::CallEnded{some_call(engine), std::nullopt});
        case 8: {
            const AgentState states[] = {AgentState::ready, AgentState::paused,
                                         AgentState::logged_out};
            return event(input::AgentReport{some_agent(), states[pick(rng, 3)], "phone"});
        }
        case 9:
            return input::AgentLogin{some_agent(), chance(rng, 0.2)};
        case 10:
            return input::AgentReady{some_agent()};
        case 11:
            return chance(rng, 0.5) ? Input{input::AgentPause{some_agent(), "break"}}
                                    : Input{input::AgentLogout{some_agent()}};
        case 12:
            return input::CallReclassify{{some_call(engine), std::nullopt},
                                         kCallClasses[pick(rng, 3)]};
        case 13:
            return input::CallTransfer{{some_call(engine, CallState::queued), std::nullopt},
                                       some_specialty()};
        case 14: {
            input::OverflowSet o{some_specialty(), std::nullopt, std::nullopt};
            if (chance(rng, 0.7)) o.threshold = pick(rng, 5) - (chance(rng, 0.05) ? 10 : 0);
            if (chance(rng, 0.5)) o.enabled = chance(rng, 0.7);
            return o;
        }
        case 15:
            if (chance(rng, 0.1)) return input::Reconfigure{random_reconfig(rng, engine.config())};
            if (v11 && chance(rng, 0.15)) {
                return input::GatewayDisconnected{chance(rng, 0.9) ? "gw" : "gw2"};
            }
            if (v11 && chance(rng, 0.15)) return input::GatewayConnected{"gw"};
            if (v11 && chance(rng, 0.05)) {
                return input::CallEnd{{some_call(engine), std::nullopt}, "stuck"};
            }
            [[fallthrough]];
        default:
            now += Duration(pick(rng, 60000));
            return input::Tick{};
    }
}

}  // namespace acd::test
