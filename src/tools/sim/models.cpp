#include "sim/models.hpp"

#include <algorithm>
#include <cmath>

namespace acd::sim {
namespace {
constexpr double kHour = 3600.0;
constexpr double kDay = 24 * kHour;
}  // namespace

double sample(const Distribution& d, Rng& rng) {
    switch (d.kind) {
        case Distribution::Kind::constant:
            return d.mean_s;
        case Distribution::Kind::exponential:
            return d.mean_s * rng.exponential();
        case Distribution::Kind::lognormal: {
            // The parameters of the underlying normal that give this mean and spread.
            const double cv = d.sd_s / d.mean_s;
            const double sigma2 = std::log1p(cv * cv);
            const double mu = std::log(d.mean_s) - sigma2 / 2;
            return std::exp(mu + std::sqrt(sigma2) * rng.normal());
        }
    }
    return d.mean_s;
}

ArrivalProcess::ArrivalProcess(const std::array<double, kHoursPerDay>& per_hour,
                               const Scenario& scenario)
    : per_hour_(per_hour),
      day_factors_(scenario.day_factors),
      first_weekday_(scenario.first_weekday),
      hours_(static_cast<long>(scenario.days) * kHoursPerDay) {}

double ArrivalProcess::rate(long hour) const {
    const long day = hour / kHoursPerDay;
    const long weekday = (first_weekday_ + day) % kDaysPerWeek;
    return per_hour_[hour % kHoursPerDay] * day_factors_[weekday] / kHour;
}

// Walk the hours from `after`, spending an Exp(1) budget of integrated rate.
std::optional<double> ArrivalProcess::next(double after, Rng& rng) const {
    double budget = rng.exponential();
    double t = after;
    for (long hour = static_cast<long>(t / kHour); hour < hours_; ++hour) {
        const double r = rate(hour);
        const double hour_end = static_cast<double>(hour + 1) * kHour;
        const double span = hour_end - t;
        if (r * span >= budget) return t + budget / r;
        budget -= r * span;
        t = hour_end;
    }
    return std::nullopt;
}

std::vector<Interval> work_intervals(const std::vector<Shift>& shifts, const Scenario& scenario) {
    std::vector<Interval> raw;
    for (int day = 0; day < scenario.days; ++day) {
        const int weekday = (scenario.first_weekday + day) % kDaysPerWeek;
        for (const Shift& s : shifts) {
            if ((s.weekdays & (1u << weekday)) == 0) continue;
            const double day_start = day * kDay;
            raw.push_back({day_start + static_cast<double>(s.start_s),
                           day_start + static_cast<double>(s.end_s)});
        }
    }
    std::sort(raw.begin(), raw.end(),
              [](const Interval& a, const Interval& b) { return a.start_s < b.start_s; });
    std::vector<Interval> merged;
    for (const Interval& i : raw) {
        if (!merged.empty() && i.start_s <= merged.back().end_s) {
            merged.back().end_s = std::max(merged.back().end_s, i.end_s);
        } else {
            merged.push_back(i);
        }
    }
    return merged;
}

}  // namespace acd::sim
