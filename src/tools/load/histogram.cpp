#include "load/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace acd::load {
namespace {

// Values below 2^kSubBits are exact; above, each power of two is cut into 2^(kSubBits-1) equal
// buckets.
constexpr int kSubBits = 8;
constexpr std::uint64_t kExact = 1u << kSubBits;  // 256
constexpr std::uint64_t kHalf = kExact / 2;       // 128 buckets per power of two above
constexpr std::size_t kBuckets = kExact + (64 - kSubBits) * kHalf;

std::size_t bucket_of(std::uint64_t v) {
    if (v < kExact) return static_cast<std::size_t>(v);
    const int msb = 63 - std::countl_zero(v);  // >= kSubBits
    const int shift = msb - (kSubBits - 1);    // >= 1
    const std::uint64_t sub = v >> shift;      // in [kHalf, kExact)
    return static_cast<std::size_t>(kExact + std::uint64_t(shift - 1) * kHalf + (sub - kHalf));
}

// The largest value that falls in bucket `b`.
std::uint64_t upper_of(std::size_t b) {
    if (b < kExact) return b;
    const std::uint64_t shift = (b - kExact) / kHalf + 1;
    const std::uint64_t sub = (b - kExact) % kHalf + kHalf;
    return ((sub + 1) << shift) - 1;
}

}  // namespace

Histogram::Histogram() : buckets_(kBuckets, 0) {}

void Histogram::record(std::chrono::nanoseconds latency) {
    const std::uint64_t v = latency.count() < 0 ? 0 : static_cast<std::uint64_t>(latency.count());
    ++buckets_[bucket_of(v)];
    ++count_;
    max_ = std::max(max_, v);
}

std::chrono::nanoseconds Histogram::quantile(double q) const {
    if (count_ == 0) return std::chrono::nanoseconds(0);
    const auto rank = static_cast<std::uint64_t>(
        std::max(1.0, std::ceil(std::clamp(q, 0.0, 1.0) * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < buckets_.size(); ++b) {
        seen += buckets_[b];
        if (seen >= rank) {
            return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min(upper_of(b), max_)));
        }
    }
    return std::chrono::nanoseconds(static_cast<std::int64_t>(max_));
}

}  // namespace acd::load
