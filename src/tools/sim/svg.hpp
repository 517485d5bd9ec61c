// A chart of a run as a standalone SVG file (hand-written text, no dependency): waiting calls
// through the day on top, service level per hour below, on one time axis. With two runs of one
// scenario (acdd and FIFO) both are drawn, in two colours, so the policies can be compared.
#pragma once

#include <ostream>
#include <vector>

#include "sim/results.hpp"
#include "sim/scenario.hpp"

namespace acd::sim {

// `runs` holds one or two results of `scenario`.
void write_svg(std::ostream& out, const Scenario& scenario,
               const std::vector<const RunResult*>& runs);

}  // namespace acd::sim
