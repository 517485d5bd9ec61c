// The Prometheus metrics of docs/spec/web.md ("Metrics and health"), in the text exposition
// format 0.0.4, for GET /metrics.
//
// - Counters (calls offered, answered, abandoned, rejected, answered within target) count the
//   finished calls of the whole log: loaded from the store's calls table at start (so they
//   survive restarts), then moved on by each call the store reports finished. A call counts when
//   it ends, once, so a counter never goes back; calls still live show in the gauges.
// - Gauges (queues, agents, teams, alerts, gateways) are read from the engine at each scrape.
// - acdd_store_commit_seconds is read from the store's CommitHistogram at each scrape (the store
//   must outlive the Metrics loaded from it); it counts the commits since the daemon started.
//
// Single-threaded, on the io thread.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "acd/engine.hpp"
#include "acd/store.hpp"

namespace acd {

class Metrics {
  public:
    // The counters of every finished call in the store.
    static Result<Metrics> load(Store& store, const RoutingConfig& routing);
    // Counts a finished (ended or rejected) call.
    void call_finished(const CallSnapshot& call, const RoutingConfig& routing);
    // The exposition text.
    std::string text(const Engine& engine, Time now) const;

  private:
    using SpecialtyClass = std::tuple<std::string, std::string>;
    std::map<SpecialtyClass, std::int64_t> offered_;
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> answered_;
    std::map<SpecialtyClass, std::int64_t> abandoned_;
    std::map<SpecialtyClass, std::int64_t> rejected_;  // (specialty, reason)
    std::map<SpecialtyClass, std::int64_t> within_target_;
    const CommitHistogram* commit_times_ = nullptr;  // the store's
};

}  // namespace acd
