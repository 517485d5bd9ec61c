// The Prometheus metrics of docs/spec/web.md ("Metrics and health"), in the text exposition
// format 0.0.4, for GET /metrics.
//
// - Counters (calls offered, answered, abandoned, rejected, answered within target) count the
//   finished calls of the whole log: they are CallFigures::totals(), the same count as
//   stats-get's figures (call_figures.hpp: loaded from the store at start, so they survive
//   restarts, then moved on by each call the engine finishes). A call counts when it ends, once,
//   so a counter never goes back; calls still live show in the gauges.
// - Gauges (queues, agents, teams, alerts, gateways) are read from the engine at each scrape.
// - acdd_store_commit_seconds is read from the store's CommitHistogram at each scrape; it counts
//   the commits since the daemon started.
//
// Single-threaded, on the io thread.
#pragma once

#include <string>

#include "acd/commit_histogram.hpp"
#include "acd/engine.hpp"
#include "call_figures.hpp"

namespace acd {

class Metrics {
  public:
    // Reads its counters from `figures` and the commit durations from `commit_times` (the
    // store's), which must outlive it.
    Metrics(const CallFigures& figures, const CommitHistogram& commit_times)
        : figures_(&figures), commit_times_(&commit_times) {}
    // The exposition text.
    std::string text(const Engine& engine, Time now) const;

  private:
    const CallFigures* figures_;
    const CommitHistogram* commit_times_;
};

}  // namespace acd
