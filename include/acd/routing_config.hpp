// The part of the configuration that the routing engine reads (docs/spec/config.md,
// docs/spec/routing.md).
//
// Plain values with the defaults of docs/spec/config.md. The engine assumes a RoutingConfig that
// has passed acd::parse_config() (include/acd/config.hpp): unique ids, skills and team specialties
// that name configured specialties, numbers in at most one specialty. Handing it anything else
// is a programming error.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "acd/types.hpp"

namespace acd {

struct ClassPolicy {
    Duration target;       // answer target; the call's deadline is enqueued_at + target
    int tier = 0;          // strict priority level, lower first
    bool overflow = true;  // calls of this class may go to an overflow team

    bool operator==(const ClassPolicy&) const = default;
};

// Default policies of docs/spec/routing.md: urgent 30 s tier 0, appointment 120 s tier 1, admin 300
// s tier 1, all allowed to overflow.
std::array<ClassPolicy, kCallClassCount> default_class_policies();

struct SpecialtyConfig {
    std::string id;
    std::string name;                  // defaults to id
    std::vector<std::string> numbers;  // dialed numbers that reach this specialty
    CallClass default_class = CallClass::appointment;
    int overflow_threshold = 3;  // the queue exceeds it when more calls than this are queued
    bool overflow_enabled = true;

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

    bool operator==(const TeamConfig&) const = default;
};

struct RoutingConfig {
    std::array<ClassPolicy, kCallClassCount> classes = default_class_policies();
    Duration ring_timeout = seconds(20);
    bool overflow_on_deadline = true;
    std::vector<SpecialtyConfig> specialties;
    std::vector<AgentConfig> agents;
    std::vector<TeamConfig> teams;

    const ClassPolicy& policy(CallClass c) const { return classes[index_of(c)]; }

    bool operator==(const RoutingConfig&) const = default;
};

}  // namespace acd
