#include "load/report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace acd::load {
namespace {

double ms(std::chrono::nanoseconds d) {
    return static_cast<double>(d.count()) / 1e6;
}

nlohmann::json latency_json(const Histogram& h) {
    return {{"count", h.count()},
            {"p50", ms(h.quantile(0.5))},
            {"p99", ms(h.quantile(0.99))},
            {"p999", ms(h.quantile(0.999))},
            {"max", ms(h.max())}};
}

std::string latency_text(const Histogram& h) {
    if (h.count() == 0) return "no samples";
    return fmt::format("p50 {:.3f}  p99 {:.3f}  p999 {:.3f}  max {:.3f}  ({} samples)",
                       ms(h.quantile(0.5)), ms(h.quantile(0.99)), ms(h.quantile(0.999)),
                       ms(h.max()), h.count());
}

std::string rate_text(const std::optional<double>& rate) {
    return rate ? fmt::format("{:g} calls/s", *rate) : std::string("max");
}

}  // namespace

std::string to_text(const Report& r) {
    std::string out =
        fmt::format("acd-load against {}: {} gateway{} ({}), rate {}, {:.2f} s of offers\n",
                    r.server, r.gateways, r.gateways == 1 ? "" : "s", r.tls ? "TLS" : "plain TCP",
                    rate_text(r.rate), r.duration_s);
    out += fmt::format("events       {:.0f}/s acknowledged during the offers ({} of them)\n",
                       r.events_per_s, r.events_acked_in_period);
    out += fmt::format("             sent {}, acknowledged {} ({} by a welcome), resent {}\n",
                       r.events_sent, r.events_acked, r.events_acked_by_welcome, r.events_resent);
    out += fmt::format("ack latency  ms: {}\n", latency_text(r.ack_latency));
    out += fmt::format("offered -> route  ms: {}\n", latency_text(r.route_latency));
    const CallCounts& c = r.calls;
    out += fmt::format(
        "calls        offered {}, routed at once {}, queued first {}, routes {} ({} to a team)\n",
        c.offered, c.routed_at_once, c.queued, c.routes, c.routes_to_team);
    out += fmt::format(
        "             answered {}, not answered {}, completed {}, abandoned {}, rejected {}, "
        "hung up at the end {}\n",
        c.answered, c.no_answer, c.completed, c.abandoned, c.rejected, c.ended_at_end);
    if (r.offers_skipped > 0) {
        out += fmt::format("skipped      {} offers: the gateway's window was full\n",
                           r.offers_skipped);
    }
    if (!r.errors.empty()) {
        std::string list;
        for (const auto& [code, n] : r.errors)
            list += fmt::format("{}{} {}", list.empty() ? "" : ", ", code, n);
        out += fmt::format("errors       {}\n", list);
    }
    out += fmt::format("connection   reconnects {}, unacknowledged at the end {}, lost {}\n",
                       r.reconnects, r.unacked_at_end, r.lost_acked);
    if (r.restore_checked) {
        out += fmt::format("agents       played {}, put back as found {}", r.agents_played.size(),
                           r.agents_played.size() - r.agents_not_restored.size());
        if (!r.agents_left_alone.empty()) {
            out += fmt::format(", left alone (on a call) {}", fmt::join(r.agents_left_alone, " "));
        }
        out += '\n';
        for (const std::string& a : r.agents_not_restored)
            out += fmt::format("             NOT PUT BACK: {}\n", a);
    } else if (!r.agents_played.empty()) {
        out += fmt::format("agents       played {}, logged out at the end (--no-restore)\n",
                           r.agents_played.size());
    }
    if (!r.failure.empty()) out += fmt::format("FAILED: {}\n", r.failure);
    return out;
}

nlohmann::json to_json(const Report& r) {
    const CallCounts& c = r.calls;
    nlohmann::json errors = nlohmann::json::object();
    for (const auto& [code, n] : r.errors)
        errors[code] = n;
    return {
        {"server", r.server},
        {"gateways", r.gateways},
        {"tls", r.tls},
        {"rate", r.rate ? nlohmann::json(*r.rate) : nlohmann::json("max")},
        {"duration_s", r.duration_s},
        {"events",
         {{"sent", r.events_sent},
          {"resent", r.events_resent},
          {"acked", r.events_acked},
          {"acked_by_welcome", r.events_acked_by_welcome},
          {"acked_in_period", r.events_acked_in_period},
          {"per_s", r.events_per_s}}},
        {"ack_latency_ms", latency_json(r.ack_latency)},
        {"route_latency_ms", latency_json(r.route_latency)},
        {"calls",
         {{"offered", c.offered},
          {"routed_at_once", c.routed_at_once},
          {"queued", c.queued},
          {"routes", c.routes},
          {"routes_to_team", c.routes_to_team},
          {"answered", c.answered},
          {"no_answer", c.no_answer},
          {"completed", c.completed},
          {"abandoned", c.abandoned},
          {"rejected", c.rejected},
          {"ended_at_end", c.ended_at_end}}},
        {"offers_skipped", r.offers_skipped},
        {"stale_commands", r.stale_commands},
        {"repeated_routes", r.repeated_routes},
        {"errors", errors},
        {"reconnects", r.reconnects},
        {"lost_acked", r.lost_acked},
        {"unacked_at_end", r.unacked_at_end},
        {"agents",
         {{"played", r.agents_played},
          {"left_alone", r.agents_left_alone},
          {"restore_checked", r.restore_checked},
          {"not_restored", r.agents_not_restored}}},
        {"ok", r.failure.empty()},
        {"failure", r.failure},
    };
}

}  // namespace acd::load
