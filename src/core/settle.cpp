// What follows every input and every timer (docs/spec/routing.md "Dispatch", "Overflow"):
//   1. dispatch: match queued calls with ready eligible agents until no pair is left;
//   2. call.queued for the calls that entered a queue and stayed there;
//   3. calls due for a team: those that came in closed under the rule `team`, and those whose
//      deadline is less than their class's lead away, go to an open team with free capacity;
//   4. overflow by threshold: the last calls of a queue over its threshold go to a team;
//   5. the queue_unstaffed alerts of the specialties touched.
// Only the specialties touched by the step ("dirty") are looked at, so the cost follows the
// change, not the size of the center.
#include <algorithm>

#include "engine_state.hpp"

namespace acd {

using core::Index;
using core::kNone;

void Engine::State::settle() {
    dispatch();
    send_queued_notices();
    if (deadline_work) overflow_due();
    overflow_over_threshold();
    for (Index sp : dirty) {
        check_unstaffed(sp);
        specialties[sp].dirty = false;
    }
    dirty.clear();
}

void Engine::State::mark_dirty(Index sp) {
    if (specialties[sp].dirty) return;
    specialties[sp].dirty = true;
    dirty.push_back(sp);
}

void Engine::State::mark_team_freed(Index team) {
    const TeamConfig& tc = teams[team].config;
    if (tc.all_specialties) {
        for (Index sp = 0; sp < specialties.size(); ++sp)
            mark_dirty(sp);
    } else {
        for (const std::string& id : tc.specialties)
            mark_dirty(specialty_by_id.find(id)->second);
    }
    deadline_work = true;
}

// Repeat: the first queued call in dispatch order that has an eligible ready agent goes to the
// longest-idle eligible agent. Before the step no such pair existed, so only the dirty
// specialties can hold one.
void Engine::State::dispatch() {
    for (;;) {
        Index best = kNone;
        const core::QueueKey* best_key = nullptr;
        for (Index sp : dirty) {
            const core::Specialty& spec = specialties[sp];
            if (spec.queue.empty() || spec.ready.empty()) continue;
            const core::QueueKey* head = first_routable(spec);
            if (head == nullptr) continue;
            if (best_key == nullptr || *head < *best_key) {
                best = sp;
                best_key = head;
            }
        }
        if (best == kNone) return;
        offer_to_agent(best_key->slot, specialties[best].ready.begin()->agent);
    }
}

// The first queued call in dispatch order whose gateway is not away. Calls of a gateway that is
// away are few and short-lived (orphan_timeout), so they are skipped rather than indexed apart.
const core::QueueKey* Engine::State::first_routable(const core::Specialty& spec) const {
    if (spec.away == 0) return spec.queue.empty() ? nullptr : &*spec.queue.begin();
    for (const core::QueueKey& key : spec.queue) {
        if (routable(calls[key.slot])) return &key;
    }
    return nullptr;
}

void Engine::State::send_queued_notices() {
    for (const core::SlotRef ref : pending_notices) {
        if (!live(ref)) continue;
        core::Call& call = calls[ref.slot];
        if (!call.notice_pending) continue;
        call.notice_pending = false;
        const core::Specialty& spec = specialties[call.specialty];
        const auto position =
            static_cast<std::int64_t>(spec.queue.order_of_key(key_of(ref.slot))) + 1;
        CallQueuedCommand& queued = push_queued(ref.slot);
        queued.specialty = spec.config.id;
        queued.call_class = call.call_class;
        queued.position = position;
        queued.expected_wait_s = expected_wait_s(call.specialty, position);
        emit_call(ref.slot, Cause::queued);
    }
    pending_notices.clear();
}

// Position times the mean handle time, shared among the agents logged in with the skill. No
// estimate without a logged-in agent or before the first completed call of the specialty.
std::optional<std::int64_t> Engine::State::expected_wait_s(Index sp, std::int64_t position) const {
    const core::Specialty& spec = specialties[sp];
    if (spec.staffed == 0 || spec.mean_handle_ms == 0) return std::nullopt;
    const std::int64_t ms = position * spec.mean_handle_ms / spec.staffed;
    return (ms + 999) / 1000;
}

// The team for a call: serves its specialty, is open, has free capacity, has not refused the call
// within the last team_retry; the one with the most free capacity, ties to the smaller id. kNone
// when there is none, or when the call's gateway is away. (Whether the call may go to a team at
// all is the caller's question.)
Index Engine::State::team_for(const core::Call& call) const {
    if (!routable(call)) return kNone;
    Index best = kNone;
    int best_free = 0;
    for (Index t : specialties[call.specialty].teams) {
        const int free = teams[t].config.max_concurrent - teams[t].active;
        if (free <= 0 || !teams[t].open) continue;
        const bool refused =
            std::any_of(call.refused.begin(), call.refused.end(),
                        [&](const core::Refusal& r) { return r.team == t && r.until > clock; });
        if (refused) continue;
        if (best == kNone || free > best_free ||
            (free == best_free && teams[t].rank < teams[best].rank)) {
            best = t;
            best_free = free;
        }
    }
    return best;
}

bool Engine::State::team_room_for(Index sp) const {
    const core::Specialty& spec = specialties[sp];
    return std::any_of(spec.teams.begin(), spec.teams.end(), [&](Index t) {
        return teams[t].open && teams[t].active < teams[t].config.max_concurrent;
    });
}

bool Engine::State::team_capacity_for(Index sp) const {
    return specialties[sp].overflow_enabled && team_room_for(sp);
}

// Calls due for a team leave for one, the first in dispatch order first: those that came in
// closed under the rule `team` (whatever the overflow settings: the rule is their route), and
// those whose deadline is less than their class's lead away (when overflow on deadline is on and
// their specialty's overflow is enabled). They are already failing, or about to fail, their
// target.
void Engine::State::overflow_due() {
    deadline_work = false;
    for (;;) {
        const core::QueueKey* best = nullptr;
        Index best_team = kNone;
        Cause best_cause = Cause::overflow_deadline;
        const auto scan = [&](const core::KeySet& set, Cause cause) {
            for (const core::QueueKey& key : set) {
                if (best != nullptr && !(key < *best)) break;
                const Index team = team_for(calls[key.slot]);
                if (team == kNone) continue;
                best = &key;
                best_team = team;
                best_cause = cause;
                break;
            }
        };
        for (Index sp = 0; sp < specialties.size(); ++sp) {
            const core::Specialty& spec = specialties[sp];
            if (spec.to_team.empty() && spec.overflow_due.empty()) continue;
            if (!team_room_for(sp)) continue;
            scan(spec.to_team, Cause::overflow_closed);
            if (config.overflow_on_deadline && spec.overflow_enabled) {
                scan(spec.overflow_due, Cause::overflow_deadline);
            }
        }
        if (best == nullptr) return;
        offer_to_team(best->slot, best_team, best_cause);
    }
}

// While a queue exceeds its threshold, its last queued call (dispatch order) that can go to a
// team goes. When teams lack room for all, the queue that exceeds its threshold most goes first
// (ties: configuration order).
void Engine::State::overflow_over_threshold() {
    for (;;) {
        Index best_sp = kNone;
        Index best_slot = kNone;
        Index best_team = kNone;
        std::int64_t best_excess = 0;
        for (Index sp : dirty) {
            const core::Specialty& spec = specialties[sp];
            const auto excess = static_cast<std::int64_t>(spec.queue.size()) - spec.threshold;
            if (excess <= 0 || excess < best_excess || !team_capacity_for(sp)) continue;
            if (excess == best_excess && sp > best_sp) continue;
            for (auto it = spec.overflowable.rbegin(); it != spec.overflowable.rend(); ++it) {
                const Index team = team_for(calls[it->slot]);
                if (team == kNone) continue;
                best_sp = sp;
                best_slot = it->slot;
                best_team = team;
                best_excess = excess;
                break;
            }
        }
        if (best_slot == kNone) return;
        offer_to_team(best_slot, best_team, Cause::overflow_threshold);
    }
}

}  // namespace acd
