// The scenario's files (docs/simulator.md): the daemon's configuration read by the daemon's own
// parser, the traffic and the shifts; what they accept, and errors that name file and JSON path.
#include "sim/scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "acd/config.hpp"
#include "sim_test_util.hpp"

namespace acd::sim::test {
namespace {

// A small valid configuration in the daemon's format; tests splice values into it.
std::string config_with(const std::string& root_extra = "", const std::string& specialty_extra = "",
                        const std::string& agent_extra = "") {
    return R"({)" + root_extra + R"(
      "specialties": [{"id": "cardio", )" +
           specialty_extra + R"( "name": "Cardiologie"}],
      "agents": [{"id": "a", "uri": "sip:a@pbx.local", )" +
           agent_extra + R"( "skills": ["cardio"]}]
    })";
}

std::string traffic_with(const std::string& root_extra = "", const std::string& calls_extra = "",
                         const std::string& urgent_extra = "") {
    return R"({"name": "t", )" + root_extra + R"( "calls": {"cardio": {)" + calls_extra +
           R"( "urgent": {)" + urgent_extra +
           R"( "per_hour": 10, "handle": {"dist": "exponential", "mean_s": 60}}}}})";
}

std::string shifts_with(const std::string& entry) {
    return R"({"shifts": [)" + entry + "]}";
}

std::vector<std::string> errors_of(const std::string& config, const std::string& traffic,
                                   const std::optional<std::string>& shifts = std::nullopt) {
    return shifts ? parse_scenario(config, traffic, *shifts).errors
                  : parse_scenario(config, traffic).errors;
}

bool has_error(const std::vector<std::string>& errors, const std::string& text) {
    for (const std::string& e : errors) {
        if (e.find(text) != std::string::npos) return true;
    }
    return false;
}

#define EXPECT_ERROR(errors_expr, text)                                                  \
    do {                                                                                 \
        const auto errors = (errors_expr);                                               \
        EXPECT_TRUE(has_error(errors, text))                                             \
            << "expected an error containing: " << (text)                                \
            << "\ngot: " << (errors.empty() ? std::string("no error") : errors.front()); \
    } while (0)

TEST(ScenarioFiles, EveryShippedScenarioIsValid) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ACD_SIM_DIR)) {
        const std::string file = entry.path().filename().string();
        if (!file.ends_with(".traffic.json")) continue;
        const ScenarioFiles f = files_of(file.substr(0, file.size() - 13));
        const ParseResult r = load_scenario(f.config, f.traffic, f.shifts);
        EXPECT_TRUE(r.errors.empty()) << file << ": " << r.errors.front();
        ++count;
    }
    EXPECT_GE(count, 8);  // chl-day, chl-24h, aphp-week, five mmc-*
}

TEST(ScenarioFiles, TheDaemonsConfigurationIsTakenUnchanged) {
    const std::string config = std::string(ACD_CONFIG_DIR) + "/acdd.json";
    const ParseResult r = load_scenario(config, std::string(ACD_SIM_DIR) + "/chl-day.traffic.json");
    ASSERT_TRUE(r.errors.empty()) << r.errors.front();
    const ConfigResult daemon = load_config(config);
    ASSERT_TRUE(daemon);
    EXPECT_EQ(r.scenario->routing, daemon->routing);
    EXPECT_EQ(r.scenario->timezone, "Europe/Luxembourg");
}

TEST(ScenarioFiles, ConfigurationErrorsAreTheDaemonsOwn) {
    const std::string bad = config_with(R"("ring_timeout_s": 0,)", "", R"("wrap_up_s": "15",)");
    const ConfigResult daemon = parse_config(bad, ".");
    ASSERT_FALSE(daemon);
    std::vector<std::string> expected;
    for (const json::Problem& p : daemon.error())
        expected.push_back("config: " + p.to_string());
    EXPECT_EQ(errors_of(bad, traffic_with()), expected);
    EXPECT_EQ(expected.size(), 2u);
}

TEST(ScenarioFiles, TrafficNamingASpecialtyTheConfigurationLacksIsRefusedNamingIt) {
    const std::string traffic = R"({"calls": {"cardio": {}, "general-surgery": {}}})";
    EXPECT_EQ(errors_of(config_with(), traffic),
              std::vector<std::string>{"traffic: calls.general-surgery: unknown specialty "
                                       "'general-surgery' (the configuration has cardio)"});
}

TEST(ScenarioFiles, ShiftsNamingAnAgentTheConfigurationLacksAreRefusedNamingIt) {
    EXPECT_EQ(
        errors_of(
            config_with(), traffic_with(),
            shifts_with(R"({"agents": ["a", "card-early-1"], "start": "07:00", "end": "15:00"})")),
        std::vector<std::string>{
            "shifts: shifts[0].agents[1]: unknown agent 'card-early-1' (not in "
            "the configuration's agents)"});
}

TEST(ScenarioFiles, AValidScenarioGivesTheRoutingConfigAndTheModels) {
    const Scenario s =
        parse_ok(config_with(), traffic_with(),
                 shifts_with(R"({"agents": ["a"], "start": "08:00", "end": "16:00"})"));
    ASSERT_EQ(s.routing.specialties.size(), 1u);
    EXPECT_EQ(s.routing.specialties[0].id, "cardio");
    ASSERT_TRUE(s.demand[0][index_of(CallClass::urgent)]);
    EXPECT_FALSE(s.demand[0][index_of(CallClass::admin)]);
    EXPECT_EQ(s.demand[0][index_of(CallClass::urgent)]->per_hour[5], 10);
    ASSERT_EQ(s.routing.agents.size(), 1u);
    EXPECT_EQ(s.shifts[0][0].start_s, 8 * 3600);
    EXPECT_EQ(s.shifts[0][0].end_s, 16 * 3600);
    EXPECT_FALSE(s.team_handle);
}

TEST(ScenarioFiles, UnknownKeyIsRefusedWithItsPath) {
    EXPECT_ERROR(errors_of(config_with(), traffic_with(R"("colour": "red",)")),
                 "traffic: colour: unknown key");
    EXPECT_ERROR(errors_of(config_with(), traffic_with("", R"("vip": {},)")),
                 "traffic: calls.cardio.vip: unknown class");
    EXPECT_ERROR(errors_of(config_with(), traffic_with("", "", R"("agents": 2,)")),
                 "traffic: calls.cardio.urgent.agents: unknown key");
}

TEST(ScenarioFiles, WrongTypeAndOutOfRangeAreRefusedWithTheirPath) {
    EXPECT_ERROR(errors_of(config_with(), traffic_with(R"("days": "two",)")),
                 "traffic: days: expected an integer");
    EXPECT_ERROR(errors_of(config_with(), traffic_with(R"("answer_delay_s": -1,)")),
                 "traffic: answer_delay_s: expected a number from 0 to 600, got -1");
}

TEST(ScenarioFiles, SyntaxErrorNamesFileLineAndColumn) {
    EXPECT_ERROR(errors_of(config_with(), "{\n  \"name\": \"t\",\n  \"seed\": ,\n}"),
                 "traffic: line 3, column");
}

TEST(ScenarioFiles, EveryErrorIsReportedNotOnlyTheFirst) {
    const auto errors = errors_of(config_with(), traffic_with(R"("colour": "red",)"),
                                  shifts_with(R"({"agents": ["b"], "start": "8", "end": "9:00"})"));
    EXPECT_TRUE(has_error(errors, "traffic: colour"));
    EXPECT_TRUE(has_error(errors, "shifts: shifts[0].start"));
    EXPECT_TRUE(has_error(errors, "shifts: shifts[0].end"));
    EXPECT_TRUE(has_error(errors, "shifts: shifts[0].agents[0]: unknown agent 'b'"));
}

TEST(ScenarioFiles, ShiftsAreAnObjectWithAListOfShifts) {
    EXPECT_EQ(errors_of(config_with(), traffic_with(), "[1]"),
              std::vector<std::string>{"shifts: expected an object, got [1]"});
    EXPECT_EQ(errors_of(config_with(), traffic_with(), "{}"),
              std::vector<std::string>{"shifts: missing key 'shifts'"});
}

TEST(ScenarioFiles, CallsAreAnObjectBySpecialty) {
    EXPECT_EQ(errors_of(config_with(), R"({"calls": []})"),
              std::vector<std::string>{"traffic: calls: expected an object, got []"});
}

TEST(ScenarioFiles, CallsAreRequired) {
    EXPECT_ERROR(errors_of(config_with(), R"({"name": "t"})"), "traffic: missing key 'calls'");
}

TEST(ScenarioFiles, PerHourIsOneNumberOrTwentyFourNumbers) {
    std::string hours = "[";
    for (int h = 0; h < 24; ++h)
        hours += std::to_string(h) + (h < 23 ? "," : "]");
    const auto traffic = [](const std::string& per_hour) {
        return R"({"calls": {"cardio": {"admin": {"per_hour": )" + per_hour +
               R"(, "handle": {"dist": "constant", "mean_s": 60}}}}})";
    };
    EXPECT_EQ(
        parse_ok(config_with(), traffic(hours)).demand[0][index_of(CallClass::admin)]->per_hour[23],
        23);
    EXPECT_ERROR(errors_of(config_with(), traffic("[1, 2]")),
                 "traffic: calls.cardio.admin.per_hour: expected a number or an array of 24");
}

TEST(ScenarioFiles, LognormalNeedsItsSpreadAndOnlyLognormalTakesOne) {
    const auto traffic = [](const std::string& handle) {
        return R"({"calls": {"cardio": {"admin": {"per_hour": 1, "handle": )" + handle + "}}}}";
    };
    EXPECT_ERROR(errors_of(config_with(), traffic(R"({"dist": "lognormal", "mean_s": 60})")),
                 "calls.cardio.admin.handle.sd_s: missing");
    EXPECT_ERROR(
        errors_of(config_with(), traffic(R"({"dist": "exponential", "mean_s": 60, "sd_s": 5})")),
        "calls.cardio.admin.handle.sd_s: not used by a exponential");
    EXPECT_ERROR(
        errors_of(config_with(), traffic(R"({"dist": "weibull", "mean_s": 60})")),
        "calls.cardio.admin.handle.dist: expected one of exponential, lognormal, constant");
}

TEST(ScenarioFiles, PatienceIsNoneOrADistribution) {
    const auto traffic = [](const std::string& p) {
        return R"({"calls": {"cardio": {"admin": {"per_hour": 1,
          "handle": {"dist": "constant", "mean_s": 60}, "patience": )" +
               p + "}}}}";
    };
    EXPECT_FALSE(parse_ok(config_with(), traffic(R"("none")")).demand[0][2]->patience);
    EXPECT_TRUE(parse_ok(config_with(), traffic(R"({"dist": "exponential", "mean_s": 90})"))
                    .demand[0][2]
                    ->patience);
    EXPECT_ERROR(errors_of(config_with(), traffic("3")),
                 "calls.cardio.admin.patience: expected \"none\" or a distribution");
}

TEST(ScenarioFiles, ShiftsNeedValidTimesInOrderAndKnownDays) {
    const auto shift = [](const std::string& s) {
        return errors_of(config_with(), traffic_with(), shifts_with(s));
    };
    EXPECT_ERROR(shift(R"({"agents": ["a"], "start": "8:00", "end": "16:00"})"),
                 "shifts[0].start: expected a time of day HH:MM");
    EXPECT_ERROR(shift(R"({"agents": ["a"], "start": "16:00", "end": "08:00"})"),
                 "shifts[0].end: must be after start");
    EXPECT_ERROR(
        shift(R"({"agents": ["a"], "start": "08:00", "end": "16:00", "days": ["mon", "sunday"]})"),
        "shifts[0].days[1]: expected a day");
    const Scenario s = parse_ok(
        config_with(), traffic_with(),
        shifts_with(
            R"({"agents": ["a"], "start": "00:00", "end": "24:00", "days": ["tue", "sun"]})"));
    EXPECT_EQ(s.shifts[0][0].end_s, 24 * 3600);
    EXPECT_EQ(s.shifts[0][0].weekdays, (1 << 1) | (1 << 6));
}

TEST(ScenarioFiles, AnAgentNoShiftNamesWorksItsSpecialtiesOpeningHours) {
    const std::string config = R"({
      "schedules": {"office": {"mon": ["08:00-12:00", "13:00-18:00"]},
                    "late": {"mon": ["17:00-20:00"], "sat": ["09:00-12:00"]}},
      "specialties": [{"id": "cardio", "hours": "office"}, {"id": "neuro", "hours": "late"},
                      {"id": "desk"}],
      "agents": [{"id": "a", "uri": "sip:a@pbx.local", "skills": ["cardio", "neuro"]},
                 {"id": "b", "uri": "sip:b@pbx.local", "skills": ["cardio", "desk"]}]})";
    const Scenario s = parse_ok(config, R"({"calls": {}})");
    ASSERT_EQ(s.shifts.size(), 2u);
    ASSERT_EQ(s.shifts[0].size(), 3u);  // Monday 08:00-12:00 and 13:00-20:00, Saturday 09:00-12:00
    EXPECT_EQ(s.shifts[0][0].start_s, 8 * 3600);
    EXPECT_EQ(s.shifts[0][1].start_s, 13 * 3600);
    EXPECT_EQ(s.shifts[0][1].end_s, 20 * 3600);
    EXPECT_EQ(s.shifts[0][1].weekdays, 1);
    EXPECT_EQ(s.shifts[0][2].weekdays, 1 << 5);
    // A specialty without hours is always open: so is its agent.
    ASSERT_EQ(s.shifts[1].size(), 1u);
    EXPECT_EQ(s.shifts[1][0].end_s, 24 * 3600);
    EXPECT_EQ(s.shifts[1][0].weekdays, 0x7f);
}

TEST(ScenarioFiles, AnswerDelayMustLeaveTheCallRinging) {
    EXPECT_ERROR(errors_of(config_with(R"("ring_timeout_s": 10,)"),
                           traffic_with(R"("answer_delay_s": 15,)")),
                 "traffic: answer_delay_s: must be under the configuration's ring_timeout_s + 5");
}

TEST(ScenarioFiles, DayFactorsAreSevenNumbersMondayFirstAndTheStartDateGivesTheWeekday) {
    EXPECT_ERROR(errors_of(config_with(), traffic_with(R"("day_factors": [1, 1],)")),
                 "traffic: day_factors: expected 7 numbers");
    EXPECT_ERROR(errors_of(config_with(), traffic_with(R"("start_date": "2026-02-30",)")),
                 "traffic: start_date: expected a date YYYY-MM-DD");
    const Scenario s = parse_ok(
        config_with(),
        traffic_with(R"("day_factors": [1, 1, 1, 1, 1, 0.5, 0], "start_date": "2026-11-28",)"));
    EXPECT_EQ(s.day_factors[5], 0.5);
    EXPECT_EQ(s.first_weekday, 5);  // a Saturday
}

TEST(ScenarioFiles, TeamHandleIsOneDistributionForEveryTeam) {
    const Scenario s = parse_ok(
        config_with(), traffic_with(R"("team_handle": {"dist": "constant", "mean_s": 90},)"));
    ASSERT_TRUE(s.team_handle);
    EXPECT_EQ(s.team_handle->mean_s, 90);
}

}  // namespace
}  // namespace acd::sim::test
