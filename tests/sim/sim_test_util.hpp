// Helpers shared by the simulator tests: scenarios from inline JSON (a configuration in the
// daemon's format, a traffic file, shifts) or from the shipped files of sim/.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "sim/scenario.hpp"

namespace acd::sim::test {

struct ScenarioFiles {
    std::string config;
    std::string traffic;
    std::optional<std::string> shifts;
};

// The files of a shipped scenario: sim/NAME.traffic.json with its configuration and shifts.
inline ScenarioFiles files_of(const std::string& name) {
    const std::string dir = ACD_SIM_DIR;
    ScenarioFiles f{dir + "/" + name + ".acdd.json", dir + "/" + name + ".traffic.json", {}};
    if (name.starts_with("mmc-")) {
        f.config = dir + "/" + name.substr(0, name.find("-rho")) + ".acdd.json";
    } else if (name.starts_with("chl-")) {
        f.shifts = dir + "/chl.shifts.json";
    } else {
        f.shifts = dir + "/" + name + ".shifts.json";
    }
    return f;
}

// The scenario of inline files; fails the test (and returns a default) when it does not parse.
inline Scenario parse_ok(const std::string& config, const std::string& traffic,
                         const std::optional<std::string>& shifts = std::nullopt) {
    ParseResult r =
        shifts ? parse_scenario(config, traffic, *shifts) : parse_scenario(config, traffic);
    EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors.front());
    return r.scenario.value_or(Scenario{});
}

inline Scenario load_ok(const std::string& name) {
    const ScenarioFiles f = files_of(name);
    ParseResult r = load_scenario(f.config, f.traffic, f.shifts);
    EXPECT_TRUE(r.errors.empty()) << name << ": " << (r.errors.empty() ? "" : r.errors.front());
    return r.scenario.value_or(Scenario{});
}

}  // namespace acd::sim::test
