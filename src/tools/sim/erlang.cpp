#include "sim/erlang.hpp"

#include <cmath>

namespace acd::sim {

double erlang_c(int agents, double load) {
    if (load >= agents) return 1.0;  // unstable: every call waits
    double b = 1.0;
    for (int k = 1; k <= agents; ++k)
        b = load * b / (k + load * b);
    const double c = agents;
    return c * b / (c - load * (1.0 - b));
}

double MMc::p_wait_over(double t_s) const {
    return p_wait() * std::exp(-(agents * mu - lambda) * t_s);
}

double MMc::mean_wait_s() const {
    return p_wait() / (agents * mu - lambda);
}

namespace {

// The one class with calls in a one-specialty scenario, if there is exactly one.
const Demand* single_demand(const Scenario& s) {
    if (s.demand.size() != 1) return nullptr;
    const Demand* found = nullptr;
    for (const auto& d : s.demand[0]) {
        if (!d) continue;
        if (found != nullptr) return nullptr;
        found = &*d;
    }
    return found;
}

bool always_on_without_wrap_up(const Scenario& s) {
    for (std::size_t a = 0; a < s.routing.agents.size(); ++a) {
        if (s.routing.agents[a].wrap_up.count() != 0) return false;
        const auto& shifts = s.shifts[a];
        if (shifts.size() != 1 || shifts[0].start_s != 0 || shifts[0].end_s != 24 * 3600 ||
            shifts[0].weekdays != 0x7f) {
            return false;
        }
    }
    return !s.routing.agents.empty();
}

}  // namespace

std::optional<MMc> as_mmc(const Scenario& s) {
    const Demand* d = single_demand(s);
    if (d == nullptr || d->patience || d->handle.kind != Distribution::Kind::exponential) {
        return std::nullopt;
    }
    for (double rate : d->per_hour) {
        if (rate != d->per_hour[0]) return std::nullopt;
    }
    for (double f : s.day_factors) {
        if (f != 1.0) return std::nullopt;
    }
    if (s.answer_delay_s != 0 || !s.routing.teams.empty() || !always_on_without_wrap_up(s)) {
        return std::nullopt;
    }
    return MMc{d->per_hour[0] / 3600.0, 1.0 / d->handle.mean_s,
               static_cast<int>(s.routing.agents.size())};
}

}  // namespace acd::sim
