// Opening hours in the engine (docs/spec/routing.md v1.1 "Opening hours, nights and on-call"):
// each schedule in use has a state and a timer for its next change, so that an opening or a
// closing is a step of its own, at its instant, live and in replay alike.
#include "acd/schedule.hpp"
#include "engine_state.hpp"

namespace acd {

using core::Index;

// At the first input (or when a state is loaded): the state of every schedule at `clock`.
// Nothing was open or closed "before", so this emits nothing.
void Engine::State::start_hours() {
    hours_started = true;
    for (Index i = 0; i < schedules.size(); ++i) {
        schedules[i].open = is_open(config.schedules[i], config.zone, clock);
        for (Index sp : schedules[i].specialties)
            specialties[sp].open = schedules[i].open;
        for (Index t : schedules[i].teams)
            teams[t].open = schedules[i].open;
        arm_hours(i);
    }
}

void Engine::State::arm_hours(Index i) {
    ++schedules[i].gen;
    if (const auto next = next_change(config.schedules[i], config.zone, clock)) {
        arm(core::TimerKind::hours, *next, i, 0, schedules[i].gen);
    }
}

void Engine::State::on_hours(Index i) {
    const bool open = is_open(config.schedules[i], config.zone, clock);
    if (open != schedules[i].open) set_open(i, open);
    arm_hours(i);
}

// A specialty's state changes only how its new calls are taken (calls already queued keep their
// places). A team that opens may take calls at once; one that closes keeps its calls but takes
// no new one. Either way the alerts of the specialties it serves are looked at again.
void Engine::State::set_open(Index i, bool open) {
    schedules[i].open = open;
    for (Index sp : schedules[i].specialties)
        specialties[sp].open = open;
    for (Index t : schedules[i].teams) {
        teams[t].open = open;
        mark_team_freed(t);
    }
}

}  // namespace acd
