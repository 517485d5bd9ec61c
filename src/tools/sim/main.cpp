// acd-sim: runs the routing engine under virtual time on acdd's configuration and a traffic
// file (docs/simulator.md).
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "sim/report.hpp"
#include "sim/scenario.hpp"
#include "sim/simulation.hpp"
#include "sim/svg.hpp"

namespace {

constexpr std::string_view kUsage =
    R"(usage: acd-sim --config ACDD.json --traffic TRAFFIC.json [options]
  --config FILE       acdd's configuration (the daemon's own file: routing, agents, teams, hours)
  --traffic FILE      the calls: per specialty and class through the day, talk times, patience
  --shifts FILE       when the configuration's agents are logged in (default: while one of
                      their specialties is open)
  --policy acdd|fifo  routing policy (default acdd: the configuration's classes, tiers and
                      overflow; fifo: one plain FIFO queue per specialty, no classes, no overflow)
  --compare           run both policies on the same calls: one table with both side by side
  --csv               print the hourly table as CSV instead of the report
  --svg FILE          write a chart of waiting calls and service level through the day
  --seed N            use seed N instead of the traffic file's
  --lead S            overflow lead of urgent calls, in seconds, instead of the configuration's
  --check             only check the files: print "ok: FILE..." or every error found (with
                      --config alone, the configuration as acdd --check-config reads it)
  --timing            print the simulation's wall time on stderr
)";

struct Options {
    std::string config;
    std::string traffic;
    std::optional<std::string> shifts;
    acd::sim::Policy policy = acd::sim::Policy::acdd;
    bool compare = false;
    bool csv = false;
    bool check = false;
    bool timing = false;
    std::string svg;
    std::optional<std::uint64_t> seed;
    std::optional<std::uint64_t> lead_s;
};

int usage_error(const std::string& message) {
    fmt::print(std::cerr, "acd-sim: {}\n{}", message, kUsage);
    return 2;
}

// Returns an exit code on error or help, nullopt when the options are good.
std::optional<int> parse_args(int argc, char** argv, Options& o) {
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        const auto value = [&]() -> const std::string* {
            return i + 1 < args.size() ? &args[++i] : nullptr;
        };
        if (a == "--help" || a == "-h") {
            fmt::print("{}", kUsage);
            return 0;
        } else if (a == "--policy") {
            const std::string* v = value();
            if (v && *v == "acdd") {
                o.policy = acd::sim::Policy::acdd;
            } else if (v && *v == "fifo") {
                o.policy = acd::sim::Policy::fifo;
            } else {
                return usage_error("--policy takes acdd or fifo");
            }
        } else if (a == "--config" || a == "--traffic" || a == "--shifts") {
            const std::string* v = value();
            if (!v) return usage_error(fmt::format("{} takes a file name", a));
            (a == "--config" ? o.config : a == "--traffic" ? o.traffic : o.shifts.emplace()) = *v;
        } else if (a == "--svg") {
            const std::string* v = value();
            if (!v) return usage_error("--svg takes a file name");
            o.svg = *v;
        } else if (a == "--seed") {
            const std::string* v = value();
            std::uint64_t seed = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), seed).ptr !=
                          v->data() + v->size()) {
                return usage_error("--seed takes a non-negative integer");
            }
            o.seed = seed;
        } else if (a == "--lead") {
            const std::string* v = value();
            std::uint64_t lead = 0;
            if (!v || std::from_chars(v->data(), v->data() + v->size(), lead).ptr !=
                          v->data() + v->size()) {
                return usage_error("--lead takes a number of seconds");
            }
            o.lead_s = lead;
        } else if (a == "--compare") {
            o.compare = true;
        } else if (a == "--csv") {
            o.csv = true;
        } else if (a == "--check") {
            o.check = true;
        } else if (a == "--timing") {
            o.timing = true;
        } else if (!a.empty() && a[0] == '-') {
            return usage_error(fmt::format("unknown option {}", a));
        } else {
            return usage_error(
                fmt::format("unexpected argument '{}': name the files with "
                            "--config and --traffic",
                            a));
        }
    }
    if (o.config.empty()) return usage_error("no configuration given (--config FILE)");
    if (o.traffic.empty() && !(o.check && !o.shifts)) {
        return usage_error("no traffic given (--traffic FILE)");
    }
    return std::nullopt;
}

acd::sim::RunResult timed_run(const acd::sim::Scenario& scenario, acd::sim::Policy policy,
                              bool timing) {
    const auto t0 = std::chrono::steady_clock::now();
    acd::sim::RunResult r = acd::sim::run(scenario, policy);
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - t0;
    if (timing) {
        fmt::print(std::cerr, "acd-sim: {} policy {}: {:.3f} s wall, {} engine inputs, {} calls\n",
                   scenario.name, to_string(policy), wall.count(), r.engine_inputs,
                   r.overall.figures().offered);
    }
    return r;
}

// --check with --config alone: the configuration as the daemon reads it.
int check_config_only(const Options& o) {
    const std::vector<std::string> errors = acd::sim::check_config(o.config);
    for (const std::string& e : errors)
        fmt::print(std::cerr, "{}\n", e);
    if (!errors.empty()) return 1;
    fmt::print("ok: {}\n", o.config);
    return 0;
}

// "chl-day" for sim/chl-day.traffic.json.
std::string name_of(const std::string& traffic) {
    std::string name = std::filesystem::path(traffic).filename().string();
    for (std::string_view suffix : {".json", ".traffic"}) {
        if (name.ends_with(suffix)) name.resize(name.size() - suffix.size());
    }
    return name;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    if (const auto code = parse_args(argc, argv, o)) return *code;
    if (o.check && o.traffic.empty()) return check_config_only(o);
    acd::sim::ParseResult parsed = acd::sim::load_scenario(o.config, o.traffic, o.shifts);
    if (!parsed.scenario) {
        for (const std::string& e : parsed.errors)
            fmt::print(std::cerr, "{}\n", e);
        return 1;
    }
    if (o.check) {
        fmt::print("ok: {} {}{}\n", o.config, o.traffic, o.shifts ? " " + *o.shifts : "");
        return 0;
    }
    acd::sim::Scenario& scenario = *parsed.scenario;
    if (scenario.name.empty()) scenario.name = name_of(o.traffic);
    if (o.seed) scenario.seed = *o.seed;
    if (o.lead_s) {
        acd::ClassPolicy& urgent = scenario.routing.classes[acd::index_of(acd::CallClass::urgent)];
        urgent.overflow_lead =
            std::min(urgent.target, acd::seconds(static_cast<std::int64_t>(*o.lead_s)));
    }

    std::vector<acd::sim::RunResult> runs;
    runs.push_back(timed_run(scenario, o.policy, o.timing));
    if (o.compare) {
        const auto other =
            o.policy == acd::sim::Policy::acdd ? acd::sim::Policy::fifo : acd::sim::Policy::acdd;
        runs.push_back(timed_run(scenario, other, o.timing));
    }
    for (const acd::sim::RunResult& r : runs) {
        if (r.engine_errors > 0) {
            fmt::print(std::cerr, "acd-sim: internal error: the engine refused {} inputs ({})\n",
                       r.engine_errors, r.first_engine_error);
            return 3;
        }
    }

    if (o.csv) {
        acd::sim::write_hourly_csv(std::cout, runs.front());
    } else if (runs.size() == 2) {
        acd::sim::write_comparison(std::cout, scenario, runs[0], runs[1]);
    } else {
        acd::sim::write_report(std::cout, scenario, runs.front());
    }
    if (!o.svg.empty()) {
        std::ofstream svg(o.svg);
        std::vector<const acd::sim::RunResult*> charted;
        for (const acd::sim::RunResult& r : runs)
            charted.push_back(&r);
        acd::sim::write_svg(svg, scenario, charted);
        if (!svg) {
            fmt::print(std::cerr, "acd-sim: cannot write {}\n", o.svg);
            return 1;
        }
    }
    return 0;
}
