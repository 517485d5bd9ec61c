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

}  // namespace acd::sim
