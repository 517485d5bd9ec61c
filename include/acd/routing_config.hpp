// The part of the configuration that the routing engine reads (docs/spec/config.md,
// docs/spec/routing.md), with the v1.1 additions: site time, schedules, closed rules, overflow
// lead, team retry, alerts, quality sample, orphaned calls, scripts.
//
// Plain values with the defaults of docs/spec/config.md. The engine assumes a RoutingConfig that
// has passed acd::parse_config() (include/acd/config.hpp): unique ids, skills and team specialties
// that name configured specialties, numbers in at most one specialty, `hours` that name
// configured schedules, schedule ranges sorted and not overlapping, overflow leads within targets.
// Handing it anything else is a programming error.
#pragma once

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "acd/types.hpp"

namespace acd {

struct ClassPolicy {
    Duration target;       // answer target; the call's deadline is enqueued_at + target
    int tier = 0;          // strict priority level, lower first
    bool overflow = true;  // calls of this class may go to an overflow team
    // A queued call goes to a team once its deadline is less than this away (0 to target).
    Duration overflow_lead{0};
    std::vector<std::string> script{};  // lines shown to the agent (the engine only carries them)

    bool operator==(const ClassPolicy&) const = default;
};

// Default policies of docs/spec/routing.md: urgent 30 s tier 0 with an overflow lead of 10 s,
// appointment 120 s tier 1, admin 300 s tier 1, all allowed to overflow.
std::array<ClassPolicy, kCallClassCount> default_class_policies();

// ---------------------------------------------------------------------------------------------
// Site time (docs/spec/config.md v1.1 `site.timezone`). The engine reads no time-zone database:
// the zone's rules are data, built outside the engine (include/acd/zone.hpp), so that the same
// inputs give the same outputs on any machine, and replay decides as live did.
// ---------------------------------------------------------------------------------------------

// From `at` on (UTC), local time is UTC + `offset`.
struct ZoneTransition {
    Time at{};
    Duration offset{0};

    bool operator==(const ZoneTransition&) const = default;
};

// A time zone as the offsets it takes over a horizon of years. Outside the horizon the nearest
// offset holds. The default is UTC.
struct ZoneRules {
    std::string name = "UTC";                 // IANA name, for people
    Duration initial_offset{0};               // before the first transition
    std::vector<ZoneTransition> transitions;  // ascending by `at`, each a change of offset

    // The offset in force at `t`: O(log n) in the transitions.
    Duration offset_at(Time t) const;
    // The first transition after `t`, if any.
    std::optional<Time> next_transition(Time t) const;

    bool operator==(const ZoneRules&) const = default;
};

// [start, end) in minutes after local midnight; end up to 1440 (24:00).
struct TimeRange {
    int start_min = 0;
    int end_min = 0;

    bool operator==(const TimeRange&) const = default;
};

// "HH:MM", 00:00 to 24:00, as minutes after midnight; nullopt for anything else.
std::optional<int> parse_minutes_of_day(std::string_view text);
// "HH:MM-HH:MM" with its end after its start; nullopt for anything else.
std::optional<TimeRange> parse_time_range(std::string_view text);

// A named weekly timetable in site time (docs/spec/routing.md "Opening hours"): open at t when t's
// local date is not a closed date and t's local time is in one of that weekday's ranges. The
// functions are in include/acd/schedule.hpp.
struct Schedule {
    std::string id;
    std::array<std::vector<TimeRange>, 7> week;         // Monday first; sorted, not overlapping
    std::vector<std::chrono::local_days> closed_dates;  // sorted

    bool operator==(const Schedule&) const = default;
};

// What a new call gets when its specialty is closed (routing.md "Opening hours").
enum class ClosedRule : std::uint8_t { team, reject, queue };
// Defaults: urgent -> team, appointment -> reject, admin -> reject.
std::array<ClosedRule, kCallClassCount> default_closed_rules();
std::string_view to_string(ClosedRule r);  // "team", "reject", "queue"
std::optional<ClosedRule> parse_closed_rule(std::string_view s);

struct SpecialtyConfig {
    std::string id;
    std::string name;                  // defaults to id
    std::vector<std::string> numbers;  // dialed numbers that reach this specialty
    CallClass default_class = CallClass::appointment;
    int overflow_threshold = 3;  // the queue exceeds it when more calls than this are queued
    bool overflow_enabled = true;
    std::string hours{};  // a schedule id; empty: always open
    std::array<ClosedRule, kCallClassCount> closed = default_closed_rules();
    std::vector<std::string> script{};  // lines shown to the agent, after the class's

    bool operator==(const SpecialtyConfig&) const = default;
};

struct AgentConfig {
    std::string id;
    std::string name;  // defaults to id
    std::string uri;   // where call.route sends the call
    std::vector<std::string> skills;
    Duration wrap_up = seconds(15);

    bool operator==(const AgentConfig&) const = default;
};

struct TeamConfig {
    std::string id;
    std::string uri;
    int max_concurrent = 5;
    bool all_specialties = false;          // "specialties": ["*"]
    std::vector<std::string> specialties;  // empty when all_specialties
    std::string hours{};                   // a schedule id; empty: always open

    bool operator==(const TeamConfig&) const = default;
};

struct RoutingConfig {
    std::array<ClassPolicy, kCallClassCount> classes = default_class_policies();
    Duration ring_timeout = seconds(20);
    bool overflow_on_deadline = true;
    std::vector<SpecialtyConfig> specialties;
    std::vector<AgentConfig> agents;
    std::vector<TeamConfig> teams;
    // v1.1 (docs/spec/config.md "v1.1 additions")
    ZoneRules zone;                          // site.timezone, as data
    std::vector<Schedule> schedules;         // ids unique; named by specialties' and teams' hours
    Duration team_retry = seconds(60);       // a team that did not answer a call may retry it after
    Duration late_after = seconds(0);        // alerts.late_after_s
    int quality_sample_percent = 10;         // quality.sample_percent (the shell chooses the calls)
    Duration orphan_timeout = seconds(120);  // gateway.orphan_timeout_s

    const ClassPolicy& policy(CallClass c) const { return classes[index_of(c)]; }

    bool operator==(const RoutingConfig&) const = default;
};

}  // namespace acd
