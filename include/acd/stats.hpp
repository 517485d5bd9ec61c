// Service figures of docs/spec/routing.md ("Service figures"), per specialty and class.
//
//   acd::ServiceStats stats;
//   for (const auto& call : finished_and_live_calls) stats.add(call, config, now);
//   for (const auto& [key, tally] : stats.buckets()) use(tally.figures());
//
// A call counts in the bucket of its last specialty and class. A live call counts as offered;
// when connected, as answered; its wait so far counts in max_wait_s. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "acd/engine.hpp"
#include "acd/routing_config.hpp"

namespace acd {

// Abandoned calls that waited less than this are short abandons.
inline constexpr Duration kShortAbandon = seconds(5);

struct ServiceFigures {
    std::int64_t offered = 0;
    std::int64_t answered = 0;
    std::int64_t answered_internal = 0;
    std::int64_t answered_overflow = 0;
    std::int64_t abandoned = 0;
    std::int64_t short_abandoned = 0;
    std::int64_t overflowed = 0;
    std::int64_t rejected = 0;
    // Rejected because the specialty was closed: not in `rejected`, and left out of the offered
    // calls of service_level and answer_rate.
    std::int64_t closed = 0;
    std::int64_t answered_within_target = 0;
    std::optional<double> service_level;  // null on a division by zero
    std::optional<double> answer_rate;
    std::optional<double> asa_s;
    std::optional<double> max_wait_s;  // null when no call
};

class ServiceTally {
  public:
    // Counts `call` as it stands at `now`; `target` is the answer target of its class.
    void add(const CallSnapshot& call, Duration target, Time now);
    ServiceFigures figures() const;

  private:
    ServiceFigures counts_;
    std::int64_t answer_wait_ms_ = 0;
    std::optional<Duration> max_wait_;
};

class ServiceStats {
  public:
    using Key = std::pair<std::string, CallClass>;  // specialty ("" for rejected calls), class

    void add(const CallSnapshot& call, const RoutingConfig& config, Time now);
    const std::map<Key, ServiceTally>& buckets() const { return buckets_; }

  private:
    std::map<Key, ServiceTally> buckets_;
};

}  // namespace acd
