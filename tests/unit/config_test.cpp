// docs/spec/config.md: every fixture tests/config/bad-*.json must produce exactly the errors in its
// bad-*.expected; every good-*.json must parse. Then one test per rule the fixtures do not show.
#include "acd/config.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace acd {
namespace {

namespace fs = std::filesystem;
const fs::path kFixtures = ACD_CONFIG_FIXTURES;
const fs::path kSource = ACD_SOURCE_DIR;

std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> fixtures(std::string_view prefix) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(kFixtures)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && name.ends_with(".json")) {
            names.push_back(name.substr(0, name.size() - 5));
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
    std::string n = info.param;
    std::replace(n.begin(), n.end(), '-', '_');
    return n;
}

// The errors of a result, none when it holds a configuration.
ConfigErrors errors_of(const ConfigResult& r) {
    return r.ok() ? ConfigErrors{} : r.error();
}

class BadConfig : public testing::TestWithParam<std::string> {};

TEST_P(BadConfig, ProducesExactlyItsExpectedErrors) {
    const ConfigResult r = load_config(kFixtures / (GetParam() + ".json"));
    std::string got;
    for (const ConfigError& e : errors_of(r))
        got += e.to_string() + "\n";
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(got, read(kFixtures / (GetParam() + ".expected")));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadConfig, testing::ValuesIn(fixtures("bad-")), test_name);

class GoodConfig : public testing::TestWithParam<std::string> {};

TEST_P(GoodConfig, Parses) {
    const ConfigResult r = load_config(kFixtures / (GetParam() + ".json"));
    for (const ConfigError& e : errors_of(r))
        ADD_FAILURE() << e.to_string();
    EXPECT_TRUE(r.ok());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoodConfig, testing::ValuesIn(fixtures("good-")), test_name);

TEST(Config, EveryBadFixtureHasItsExpectedFile) {
    for (const std::string& name : fixtures("bad-")) {
        EXPECT_TRUE(fs::exists(kFixtures / (name + ".expected"))) << name;
    }
    EXPECT_GE(fixtures("bad-").size(), 20U);
}

TEST(Config, ShippedExampleIsValid) {
    const ConfigResult r = load_config(kSource / "config" / "acdd.json");
    for (const ConfigError& e : errors_of(r))
        ADD_FAILURE() << e.to_string();
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->routing.specialties.size(), 6U);
    EXPECT_GE(r->routing.agents.size(), 12U);
    // v1.1: office hours, a night secretariat and an on-call doctor, scripts for each class.
    EXPECT_EQ(r->routing.teams.size(), 3U);
    EXPECT_EQ(r->routing.zone.name, "Europe/Luxembourg");
    for (const SpecialtyConfig& s : r->routing.specialties)
        EXPECT_FALSE(s.hours.empty()) << s.id;
    for (CallClass c : kCallClasses)
        EXPECT_FALSE(r->routing.policy(c).script.empty()) << to_string(c);
}

// The installed /etc/acdd/acdd.json routes nowhere until the site adds its own agents and teams
// (docs/operations.md "First configuration"): no demo agent, no example provider.
TEST(Config, TheInstalledDefaultHasNoAgentsAndNoTeams) {
    const ConfigResult r = load_config(kSource / "config" / "acdd.dist.json");
    for (const ConfigError& e : errors_of(r))
        ADD_FAILURE() << e.to_string();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->routing.agents.empty());
    EXPECT_TRUE(r->routing.teams.empty());
    EXPECT_EQ(r->admin.socket, "/run/acdd/admin.sock");
    EXPECT_EQ(r->store.path, "/var/lib/acdd/acdd.db");
}

TEST(Config, MissingValuesTakeTheDefaultsShown) {
    const ConfigResult r = parse_config(R"({"specialties": [{"id": "cardiology"}],
        "agents": [{"id": "a1", "uri": "sip:a1@pbx", "skills": ["cardiology"]}],
        "overflow_teams": [{"id": "ext", "uri": "sip:x@y", "specialties": ["*"]}]})",
                                        "/etc/acdd");
    ASSERT_TRUE(r.ok());
    const Config& c = *r;
    EXPECT_EQ(c.gateway.listen, "127.0.0.1:7400");
    EXPECT_FALSE(c.gateway.tls);
    EXPECT_TRUE(c.gateway.tokens.empty());
    EXPECT_EQ(c.admin.socket, "/run/acdd/admin.sock");
    EXPECT_EQ(c.admin.mode, 0660U);
    EXPECT_EQ(c.store.path, "/var/lib/acdd/acdd.db");
    EXPECT_EQ(c.store.synchronous, Synchronous::full);
    EXPECT_EQ(c.store.retention_days, 180);
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.routing.ring_timeout, seconds(20));
    EXPECT_TRUE(c.routing.overflow_on_deadline);
    EXPECT_EQ(c.routing.policy(CallClass::urgent).target, seconds(30));
    EXPECT_EQ(c.routing.policy(CallClass::appointment).tier, 1);
    EXPECT_EQ(c.routing.policy(CallClass::admin).target, seconds(300));
    const SpecialtyConfig& s = c.routing.specialties[0];
    EXPECT_EQ(s.name, "cardiology");
    EXPECT_EQ(s.default_class, CallClass::appointment);
    EXPECT_EQ(s.overflow_threshold, 3);
    EXPECT_TRUE(s.overflow_enabled);
    EXPECT_EQ(c.routing.agents[0].wrap_up, seconds(15));
    EXPECT_EQ(c.routing.agents[0].name, "a1");
    EXPECT_EQ(c.routing.teams[0].max_concurrent, 5);
    EXPECT_TRUE(c.routing.teams[0].all_specialties);
}

TEST(Config, AgentsDefaultToAnEmptyList) {
    const ConfigResult r = parse_config(R"({"specialties": [{"id": "cardiology"}]})", "/");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->routing.agents.empty());
    EXPECT_TRUE(r->routing.teams.empty());
}

TEST(Config, RelativePathsAreRelativeToTheConfigFilesFolder) {
    const ConfigResult r = load_config(kFixtures / "good-relative-paths.json");
    ASSERT_TRUE(r.ok());
    const fs::path dir = fs::absolute(kFixtures).lexically_normal();
    EXPECT_EQ(r->store.path, dir / "state/acdd.db");
    EXPECT_EQ(r->admin.socket, dir / "run/admin.sock");
    EXPECT_EQ(r->gateway.tls->cert, dir / "tls/gw.crt");
    EXPECT_EQ(r->gateway.host, "::1");
    EXPECT_EQ(r->gateway.port, 7401U);
}

TEST(Config, PiiKeyFileDefaultsToTheStorePathDotKey) {
    const ConfigResult r =
        parse_config(R"({"store": {"path": "/data/acd.db"}, "specialties": [{"id": "x"}]})", "/");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->store.pii_key_file, "/data/acd.db.key");
    EXPECT_FALSE(r->store.pii_key_file_given);
}

TEST(Config, AnyOfTheThreeClassesMayBeGivenOthersKeepTheirDefaults) {
    const ConfigResult r = load_config(kFixtures / "good-partial-classes.json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->routing.policy(CallClass::urgent).target, seconds(20));
    EXPECT_EQ(r->routing.policy(CallClass::urgent).tier, 0);
    EXPECT_EQ(r->routing.policy(CallClass::appointment).target, seconds(120));
}

TEST(Config, TokensKeepTheLowercaseHexOfTheirSha256) {
    const ConfigResult r = parse_config(
        R"({"gateway": {"tokens": {"gw1": "sha256:ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"}},
            "specialties": [{"id": "x"}]})",
        "/");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->gateway.tokens.at("gw1"),
              "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
}

TEST(Config, AShortenedValueInAMessageNeverCutsAUtf8Character) {
    // 36 ASCII bytes, then "é" (2 bytes) across the cut at 37.
    const ConfigResult r = parse_config(
        R"({"specialties": [{"id": "x"}], "ring_timeout_s": "abcdefghijklmnopqrstuvwxyz012345678é tail"})",
        "/");
    ASSERT_EQ(errors_of(r).size(), 1U);
    const std::string message = errors_of(r)[0].to_string();
    EXPECT_NO_THROW((void)nlohmann::json(message).dump()) << message;
    EXPECT_NE(message.find("abcdefghijklmnopqrstuvwxyz012345678..."), std::string::npos) << message;
}

// docs/spec/config.md "v1.1 additions": a file without them means what it meant in v1.
TEST(Config, WithoutTheV11KeysEverythingIsAlwaysOpenAndTheV11DefaultsApply) {
    const ConfigResult r = parse_config(R"({"specialties": [{"id": "cardiology"}]})", "/");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->routing.schedules.empty());
    EXPECT_TRUE(r->routing.specialties[0].hours.empty());
    EXPECT_EQ(r->routing.team_retry, seconds(60));
    EXPECT_EQ(r->routing.late_after, seconds(0));
    EXPECT_EQ(r->routing.quality_sample_percent, 10);
    EXPECT_EQ(r->routing.orphan_timeout, seconds(120));
    EXPECT_EQ(r->routing.policy(CallClass::urgent).overflow_lead, seconds(10));
    EXPECT_EQ(r->routing.policy(CallClass::appointment).overflow_lead, seconds(0));
    EXPECT_EQ(r->routing.specialties[0].closed[index_of(CallClass::urgent)], ClosedRule::team);
    EXPECT_EQ(r->routing.specialties[0].closed[index_of(CallClass::admin)], ClosedRule::reject);
    EXPECT_FALSE(r->web);
    EXPECT_EQ(r->gateway.max_connections, 64);
    EXPECT_EQ(r->admin.max_connections, 64);
    EXPECT_EQ(r->pause_reasons, (std::vector<std::string>{"break", "lunch", "training", "meeting",
                                                          "admin", "no_answer", "login"}));
    EXPECT_FALSE(r->timezone.empty());  // the machine's zone, else UTC
}

TEST(Config, TheV11ExampleGivesItsHoursTeamsScriptsAndWebListener) {
    const ConfigResult r = load_config(kFixtures / "good-v11-example.json");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->timezone, "Europe/Luxembourg");
    EXPECT_EQ(r->routing.zone.name, "Europe/Luxembourg");
    EXPECT_FALSE(r->routing.zone.transitions.empty());
    ASSERT_EQ(r->routing.schedules.size(), 2U);
    const Schedule& nights = r->routing.schedules[0];
    EXPECT_EQ(nights.id, "nights");
    EXPECT_EQ(nights.week[0], (std::vector<TimeRange>{{0, 480}, {1080, 1440}}));
    EXPECT_TRUE(nights.week[1].empty());  // a missing weekday: closed that day
    EXPECT_EQ(r->routing.schedules[1].closed_dates.size(), 2U);
    EXPECT_EQ(r->routing.specialties[0].hours, "office");
    EXPECT_EQ(r->routing.specialties[0].script.size(), 2U);
    EXPECT_EQ(r->routing.policy(CallClass::urgent).script.size(), 1U);
    EXPECT_EQ(r->routing.teams[0].hours, "nights");
    ASSERT_TRUE(r->web);
    EXPECT_EQ(r->web->port, 8080U);
    EXPECT_EQ(r->web->session_idle, seconds(1800));
    ASSERT_TRUE(r->web->tls);
    EXPECT_EQ(r->web->tls->cert, fs::absolute(kFixtures).lexically_normal() / "web.crt");
    EXPECT_EQ(r->pause_reasons, (std::vector<std::string>{"break", "lunch", "no_answer", "login"}));
}

TEST(Config, PlainHttpOnALoopbackAddressIsAccepted) {
    const ConfigResult r =
        parse_config(R"({"specialties": [{"id": "x"}], "web": {"listen": "127.0.0.1:8080"}})", "/");
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->web->tls);
}

TEST(Config, ADirectoryGivenAsTheFileIsSaidToBeOne) {
    const ConfigResult r = load_config("/tmp");
    ASSERT_EQ(errors_of(r).size(), 1U);
    EXPECT_EQ(errors_of(r)[0].to_string(), "/tmp is a directory, not a file");
}

TEST(Config, AnUnreadableFileIsOneError) {
    const ConfigResult r = load_config("/nonexistent/acdd.json");
    ASSERT_EQ(errors_of(r).size(), 1U);
    EXPECT_EQ(errors_of(r)[0].to_string(),
              "cannot read /nonexistent/acdd.json: No such file or directory");
}

}  // namespace
}  // namespace acd
