// Engine snapshots and the routing settings of the audit log's `config` records
// (include/acd/snapshot.hpp, include/acd/routing_json.hpp): their own versioned formats, and
// what acdd 0.1.0 wrote still reads back.
#include "acd/snapshot.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "acd/config.hpp"
#include "acd/routing_json.hpp"

namespace acd {
namespace {

std::string fixture(const std::string& name) {
    std::ifstream in(std::string(ACD_FIXTURES) + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Every setting, v1.1 ones included, set away from its default.
RoutingConfig full_routing() {
    auto parsed = parse_config(fixture("make-0.1.0.json"), "/");
    EXPECT_TRUE(parsed);
    RoutingConfig c = parsed->routing;
    c.classes[0].overflow_lead = seconds(12);
    c.classes[1].script = {"Bonjour", "Vérifier la date de naissance"};
    c.specialties[0].hours = "office";
    c.specialties[0].closed = {ClosedRule::queue, ClosedRule::team, ClosedRule::reject};
    c.specialties[0].script = {"Cardiologie"};
    c.teams[0].hours = "office";
    c.zone.name = "Europe/Paris";
    c.zone.initial_offset = std::chrono::hours(1);
    c.zone.transitions = {{Time{} + Duration(1'774'746'000'000), std::chrono::hours(2)}};
    Schedule office;
    office.id = "office";
    office.week[0] = {{480, 1080}};
    office.week[4] = {{480, 720}, {780, 1020}};
    office.closed_dates = {std::chrono::local_days(std::chrono::days(20817))};
    c.schedules = {office};
    c.team_retry = seconds(45);
    c.late_after = seconds(5);
    c.quality_sample_percent = 25;
    c.orphan_timeout = seconds(300);
    return c;
}

TEST(RoutingJson, EverySettingReadsBack) {
    const RoutingConfig c = full_routing();
    const Json j = routing_json(c);
    EXPECT_EQ(j["format"], 2);
    const auto back = routing_from_json(Json::parse(j.dump()));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, c);
}

// The `config` record acdd 0.1.0 wrote (the configuration file's grammar) reads back as the file
// it came from, by the log's own reader.
TEST(RoutingJson, AConfigRecordWrittenBy010ReadsBackAsTheFileItCameFrom) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, fixture("acdd-0.1.0.sql").c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "SELECT body FROM audit WHERE type = 'config' ORDER BY id LIMIT 1", -1,
                       &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    const std::string body = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(db);

    const auto routing = routing_from_json(Json::parse(body));
    ASSERT_TRUE(routing) << routing.error().message;
    auto file = parse_config(fixture("make-0.1.0.json"), "/");
    ASSERT_TRUE(file);
    // 0.1.0 had no site time zone (nor schedules that would read it): the default, UTC, is what
    // it meant; today's parser takes the machine's zone.
    file->routing.zone = ZoneRules{};
    EXPECT_EQ(*routing, file->routing);
}

TEST(RoutingJson, AFormatFromAFutureAcddOrDamageIsAnErrorNotAGuess) {
    Json j = routing_json(full_routing());
    j["format"] = 3;
    EXPECT_FALSE(routing_from_json(j));
    j["format"] = 2;
    j.erase("zone");
    const auto damaged = routing_from_json(j);
    ASSERT_FALSE(damaged);
    EXPECT_NE(damaged.error().message.find("do not read back"), std::string::npos);
}

// The snapshot acdd 0.1.0 wrote at its shutdown restores: its calls and agents as they were.
TEST(Snapshot, ASnapshotWrittenBy010Restores) {
    auto engine = restore_engine(fixture("snapshot-format1.json"));
    ASSERT_TRUE(engine) << engine.error().message;
    const auto calls = (*engine)->calls();
    ASSERT_EQ(calls.size(), 3U);
    EXPECT_EQ(calls[0].state, CallState::offering);
    EXPECT_EQ(calls[2].state, CallState::queued);
    const auto agents = (*engine)->agents();
    ASSERT_EQ(agents.size(), 3U);
    EXPECT_EQ(agents[0].state, AgentState::wrap_up);
    EXPECT_EQ(agents[1].state, AgentState::reserved);
    EXPECT_EQ(agents[2].state, AgentState::paused);
    EXPECT_EQ(agents[2].reason, "break");
    const auto file = parse_config(fixture("make-0.1.0.json"), "/");
    ASSERT_TRUE(file);
    EXPECT_EQ((*engine)->config().specialties, file->routing.specialties);
}

TEST(Snapshot, ASnapshotIsWrittenInFormat2AndRestoresTheSameState) {
    auto old = restore_engine(fixture("snapshot-format1.json"));
    ASSERT_TRUE(old);
    const std::string again = snapshot_engine(**old);
    EXPECT_EQ(Json::parse(again)["format"], 2);
    auto restored = restore_engine(again);
    ASSERT_TRUE(restored) << restored.error().message;
    EXPECT_EQ((*restored)->image(), (*old)->image());
}

}  // namespace
}  // namespace acd
