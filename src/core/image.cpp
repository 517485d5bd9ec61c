// The engine state as plain values (EngineImage), and back: snapshots restore through it, and
// a live reconfiguration is "image, adjust to the new configuration, load into a fresh state".
// Loading rebuilds every index (queues, ready sets, timers) from the entities, so there is one
// way to build them.
#include <fmt/format.h>

#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

namespace {

template <typename Map>
Index find_index(const Map& map, std::string_view id) {
    const auto it = map.find(id);
    return it == map.end() ? kNone : it->second;
}

}  // namespace

EngineImage Engine::State::image() const {
    EngineImage im;
    im.config = config;
    im.now = now;
    im.arrivals = arrivals;
    for (const core::Gateway& gw : gateways)
        im.gateways.push_back({gw.id, gw.last_seq, gw.away_since});
    for (const core::Specialty& s : specialties) {
        im.specialties.push_back(
            {s.config.id, s.threshold, s.overflow_enabled, s.mean_handle_ms, s.unstaffed_since});
    }
    for (const core::Agent& a : agents) {
        EngineImage::Agent ia{a.config,      a.retired,     a.state, a.reason,
                              a.state_since, a.ready_since, {}};
        if (a.state == AgentState::wrap_up) ia.wrap_up_until = a.wrap_until;
        im.agents.push_back(std::move(ia));
    }
    for (Index slot = 0; slot < calls.size(); ++slot) {
        const core::Call& c = calls[slot];
        if (c.arrival == 0) continue;
        EngineImage::Call ic;
        ic.gateway = gateways[c.gateway].id;
        ic.call_id = c.call_id;
        ic.caller = c.caller;
        ic.specialty = specialties[c.specialty].config.id;
        ic.call_class = c.call_class;
        ic.state = c.state;
        ic.enqueued_at = c.enqueued_at;
        ic.answered_at = c.answered_at;
        if (c.agent != kNone) ic.agent = agents[c.agent].config.id;
        if (c.team != kNone) ic.team = teams[c.team].config.id;
        for (const core::Refusal& r : c.refused) {
            if (r.until > now) ic.refused.push_back({teams[r.team].config.id, r.until});
        }
        ic.overflowed = c.overflowed;
        ic.arrival = c.arrival;
        if (c.state == CallState::offering) ic.ring_until = c.ring_until;
        ic.closed_team = c.closed_team;
        ic.quality_sample = c.quality_sample;
        ic.late_raised = c.late_raised;
        ic.late_since = c.late_since;
        im.calls.push_back(std::move(ic));
    }
    std::sort(im.calls.begin(), im.calls.end(),
              [](const auto& a, const auto& b) { return a.arrival < b.arrival; });
    return im;
}

void Engine::State::rank_agents() {
    std::vector<Index> order(agents.size());
    for (Index i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](Index a, Index b) { return agents[a].config.id < agents[b].config.id; });
    for (Index r = 0; r < order.size(); ++r)
        agents[order[r]].rank = r;
}

// Precondition: this state was just built from image.config.
bool Engine::State::load(const EngineImage& im, std::string* error) {
    const auto fail = [&](std::string message) {
        if (error != nullptr) *error = std::move(message);
        return false;
    };
    now = clock = im.now;
    arrivals = im.arrivals;
    for (const EngineImage::Specialty& is : im.specialties) {
        const Index sp = find_index(specialty_by_id, is.id);
        if (sp == kNone) continue;  // settings of a specialty no longer configured
        specialties[sp].threshold = is.threshold;
        specialties[sp].overflow_enabled = is.overflow_enabled;
        specialties[sp].mean_handle_ms = is.mean_handle_ms;
        specialties[sp].unstaffed_since = is.unstaffed_since;
    }
    for (const EngineImage::Agent& ia : im.agents) {
        Index a = find_index(agent_by_id, ia.config.id);
        if (ia.retired) {
            if (a != kNone)
                return fail(fmt::format("retired agent '{}' is configured", ia.config.id));
            a = static_cast<Index>(agents.size());
            agents.emplace_back().config = ia.config;
            agents[a].retired = true;
            agent_by_id.emplace(ia.config.id, a);
        } else if (a == kNone) {
            return fail(fmt::format("unknown agent '{}'", ia.config.id));
        }
        core::Agent& agent = agents[a];
        agent.state = ia.state;
        agent.reason = ia.reason;
        agent.state_since = ia.state_since;
        agent.ready_since = ia.ready_since;
        agent.wrap_until = ia.wrap_up_until.value_or(Time{});
    }
    rank_agents();
    for (const EngineImage::Gateway& ig : im.gateways) {
        gateway_by_id.emplace(ig.id, Index(gateways.size()));
        gateways.push_back(core::Gateway{ig.id, ig.last_seq, {}, ig.away_since, 0});
    }
    if (now > Time{}) start_hours();
    for (const EngineImage::Call& ic : im.calls) {
        const Index gw = find_index(gateway_by_id, ic.gateway);
        const Index sp = find_index(specialty_by_id, ic.specialty);
        const Index agent = ic.agent.empty() ? kNone : find_index(agent_by_id, ic.agent);
        Index team = kNone;
        for (Index t = 0; t < teams.size(); ++t) {
            if (teams[t].config.id == ic.team) team = t;
        }
        if (gw == kNone || sp == kNone || (!ic.agent.empty() && agent == kNone) ||
            (!ic.team.empty() && team == kNone)) {
            return fail(fmt::format("call '{}' names an unknown gateway, specialty, agent or team",
                                    ic.call_id));
        }
        const Index slot = static_cast<Index>(calls.size());
        core::Call& c = calls.emplace_back();
        c.arrival = ic.arrival;
        c.gateway = gw;
        c.call_id = ic.call_id;
        c.caller = ic.caller;
        c.specialty = sp;
        c.call_class = ic.call_class;
        c.state = ic.state;
        c.enqueued_at = ic.enqueued_at;
        c.deadline = ic.enqueued_at + config.policy(ic.call_class).target;
        c.answered_at = ic.answered_at;
        c.agent = agent;
        c.team = team;
        for (const EngineImage::Refusal& refused : ic.refused) {
            for (Index t = 0; t < teams.size(); ++t) {
                if (teams[t].config.id == refused.team) c.refused.push_back({t, refused.until});
            }
        }
        c.overflowed = ic.overflowed;
        c.ring_until = ic.ring_until.value_or(Time{});
        c.closed_team = ic.closed_team;
        c.quality_sample = ic.quality_sample;
        c.late_raised = ic.late_raised;
        c.late_since = ic.late_since;
        gateways[gw].calls.insert(slot, calls);
        if (c.state != CallState::queued) {
            if (agent != kNone) agents[agent].call = slot;
            if (team != kNone) ++teams[team].active;
        }
    }
    rebuild_indexes();
    return true;
}

// Queues, ready sets, staffing and timers, from the entities, the way live steps build them.
void Engine::State::rebuild_indexes() {
    for (Index slot = 0; slot < calls.size(); ++slot) {
        core::Call& c = calls[slot];
        if (c.arrival == 0) continue;
        if (c.state == CallState::queued) {
            enqueue(slot, /*notice=*/false);
        } else if (c.state == CallState::offering && routable(c)) {
            arm(core::TimerKind::ring, c.ring_until, slot, c.arrival, ++c.offer_gen);
        }
    }
    for (Index gw = 0; gw < gateways.size(); ++gw) {
        const core::Gateway& g = gateways[gw];
        if (g.away_since && g.calls.size() > 0) {
            arm(core::TimerKind::orphan, *g.away_since + config.orphan_timeout, gw, 0, g.away_gen);
        }
    }
    for (Index a = 0; a < agents.size(); ++a) {
        core::Agent& agent = agents[a];
        if (agent.state != AgentState::logged_out) {
            for (Index sp : agent.skills)
                ++specialties[sp].staffed;
        }
        if (agent.state == AgentState::ready) {
            for (Index sp : agent.skills) {
                specialties[sp].ready.insert({agent.ready_since, agent.rank, a});
            }
        }
        if (agent.state == AgentState::wrap_up) {
            arm(core::TimerKind::wrap_up, agent.wrap_until, a, 0, agent.wrap_gen);
        }
    }
    // The state loaded is settled already: nothing is left to look at.
    for (Index sp : dirty)
        specialties[sp].dirty = false;
    dirty.clear();
    deadline_work = false;
}

void Engine::State::reconfigure(const RoutingConfig& cfg) {
    const auto configured = [](const auto& list, const std::string& id) {
        return std::any_of(list.begin(), list.end(), [&](const auto& x) { return x.id == id; });
    };
    EngineImage im = image();
    for (const EngineImage::Call& c : im.calls) {
        if (!configured(cfg.specialties, c.specialty)) {
            return reply_error(ErrorCode::invalid_state,
                               fmt::format("specialty '{}' still holds call '{}': transfer its "
                                           "calls before removing it",
                                           c.specialty, c.call_id));
        }
        if (!c.team.empty() && c.state != CallState::queued && !configured(cfg.teams, c.team)) {
            return reply_error(ErrorCode::invalid_state,
                               fmt::format("team '{}' still holds call '{}': remove it once its "
                                           "calls are over",
                                           c.team, c.call_id));
        }
    }
    im.config = cfg;
    // Overflow settings return to the configured ones; what was learnt stays.
    for (EngineImage::Specialty& s : im.specialties) {
        for (const SpecialtyConfig& sc : cfg.specialties) {
            if (sc.id != s.id) continue;
            s.threshold = sc.overflow_threshold;
            s.overflow_enabled = sc.overflow_enabled;
        }
    }
    std::vector<EngineImage::Agent> agents_now;
    for (const AgentConfig& ac : cfg.agents) {
        EngineImage::Agent a{ac, false, AgentState::logged_out, {}, clock, Time{}, {}};
        for (const EngineImage::Agent& old : im.agents) {
            if (old.config.id != ac.id) continue;
            a = old;
            a.config = ac;
            a.retired = false;
        }
        agents_now.push_back(std::move(a));
    }
    std::vector<std::string> dropped;
    for (EngineImage::Agent& old : im.agents) {
        if (configured(cfg.agents, old.config.id)) continue;
        if (old.state == AgentState::reserved || old.state == AgentState::busy) {
            old.retired = true;  // finishes its call, then is gone
            agents_now.push_back(old);
            continue;
        }
        if (old.state != AgentState::logged_out) {
            out.changes.emplace_back(
                std::in_place_type<AgentChange>,
                AgentChange{
                    clock, Cause::removed, old.config.id, AgentState::logged_out, {}, {}, {}});
        }
        dropped.push_back(old.config.id);
    }
    im.agents = std::move(agents_now);
    // A queued call may name a removed agent or team as the target of its last route.
    for (EngineImage::Call& c : im.calls) {
        if (std::find(dropped.begin(), dropped.end(), c.agent) != dropped.end()) c.agent.clear();
        if (!configured(cfg.teams, c.team)) c.team.clear();
    }

    auto fresh = std::make_unique<State>(cfg);
    std::string error;
    if (!fresh->load(im, &error)) {
        return reply_error(ErrorCode::invalid_state,
                           "the configuration cannot be applied: " + error);
    }
    fresh->out = std::move(out);
    for (Index sp = 0; sp < fresh->specialties.size(); ++sp)
        fresh->mark_dirty(sp);
    fresh->deadline_work = true;
    fresh->settle();
    next = std::move(fresh);
}

Result<std::unique_ptr<Engine>> Engine::from_image(const EngineImage& image) {
    auto engine = std::make_unique<Engine>(image.config);
    std::string error;
    if (!engine->state_->load(image, &error)) return Error{ErrorCode::invalid_state, error};
    return engine;
}

EngineImage Engine::image() const {
    return state_->image();
}

const Output& Engine::reconfigure_swap() {
    if (state_->next) state_ = std::move(state_->next);
    return state_->out;
}

}  // namespace acd
