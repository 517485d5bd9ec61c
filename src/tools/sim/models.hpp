// The models that feed the engine: time-varying Poisson arrivals, handle and patience times,
// and the intervals an agent is logged in. Times here are seconds since the start of the run.
#pragma once

#include <array>
#include <optional>
#include <vector>

#include "sim/random.hpp"
#include "sim/scenario.hpp"

namespace acd::sim {

// One draw of `d`, in seconds.
double sample(const Distribution& d, Rng& rng);

// The rate of a Poisson process that is constant within each hour: per_hour[hour of day] times
// the factor of the weekday, over `days` days. Arrivals are drawn exactly, by inverting the
// integrated rate (no thinning), so a long quiet night costs nothing.
class ArrivalProcess {
  public:
    ArrivalProcess(const std::array<double, kHoursPerDay>& per_hour, const Scenario& scenario);

    // The next arrival after `after` (seconds), or nullopt when none is left before the end.
    std::optional<double> next(double after, Rng& rng) const;

    // Calls per second during hour `hour` of the run (0 = the first hour of day 0).
    double rate(long hour) const;
    long hours() const { return hours_; }

  private:
    std::array<double, kHoursPerDay> per_hour_;
    std::array<double, kDaysPerWeek> day_factors_;
    int first_weekday_;
    long hours_;
};

struct Interval {
    double start_s = 0;
    double end_s = 0;
};

// When an agent with these shifts is logged in over the run, in order; shifts that touch or
// overlap are merged, so an agent working 00:00-24:00 every day logs in once.
std::vector<Interval> work_intervals(const std::vector<Shift>& shifts, const Scenario& scenario);

}  // namespace acd::sim
