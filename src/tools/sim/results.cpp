#include "sim/results.hpp"

#include <algorithm>

namespace acd::sim {

std::string_view to_string(Policy p) {
    return p == Policy::acdd ? "acdd" : "fifo";
}

void LevelSeries::advance(double t) {
    while (last_t_ < t) {
        const auto bin = static_cast<std::size_t>(last_t_ / bin_s_);
        if (bin >= area_.size()) {
            area_.resize(bin + 1, 0.0);
            max_.resize(bin + 1, 0);
        }
        max_[bin] = std::max(max_[bin], level_);
        const double bin_end = static_cast<double>(bin + 1) * bin_s_;
        const double until = std::min(t, bin_end);
        area_[bin] += level_ * (until - last_t_);
        last_t_ = until;
    }
}

void LevelSeries::change(double t, int delta) {
    advance(t);
    level_ += delta;
    const auto bin = static_cast<std::size_t>(last_t_ / bin_s_);
    if (bin >= area_.size()) {
        area_.resize(bin + 1, 0.0);
        max_.resize(bin + 1, 0);
    }
    max_[bin] = std::max(max_[bin], level_);
}

void LevelSeries::finish(double t) {
    advance(t);
}

double LevelSeries::mean(std::size_t first, std::size_t last) const {
    last = std::min(last, area_.size());
    if (first >= last) return 0;
    double area = 0;
    for (std::size_t b = first; b < last; ++b)
        area += area_[b];
    return area / (static_cast<double>(last - first) * bin_s_);
}

int LevelSeries::max(std::size_t first, std::size_t last) const {
    last = std::min(last, max_.size());
    int m = 0;
    for (std::size_t b = first; b < last; ++b)
        m = std::max(m, max_[b]);
    return m;
}

}  // namespace acd::sim
