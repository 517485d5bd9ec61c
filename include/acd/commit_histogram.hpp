// How long the store's commits take: each transaction of the writer thread, from BEGIN to COMMIT
// returned (the time the acks of its events wait for it), as a histogram for
// acdd_store_commit_seconds (docs/spec/web.md, "Metrics and health").
//
// One writer (the store's writer thread) records; any thread reads at any time. Recording is
// lock-free: two relaxed atomic adds. A read is a snapshot of the buckets taken one by one, so
// it may miss a commit being recorded, never count one twice; its count is the sum of its buckets,
// so the cumulative counts of a snapshot never decrease and end at the count.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace acd {

class CommitHistogram {
  public:
    // Upper bounds of the buckets, in seconds (a last bucket, +Inf, takes the rest): from half a
    // millisecond (a commit without a sync) to 10 s (a stalled disk).
    static constexpr std::array<double, 14> kBounds = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    struct Snapshot {
        std::array<std::uint64_t, kBounds.size() + 1> buckets{};  // per bucket, not cumulative
        std::uint64_t count = 0;
        double sum_seconds = 0;
    };

    void record(std::chrono::nanoseconds d) {
        const double s = std::chrono::duration<double>(d).count();
        std::size_t i = 0;
        while (i < kBounds.size() && s > kBounds[i])
            ++i;
        buckets_[i].fetch_add(1, std::memory_order_relaxed);
        sum_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
    }

    Snapshot snapshot() const {
        Snapshot out;
        for (std::size_t i = 0; i < buckets_.size(); ++i) {
            out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
            out.count += out.buckets[i];
        }
        out.sum_seconds = double(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
        return out;
    }

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace acd
