// acd::Engine: construction, the input loop, and the handling of each kind of input.
// Call and agent lifecycles are in calls.cpp and agents.cpp; dispatch and overflow in settle.cpp.
#include "acd/engine.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "acd/schedule.hpp"
#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

namespace {

// Ranks of ids in byte-wise order, for the "ties go to the smaller id" rules.
template <typename T, typename IdOf>
std::vector<Index> ranks_by_id(const std::vector<T>& items, IdOf id_of) {
    std::vector<Index> order(items.size());
    for (Index i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](Index a, Index b) { return id_of(items[a]) < id_of(items[b]); });
    std::vector<Index> rank(items.size());
    for (Index r = 0; r < order.size(); ++r)
        rank[order[r]] = r;
    return rank;
}

}  // namespace

Engine::State::State(const RoutingConfig& cfg) : config(cfg) {
    schedules.resize(cfg.schedules.size());
    const auto schedule_of = [&](const std::string& hours) {
        for (Index i = 0; i < cfg.schedules.size(); ++i) {
            if (cfg.schedules[i].id == hours) return i;
        }
        return kNone;
    };
    for (const SpecialtyConfig& sc : cfg.specialties) {
        const Index idx = static_cast<Index>(specialties.size());
        core::Specialty& s = specialties.emplace_back();
        s.config = sc;
        s.threshold = sc.overflow_threshold;
        s.overflow_enabled = sc.overflow_enabled;
        s.schedule = schedule_of(sc.hours);
        if (s.schedule != kNone) schedules[s.schedule].specialties.push_back(idx);
        specialty_by_id.emplace(sc.id, idx);
        for (const std::string& number : sc.numbers)
            specialty_by_number.emplace(number, idx);
    }
    for (const AgentConfig& ac : cfg.agents) {
        const Index idx = static_cast<Index>(agents.size());
        core::Agent& a = agents.emplace_back();
        a.config = ac;
        for (const std::string& skill : ac.skills)
            a.skills.push_back(specialty_by_id.at(skill));
        agent_by_id.emplace(ac.id, idx);
    }
    const auto agent_ranks = ranks_by_id(agents, [](const core::Agent& a) { return a.config.id; });
    for (Index i = 0; i < agents.size(); ++i)
        agents[i].rank = agent_ranks[i];

    for (const TeamConfig& tc : cfg.teams) {
        const Index idx = static_cast<Index>(teams.size());
        teams.emplace_back().config = tc;
        teams[idx].schedule = schedule_of(tc.hours);
        if (teams[idx].schedule != kNone) schedules[teams[idx].schedule].teams.push_back(idx);
        if (tc.all_specialties) {
            for (core::Specialty& s : specialties)
                s.teams.push_back(idx);
        } else {
            for (const std::string& id : tc.specialties) {
                specialties[specialty_by_id.at(id)].teams.push_back(idx);
            }
        }
    }
    const auto team_ranks = ranks_by_id(teams, [](const core::Team& t) { return t.config.id; });
    for (Index i = 0; i < teams.size(); ++i)
        teams[i].rank = team_ranks[i];

    // The fixed delays of calls.cpp: ring timeouts, the deadline stages of new calls (due for a
    // team, deadline passed, late) and from one stage to the next, ends of wrap-up.
    timers.add_lane(cfg.ring_timeout + core::kRingGrace + core::kJustAfter);
    for (const ClassPolicy& policy : cfg.classes) {
        const bool lead = policy.overflow && policy.overflow_lead.count() > 0;
        timers.add_lane((lead ? policy.target - policy.overflow_lead : policy.target) +
                        core::kJustAfter);
        if (lead) timers.add_lane(policy.overflow_lead);
    }
    if (cfg.late_after.count() > 0) timers.add_lane(cfg.late_after);
    if (cfg.team_retry.count() > 0) timers.add_lane(cfg.team_retry);
    for (const AgentConfig& ac : cfg.agents) {
        if (ac.wrap_up.count() > 0) timers.add_lane(ac.wrap_up);
    }
}

void core::TimerQueue::add_lane(Duration delay) {
    if (lanes_.size() == kMaxLanes) return;
    for (const Lane& lane : lanes_) {
        if (lane.delay == delay) return;
    }
    lanes_.push_back(Lane{delay, {}});
}

void core::TimerQueue::push(const Timer& timer, Duration delay) {
    std::size_t to = lanes_.size();
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        if (lanes_[i].delay != delay) continue;
        // Always true while the clock only moves forward; checked so that order never depends
        // on it.
        if (lanes_[i].timers.empty() || lanes_[i].timers.back().due <= timer.due) to = i;
        break;
    }
    const bool first = size_ == 0 || TimerLater{}(top(), timer);
    if (to < lanes_.size()) {
        lanes_[to].timers.push_back(timer);
    } else {
        heap_.push_back(timer);
        std::push_heap(heap_.begin(), heap_.end(), TimerLater{});
    }
    ++size_;
    if (first) next_ = to;
}

std::size_t core::TimerQueue::next_source() const {
    std::size_t best = lanes_.size();
    const Timer* best_timer = heap_.empty() ? nullptr : &heap_.front();
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
        if (lanes_[i].timers.empty()) continue;
        const Timer& t = lanes_[i].timers.front();
        if (best_timer == nullptr || TimerLater{}(*best_timer, t)) {
            best = i;
            best_timer = &t;
        }
    }
    return best;
}

void core::TimerQueue::pop() {
    --size_;
    if (next_ < lanes_.size()) {
        lanes_[next_].timers.pop_front();
    } else {
        std::pop_heap(heap_.begin(), heap_.end(), TimerLater{});
        heap_.pop_back();
    }
    next_ = next_source();
}

Engine::Engine(const RoutingConfig& config) : state_(std::make_unique<State>(config)) {}
Engine::~Engine() = default;

const Output& Engine::handle(const Input& input, Time now) {
    State& s = *state_;
    s.out.reply = Reply{};
    s.out.duplicate = false;
    s.pool.reclaim(s.out);
    if (s.now == Time{} && now > Time{}) {
        // The first input: the configured agents, logged out so far, have been since now.
        for (core::Agent& agent : s.agents)
            if (agent.state_since == Time{}) agent.state_since = now;
    }
    s.now = std::max(s.now, now);
    if (!s.hours_started) {
        s.clock = s.now;
        s.start_hours();
    }
    s.fire_due_timers(s.now);
    s.clock = s.now;
    if (const auto* rc = std::get_if<input::Reconfigure>(&input)) {
        s.reconfigure(rc->config);
        return reconfigure_swap();
    }
    s.apply(input);
    s.settle();
    s.drop_stale_timers();
    return s.out;
}

std::optional<Time> Engine::next_timer() const {
    if (state_->timers.empty()) return std::nullopt;
    return state_->timers.top().due;
}

Time Engine::now() const {
    return state_->now;
}
const RoutingConfig& Engine::config() const {
    return state_->config;
}

// Timers due at the same instant fire together, then one settle step: agents that become ready
// at once are matched as routing.md says for "several agents and calls become matchable at once".
void Engine::State::fire_due_timers(Time until) {
    std::vector<core::Timer> batch;
    while (!timers.empty() && timers.top().due <= until) {
        clock = timers.top().due;
        batch.clear();
        while (!timers.empty() && timers.top().due == clock) {
            batch.push_back(timers.top());
            timers.pop();
        }
        // A canonical order, independent of when each timer was armed: an engine restored from
        // a snapshot (which re-arms its timers) fires them exactly as the original would.
        std::sort(batch.begin(), batch.end(), [&](const core::Timer& a, const core::Timer& b) {
            return std::tuple(a.kind, owner_key(a)) < std::tuple(b.kind, owner_key(b));
        });
        for (const core::Timer& t : batch)
            fire(t);
        settle();
    }
}

std::uint64_t Engine::State::owner_key(const core::Timer& t) const {
    switch (t.kind) {
        case core::TimerKind::wrap_up:
            return agents[t.index].rank;
        case core::TimerKind::hours:
        case core::TimerKind::orphan:
            return t.index;
        default:
            return t.owner;
    }
}

// Generations only grow, and each is bumped when its owner leaves the state the timer was armed
// for: a timer found stale stays stale.
bool Engine::State::stale(const core::Timer& t) const {
    switch (t.kind) {
        case core::TimerKind::ring:
            return !live({t.index, t.owner}) || calls[t.index].offer_gen != t.gen ||
                   calls[t.index].state != CallState::offering;
        case core::TimerKind::deadline:
            return !live({t.index, t.owner}) || calls[t.index].deadline_gen != t.gen ||
                   calls[t.index].state != CallState::queued;
        case core::TimerKind::wrap_up:
            return agents[t.index].wrap_gen != t.gen ||
                   agents[t.index].state != AgentState::wrap_up;
        case core::TimerKind::hours:
            return schedules[t.index].gen != t.gen;
        case core::TimerKind::retry:
            return !live({t.index, t.owner}) || calls[t.index].retry_gen != t.gen ||
                   calls[t.index].state != CallState::queued;
        case core::TimerKind::orphan:
            return gateways[t.index].away_gen != t.gen || !gateways[t.index].away_since ||
                   gateways[t.index].calls.size() == 0;
    }
    return true;
}

// Timers are cancelled lazily; those that reach the front cancelled are dropped there, so that
// next_timer() names a timer that will do something (the shell does not wake up for nothing).
void Engine::State::drop_stale_timers() {
    while (!timers.empty() && stale(timers.top()))
        timers.pop();
}

void Engine::State::fire(const core::Timer& t) {
    if (stale(t)) return;
    switch (t.kind) {
        case core::TimerKind::ring:
            on_ring_timeout(t.index);
            break;
        case core::TimerKind::deadline:
            on_deadline(t.index);
            break;
        case core::TimerKind::wrap_up:
            on_wrap_up_end(t.index);
            break;
        case core::TimerKind::hours:
            on_hours(t.index);
            break;
        case core::TimerKind::retry:
            on_retry(t.index);
            break;
        case core::TimerKind::orphan:
            on_orphan(t.index);
            break;
    }
}

void Engine::State::arm(core::TimerKind kind, Time due, Index index, std::uint64_t owner,
                        std::uint32_t gen) {
    timers.push(core::Timer{due, ++timer_seq, kind, index, owner, gen}, due - clock);
}

void Engine::State::reply_error(ErrorCode code, std::string message) {
    out.reply = Reply{code, std::move(message)};
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------
struct Engine::State::Applier {
    Engine::State& s;

    // --- gateway events ----------------------------------------------------------------------
    void operator()(const input::GatewayEvent& ev) {
        const Index gw = gateway_index(ev.gateway);
        if (ev.seq <= s.gateways[gw].last_seq) {
            s.out.duplicate = true;
            return;
        }
        s.gateways[gw].last_seq = ev.seq;
        // An event is proof that the gateway is connected.
        if (s.gateways[gw].away_since) s.gateway_back(gw);
        std::visit([&](const auto& body) { on_event(gw, body); }, ev.body);
    }

    Index live_call(Index gw, std::string_view call_id) {
        const Index slot = s.gateways[gw].calls.find(call_id, s.calls);
        if (slot != kNone) return slot;
        s.reply_error(ErrorCode::unknown_call,
                      fmt::format("no live call '{}' from gateway {}", call_id, s.gateways[gw].id));
        return kNone;
    }

    Index known_agent(std::string_view id) {
        const auto it = s.agent_by_id.find(id);
        if (it != s.agent_by_id.end()) return it->second;
        s.reply_error(ErrorCode::unknown_agent, fmt::format("unknown agent '{}'", id));
        return kNone;
    }

    void on_event(Index gw, const input::CallOffered& ev) {
        if (s.gateways[gw].calls.find(ev.call_id, s.calls) != kNone) {
            s.reply_error(ErrorCode::duplicate_call,
                          fmt::format("call '{}' from gateway {} is already live", ev.call_id,
                                      s.gateways[gw].id));
            return;
        }
        Index specialty = kNone;
        if (ev.specialty) {
            if (auto it = s.specialty_by_id.find(*ev.specialty); it != s.specialty_by_id.end()) {
                specialty = it->second;
            } else {
                reject(gw, ev, fmt::format("unknown specialty '{}'", *ev.specialty));
                return;
            }
        } else if (auto it = s.specialty_by_number.find(ev.dialed);
                   it != s.specialty_by_number.end()) {
            specialty = it->second;
        } else {
            reject(gw, ev, fmt::format("no specialty for dialed number '{}'", ev.dialed));
            return;
        }
        const CallClass cls = ev.call_class.value_or(s.specialties[specialty].config.default_class);
        const core::Specialty& spec = s.specialties[specialty];
        ClosedRule rule = ClosedRule::queue;
        if (!spec.open) {
            rule = spec.config.closed[index_of(cls)];
            // `team` falls back to `reject` when no team at all serves the specialty.
            if (rule == ClosedRule::team && spec.teams.empty()) rule = ClosedRule::reject;
        }
        if (rule == ClosedRule::reject) return reject_closed(gw, ev, specialty, cls);
        const Index slot = s.new_call(gw, ev, specialty, cls);
        s.calls[slot].closed_team = rule == ClosedRule::team;
        s.emit_call(slot, Cause::offered);
        s.enqueue(slot, /*notice=*/true);
    }

    // A call for a closed specialty whose rule is `reject`: recorded with outcome closed, never
    // stored as live.
    void reject_closed(Index gw, const input::CallOffered& ev, Index specialty, CallClass cls) {
        CallSnapshot call;
        call.gateway = s.gateways[gw].id;
        call.call_id = ev.call_id;
        call.caller = ev.caller;
        call.specialty = s.specialties[specialty].config.id;
        call.call_class = cls;
        call.state = CallState::ended;
        call.enqueued_at = s.clock;
        call.deadline = s.clock + s.config.policy(cls).target;
        call.ended_at = s.clock;
        call.outcome = Outcome::closed;
        call.arrival = ++s.arrivals;
        call.quality_sample = ev.quality_sample;
        s.out.changes.push_back(CallChange{s.clock, Cause::closed, std::move(call)});
        s.out.commands.push_back(
            Command{s.gateways[gw].id, ev.call_id, CallRejectCommand{"closed"}});
    }

    // A call with no specialty is recorded as rejected and never stored as live.
    void reject(Index gw, const input::CallOffered& ev, std::string message) {
        s.reply_error(ErrorCode::unknown_specialty, std::move(message));
        CallSnapshot call;
        call.gateway = s.gateways[gw].id;
        call.call_id = ev.call_id;
        call.caller = ev.caller;
        call.call_class = ev.call_class.value_or(CallClass::appointment);
        call.state = CallState::ended;
        call.enqueued_at = s.clock;
        call.deadline = s.clock;
        call.ended_at = s.clock;
        call.outcome = Outcome::rejected;
        call.arrival = ++s.arrivals;
        s.out.changes.push_back(CallChange{s.clock, Cause::rejected, std::move(call)});
        s.out.commands.push_back(
            Command{s.gateways[gw].id, ev.call_id, CallRejectCommand{"no_route"}});
    }

    // The call must be offering, and `agent`, when given, must be the agent it is offered to.
    Index offered_call(Index gw, const std::string& call_id,
                       const std::optional<std::string>& agent) {
        const Index slot = live_call(gw, call_id);
        if (slot == kNone) return kNone;
        const core::Call& call = s.calls[slot];
        Index a = kNone;
        if (agent && (a = known_agent(*agent)) == kNone) return kNone;
        if (call.state != CallState::offering) {
            s.reply_error(ErrorCode::invalid_state, fmt::format("call '{}' is {}, not offering",
                                                                call_id, to_string(call.state)));
            return kNone;
        }
        if (a != kNone && call.agent != a) {
            const std::string offered_to = call.agent != kNone
                                               ? s.agents[call.agent].config.id
                                               : "team " + s.teams[call.team].config.id;
            s.reply_error(
                ErrorCode::invalid_state,
                fmt::format("call '{}' is offered to {}, not to {}", call_id, offered_to, *agent));
            return kNone;
        }
        return slot;
    }

    void on_event(Index gw, const input::CallAnswered& ev) {
        const Index slot = offered_call(gw, ev.call_id, ev.agent);
        if (slot != kNone) s.connect(slot);
    }

    void on_event(Index gw, const input::CallNoAnswer& ev) {
        const Index slot = offered_call(gw, ev.call_id, ev.agent);
        if (slot != kNone) s.return_to_queue(slot, Cause::no_answer);
    }

    void on_event(Index gw, const input::CallEnded& ev) {
        const Index slot = live_call(gw, ev.call_id);
        if (slot != kNone) s.end_call(slot);
    }

    // agent.state from a phone reports a fact: `ready` or `paused` from logged_out logs in.
    void on_event(Index, const input::AgentReport& ev) {
        const Index a = known_agent(ev.agent);
        if (a == kNone) return;
        const AgentState from = s.agents[a].state;
        switch (ev.state) {
            case AgentState::ready:
                if (from == AgentState::logged_out) return login(a, false);
                return make_ready(a);
            case AgentState::paused:
                if (from == AgentState::logged_out) return login(a, true, ev.reason);
                return pause(a, ev.reason);
            case AgentState::logged_out:
                if (from == AgentState::logged_out) return;
                return logout(a);
            default:
                s.reply_error(ErrorCode::bad_request,
                              fmt::format("agent.state cannot report '{}'", to_string(ev.state)));
        }
    }

    void on_event(Index, const input::Rejected& ev) { s.reply_error(ev.code, ev.message); }

    // --- agent commands ----------------------------------------------------------------------
    bool refuse_if_on_call(Index a, std::string_view what) {
        const AgentState st = s.agents[a].state;
        if (st != AgentState::reserved && st != AgentState::busy) return false;
        s.reply_error(ErrorCode::invalid_state,
                      fmt::format("agent {} is {}: cannot {} now", s.agents[a].config.id,
                                  to_string(st), what));
        return true;
    }

    bool refuse_if_logged_out(Index a, std::string_view what) {
        if (s.agents[a].state != AgentState::logged_out) return false;
        s.reply_error(ErrorCode::invalid_state, fmt::format("agent {} is logged_out: cannot {}",
                                                            s.agents[a].config.id, what));
        return true;
    }

    void login(Index a, bool paused, std::string reason = {}) {
        if (s.agents[a].state != AgentState::logged_out) {
            s.reply_error(ErrorCode::invalid_state,
                          fmt::format("agent {} is already logged in ({})", s.agents[a].config.id,
                                      to_string(s.agents[a].state)));
            return;
        }
        if (paused) {
            s.set_agent_state(a, AgentState::paused, reason.empty() ? "login" : std::move(reason),
                              Cause::login);
        } else {
            s.set_agent_state(a, AgentState::ready, {}, Cause::login);
        }
    }

    void logout(Index a) {
        if (refuse_if_on_call(a, "log out") || refuse_if_logged_out(a, "log out")) return;
        s.set_agent_state(a, AgentState::logged_out, {}, Cause::logout);
    }

    void pause(Index a, const std::string& reason) {
        if (refuse_if_on_call(a, "pause") || refuse_if_logged_out(a, "pause")) return;
        s.set_agent_state(a, AgentState::paused, reason, Cause::pause);
    }

    void make_ready(Index a) {
        if (refuse_if_on_call(a, "become ready") || refuse_if_logged_out(a, "become ready")) {
            return;
        }
        if (s.agents[a].state == AgentState::ready) return;  // keeps its ready_since
        s.set_agent_state(a, AgentState::ready, {}, Cause::ready);
    }

    void operator()(const input::AgentLogin& in) {
        if (Index a = known_agent(in.agent); a != kNone) login(a, in.paused);
    }
    void operator()(const input::AgentLogout& in) {
        if (Index a = known_agent(in.agent); a != kNone) logout(a);
    }
    void operator()(const input::AgentPause& in) {
        if (Index a = known_agent(in.agent); a != kNone) pause(a, in.reason);
    }
    void operator()(const input::AgentReady& in) {
        if (Index a = known_agent(in.agent); a != kNone) make_ready(a);
    }

    // --- call commands -----------------------------------------------------------------------
    Index select_call(const input::CallSelector& sel) {
        if (sel.gateway) {
            const auto gw = s.gateway_by_id.find(*sel.gateway);
            if (gw != s.gateway_by_id.end()) return live_call(gw->second, sel.call_id);
            s.reply_error(ErrorCode::unknown_call, fmt::format("no live call '{}' from gateway {}",
                                                               sel.call_id, *sel.gateway));
            return kNone;
        }
        Index found = kNone;
        std::string gateways;
        for (const core::Gateway& gw : s.gateways) {
            const Index slot = gw.calls.find(sel.call_id, s.calls);
            if (slot == kNone) continue;
            gateways += (gateways.empty() ? "" : " and ") + gw.id;
            if (found != kNone) {
                s.reply_error(ErrorCode::bad_request,
                              fmt::format("call id '{}' is live on gateways {}: name the gateway",
                                          sel.call_id, gateways));
                return kNone;
            }
            found = slot;
        }
        if (found == kNone) {
            s.reply_error(ErrorCode::unknown_call, fmt::format("no live call '{}'", sel.call_id));
        }
        return found;
    }

    Index known_specialty(std::string_view id) {
        const auto it = s.specialty_by_id.find(id);
        if (it != s.specialty_by_id.end()) return it->second;
        s.reply_error(ErrorCode::unknown_specialty, fmt::format("unknown specialty '{}'", id));
        return kNone;
    }

    void operator()(const input::CallReclassify& in) {
        const Index slot = select_call(in.call);
        if (slot == kNone || s.calls[slot].call_class == in.call_class) return;
        s.set_class(slot, in.call_class);
        s.emit_call(slot, Cause::reclassified);
    }

    void operator()(const input::CallTransfer& in) {
        const Index slot = select_call(in.call);
        if (slot == kNone) return;
        const Index to = known_specialty(in.specialty);
        if (to == kNone) return;
        core::Call& call = s.calls[slot];
        if (call.state != CallState::queued) {
            s.reply_error(ErrorCode::invalid_state,
                          fmt::format("call '{}' is {}: only a queued call can be transferred",
                                      call.call_id, to_string(call.state)));
            return;
        }
        if (call.specialty == to) return;
        s.leave_queue(slot);
        call.specialty = to;
        call.closed_team = false;  // a supervisor's choice: an ordinary call of its new specialty
        s.emit_call(slot, Cause::transferred);
        s.enqueue(slot, /*notice=*/true);
    }

    void operator()(const input::OverflowSet& in) {
        const Index sp = known_specialty(in.specialty);
        if (sp == kNone) return;
        if (in.threshold && *in.threshold < 0) {
            s.reply_error(ErrorCode::bad_request,
                          fmt::format("threshold must be 0 or more, not {}", *in.threshold));
            return;
        }
        core::Specialty& spec = s.specialties[sp];
        if (in.threshold) spec.threshold = *in.threshold;
        if (in.enabled) spec.overflow_enabled = *in.enabled;
        s.mark_dirty(sp);
        s.deadline_work = true;
        // Constructed in place: GCC 12 at -O3 warns (falsely) of an uninitialized variant member
        // when a temporary SettingChange is moved into the vector.
        s.out.changes.emplace_back(
            std::in_place_type<SettingChange>,
            SettingChange{s.clock,
                          OverflowSetting{spec.config.id, spec.threshold, spec.overflow_enabled}});
    }

    void operator()(const input::CallEnd& in) {
        const Index slot = select_call(in.call);
        if (slot == kNone) return;
        s.calls[slot].end_abandoned = true;
        s.end_call(slot, Cause::ended_by_supervisor);
    }

    Index gateway_index(const std::string& id) {
        auto [it, added] = s.gateway_by_id.try_emplace(id, Index(s.gateways.size()));
        if (added) s.gateways.push_back(core::Gateway{id, 0, {}, {}, 0});
        return it->second;
    }

    void operator()(const input::GatewayDisconnected& in) {
        const Index gw = gateway_index(in.gateway);
        if (!s.gateways[gw].away_since) s.gateway_away(gw);
    }

    void operator()(const input::GatewayConnected& in) {
        const Index gw = gateway_index(in.gateway);
        if (s.gateways[gw].away_since) s.gateway_back(gw);
    }

    void operator()(const input::Tick&) {}
    void operator()(const input::Reconfigure&) {}  // handled by Engine::handle
};

void Engine::State::apply(const Input& input) {
    std::visit(Applier{*this}, input);
}

}  // namespace acd
