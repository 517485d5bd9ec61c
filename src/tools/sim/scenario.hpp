// A simulation scenario: acdd's own configuration (the routing, the roster, the teams, their
// hours) plus what the daemon does not know: how calls arrive, how long they last, how long
// callers wait (the traffic), and when agents log in (their shifts).
//
// Three files (docs/simulator.md):
// - the configuration, in the daemon's format, read by acd::parse_config()
// (include/acd/config.hpp):
//   the same parser, the same errors as `acdd --check-config`;
// - the traffic: calls per specialty and class through the day, talk times, patience, the
//   run's length and seed. Its specialty ids are the configuration's;
// - optionally the shifts: when each agent of the configuration is logged in. An agent no shift
//   names is logged in while one of its specialties is open (always, for a specialty without
//   `hours`).
// Every error is reported, with its file and JSON path; an id the configuration lacks is named
// (`calls.general-surgery: unknown specialty 'general-surgery' (the configuration has ...)`).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/config.hpp"
#include "acd/routing_config.hpp"

namespace acd::sim {

inline constexpr int kHoursPerDay = 24;
inline constexpr int kDaysPerWeek = 7;

// A duration distribution, in seconds.
struct Distribution {
    enum class Kind { constant, exponential, lognormal };
    Kind kind = Kind::exponential;
    double mean_s = 0;
    double sd_s = 0;  // lognormal only
};

// The calls of one class in one specialty.
struct Demand {
    std::array<double, kHoursPerDay> per_hour{};  // mean arrivals in each hour of the day
    Distribution handle;                          // talk time with an in-house agent
    std::optional<Distribution> patience;         // none: the caller never hangs up
};

// When an agent works: from `start` to `end` (seconds after midnight, end up to 24 h) on the
// weekdays of `weekdays` (bit 0 Monday ... bit 6 Sunday).
struct Shift {
    std::int64_t start_s = 0;
    std::int64_t end_s = 0;
    std::uint8_t weekdays = 0x7f;
};

struct Scenario {
    std::string name;
    std::string description;
    std::uint64_t seed = 1;
    int days = 1;
    // The date of day 0, in site time; its weekday is first_weekday (0 = Monday).
    std::chrono::sys_days start_date{std::chrono::year{2026} / 11 / 23};
    int first_weekday = 0;
    std::array<double, kDaysPerWeek> day_factors{1, 1, 1, 1, 1, 1, 1};  // Monday first
    double answer_delay_s = 0;  // ring time before an agent or team picks up
    std::string timezone;       // the configuration's site.timezone, for the report

    // The acdd policy exactly as the configuration gives it to the daemon's engine.
    RoutingConfig routing;
    // Parallel to routing.specialties, then to kCallClasses: nullopt when the class has no calls.
    std::vector<std::array<std::optional<Demand>, kCallClassCount>> demand;
    std::vector<std::vector<Shift>> shifts;  // parallel to routing.agents
    // Talk time of a call answered by an overflow team; nullopt: the call's own handle time.
    std::optional<Distribution> team_handle;
};

struct ParseResult {
    std::optional<Scenario> scenario;  // set when errors is empty
    std::vector<std::string> errors;   // "FILE: path: message"
};

// The traffic (and the shifts, when given) of a valid configuration. `traffic_name` and
// `shifts_name` begin their errors.
ParseResult make_scenario(const Config& config, std::string_view traffic_text,
                          std::optional<std::string_view> shifts_text,
                          std::string_view traffic_name = "traffic",
                          std::string_view shifts_name = "shifts");

// The configuration from text (relative paths against the working directory), then as above.
ParseResult parse_scenario(std::string_view config_text, std::string_view traffic_text,
                           std::optional<std::string_view> shifts_text = std::nullopt);

// The three files; every error names its file.
ParseResult load_scenario(const std::filesystem::path& config, const std::filesystem::path& traffic,
                          const std::optional<std::filesystem::path>& shifts = std::nullopt);

// Only the configuration, as `acdd --check-config` reads it.
std::vector<std::string> check_config(const std::filesystem::path& config);

// The shifts of an agent that no shift names: its specialties' opening hours, merged; every day
// all day if one of its specialties has no hours.
std::vector<Shift> shifts_from_hours(const AgentConfig& agent, const RoutingConfig& routing);

}  // namespace acd::sim
