// The service figures of finished calls, kept as calls end. See call_figures.hpp.
#include "call_figures.hpp"

#include <vector>

#include "acd/site_time.hpp"

namespace acd {

CallFigures::Basis CallFigures::basis_of(const RoutingConfig& routing) {
    Basis b;
    b.zone = routing.zone.name;
    for (CallClass c : kCallClasses)
        b.targets[static_cast<std::size_t>(c)] = routing.policy(c).target;
    return b;
}

Result<CallFigures> CallFigures::load(Store& store, const RoutingConfig& routing, Time now) {
    // What the engine finished before this object existed is in the calls table once durable.
    store.flush();
    auto calls = store.finished_calls(Time{});
    if (!calls) return calls.error();
    CallFigures f(store);
    f.basis_ = basis_of(routing);
    f.day_start_ = site_midnight(routing.zone, now);
    for (const CallSnapshot& c : *calls)
        f.count(c, routing);
    return f;
}

void CallFigures::count(const CallSnapshot& call, const RoutingConfig& routing) {
    // A finished call's figures do not depend on the time they are read at.
    totals_.add(call, routing, Time{});
    if (call.enqueued_at >= day_start_) today_.add(call, routing, Time{});
}

Result<bool> CallFigures::catch_up(const RoutingConfig& routing, Time now) {
    const Time start = site_midnight(routing.zone, now);
    Basis basis = basis_of(routing);
    if (basis == basis_ && start == day_start_) return false;
    if (basis == basis_ && start > day_start_) {
        // A new day: the calls still live were enqueued before its midnight.
        today_ = ServiceStats();
        day_start_ = start;
        return false;
    }
    // Another zone or other targets: today, as the store has it with the new ones.
    store_->flush();
    auto calls = store_->finished_calls(start);
    if (!calls) return calls.error();
    today_ = ServiceStats();
    for (const CallSnapshot& c : *calls)
        today_.add(c, routing, now);
    basis_ = std::move(basis);
    day_start_ = start;
    return true;
}

void CallFigures::output(const Output& output, const RoutingConfig& routing, Time now) {
    if (output.duplicate) return;
    std::vector<const CallSnapshot*> ended;
    for (const Change& change : output.changes) {
        const auto* c = std::get_if<CallChange>(&change);
        if (c != nullptr && c->call.state == CallState::ended) ended.push_back(&c->call);
    }
    if (ended.empty()) return;  // the day rolls over at the next call's end, or the next read
    // Counted again from the store, today already holds this output's calls (journaled before
    // the output is observed). On a failed count the figures stay; the next read says so.
    const auto counted_again = catch_up(routing, now);
    const bool today_has_them = counted_again && *counted_again;
    for (const CallSnapshot* c : ended) {
        totals_.add(*c, routing, now);
        if (!today_has_them && c->enqueued_at >= day_start_) today_.add(*c, routing, now);
    }
}

Result<std::optional<ServiceStats>> CallFigures::today(Time since, const RoutingConfig& routing,
                                                       Time now) {
    if (auto s = catch_up(routing, now); !s) return s.error();
    if (since != day_start_) return std::optional<ServiceStats>{};
    return std::optional<ServiceStats>(today_);
}

}  // namespace acd
