// Erlang C: the M/M/c queue without abandonment, the theory the simulator is checked against.
//
// Arrivals at rate lambda (per second), c agents each serving at rate mu (1 / mean handle time),
// offered load A = lambda / mu Erlangs, stable when A < c.
//   C(c, A)   probability that a call waits     (Erlang C)
//   P(W > t)  = C(c, A) * exp(-(c mu - lambda) t)
//   E[W]      = C(c, A) / (c mu - lambda)
#pragma once

#include <optional>

#include "sim/scenario.hpp"

namespace acd::sim {

// C(c, A) through the Erlang B recurrence B(k) = A B(k-1) / (k + A B(k-1)), which stays within
// [0, 1] at every step (no factorials, no overflow, for any c).
double erlang_c(int agents, double load);

struct MMc {
    double lambda = 0;  // arrivals per second
    double mu = 0;      // services per second per agent
    int agents = 1;

    double load() const { return lambda / mu; }
    double occupancy() const { return load() / agents; }
    double p_wait() const { return erlang_c(agents, load()); }
    double p_wait_over(double t_s) const;
    double mean_wait_s() const;
};

// The M/M/c queue `scenario` is, if it is one: one specialty with one class of calls at a
// constant rate, exponential handle times, no abandonment, no answer delay, no overflow team,
// and every agent logged in around the clock with no wrap-up.
std::optional<MMc> as_mmc(const Scenario& scenario);

}  // namespace acd::sim
