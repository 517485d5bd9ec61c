// The Prometheus metrics of docs/spec/web.md ("Metrics and health"), in the text exposition
// format 0.0.4, for GET /metrics.
//
// - Counters (calls offered, answered, abandoned, rejected, answered within target) count the
//   finished calls of the whole log: they are CallFigures::totals(), the same count as
//   stats-get's figures (call_figures.hpp: loaded from the store at start, so they survive
//   restarts, then moved on by each call the engine finishes). A call counts when it ends, once,
//   so a counter never goes back; calls still live show in the gauges.
// - Gauges (queues, agents, teams, alerts, gateways) are read from the engine at each scrape.
//
// Single-threaded, on the io thread.
#pragma once

#include <string>

#include "acd/engine.hpp"
#include "call_figures.hpp"

namespace acd {

class Metrics {
  public:
    // Reads its counters from `figures`, which must outlive it.
    explicit Metrics(const CallFigures& figures) : figures_(&figures) {}
    // The exposition text.
    std::string text(const Engine& engine, Time now) const;

  private:
    const CallFigures* figures_;
};

}  // namespace acd
