// What a run measures: the service figures of docs/spec/routing.md per specialty and class, per
// specialty, overall and per hour of the run, and the number of waiting calls and of logged-in
// agents through time. Filled by Recorder during the run; read by the report writers.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "acd/stats.hpp"

namespace acd::sim {

enum class Policy { acdd, fifo };
std::string_view to_string(Policy p);

// A quantity that changes by steps (waiting calls, logged-in agents), summarised per bin of
// fixed width: its time-weighted mean and its maximum.
class LevelSeries {
  public:
    explicit LevelSeries(double bin_s = 300) : bin_s_(bin_s) {}

    void change(double t, int delta);  // at time t (seconds, never decreasing)
    void finish(double t);             // closes the last bin at t

    double bin_s() const { return bin_s_; }
    std::size_t bins() const { return area_.size(); }
    double mean(std::size_t bin) const { return area_[bin] / bin_s_; }
    int max(std::size_t bin) const { return max_[bin]; }
    // Mean and max over bins [first, last).
    double mean(std::size_t first, std::size_t last) const;
    int max(std::size_t first, std::size_t last) const;

  private:
    void advance(double t);

    double bin_s_;
    int level_ = 0;
    double last_t_ = 0;
    std::vector<double> area_;  // integral of the level over each bin
    std::vector<int> max_;
};

struct HourFigures {
    ServiceTally all;
    std::vector<ServiceTally> by_specialty;  // in configuration order
};

struct RunResult {
    std::string scenario;
    Policy policy = Policy::acdd;
    std::uint64_t seed = 0;
    int days = 1;
    std::vector<std::string> specialties;             // ids, in configuration order
    std::array<Duration, kCallClassCount> targets{};  // the scenario's targets, for both policies

    ServiceStats by_specialty_class;
    std::vector<ServiceTally> by_specialty;              // all classes
    std::array<ServiceTally, kCallClassCount> by_class;  // all specialties
    ServiceTally overall;
    std::vector<HourFigures> hours;         // by the hour a call was offered
    LevelSeries waiting{300};               // calls queued or ringing, not yet answered
    LevelSeries agents{3600};               // agents logged in
    std::int64_t still_waiting_at_end = 0;  // nobody left to answer them and no patience

    double end_s = 0;  // when the last event happened
    std::int64_t engine_inputs = 0;
    std::int64_t engine_errors = 0;  // inputs the engine refused: a simulator bug if not 0
    std::string first_engine_error;
};

}  // namespace acd::sim
