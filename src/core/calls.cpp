// Call lifecycle (docs/spec/routing.md "Call lifecycle", "Offers, no answer, answer").
#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

// --- CallIndex -------------------------------------------------------------------------------

std::uint32_t core::CallIndex::hash_of(std::string_view id) {
    const std::size_t h = std::hash<std::string_view>{}(id);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

Index core::CallIndex::find(std::string_view id, const std::vector<Call>& calls) const {
    if (table_.empty()) return kNone;
    const std::uint32_t h = hash_of(id);
    const std::size_t mask = table_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const Entry& e = table_[i];
        if (e.slot == kNone) return kNone;
        if (e.hash == h && calls[e.slot].call_id == id) return e.slot;
    }
}

void core::CallIndex::insert(Index slot, const std::vector<Call>& calls) {
    if (2 * (size_ + 1) > table_.size()) grow();
    const std::uint32_t h = hash_of(calls[slot].call_id);
    const std::size_t mask = table_.size() - 1;
    std::size_t i = h & mask;
    while (table_[i].slot != kNone)
        i = (i + 1) & mask;
    table_[i] = Entry{slot, h};
    ++size_;
}

// Backward-shift deletion: no tombstones, so lookups stay short however long the index lives.
void core::CallIndex::erase(Index slot, const std::vector<Call>& calls) {
    const std::size_t mask = table_.size() - 1;
    std::size_t i = hash_of(calls[slot].call_id) & mask;
    while (table_[i].slot != slot)
        i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask;; j = (j + 1) & mask) {
        if (table_[j].slot == kNone) break;
        const std::size_t home = table_[j].hash & mask;
        // The entry at j may fill the hole at i unless its home lies cyclically in (i, j].
        const bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
        if (stays) continue;
        table_[i] = table_[j];
        i = j;
    }
    table_[i] = Entry{};
    --size_;
}

void core::CallIndex::grow() {
    std::vector<Entry> old = std::move(table_);
    table_.assign(old.empty() ? 16 : 2 * old.size(), Entry{});
    const std::size_t mask = table_.size() - 1;
    for (const Entry& e : old) {
        if (e.slot == kNone) continue;
        std::size_t i = e.hash & mask;
        while (table_[i].slot != kNone)
            i = (i + 1) & mask;
        table_[i] = e;
    }
}

// --- Call lifecycle --------------------------------------------------------------------------

Index Engine::State::new_call(Index gateway, const input::CallOffered& offered, Index specialty,
                              CallClass call_class) {
    Index slot;
    if (free_slots.empty()) {
        slot = static_cast<Index>(calls.size());
        calls.emplace_back();
    } else {
        slot = free_slots.back();
        free_slots.pop_back();
    }
    core::Call& call = calls[slot];
    call.arrival = ++arrivals;
    call.gateway = gateway;
    call.call_id = offered.call_id;
    call.caller = offered.caller;
    call.specialty = specialty;
    call.call_class = call_class;
    call.state = CallState::queued;
    call.enqueued_at = clock;
    call.deadline = clock + config.policy(call_class).target;
    call.quality_sample = offered.quality_sample;
    gateways[gateway].calls.insert(slot, calls);
    return slot;
}

void Engine::State::free_call(Index slot) {
    core::Call& call = calls[slot];
    gateways[call.gateway].calls.erase(slot, calls);
    // The next call in this slot reuses the buffers of the strings.
    std::string call_id = std::move(call.call_id);
    std::string caller = std::move(call.caller);
    std::vector<core::Refusal> refused = std::move(call.refused);
    call = core::Call{};  // arrival 0: free
    call_id.clear();
    caller.clear();
    refused.clear();
    call.call_id = std::move(call_id);
    call.caller = std::move(caller);
    call.refused = std::move(refused);
    free_slots.push_back(slot);
}

bool Engine::State::live(core::SlotRef ref) const {
    return ref.slot < calls.size() && calls[ref.slot].arrival == ref.arrival;
}

core::QueueKey Engine::State::key_of(Index slot) const {
    const core::Call& c = calls[slot];
    return core::QueueKey{c.deadline, c.arrival, config.policy(c.call_class).tier, slot};
}

namespace {

// A queued call is due for a team once its deadline is less than its class's lead away.
Time due_at(const core::Call& call, const ClassPolicy& policy) {
    return call.deadline - policy.overflow_lead;
}

}  // namespace

void Engine::State::enqueue(Index slot, bool notice) {
    core::Call& call = calls[slot];
    core::Specialty& spec = specialties[call.specialty];
    const core::QueueKey key = key_of(slot);
    call.state = CallState::queued;
    call.queue_pos = spec.queue.insert(key).first;
    spec.spare_arrivals.insert_last(spec.by_arrival, call.arrival, slot);
    if (!routable(call)) ++spec.away;
    if (config.policy(call.call_class).overflow) {
        // The hint end() makes the insert O(1) when the key is the largest (a new call of the
        // class with the latest deadline, a call passing its deadline in deadline order) and
        // costs one comparison otherwise.
        call.overflowable_pos = spec.overflowable.insert(spec.overflowable.end(), key);
        call.in_overflowable = true;
    }
    if (call.closed_team) {
        call.to_team_pos = spec.to_team.insert(spec.to_team.end(), key);
        call.in_to_team = true;
        deadline_work = true;
    }
    // A call that comes back past its deadline does not note it again; one that comes back late
    // for the first time is late at once.
    call.passed_noted = clock > call.deadline;
    deadline_stages(slot);
    // A refusal that runs out while the call waits is a moment when a team may take it.
    ++call.retry_gen;
    for (const core::Refusal& r : call.refused) {
        if (r.until > clock)
            arm(core::TimerKind::retry, r.until, slot, call.arrival, call.retry_gen);
    }
    if (notice) {
        call.notice_pending = true;
        pending_notices.push_back({slot, call.arrival});
    }
    mark_dirty(call.specialty);
}

void Engine::State::dequeue(Index slot) {
    core::Call& call = calls[slot];
    core::Specialty& spec = specialties[call.specialty];
    spec.queue.erase(call.queue_pos);
    spec.spare_arrivals.erase(spec.by_arrival, call.arrival);
    if (!routable(call)) --spec.away;
    if (call.in_overflowable) spec.overflowable.erase(call.overflowable_pos);
    if (call.in_overflow_due) spec.overflow_due.erase(call.overflow_due_pos);
    if (call.in_to_team) spec.to_team.erase(call.to_team_pos);
    call.in_overflowable = false;
    call.in_overflow_due = false;
    call.in_to_team = false;
    ++call.deadline_gen;
    ++call.retry_gen;
    call.notice_pending = false;
    mark_dirty(call.specialty);  // its queue_unstaffed alert may change
}

void Engine::State::leave_queue(Index slot) {
    dequeue(slot);
    clear_late(slot);
}

// The stages of a queued call's deadline: due for a team (deadline - overflow lead, overflowable
// calls), deadline passed (a deadline_passed change), late (deadline + late_after: call_late).
// Each happens once its instant has passed ("within" includes the limit); this does what is due
// and arms the timer of the next stage.
void Engine::State::deadline_stages(Index slot) {
    core::Call& call = calls[slot];
    const ClassPolicy& policy = config.policy(call.call_class);
    const Time due = due_at(call, policy);
    const Time late = call.deadline + config.late_after;
    if (call.in_overflowable && !call.in_overflow_due && clock > due) {
        core::KeySet& set = specialties[call.specialty].overflow_due;
        call.overflow_due_pos = set.insert(set.end(), key_of(slot));
        call.in_overflow_due = true;
        deadline_work = true;
    }
    if (!call.passed_noted && clock > call.deadline) {
        call.passed_noted = true;
        emit_call(slot, Cause::deadline_passed);
    }
    if (!call.late_raised && clock > late) raise_late(slot);
    std::optional<Time> next;
    const auto consider = [&](Time at) {
        if (!next || at < *next) next = at;
    };
    if (call.in_overflowable && !call.in_overflow_due) consider(due);
    if (!call.passed_noted) consider(call.deadline);
    if (!call.late_raised) consider(late);
    if (next) {
        arm(core::TimerKind::deadline, *next + core::kJustAfter, slot, call.arrival,
            ++call.deadline_gen);
    }
}

void Engine::State::offer_to_agent(Index slot, Index agent) {
    leave_queue(slot);
    core::Call& call = calls[slot];
    call.state = CallState::offering;
    call.agent = agent;
    call.team = kNone;
    call.ring_until = clock + config.ring_timeout + core::kRingGrace + core::kJustAfter;
    arm(core::TimerKind::ring, call.ring_until, slot, call.arrival, ++call.offer_gen);
    agents[agent].call = slot;
    set_agent_state(agent, AgentState::reserved, {}, Cause::routed);
    const AgentConfig& ac = agents[agent].config;
    CallRouteCommand& route = push_route(slot);
    route.to = ac.uri;
    route.ring_timeout_s = config.ring_timeout.count() / 1000;
    route.agent = ac.id;
    route.team.clear();
    route.record = call.quality_sample;
    emit_call(slot, Cause::routed);
}

void Engine::State::offer_to_team(Index slot, Index team, Cause cause) {
    leave_queue(slot);
    core::Call& call = calls[slot];
    call.state = CallState::offering;
    call.agent = kNone;
    call.team = team;
    call.overflowed = true;
    ++teams[team].active;
    call.ring_until = clock + config.ring_timeout + core::kRingGrace + core::kJustAfter;
    arm(core::TimerKind::ring, call.ring_until, slot, call.arrival, ++call.offer_gen);
    const TeamConfig& tc = teams[team].config;
    CallRouteCommand& route = push_route(slot);
    route.to = tc.uri;
    route.ring_timeout_s = config.ring_timeout.count() / 1000;
    route.agent.clear();
    route.team = tc.id;
    route.record = false;
    emit_call(slot, cause);
}

void Engine::State::connect(Index slot) {
    core::Call& call = calls[slot];
    call.state = CallState::connected;
    call.answered_at = clock;
    ++call.offer_gen;  // cancels the ring timer
    if (call.agent != kNone) {
        set_agent_state(call.agent, AgentState::busy, {}, Cause::answered);
    }
    emit_call(slot, Cause::answered);
}

// No answer, from the gateway or by timeout: the agent is paused, or the team has refused the
// call; the call goes back to its place in the queue.
void Engine::State::return_to_queue(Index slot, Cause cause) {
    core::Call& call = calls[slot];
    ++call.offer_gen;
    if (call.agent != kNone) {
        agents[call.agent].call = kNone;
        set_agent_state(call.agent, AgentState::paused, "no_answer", cause);
    } else {
        // That team is not offered this call again for team_retry (routing.md v1.1).
        --teams[call.team].active;
        const Time until = clock + config.team_retry;
        auto it = std::find_if(call.refused.begin(), call.refused.end(),
                               [&](const core::Refusal& r) { return r.team == call.team; });
        if (it == call.refused.end()) it = call.refused.insert(call.refused.end(), {call.team, {}});
        it->until = until;
        mark_team_freed(call.team);
    }
    call.state = CallState::queued;
    emit_call(slot, cause);
    enqueue(slot, /*notice=*/true);
}

void Engine::State::on_ring_timeout(Index slot) {
    return_to_queue(slot, Cause::ring_timeout);
}

void Engine::State::on_deadline(Index slot) {
    deadline_stages(slot);
}

// A team's refusal ran out: it may take the call now.
void Engine::State::on_retry(Index slot) {
    mark_dirty(calls[slot].specialty);
    deadline_work = true;
}

void Engine::State::end_call(Index slot, Cause cause) {
    core::Call& call = calls[slot];
    const CallState was = call.state;
    if (was == CallState::queued) {
        leave_queue(slot);
    } else if (call.team != kNone) {
        --teams[call.team].active;
        mark_team_freed(call.team);
    } else {
        core::Agent& agent = agents[call.agent];
        agent.call = kNone;
        if (was == CallState::offering) {
            set_agent_state(call.agent, AgentState::ready, {}, Cause::ended);
        } else {
            // Talk plus wrap-up time feeds the expected wait of call.queued.
            core::Specialty& spec = specialties[call.specialty];
            const std::int64_t sample = (clock - *call.answered_at + agent.config.wrap_up).count();
            spec.mean_handle_ms = spec.mean_handle_ms == 0
                                      ? sample
                                      : spec.mean_handle_ms + (sample - spec.mean_handle_ms) / 8;
            if (agent.config.wrap_up.count() > 0) {
                set_agent_state(call.agent, AgentState::wrap_up, {}, Cause::ended);
                agent.wrap_until = clock + agent.config.wrap_up;
                arm(core::TimerKind::wrap_up, agent.wrap_until, call.agent, 0, agent.wrap_gen);
            } else {
                set_agent_state(call.agent, AgentState::ready, {}, Cause::ended);
            }
        }
    }
    call.state = CallState::ended;
    ++call.offer_gen;
    emit_call(slot, cause);
    free_call(slot);
}

// The deadline follows the class; enqueued_at never changes.
void Engine::State::set_class(Index slot, CallClass call_class) {
    core::Call& call = calls[slot];
    const bool queued = call.state == CallState::queued;
    const bool notice = call.notice_pending;
    if (queued) dequeue(slot);
    call.call_class = call_class;
    call.deadline = call.enqueued_at + config.policy(call_class).target;
    if (queued) {
        enqueue(slot, /*notice=*/false);
        call.notice_pending = notice;
    }
}

CallSnapshot Engine::State::snapshot(Index slot) const {
    CallSnapshot s;
    fill_snapshot(slot, s);
    return s;
}

// Sets every field of `s`; assignments keep the buffers `s` already has.
void Engine::State::fill_snapshot(Index slot, CallSnapshot& s) const {
    const core::Call& c = calls[slot];
    s.gateway = gateways[c.gateway].id;
    s.call_id = c.call_id;
    s.caller = c.caller;
    s.specialty = specialties[c.specialty].config.id;
    s.call_class = c.call_class;
    s.state = c.state;
    s.enqueued_at = c.enqueued_at;
    s.deadline = c.deadline;
    s.answered_at = c.answered_at;
    if (c.state == CallState::ended) {
        s.ended_at = clock;
        s.outcome = c.answered_at && !c.end_abandoned ? Outcome::completed : Outcome::abandoned;
    } else {
        s.ended_at.reset();
        s.outcome.reset();
    }
    if (c.agent != kNone) {
        s.agent = agents[c.agent].config.id;
    } else {
        s.agent.clear();
    }
    if (c.team != kNone) {
        s.team = teams[c.team].config.id;
    } else {
        s.team.clear();
    }
    s.overflowed = c.overflowed;
    s.arrival = c.arrival;
    s.quality_sample = c.quality_sample;
}

void Engine::State::emit_call(Index slot, Cause cause) {
    CallChange& change = push_call_change();
    change.at = clock;
    change.cause = cause;
    fill_snapshot(slot, change.call);
}

void core::OutputPool::reclaim(Output& out) {
    for (Change& change : out.changes) {
        if (auto* c = std::get_if<CallChange>(&change)) {
            if (call_changes.size() < kMax) call_changes.push_back(std::move(*c));
        } else if (auto* a = std::get_if<AgentChange>(&change)) {
            if (agent_changes.size() < kMax) agent_changes.push_back(std::move(*a));
        } else if (auto* l = std::get_if<AlertChange>(&change)) {
            if (alert_changes.size() < kMax) alert_changes.push_back(std::move(*l));
        }
    }
    out.changes.clear();
    for (Command& command : out.commands) {
        if (std::holds_alternative<CallRouteCommand>(command.body)) {
            if (routes.size() < kMax) routes.push_back(std::move(command));
        } else if (std::holds_alternative<CallQueuedCommand>(command.body)) {
            if (queued.size() < kMax) queued.push_back(std::move(command));
        }
    }
    out.commands.clear();
}

namespace {
template <typename T>
T& push_reused(std::vector<Change>& to, std::vector<T>& pool) {
    if (pool.empty()) return std::get<T>(to.emplace_back(std::in_place_type<T>));
    T& t = std::get<T>(to.emplace_back(std::in_place_type<T>, std::move(pool.back())));
    pool.pop_back();
    return t;
}

template <typename Body>
Body& push_command(std::vector<Command>& to, std::vector<Command>& pool, const std::string& gateway,
                   const std::string& call_id) {
    Command* command;
    if (pool.empty()) {
        command = &to.emplace_back();
    } else {
        command = &to.emplace_back(std::move(pool.back()));
        pool.pop_back();
    }
    command->gateway = gateway;
    command->call_id = call_id;
    if (auto* body = std::get_if<Body>(&command->body)) return *body;
    return command->body.template emplace<Body>();
}
}  // namespace

CallChange& Engine::State::push_call_change() {
    return push_reused(out.changes, pool.call_changes);
}

AgentChange& Engine::State::push_agent_change() {
    return push_reused(out.changes, pool.agent_changes);
}

AlertChange& Engine::State::push_alert_change() {
    return push_reused(out.changes, pool.alert_changes);
}

CallRouteCommand& Engine::State::push_route(Index slot) {
    const core::Call& call = calls[slot];
    return push_command<CallRouteCommand>(out.commands, pool.routes, gateways[call.gateway].id,
                                          call.call_id);
}

CallQueuedCommand& Engine::State::push_queued(Index slot) {
    const core::Call& call = calls[slot];
    return push_command<CallQueuedCommand>(out.commands, pool.queued, gateways[call.gateway].id,
                                           call.call_id);
}

}  // namespace acd
