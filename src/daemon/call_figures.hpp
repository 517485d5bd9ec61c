// The service figures of finished calls, kept as calls end, so that neither stats-get nor
// GET /metrics reads the calls table while gateways wait (issue: stats-get over 360,000 calls
// held the engine's thread for 1.2 s). One count, two horizons:
// - today: per specialty and class, the calls enqueued since 00:00 site time (config.md v1.1
//   `site.timezone`), what stats-get shows without `since` (admin-protocol.md);
// - the whole log: the counters of /metrics (web.md "Metrics and health"), which never go back.
//
// Contract:
// - load() scans the store's finished calls once, at start; after that, output() counts the
//   calls each engine output finishes (ended or rejected: the calls the journal writes to the
//   calls table), at the time the engine took them, without waiting for the disk.
// - The day rolls over at the site's midnight, checked at each output and each read (no timer):
//   a call enqueued before midnight that ends after it counts in no day's figures, as the scan
//   by `enqueued_at` has it.
// - Today's figures are counted with the answer targets and zone in force; when a reload
//   changes either, the next read or output counts today again from the store (one scan, after
//   a flush, so that nothing the engine finished is missed). The counters of the whole log
//   keep what they counted: a Prometheus counter never goes back.
//
// Single-threaded, on the io_context thread.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "acd/engine.hpp"
#include "acd/stats.hpp"
#include "acd/store.hpp"

namespace acd {

class CallFigures {
  public:
    // The whole log's counters and the figures of the site day of `now`, from one scan of the
    // store's finished calls. Flushes the store first.
    static Result<CallFigures> load(Store& store, const RoutingConfig& routing, Time now);

    // Counts the calls `output` finished, as of `now`.
    void output(const Output& output, const RoutingConfig& routing, Time now);
    // Today's figures when `since` is 00:00 site time of `now`'s day; nullopt for any other
    // `since` (the caller scans the store), or when they cannot be counted again (an error).
    Result<std::optional<ServiceStats>> today(Time since, const RoutingConfig& routing, Time now);
    // The counters of every finished call of the log, per specialty ("" for a call rejected
    // before it had one) and class.
    const ServiceStats& totals() const { return totals_; }

  private:
    // What today's figures were counted with: a reload that changes it counts them again.
    struct Basis {
        std::string zone;
        std::array<Duration, kCallClassCount> targets{};
        bool operator==(const Basis&) const = default;
    };
    static Basis basis_of(const RoutingConfig& routing);

    explicit CallFigures(Store& store) : store_(&store) {}
    // Rolls the day over at midnight, and counts today again when the basis changed (then
    // true).
    Result<bool> catch_up(const RoutingConfig& routing, Time now);
    void count(const CallSnapshot& call, const RoutingConfig& routing);

    Store* store_;
    Basis basis_;
    Time day_start_{};
    ServiceStats today_;
    ServiceStats totals_;
};

}  // namespace acd
