// A simulation scenario: the routing configuration of a call center plus what the engine does
// not know: how calls arrive, how long they last, how long callers wait, who works when.
//
// parse_scenario() reads the JSON format of docs/simulator.md. It refuses unknown keys, wrong
// types and out-of-range values, and reports every error it finds with the JSON path of the bad
// value, like acdd's own configuration (docs/spec/config.md): `agents[2].skills[0]: unknown
// specialty 'cardio'`. A JSON syntax error names the line and column.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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
    int first_weekday = 0;  // weekday of day 0, 0 = Monday
    std::array<double, kDaysPerWeek> day_factors{1, 1, 1, 1, 1, 1, 1};  // Monday first
    double answer_delay_s = 0;  // ring time before an agent or team picks up

    // The acdd policy: classes, specialties, agents (with their skills and wrap-up) and teams,
    // exactly as acdd would be configured.
    RoutingConfig routing;
    // Parallel to routing.specialties, then to kCallClasses: nullopt when the class has no calls.
    std::vector<std::array<std::optional<Demand>, kCallClassCount>> demand;
    std::vector<std::vector<Shift>> shifts;  // parallel to routing.agents
    std::vector<Distribution> team_handle;   // parallel to routing.teams
};

struct ParseResult {
    std::optional<Scenario> scenario;  // set when errors is empty
    std::vector<std::string> errors;
};

ParseResult parse_scenario(const std::string& json_text);
ParseResult load_scenario(const std::string& path);

}  // namespace acd::sim
