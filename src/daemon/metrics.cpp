// Prometheus metrics. See metrics.hpp.
#include "metrics.hpp"

#include <fmt/format.h>

#include <array>
#include <map>
#include <vector>

namespace acd {
namespace {

// A label value, escaped as the text format wants (backslash, double quote, line feed).
std::string escaped(std::string_view value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

struct Writer {
    std::string out;
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    template <typename... Labels>
    void sample(std::string_view name, double value, const Labels&... labels) {
        out += name;
        if constexpr (sizeof...(labels) > 0) {
            out += '{';
            bool first = true;
            (
                [&] {
                    out += fmt::format("{}{}=\"{}\"", first ? "" : ",", labels.first,
                                       escaped(labels.second));
                    first = false;
                }(),
                ...);
            out += '}';
        }
        out += fmt::format(" {}\n", value);
    }
};

using Label = std::pair<std::string_view, std::string>;

double seconds_of(Duration d) {
    return std::chrono::duration<double>(d).count();
}

// A counter per specialty and class: a sample for each pair that counted a call.
void per_class(Writer& w, std::string_view name, std::string_view help,
               const std::vector<std::pair<ServiceStats::Key, ServiceFigures>>& figures,
               std::int64_t (*value)(const ServiceFigures&)) {
    w.family(name, "counter", help);
    for (const auto& [key, f] : figures) {
        if (const std::int64_t n = value(f); n > 0) {
            w.sample(name, double(n), Label{"specialty", key.first},
                     Label{"class", std::string(to_string(key.second))});
        }
    }
}

// The call counters, read from the figures stats-get shows (one count of the finished calls).
void write_counters(Writer& w, const ServiceStats& totals) {
    std::vector<std::pair<ServiceStats::Key, ServiceFigures>> figures;
    for (const auto& [key, tally] : totals.buckets())
        figures.emplace_back(key, tally.figures());
    per_class(w, "acdd_calls_offered_total", "Calls offered to a queue, counted when they end.",
              figures, [](const ServiceFigures& f) { return f.offered - f.rejected - f.closed; });
    w.family("acdd_calls_answered_total", "counter", "Calls answered, by an agent or a team.");
    for (const auto& [key, f] : figures) {
        const std::string cls(to_string(key.second));
        if (f.answered_internal > 0) {
            w.sample("acdd_calls_answered_total", double(f.answered_internal),
                     Label{"specialty", key.first}, Label{"class", cls}, Label{"by", "agent"});
        }
        if (f.answered_overflow > 0) {
            w.sample("acdd_calls_answered_total", double(f.answered_overflow),
                     Label{"specialty", key.first}, Label{"class", cls}, Label{"by", "team"});
        }
    }
    per_class(w, "acdd_calls_abandoned_total", "Calls abandoned before an answer.", figures,
              [](const ServiceFigures& f) { return f.abandoned; });
    w.family("acdd_calls_rejected_total", "counter", "Calls rejected: no route, or closed.");
    std::map<std::pair<std::string, std::string>, std::int64_t> rejected;  // specialty, reason
    for (const auto& [key, f] : figures) {
        if (f.rejected > 0) rejected[{key.first, "no_route"}] += f.rejected;
        if (f.closed > 0) rejected[{key.first, "closed"}] += f.closed;
    }
    for (const auto& [key, n] : rejected) {
        w.sample("acdd_calls_rejected_total", double(n), Label{"specialty", key.first},
                 Label{"reason", key.second});
    }
    per_class(w, "acdd_calls_answered_within_target_total",
              "Calls answered within their class's target.", figures,
              [](const ServiceFigures& f) { return f.answered_within_target; });
}

// A histogram's buckets are cumulative: each counts the samples at or below its bound.
void commit_histogram(Writer& w, const CommitHistogram::Snapshot& h) {
    constexpr std::string_view name = "acdd_store_commit_seconds";
    w.family(name, "histogram",
             "Duration of the store's commits, from taking a batch to COMMIT returned.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < CommitHistogram::kBounds.size(); ++i) {
        cumulative += h.buckets[i];
        w.sample("acdd_store_commit_seconds_bucket", double(cumulative),
                 Label{"le", fmt::format("{}", CommitHistogram::kBounds[i])});
    }
    w.sample("acdd_store_commit_seconds_bucket", double(h.count), Label{"le", "+Inf"});
    w.sample("acdd_store_commit_seconds_sum", h.sum_seconds);
    w.sample("acdd_store_commit_seconds_count", double(h.count));
}

}  // namespace

std::string Metrics::text(const Engine& engine, Time now) const {
    Writer w;
    write_counters(w, figures_->totals());

    const std::vector<QueueView> queues = engine.queues();
    w.family("acdd_queue_calls", "gauge", "Calls waiting in the queue.");
    for (const QueueView& q : queues)
        w.sample("acdd_queue_calls", double(q.queued), Label{"specialty", q.specialty});
    w.family("acdd_queue_oldest_wait_seconds", "gauge", "Wait of the oldest queued call.");
    for (const QueueView& q : queues) {
        const double wait = q.oldest_enqueued_at ? seconds_of(now - *q.oldest_enqueued_at) : 0.0;
        w.sample("acdd_queue_oldest_wait_seconds", wait, Label{"specialty", q.specialty});
    }
    std::array<std::int64_t, kAgentStateCount> agents{};
    for (const AgentView& a : engine.agents())
        ++agents[static_cast<std::size_t>(a.state)];
    w.family("acdd_agents", "gauge", "Agents by state.");
    for (int s = 0; s < kAgentStateCount; ++s) {
        w.sample("acdd_agents", double(agents[std::size_t(s)]),
                 Label{"state", std::string(to_string(static_cast<AgentState>(s)))});
    }
    const std::vector<TeamView> teams = engine.teams();
    w.family("acdd_team_calls", "gauge", "Calls an overflow team holds.");
    for (const TeamView& t : teams)
        w.sample("acdd_team_calls", double(t.active), Label{"team", t.id});
    w.family("acdd_team_capacity", "gauge", "Calls an overflow team may hold at once.");
    for (const TeamView& t : teams)
        w.sample("acdd_team_capacity", double(t.max_concurrent), Label{"team", t.id});
    std::map<std::string, std::int64_t> alerts = {{"call_late", 0}, {"queue_unstaffed", 0}};
    for (const Alert& a : engine.alerts())
        ++alerts[std::string(to_string(a.kind))];
    w.family("acdd_alerts_active", "gauge", "Active alerts by kind.");
    for (const auto& [kind, n] : alerts)
        w.sample("acdd_alerts_active", double(n), Label{"alert", kind});
    w.family("acdd_gateway_connected", "gauge", "1 while the gateway is connected.");
    for (const GatewayView& g : engine.gateways()) {
        w.sample("acdd_gateway_connected", g.away_since ? 0.0 : 1.0, Label{"gateway", g.id});
    }
    commit_histogram(w, commit_times_->snapshot());
    return w.out;
}

}  // namespace acd
