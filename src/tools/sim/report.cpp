#include "sim/report.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <chrono>

#include "sim/erlang.hpp"

namespace acd::sim {
namespace {

constexpr std::string_view kDayNames[kDaysPerWeek] = {"Mon", "Tue", "Wed", "Thu",
                                                      "Fri", "Sat", "Sun"};

std::string percent(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}%", *v * 100) : "-";
}

std::string secs(const std::optional<double>& v) {
    return v ? fmt::format("{:.1f}", *v) : "-";
}

std::string csv_number(const std::optional<double>& v) {
    return v ? fmt::format("{:.4f}", *v) : "";
}

void figures_header(std::ostream& out, std::string_view first, std::string_view second) {
    fmt::print(out,
               "{:<18} {:<12} {:>7} {:>8} {:>6} {:>6} {:>6} {:>5} {:>6} {:>7} {:>7} {:>7} {:>8}\n",
               first, second, "offered", "answered", "intern", "overfl", "aband", "short", "routed",
               "SL", "answer", "ASA s", "max wait");
}

void figures_row(std::ostream& out, std::string_view first, std::string_view second,
                 const ServiceFigures& f) {
    fmt::print(out,
               "{:<18} {:<12} {:>7} {:>8} {:>6} {:>6} {:>6} {:>5} {:>6} {:>7} {:>7} {:>7} {:>8}\n",
               first, second, f.offered, f.answered, f.answered_internal, f.answered_overflow,
               f.abandoned, f.short_abandoned, f.overflowed, percent(f.service_level),
               percent(f.answer_rate), secs(f.asa_s), secs(f.max_wait_s));
}

void write_header(std::ostream& out, const Scenario& scenario, const RunResult& r) {
    const std::chrono::year_month_day start{scenario.start_date};
    fmt::print(
        out, "acd-sim: {} (policy {}, seed {}, {} day{} from {:04}-{:02}-{:02}, site time {})\n",
        r.scenario, to_string(r.policy), r.seed, r.days, r.days > 1 ? "s" : "",
        static_cast<int>(start.year()), static_cast<unsigned>(start.month()),
        static_cast<unsigned>(start.day()), scenario.timezone.empty() ? "UTC" : scenario.timezone);
    if (!scenario.description.empty()) fmt::print(out, "{}\n", scenario.description);
    fmt::print(out,
               "{} specialties, {} agents, {} overflow team{}; targets: ", r.specialties.size(),
               scenario.routing.agents.size(), scenario.routing.teams.size(),
               scenario.routing.teams.size() == 1 ? "" : "s");
    for (CallClass c : kCallClasses) {
        fmt::print(out, "{} {} s{}", to_string(c), r.targets[index_of(c)].count() / 1000,
                   c == CallClass::admin ? "\n" : ", ");
    }
    if (r.policy == Policy::fifo) {
        fmt::print(out,
                   "FIFO: one queue per specialty in arrival order, no classes, no overflow "
                   "(figures use the targets above)\n");
    }
}

void write_by_specialty(std::ostream& out, const RunResult& r) {
    fmt::print(out,
               "\nService by specialty and class (SL: answered within target / (answered + "
               "abandoned - short); routed: sent to an overflow team)\n");
    figures_header(out, "specialty", "class");
    for (std::size_t sp = 0; sp < r.specialties.size(); ++sp) {
        for (CallClass c : kCallClasses) {
            const auto it = r.by_specialty_class.buckets().find({r.specialties[sp], c});
            if (it == r.by_specialty_class.buckets().end()) continue;
            figures_row(out, r.specialties[sp], to_string(c), it->second.figures());
        }
        figures_row(out, r.specialties[sp], "all", r.by_specialty[sp].figures());
    }
    figures_row(out, "all", "all", r.overall.figures());
}

bool hour_is_empty(const RunResult& r, std::size_t h) {
    const std::size_t per_hour = static_cast<std::size_t>(3600 / r.waiting.bin_s());
    return r.hours[h].all.figures().offered == 0 && r.agents.max(h, h + 1) == 0 &&
           r.waiting.max(h * per_hour, (h + 1) * per_hour) == 0;
}

// For an M/M/c scenario, what theory says next to what the run gave.
void write_erlang_c(std::ostream& out, const Scenario& scenario, const RunResult& r) {
    const auto m = as_mmc(scenario);
    if (!m || m->occupancy() >= 1) return;
    fmt::print(out,
               "\nErlang C for this M/M/{} queue ({:.2f} Erlangs, occupancy {:.2f}): P(wait) "
               "{:.4f}, mean wait {:.1f} s; simulated mean wait (ASA) {} s. See "
               "tests/sim/erlang_validation_test.cpp for the long runs.\n",
               m->agents, m->load(), m->occupancy(), m->p_wait(), m->mean_wait_s(),
               secs(r.overall.figures().asa_s));
}

void write_by_hour(std::ostream& out, const Scenario& scenario, const RunResult& r) {
    constexpr int kMaxDaysByHour = 7;
    if (r.days > kMaxDaysByHour) {
        fmt::print(out, "\nBy hour: left out for runs over {} days (--csv gives it)\n",
                   kMaxDaysByHour);
        return;
    }
    fmt::print(out,
               "\nBy hour (calls counted in the hour they were offered; waiting: calls "
               "queued or ringing; hours with nothing left out)\n");
    fmt::print(out, "{:<10} {:>7} {:>8} {:>6} {:>6} {:>7} {:>7} {:>8} {:>8} {:>7} {:>7}\n", "hour",
               "offered", "answered", "overfl", "aband", "SL", "answer", "ASA s", "max wait",
               "waiting", "agents");
    const std::size_t per_hour = static_cast<std::size_t>(3600 / r.waiting.bin_s());
    for (std::size_t h = 0; h < r.hours.size(); ++h) {
        if (hour_is_empty(r, h)) continue;
        const ServiceFigures f = r.hours[h].all.figures();
        fmt::print(out, "{:<10} {:>7} {:>8} {:>6} {:>6} {:>7} {:>7} {:>8} {:>8} {:>7} {:>7.1f}\n",
                   hour_label(scenario, h), f.offered, f.answered, f.answered_overflow, f.abandoned,
                   percent(f.service_level), percent(f.answer_rate), secs(f.asa_s),
                   secs(f.max_wait_s),
                   fmt::format("{:.1f}/{}", r.waiting.mean(h * per_hour, (h + 1) * per_hour),
                               r.waiting.max(h * per_hour, (h + 1) * per_hour)),
                   r.agents.mean(h, h + 1));
    }
}

}  // namespace

std::string hour_label(const Scenario& scenario, std::size_t hour) {
    const std::size_t day = hour / kHoursPerDay;
    const std::string time = fmt::format("{:02}:00", hour % kHoursPerDay);
    if (scenario.days == 1) return time;
    return fmt::format("{} {}", kDayNames[(scenario.first_weekday + day) % kDaysPerWeek], time);
}

void write_report(std::ostream& out, const Scenario& scenario, const RunResult& r) {
    write_header(out, scenario, r);
    write_by_specialty(out, r);
    write_erlang_c(out, scenario, r);
    write_by_hour(out, scenario, r);
    fmt::print(out, "\nCalls still waiting at the end (nobody left to answer them): {}\n",
               r.still_waiting_at_end);
    const ServiceFigures all = r.overall.figures();
    if (all.closed > 0) {
        fmt::print(out,
                   "Calls turned away closed (outside opening hours, rule reject; counted in "
                   "offered, not in SL nor answer rate): {}\n",
                   all.closed);
    }
}

void write_hourly_csv(std::ostream& out, const RunResult& r) {
    fmt::print(out,
               "day,hour,scope,offered,answered,answered_internal,answered_overflow,abandoned,"
               "short_abandoned,overflowed,answered_within_target,service_level,answer_rate,"
               "asa_s,max_wait_s,waiting_mean,waiting_max,agents_mean\n");
    const std::size_t per_hour = static_cast<std::size_t>(3600 / r.waiting.bin_s());
    for (std::size_t h = 0; h < r.hours.size(); ++h) {
        const auto row = [&](std::string_view scope, const ServiceTally& tally, bool levels) {
            const ServiceFigures f = tally.figures();
            fmt::print(out, "{},{:02}:00,{},{},{},{},{},{},{},{},{},{},{},{},{},",
                       h / kHoursPerDay + 1, h % kHoursPerDay, scope, f.offered, f.answered,
                       f.answered_internal, f.answered_overflow, f.abandoned, f.short_abandoned,
                       f.overflowed, f.answered_within_target, csv_number(f.service_level),
                       csv_number(f.answer_rate), csv_number(f.asa_s), csv_number(f.max_wait_s));
            if (levels) {
                fmt::print(
                    out, "{:.3f},{},{:.3f}\n", r.waiting.mean(h * per_hour, (h + 1) * per_hour),
                    r.waiting.max(h * per_hour, (h + 1) * per_hour), r.agents.mean(h, h + 1));
            } else {
                fmt::print(out, ",,\n");
            }
        };
        row("all", r.hours[h].all, true);
        for (std::size_t sp = 0; sp < r.specialties.size(); ++sp)
            row(r.specialties[sp], r.hours[h].by_specialty[sp], false);
    }
}

namespace {

ServiceFigures bucket(const RunResult& r, const std::string& sp, CallClass c) {
    const auto it = r.by_specialty_class.buckets().find({sp, c});
    return it == r.by_specialty_class.buckets().end() ? ServiceFigures{} : it->second.figures();
}

void comparison_by_specialty(std::ostream& out, const RunResult& a, const RunResult& b) {
    const std::string na(to_string(a.policy));
    const std::string nb(to_string(b.policy));
    fmt::print(out,
               "\nService by specialty and class, {} | {} (same calls; ab: abandoned; routed: "
               "sent to an overflow team by {})\n",
               na, nb, na);
    const auto line = [&](auto&&... v) {
        fmt::print(
            out,
            "{:<18} {:<12} {:>7} | {:>7} {:>7} | {:>7} {:>7} | {:>6} {:>6} | {:>5} {:>5} | {:>6}\n",
            v...);
    };
    line("specialty", "class", "offered", "SL", "SL", "answer", "answer", "ASA s", "ASA s", "ab",
         "ab", "routed");
    line("", "", "", na, nb, na, nb, na, nb, na, nb, na);
    const auto row = [&](std::string_view sp, std::string_view cls, const ServiceFigures& fa,
                         const ServiceFigures& fb) {
        line(sp, cls, fa.offered, percent(fa.service_level), percent(fb.service_level),
             percent(fa.answer_rate), percent(fb.answer_rate), secs(fa.asa_s), secs(fb.asa_s),
             fa.abandoned, fb.abandoned, fa.overflowed);
    };
    for (std::size_t sp = 0; sp < a.specialties.size(); ++sp) {
        const std::string& id = a.specialties[sp];
        for (CallClass c : kCallClasses) {
            const ServiceFigures fa = bucket(a, id, c);
            if (fa.offered > 0) row(id, to_string(c), fa, bucket(b, id, c));
        }
    }
    for (CallClass c : kCallClasses) {
        const ServiceFigures fa = a.by_class[index_of(c)].figures();
        if (fa.offered > 0) row("all", to_string(c), fa, b.by_class[index_of(c)].figures());
    }
    row("all", "all", a.overall.figures(), b.overall.figures());
}

void comparison_by_hour(std::ostream& out, const Scenario& scenario, const RunResult& a,
                        const RunResult& b) {
    constexpr int kMaxDaysByHour = 7;
    if (a.days > kMaxDaysByHour) return;
    const std::string na(to_string(a.policy));
    const std::string nb(to_string(b.policy));
    fmt::print(out, "\nBy hour, {} | {} (waiting: mean/max of the calls queued or ringing)\n", na,
               nb);
    const auto line = [&](auto&&... v) {
        fmt::print(out, "{:<10} {:>7} | {:>7} {:>7} | {:>7} {:>7} | {:>6} {:>6} | {:>7} {:>7}\n",
                   v...);
    };
    line("hour", "offered", "SL", "SL", "answer", "answer", "aband", "aband", "waiting", "waiting");
    line("", "", na, nb, na, nb, na, nb, na, nb);
    const std::size_t per_hour = static_cast<std::size_t>(3600 / a.waiting.bin_s());
    const auto waiting = [&](const RunResult& r, std::size_t h) {
        return fmt::format("{:.1f}/{}", r.waiting.mean(h * per_hour, (h + 1) * per_hour),
                           r.waiting.max(h * per_hour, (h + 1) * per_hour));
    };
    for (std::size_t h = 0; h < a.hours.size(); ++h) {
        if (hour_is_empty(a, h) && hour_is_empty(b, h)) continue;
        const ServiceFigures fa = a.hours[h].all.figures();
        const ServiceFigures fb = b.hours[h].all.figures();
        line(hour_label(scenario, h), fa.offered, percent(fa.service_level),
             percent(fb.service_level), percent(fa.answer_rate), percent(fb.answer_rate),
             fa.abandoned, fb.abandoned, waiting(a, h), waiting(b, h));
    }
}

}  // namespace

void write_comparison(std::ostream& out, const Scenario& scenario, const RunResult& a,
                      const RunResult& b) {
    write_header(out, scenario, a);
    fmt::print(out, "compared with policy {}: {}\n", to_string(b.policy),
               b.policy == Policy::fifo
                   ? "one queue per specialty in arrival order, no classes, no overflow "
                     "(figures use the targets above)"
                   : "the configuration's classes, tiers and overflow");
    comparison_by_specialty(out, a, b);
    comparison_by_hour(out, scenario, a, b);
    fmt::print(out, "\nCalls still waiting at the end (nobody left to answer them): {} | {}\n",
               a.still_waiting_at_end, b.still_waiting_at_end);
}

}  // namespace acd::sim
