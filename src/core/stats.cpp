#include "acd/stats.hpp"

#include <algorithm>

namespace acd {
namespace {

std::optional<double> ratio(double num, double den) {
    if (den == 0) return std::nullopt;
    return num / den;
}

double to_seconds(Duration d) {
    return static_cast<double>(d.count()) / 1000.0;
}

}  // namespace

void ServiceTally::add(const CallSnapshot& call, Duration target, Time now) {
    ServiceFigures& c = counts_;
    ++c.offered;
    if (call.overflowed) ++c.overflowed;
    Duration wait{0};
    if (call.outcome == Outcome::closed) {
        ++c.closed;
        return;  // no wait: it was never queued
    }
    if (call.outcome == Outcome::rejected) {
        ++c.rejected;
    } else if (call.answered_at) {
        wait = *call.answered_at - call.enqueued_at;
        ++c.answered;
        ++(call.team.empty() ? c.answered_internal : c.answered_overflow);
        if (wait <= target) ++c.answered_within_target;
        answer_wait_ms_ += wait.count();
    } else if (call.outcome == Outcome::abandoned) {
        wait = *call.ended_at - call.enqueued_at;
        ++c.abandoned;
        if (wait < kShortAbandon) ++c.short_abandoned;
    } else {
        wait = now - call.enqueued_at;  // still waiting
    }
    max_wait_ = std::max(max_wait_.value_or(wait), wait);
}

ServiceFigures ServiceTally::figures() const {
    ServiceFigures f = counts_;
    f.service_level = ratio(static_cast<double>(f.answered_within_target),
                            static_cast<double>(f.answered + f.abandoned - f.short_abandoned));
    f.answer_rate = ratio(static_cast<double>(f.answered),
                          static_cast<double>(f.offered - f.closed - f.short_abandoned));
    if (auto mean_ms =
            ratio(static_cast<double>(answer_wait_ms_), static_cast<double>(f.answered))) {
        f.asa_s = *mean_ms / 1000.0;
    }
    if (max_wait_) f.max_wait_s = to_seconds(*max_wait_);
    return f;
}

void ServiceStats::add(const CallSnapshot& call, const RoutingConfig& config, Time now) {
    buckets_[{call.specialty, call.call_class}].add(call, config.policy(call.call_class).target,
                                                    now);
}

}  // namespace acd
