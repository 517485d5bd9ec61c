// Writers for a run's results: the text report (service figures per specialty and class,
// overall, and per hour), the hourly table as CSV, and two runs side by side.
#pragma once

#include <ostream>

#include "sim/results.hpp"
#include "sim/scenario.hpp"

namespace acd::sim {

void write_report(std::ostream& out, const Scenario& scenario, const RunResult& result);

// One row per hour of the run and scope ("all", then each specialty); waiting calls and agents
// are given on the "all" rows only. Figures that are null (a division by zero) are empty.
void write_hourly_csv(std::ostream& out, const RunResult& result);

// Two runs of one scenario (acdd and FIFO) in one report: the header, then service level, answer
// rate, ASA and abandons of both side by side, per specialty and class and per hour.
void write_comparison(std::ostream& out, const Scenario& scenario, const RunResult& a,
                      const RunResult& b);

// "08:00" for a one-day run, "Tue 08:00" when the run has several days.
std::string hour_label(const Scenario& scenario, std::size_t hour);

}  // namespace acd::sim
