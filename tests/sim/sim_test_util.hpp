// Helpers shared by the simulator tests: scenarios from inline JSON or from config/scenarios/.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/scenario.hpp"

namespace acd::sim::test {

inline std::string scenario_path(const std::string& name) {
    return std::string(ACD_SCENARIO_DIR) + "/" + name + ".json";
}

// The scenario of `json`; fails the test (and returns a default) when it does not parse.
inline Scenario parse_ok(const std::string& json) {
    ParseResult r = parse_scenario(json);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front());
    return r.scenario.value_or(Scenario{});
}

inline Scenario load_ok(const std::string& name) {
    ParseResult r = load_scenario(scenario_path(name));
    EXPECT_TRUE(r.errors.empty()) << name << ": " << (r.errors.empty() ? "" : r.errors.front());
    return r.scenario.value_or(Scenario{});
}

}  // namespace acd::sim::test
