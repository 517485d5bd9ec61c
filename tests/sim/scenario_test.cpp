// The scenario format (docs/simulator.md): what it accepts, and errors that name the JSON path.
#include "sim/scenario.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "sim_test_util.hpp"

namespace acd::sim::test {
namespace {

// A small valid scenario; tests splice one bad value into it.
std::string with(const std::string& specialty_extra = "", const std::string& agent_extra = "",
                 const std::string& root_extra = "") {
    return R"({
      "name": "t", )" +
           root_extra + R"(
      "specialties": [{"id": "cardio", )" +
           specialty_extra + R"(
        "demand": {"urgent": {"per_hour": 10, "handle": {"dist": "exponential", "mean_s": 60}}}}],
      "agents": [{"id": "a", "skills": ["cardio"], )" +
           agent_extra + R"( "shifts": [{"start": "08:00", "end": "16:00"}]}]
    })";
}

std::vector<std::string> errors_of(const std::string& json) {
    return parse_scenario(json).errors;
}

bool has_error(const std::vector<std::string>& errors, const std::string& text) {
    for (const std::string& e : errors) {
        if (e.find(text) != std::string::npos) return true;
    }
    return false;
}

#define EXPECT_ERROR(json, text)                                                         \
    do {                                                                                 \
        const auto errors = errors_of(json);                                             \
        EXPECT_TRUE(has_error(errors, text))                                             \
            << "expected an error containing: " << (text)                                \
            << "\ngot: " << (errors.empty() ? std::string("no error") : errors.front()); \
    } while (0)

TEST(ScenarioFormat, EveryShippedScenarioIsValid) {
    int count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(ACD_SCENARIO_DIR)) {
        if (entry.path().extension() != ".json") continue;
        const ParseResult r = load_scenario(entry.path().string());
        EXPECT_TRUE(r.errors.empty()) << entry.path() << ": " << r.errors.front();
        ++count;
    }
    EXPECT_GE(count, 7);  // chl-day, aphp-week, five mmc-*
}

TEST(ScenarioFormat, AValidScenarioGivesTheRoutingConfigAndTheModels) {
    const Scenario s = parse_ok(with());
    ASSERT_EQ(s.routing.specialties.size(), 1u);
    EXPECT_EQ(s.routing.specialties[0].id, "cardio");
    ASSERT_TRUE(s.demand[0][index_of(CallClass::urgent)]);
    EXPECT_FALSE(s.demand[0][index_of(CallClass::admin)]);
    EXPECT_EQ(s.demand[0][index_of(CallClass::urgent)]->per_hour[5], 10);
    ASSERT_EQ(s.routing.agents.size(), 1u);
    EXPECT_EQ(s.shifts[0][0].start_s, 8 * 3600);
    EXPECT_EQ(s.shifts[0][0].end_s, 16 * 3600);
}

TEST(ScenarioFormat, UnknownKeyIsRefusedWithItsPath) {
    EXPECT_ERROR(with(R"("colour": "red",)"), "specialties[0].colour: unknown key");
}

TEST(ScenarioFormat, WrongTypeIsRefusedWithItsPath) {
    EXPECT_ERROR(with("", R"("wrap_up_s": "long",)"), "agents[0].wrap_up_s: must be an integer");
}

TEST(ScenarioFormat, OutOfRangeValueIsRefusedWithItsPath) {
    EXPECT_ERROR(with(R"("overflow_threshold": -1,)"),
                 "specialties[0].overflow_threshold: -1 is out of range");
}

TEST(ScenarioFormat, UnknownSkillIsRefusedWithItsPath) {
    const std::string json = R"({"specialties": [{"id": "cardiology"}],
      "agents": [{"id": "a", "skills": ["cardiology"], "shifts": []},
                 {"id": "b", "skills": ["cardiology", "cardio"], "shifts": []}]})";
    EXPECT_ERROR(json, "agents[1].skills[1]: unknown specialty 'cardio'");
}

TEST(ScenarioFormat, SyntaxErrorNamesLineAndColumn) {
    EXPECT_ERROR("{\n  \"name\": \"t\",\n  \"seed\": ,\n}", "line 3, column");
}

TEST(ScenarioFormat, EveryErrorIsReportedNotOnlyTheFirst) {
    const auto errors = errors_of(with(R"("colour": "red",)", R"("wrap_up_s": -5,)"));
    EXPECT_TRUE(has_error(errors, "specialties[0].colour"));
    EXPECT_TRUE(has_error(errors, "agents[0].wrap_up_s"));
}

TEST(ScenarioFormat, MissingSpecialtiesAreRefused) {
    EXPECT_ERROR(R"({"name": "t"})", "specialties: missing");
}

TEST(ScenarioFormat, DuplicateIdsAreRefused) {
    const std::string json = R"({"specialties": [{"id": "x"}, {"id": "x"}]})";
    EXPECT_ERROR(json, "specialties[1].id: duplicate specialty 'x'");
}

TEST(ScenarioFormat, IdsFollowTheConfigRules) {
    EXPECT_ERROR(R"({"specialties": [{"id": "car dio"}]})",
                 "specialties[0].id: 'car dio' is not an id");
}

TEST(ScenarioFormat, CountMakesNumberedAgents) {
    const Scenario s = parse_ok(with("", R"("count": 3,)"));
    ASSERT_EQ(s.routing.agents.size(), 3u);
    EXPECT_EQ(s.routing.agents[0].id, "a-1");
    EXPECT_EQ(s.routing.agents[2].id, "a-3");
    EXPECT_EQ(s.shifts.size(), 3u);
}

TEST(ScenarioFormat, CountedIdsFollowTheConfigRulesToo) {
    const std::string long_id(62, 'x');
    const std::string json = R"({"specialties": [{"id": "c"}], "agents": [{"id": ")" + long_id +
                             R"(", "count": 100, "skills": ["c"], "shifts": []}]})";
    EXPECT_ERROR(json, "agents[0].id: '" + long_id + "-100' is longer than 64 characters");
}

TEST(ScenarioFormat, PerHourIsOneNumberOrTwentyFourNumbers) {
    std::string hours = "[";
    for (int h = 0; h < 24; ++h)
        hours += std::to_string(h) + (h < 23 ? "," : "]");
    const std::string ok = R"({"specialties": [{"id": "c", "demand": {"admin": {"per_hour": )" +
                           hours + R"(, "handle": {"dist": "constant", "mean_s": 60}}}}]})";
    EXPECT_EQ(parse_ok(ok).demand[0][index_of(CallClass::admin)]->per_hour[23], 23);
    const std::string short_list =
        R"({"specialties": [{"id": "c", "demand": {"admin": {"per_hour": [1, 2],
            "handle": {"dist": "constant", "mean_s": 60}}}}]})";
    EXPECT_ERROR(short_list,
                 "specialties[0].demand.admin.per_hour: must be a number or an array of 24");
}

TEST(ScenarioFormat, LognormalNeedsItsSpreadAndOnlyLognormalTakesOne) {
    const auto demand = [](const std::string& handle) {
        return R"({"specialties": [{"id": "c", "demand": {"admin": {"per_hour": 1, "handle": )" +
               handle + "}}}]}";
    };
    EXPECT_ERROR(demand(R"({"dist": "lognormal", "mean_s": 60})"),
                 "specialties[0].demand.admin.handle.sd_s: missing");
    EXPECT_ERROR(demand(R"({"dist": "exponential", "mean_s": 60, "sd_s": 5})"),
                 "specialties[0].demand.admin.handle.sd_s: not used by a exponential");
    EXPECT_ERROR(demand(R"({"dist": "weibull", "mean_s": 60})"),
                 "specialties[0].demand.admin.handle.dist: unknown distribution 'weibull'");
}

TEST(ScenarioFormat, PatienceIsNoneOrADistribution) {
    const auto patience = [](const std::string& p) {
        return R"({"specialties": [{"id": "c", "demand": {"admin": {"per_hour": 1,
          "handle": {"dist": "constant", "mean_s": 60}, "patience": )" +
               p + "}}}]}";
    };
    EXPECT_FALSE(parse_ok(patience(R"("none")")).demand[0][2]->patience);
    EXPECT_TRUE(
        parse_ok(patience(R"({"dist": "exponential", "mean_s": 90})")).demand[0][2]->patience);
    EXPECT_ERROR(patience("3"), "specialties[0].demand.admin.patience: must be \"none\"");
}

TEST(ScenarioFormat, ShiftsNeedValidTimesInOrderAndKnownDays) {
    const auto shift = [](const std::string& s) {
        return R"({"specialties": [{"id": "c"}], "agents": [{"id": "a", "skills": ["c"],
          "shifts": [)" +
               s + "]}]}";
    };
    EXPECT_ERROR(shift(R"({"start": "8:00", "end": "16:00"})"),
                 "agents[0].shifts[0].start: '8:00' is not a time of day");
    EXPECT_ERROR(shift(R"({"start": "16:00", "end": "08:00"})"),
                 "agents[0].shifts[0].end: must be after start");
    EXPECT_ERROR(shift(R"({"start": "08:00", "end": "16:00", "days": ["mon", "fri", "sunday"]})"),
                 "agents[0].shifts[0].days[2]: 'sunday' is not a day");
    const Scenario s =
        parse_ok(shift(R"({"start": "00:00", "end": "24:00", "days": ["tue", "sun"]})"));
    EXPECT_EQ(s.shifts[0][0].end_s, 24 * 3600);
    EXPECT_EQ(s.shifts[0][0].weekdays, (1 << 1) | (1 << 6));
}

TEST(ScenarioFormat, ClassesOverrideTheDefaultsOfRoutingMd) {
    const Scenario s =
        parse_ok(with("", "", R"("classes": {"admin": {"target_s": 600, "overflow": false}},)"));
    EXPECT_EQ(s.routing.policy(CallClass::admin).target, seconds(600));
    EXPECT_FALSE(s.routing.policy(CallClass::admin).overflow);
    EXPECT_EQ(s.routing.policy(CallClass::urgent).target, seconds(30));
    EXPECT_ERROR(with("", "", R"("classes": {"vip": {}},)"), "classes.vip: unknown key");
}

TEST(ScenarioFormat, TeamsServeListedSpecialtiesOrAll) {
    const std::string teams = R"("overflow_teams": [
        {"id": "ext", "max_concurrent": 2, "specialties": ["*"], "handle": {"dist": "constant", "mean_s": 90}},
        {"id": "bad", "specialties": ["neuro"], "handle": {"dist": "constant", "mean_s": 90}}],)";
    EXPECT_ERROR(with("", "", teams),
                 "overflow_teams[1].specialties[0]: unknown specialty 'neuro'");
    const std::string good = R"("overflow_teams": [
        {"id": "ext", "max_concurrent": 2, "specialties": ["*"], "handle": {"dist": "constant", "mean_s": 90}}],)";
    const Scenario s = parse_ok(with("", "", good));
    ASSERT_EQ(s.routing.teams.size(), 1u);
    EXPECT_TRUE(s.routing.teams[0].all_specialties);
    EXPECT_EQ(s.team_handle[0].mean_s, 90);
}

TEST(ScenarioFormat, AnswerDelayMustLeaveTheCallRinging) {
    EXPECT_ERROR(with("", "", R"("ring_timeout_s": 10, "answer_delay_s": 15,)"),
                 "answer_delay_s: must be under ring_timeout_s + 5");
}

TEST(ScenarioFormat, DayFactorsAreSevenNumbersMondayFirst) {
    EXPECT_ERROR(with("", "", R"("day_factors": [1, 1],)"), "day_factors: must have 7 numbers");
    const Scenario s =
        parse_ok(with("", "", R"("day_factors": [1, 1, 1, 1, 1, 0.5, 0], "first_day": "sat",)"));
    EXPECT_EQ(s.day_factors[5], 0.5);
    EXPECT_EQ(s.first_weekday, 5);
}

TEST(ScenarioFormat, SchedulesHoursAndClosedRulesAreRead) {
    const Scenario s = parse_ok(with(R"("hours": "office", "closed": {"admin": "queue"},)", "",
                                     R"("schedules": {"office": {"mon": ["08:00-12:00",
                                        "13:00-18:00"], "closed_dates": ["2026-12-25"]}},
                                        "team_retry_s": 30,)"));
    ASSERT_EQ(s.routing.schedules.size(), 1u);
    EXPECT_EQ(s.routing.schedules[0].week[0], (std::vector<TimeRange>{{480, 720}, {780, 1080}}));
    EXPECT_EQ(s.routing.schedules[0].closed_dates.size(), 1u);
    EXPECT_EQ(s.routing.specialties[0].hours, "office");
    EXPECT_EQ(s.routing.specialties[0].closed[index_of(CallClass::admin)], ClosedRule::queue);
    EXPECT_EQ(s.routing.team_retry, seconds(30));
}

TEST(ScenarioFormat, ScheduleErrorsNameTheirPath) {
    EXPECT_ERROR(with(R"("hours": "nights",)"), "specialties[0].hours: unknown schedule 'nights'");
    EXPECT_ERROR(with("", "", R"("schedules": {"o": {"mon": ["18:00-08:00"]}},)"),
                 "schedules.o.mon[0]: '18:00-08:00' is not a range");
    EXPECT_ERROR(with("", "", R"("schedules": {"o": {"mon": ["08:00-12:00", "11:00-13:00"]}},)"),
                 "schedules.o.mon: ranges overlap");
    EXPECT_ERROR(with("", "", R"("schedules": {"o": {"closed_dates": ["2026-13-01"]}},)"),
                 "schedules.o.closed_dates[0]: '2026-13-01' is not a date");
    EXPECT_ERROR(with(R"("closed": {"urgent": "maybe"},)"),
                 "specialties[0].closed.urgent: 'maybe' is not a rule");
    EXPECT_ERROR(with("", "", R"("classes": {"urgent": {"overflow_lead_s": 31}},)"),
                 "classes.urgent.overflow_lead_s");
}

}  // namespace
}  // namespace acd::sim::test
