// A latency histogram with constant memory and buckets under 1 % wide (log-linear
// buckets, as HdrHistogram does): millions of samples per run cost one increment each.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace acd::load {

class Histogram {
  public:
    Histogram();

    void record(std::chrono::nanoseconds latency);
    std::uint64_t count() const { return count_; }
    // The smallest recorded value v such that a share `q` (0..1) of the samples are <= v, within
    // the bucket precision; 0 when empty.
    std::chrono::nanoseconds quantile(double q) const;
    std::chrono::nanoseconds max() const { return std::chrono::nanoseconds(max_); }

  private:
    std::vector<std::uint64_t> buckets_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace acd::load
