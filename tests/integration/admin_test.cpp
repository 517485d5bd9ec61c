// docs/spec/admin-protocol.md over a real Unix socket against a started acdd: transport rules, the
// envelope, every command and its error codes, config-test and config-reload, subscriptions
// (ordering, a slow subscriber dropped), audit of changes with the peer's credentials, and the
// signals that go through the same handlers.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <set>

#include "admin_client.hpp"
#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

struct AdminTest : DaemonTest {
    virtual void adjust(Json&) {}
    void SetUp() override {
        Json config = test_config(daemon->dir());
        adjust(config);
        daemon->configure(config);
        DaemonTest::SetUp();
    }
    std::unique_ptr<AdminClient> admin() { return std::make_unique<AdminClient>(socket()); }
};

Json args_of(const Json& response) {
    return response.value("arguments", Json::object());
}

// ---------------------------------------------------------------------------------------------
// Transport and envelope
// ---------------------------------------------------------------------------------------------

TEST_F(AdminTest, TheSocketHasTheConfiguredMode) {
    struct stat st {};
    ASSERT_EQ(::stat(socket().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0660U);
}

struct AdminMode0600Test : AdminTest {
    void adjust(Json& config) override { config["admin"]["mode"] = "0600"; }
};

TEST_F(AdminMode0600Test, TheSocketHasTheConfiguredMode) {
    struct stat st {};
    ASSERT_EQ(::stat(socket().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600U);
}

TEST_F(AdminTest, AnotherLiveAcddOnTheSamePathIsRefusedAtStart) {
    Daemon second;
    Json config = test_config(second.dir());
    config["admin"]["socket"] = socket();
    second.configure(config);
    EXPECT_FALSE(second.start());
    EXPECT_NE(second.log().find("another acdd already serves " + socket()), std::string::npos)
        << second.log();
    EXPECT_EQ(admin()->call("version-get")["result"], 0);  // the first one still serves
}

TEST_F(AdminTest, AStaleSocketLeftByACrashIsReplaced) {
    daemon->kill();
    ASSERT_TRUE(std::filesystem::exists(socket()));
    ASSERT_TRUE(daemon->start()) << daemon->log();
    EXPECT_EQ(admin()->call("version-get")["result"], 0);
}

TEST_F(AdminTest, ManyRequestsOnOneConnectionAreAnsweredInOrderWithTheirIds) {
    auto a = admin();
    std::string batch;
    for (int id = 1; id <= 5; ++id) {
        batch += Json{{"command", id % 2 ? "version-get" : "agent-list"}, {"id", id}}.dump() + "\n";
    }
    a->send_raw(batch);
    for (int id = 1; id <= 5; ++id)
        EXPECT_EQ(a->receive().value()["id"], id);
    EXPECT_FALSE(a->call("version-get").contains("id"));
}

TEST_F(AdminTest, ALineOver65536BytesGetsAnErrorAndTheConnectionIsClosed) {
    auto a = admin();
    a->send_raw(std::string(65537, 'x') + "\n");
    const auto r = a->receive();
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["result"], 1);
    EXPECT_EQ((*r)["arguments"]["code"], "bad_request");
    EXPECT_TRUE(a->closed_by_peer());
}

TEST_F(AdminTest, ARequestThatIsNotAJsonObjectIsABadRequestAndTheConnectionStays) {
    auto a = admin();
    a->send_raw("hello\n");
    EXPECT_EQ(a->receive().value()["arguments"]["code"], "bad_request");
    EXPECT_EQ(a->call("version-get")["result"], 0);
}

TEST_F(AdminTest, AnUnknownCommandIsResultTwo) {
    const Json r = admin()->call("coffee-make");
    EXPECT_EQ(r["result"], 2);
    EXPECT_EQ(r["text"], "unsupported command 'coffee-make'");
}

TEST_F(AdminTest, AMissingCommandOrArgumentsThatAreNotAnObjectAreBadRequests) {
    auto a = admin();
    a->send_raw("{\"arguments\":{}}\n");
    EXPECT_EQ(a->receive().value()["arguments"]["code"], "bad_request");
    a->send_raw("{\"command\":\"agent-list\",\"arguments\":[1]}\n");
    EXPECT_EQ(a->receive().value()["arguments"]["code"], "bad_request");
}

TEST_F(AdminTest, ConnectionsBeyondTheBoundAreRefused) {
    std::vector<std::unique_ptr<AdminClient>> clients;
    for (int i = 0; i < 64; ++i) {
        clients.push_back(admin());
        ASSERT_EQ(clients.back()->call("version-get")["result"], 0) << i;
    }
    auto extra = admin();
    const auto r = extra->receive();
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)["arguments"]["code"], "too_many_connections");
    clients.pop_back();  // one leaves: room again
    auto next = admin();
    for (int i = 0; i < 50 && next->call("version-get")["result"] != 0; ++i)
        next = admin();
    EXPECT_EQ(next->call("version-get")["result"], 0);
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

TEST_F(AdminTest, ListCommandsNamesEveryCommandOfTheSpec) {
    const Json r = admin()->call("list-commands");
    const auto names = args_of(r)["commands"].get<std::set<std::string>>();
    for (const char* c :
         {"list-commands", "version-get",     "status-get",    "queue-list",   "queue-get",
          "agent-list",    "agent-login",     "agent-logout",  "agent-pause",  "agent-ready",
          "call-list",     "call-reclassify", "call-transfer", "overflow-get", "overflow-set",
          "stats-get",     "config-test",     "config-reload", "audit-verify", "subscribe",
          "shutdown"}) {
        EXPECT_TRUE(names.contains(c)) << c;
    }
}

TEST_F(AdminTest, VersionGetAndStatusGet) {
    auto a = admin();
    EXPECT_EQ(args_of(a->call("version-get"))["version"], "0.1.0");
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");           // to a1: offering
    offer(*g, "c2", "+1002");  // neurology: queued
    const Json s = args_of(a->call("status-get"));
    EXPECT_EQ(s["version"], "0.1.0");
    EXPECT_GE(s["uptime_s"], 0);
    EXPECT_EQ(s["calls_queued"], 1);
    EXPECT_EQ(s["calls_offering"], 1);
    EXPECT_EQ(s["calls_connected"], 0);
    EXPECT_EQ(s["agents"]["reserved"], 1);
    EXPECT_EQ(s["agents"]["logged_out"], 1);
}

TEST_F(AdminTest, QueueListAndQueueGetShowCallsInDispatchOrder) {
    auto g = gateway();
    offer(*g, "admin1", "+1001", "admin");
    offer(*g, "urgent1", "+1001", "urgent");
    auto a = admin();
    const Json list = args_of(a->call("queue-list"))["queues"];
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0]["specialty"], "cardiology");
    EXPECT_EQ(list[0]["queued"], 2);
    EXPECT_GE(list[0]["oldest_wait_s"], 0);
    EXPECT_EQ(list[0]["exceeds_threshold"], false);
    EXPECT_TRUE(list[1]["oldest_wait_s"].is_null());
    const Json q = args_of(a->call("queue-get", {{"specialty", "cardiology"}}));
    ASSERT_EQ(q["calls"].size(), 2U);
    EXPECT_EQ(q["calls"][0]["call_id"], "urgent1");
    EXPECT_EQ(q["calls"][0]["class"], "urgent");
    EXPECT_LE(q["calls"][0]["deadline_in_s"], 30);
    EXPECT_GT(q["calls"][0]["deadline_in_s"], 20);
    EXPECT_EQ(q["calls"][1]["call_id"], "admin1");
}

TEST_F(AdminTest, QueueGetRefusesAnUnknownSpecialtyAndIsEmptyForAnEmptyQueue) {
    auto a = admin();
    EXPECT_EQ(args_of(a->call("queue-get", {{"specialty", "ortho"}}))["code"], "unknown_specialty");
    EXPECT_EQ(args_of(a->call("queue-get"))["code"], "bad_request");
    EXPECT_EQ(a->call("queue-get", {{"specialty", "neurology"}})["result"], 3);
}

TEST_F(AdminTest, AgentLoginMakesTheAgentReadyOrPausedWithReasonLogin) {
    auto a = admin();
    const Json ready = a->call("agent-login", {{"agent", "a1"}});
    EXPECT_EQ(ready["result"], 0);
    EXPECT_EQ(args_of(ready)["state"], "ready");
    const Json paused = a->call("agent-login", {{"agent", "a2"}, {"paused", true}});
    EXPECT_EQ(args_of(paused)["state"], "paused");
    EXPECT_EQ(args_of(paused)["reason"], "login");
    const Json list = args_of(a->call("agent-list"))["agents"];
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0], Json::parse(R"({"agent":"a1","state":"ready","reason":null,
        "skills":["cardiology"],"call_id":null,"state_for_s":0})"));
    EXPECT_EQ(args_of(a->call("agent-login", {{"agent", "zz"}}))["code"], "unknown_agent");
}

TEST_F(AdminTest, PauseAndLogoutAreRefusedWhileTheAgentIsReservedOrBusy) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    const Json pause = a->call("agent-pause", {{"agent", "a1"}, {"reason", "break"}});
    EXPECT_EQ(pause["result"], 1);
    EXPECT_EQ(args_of(pause)["code"], "invalid_state");
    EXPECT_EQ(args_of(a->call("agent-logout", {{"agent", "a1"}}))["code"], "invalid_state");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    EXPECT_EQ(args_of(a->call("agent-pause", {{"agent", "a1"}, {"reason", "lunch"}}))["code"],
              "invalid_state");
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    EXPECT_EQ(args_of(a->call("agent-pause", {{"agent", "a1"}, {"reason", "break"}}))["reason"],
              "break");
    EXPECT_EQ(args_of(a->call("agent-ready", {{"agent", "a1"}}))["state"], "ready");
    EXPECT_EQ(args_of(a->call("agent-logout", {{"agent", "a1"}}))["state"], "logged_out");
}

TEST_F(AdminTest, CallListShowsLiveCallsAndIsEmptyWithoutThem) {
    auto a = admin();
    EXPECT_EQ(a->call("call-list")["result"], 3);
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    offer(*g, "c2", "+1002");
    const Json calls = args_of(a->call("call-list"))["calls"];
    ASSERT_EQ(calls.size(), 2U);
    EXPECT_EQ(calls[0]["call_id"], "c1");
    EXPECT_EQ(calls[0]["gateway"], "gw1");
    EXPECT_EQ(calls[0]["state"], "offering");
    EXPECT_EQ(calls[0]["agent"], "a1");
    EXPECT_TRUE(calls[0]["team"].is_null());
    EXPECT_EQ(calls[1]["specialty"], "neurology");
    EXPECT_TRUE(calls[1]["agent"].is_null());
}

TEST_F(AdminTest, CallReclassifyRecomputesTheDeadlineFromTheSameEnqueuedAt) {
    auto g = gateway();
    offer(*g, "c1", "+1001", "admin");
    auto a = admin();
    const Json r = a->call("call-reclassify", {{"call_id", "c1"}, {"class", "urgent"}});
    EXPECT_EQ(r["result"], 0);
    EXPECT_EQ(args_of(r)["class"], "urgent");
    const Json q = args_of(a->call("queue-get", {{"specialty", "cardiology"}}));
    EXPECT_LE(q["calls"][0]["deadline_in_s"], 30);
    EXPECT_EQ(args_of(a->call("call-reclassify", {{"call_id", "zz"}, {"class", "urgent"}}))["code"],
              "unknown_call");
    EXPECT_EQ(args_of(a->call("call-reclassify", {{"call_id", "c1"}, {"class", "vip"}}))["code"],
              "bad_request");
}

TEST_F(AdminTest, CallTransferMovesOnlyAQueuedCall) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");  // offering to a1
    offer(*g, "c2");  // queued
    EXPECT_EQ(
        args_of(a->call("call-transfer", {{"call_id", "c1"}, {"specialty", "neurology"}}))["code"],
        "invalid_state");
    const Json r = a->call("call-transfer", {{"call_id", "c2"}, {"specialty", "neurology"}});
    EXPECT_EQ(r["result"], 0);
    EXPECT_EQ(args_of(r)["specialty"], "neurology");
    EXPECT_EQ(
        args_of(a->call("call-transfer", {{"call_id", "c2"}, {"specialty", "ortho"}}))["code"],
        "unknown_specialty");
}

TEST_F(AdminTest, OverflowGetAndOverflowSet) {
    auto a = admin();
    const Json before = args_of(a->call("overflow-get"));
    EXPECT_EQ(before["specialties"][0],
              Json::parse(R"({"specialty":"cardiology","threshold":3,"enabled":true})"));
    EXPECT_EQ(before["teams"][0], Json::parse(R"({"team":"ext","active":0,"max_concurrent":2})"));
    const Json set = a->call("overflow-set", {{"specialty", "cardiology"}, {"threshold", 0}});
    EXPECT_EQ(args_of(set),
              Json::parse(R"({"specialty":"cardiology","threshold":0,"enabled":true})"));
    auto g = gateway();
    offer(*g, "c1");  // the queue exceeds 0: to the team
    EXPECT_EQ(args_of(a->call("overflow-get"))["teams"][0]["active"], 1);
    EXPECT_EQ(args_of(a->call("overflow-set", {{"specialty", "cardiology"}}))["code"],
              "bad_request");
    EXPECT_EQ(args_of(a->call("overflow-set", {{"specialty", "x"}, {"enabled", false}}))["code"],
              "unknown_specialty");
}

// A scripted hour: figures computed by hand. All waits are short (well under 5 s and the
// targets), so: answered within target = answered; the quick abandon is a short abandon.
TEST_F(AdminTest, StatsGetGivesTheServiceFiguresOfAScriptedScenario) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");  // to a1, answered, completed
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    event(*g, {{"type", "call.ended"}, {"call_id", "c1"}});
    offer(*g, "c2");  // to a1 again, abandoned while ringing (a short abandon)
    event(*g, {{"type", "call.ended"}, {"call_id", "c2"}});
    a->call("overflow-set", {{"specialty", "neurology"}, {"threshold", 0}});
    offer(*g, "c3", "+1002", "urgent");  // neurology: to the team, answered there
    event(*g, {{"type", "call.answered"}, {"call_id", "c3"}});
    offer(*g, "c4", "+9999");  // no specialty: rejected
    const Json stats = args_of(a->call("stats-get"));
    ASSERT_EQ(stats["specialties"].size(), 2U);
    const Json cardio = stats["specialties"][0]["classes"]["appointment"];
    EXPECT_EQ(cardio["offered"], 2);
    EXPECT_EQ(cardio["answered"], 1);
    EXPECT_EQ(cardio["answered_internal"], 1);
    EXPECT_EQ(cardio["abandoned"], 1);
    EXPECT_EQ(cardio["short_abandoned"], 1);
    EXPECT_EQ(cardio["answered_within_target"], 1);
    EXPECT_EQ(cardio["service_level"], 1.0);  // 1 / (1 + 1 - 1)
    EXPECT_EQ(cardio["answer_rate"], 1.0);    // 1 / (2 - 1)
    EXPECT_LT(cardio["asa_s"].get<double>(), 5.0);
    const Json neuro = stats["specialties"][1]["classes"]["urgent"];
    EXPECT_EQ(neuro["offered"], 1);
    EXPECT_EQ(neuro["answered"], 1);  // connected now
    EXPECT_EQ(neuro["answered_overflow"], 1);
    EXPECT_EQ(neuro["overflowed"], 1);
    EXPECT_TRUE(stats["specialties"][1]["classes"]["admin"]["service_level"].is_null());
    EXPECT_EQ(stats["rejected"], 1);
    // Nothing since a time after all of it.
    const Json later = args_of(a->call("stats-get", {{"since", "2999-01-01T00:00:00Z"}}));
    EXPECT_EQ(later["specialties"][0]["classes"]["appointment"]["offered"], 0);
    EXPECT_EQ(args_of(a->call("stats-get", {{"since", "yesterday"}}))["code"], "bad_request");
}

TEST_F(AdminTest, ConfigTestChecksAFileWithoutApplyingIt) {
    auto a = admin();
    EXPECT_EQ(a->call("config-test")["result"], 0);
    const std::string bad = (daemon->dir() / "bad.json").string();
    std::ofstream(bad) << R"({"specialties": [{"id": "x"}], "ring_timeout_s": 0})";
    const Json r = a->call("config-test", {{"path", bad}});
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(args_of(r)["errors"][0], "ring_timeout_s: must be between 1 and 600, got 0");
    EXPECT_EQ(args_of(a->call("agent-list"))["agents"].size(), 2U);
}

TEST_F(AdminTest, ConfigReloadAppliesAgentsLiveAndKeepsTheRunningConfigOnError) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    Json config = test_config(daemon->dir());
    config["agents"].push_back(
        {{"id", "a3"}, {"uri", "sip:a3@pbx.test"}, {"skills", {"neurology"}}});
    daemon->configure(config);
    EXPECT_EQ(a->call("config-reload")["result"], 0);
    const Json agents = args_of(a->call("agent-list"))["agents"];
    ASSERT_EQ(agents.size(), 3U);
    EXPECT_EQ(agents[0]["state"], "ready");  // a1 kept its state
    EXPECT_EQ(agents[2]["agent"], "a3");
    config["agents"][0]["skills"] = {"cardio"};
    daemon->configure(config);
    const Json r = a->call("config-reload");
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(args_of(r)["errors"][0], "agents[0].skills[0]: unknown specialty 'cardio'");
    EXPECT_EQ(args_of(a->call("agent-list"))["agents"].size(), 3U);
}

// Issue: a refused file said only how many errors it had.
TEST_F(AdminTest, ConfigTestNamesTheFirstErrorAndHowManyMore) {
    const std::string bad = (daemon->dir() / "bad.json").string();
    std::ofstream(bad) << R"({"specialties": [{"id": "x"}], "ring_timeout_s": 0, "x": 1})";
    const Json r = admin()->call("config-test", {{"path", bad}});
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(r["text"], bad + ": " + args_of(r)["errors"][0].get<std::string>() + " (and " +
                             std::to_string(args_of(r)["errors"].size() - 1) + " more)");
    EXPECT_GE(args_of(r)["errors"].size(), 2U);
}

TEST_F(AdminTest, ARefusedConfigReloadNamesTheFirstErrorAndLogsEachAtWarning) {
    Json config = test_config(daemon->dir());
    config["agents"][0]["skills"] = {"cardio"};
    config["ring_timeout_s"] = 0;
    daemon->configure(config);
    const std::string file = (daemon->dir() / "acdd.json").string();
    const Json r = admin()->call("config-reload");
    ASSERT_EQ(r["result"], 1);
    ASSERT_EQ(args_of(r)["errors"].size(), 2U);
    EXPECT_EQ(r["text"], file + ": " + args_of(r)["errors"][0].get<std::string>() +
                             " (and 1 more): the running configuration stays");
    for (const Json& e : args_of(r)["errors"]) {
        const std::string line = "warning config.invalid " + file + ": " + e.get<std::string>();
        EXPECT_TRUE(daemon->process().wait_for_stderr(line, 10s)) << line << "\n" << daemon->log();
    }
}

TEST_F(AdminTest, ConfigReloadReportsWhatNeedsARestart) {
    Json config = test_config(daemon->dir());
    config["gateway"]["listen"] = "127.0.0.1:1";
    daemon->configure(config);
    const Json r = admin()->call("config-reload");
    EXPECT_EQ(r["result"], 0);
    EXPECT_EQ(args_of(r)["needs_restart"], Json::array({"gateway.listen"}));
    GatewayClient still(daemon->port());  // still on the old port
    EXPECT_TRUE(still.hello("gw1"));
}

TEST_F(AdminTest, ConfigReloadIsRefusedWhileARemovedSpecialtyHoldsCalls) {
    auto g = gateway();
    offer(*g, "n1", "+1002");
    Json config = test_config(daemon->dir());
    config["specialties"].erase(1);
    config["agents"][1]["skills"] = {"cardiology"};
    daemon->configure(config);
    const Json r = admin()->call("config-reload");
    EXPECT_EQ(r["result"], 1);
    EXPECT_EQ(args_of(r)["code"], "invalid_state");
}

TEST_F(AdminTest, SighupReloadsTheConfiguration) {
    Json config = test_config(daemon->dir());
    config["agents"].push_back(
        {{"id", "a3"}, {"uri", "sip:a3@pbx.test"}, {"skills", {"neurology"}}});
    daemon->configure(config);
    daemon->process().signal(SIGHUP);
    ASSERT_TRUE(daemon->process().wait_for_stderr("config-reload by uid", 10s));
    EXPECT_EQ(args_of(admin()->call("agent-list"))["agents"].size(), 3U);
}

TEST_F(AdminTest, AuditVerifyWalksTheChain) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    const Json r = a->call("audit-verify");
    EXPECT_EQ(r["result"], 0);
    EXPECT_EQ(args_of(r)["ok"], true);
    EXPECT_GE(args_of(r)["records"], 3);
}

// Issue: a damaged index or page the chain's records do not show is found only by SQLite's own
// check: audit-verify with `deep` runs integrity_check too and says what it found.
TEST_F(AdminTest, AuditVerifyDeepAlsoRunsSqlitesIntegrityCheck) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    const Json r = a->call("audit-verify", {{"deep", true}});
    EXPECT_EQ(r["result"], 0) << r;
    EXPECT_EQ(args_of(r)["ok"], true) << r;
    EXPECT_EQ(args_of(r)["integrity"], "ok") << r;
    EXPECT_NE(r["text"].get<std::string>().find("integrity check finds nothing"),
              std::string::npos);
    EXPECT_FALSE(args_of(a->call("audit-verify")).contains("integrity"));  // not unless asked
    const Json bad = a->call("audit-verify", {{"deep", "yes"}});
    EXPECT_EQ(bad["result"], 1);
    EXPECT_EQ(args_of(bad)["code"], "bad_request");
    EXPECT_EQ(bad["text"], "argument 'deep' must be a boolean");
}

// Issue: a cut tail goes unseen unless a head is kept outside; acdd logs it at start (then
// hourly) and at shutdown, and audit-verify checks that the log still reaches one.
TEST_F(AdminTest, TheChainsHeadIsLoggedAndAuditVerifyChecksThatTheLogReachesIt) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    ASSERT_TRUE(daemon->process().wait_for_stderr("info audit.head record ", 10s)) << daemon->log();
    EXPECT_EQ(daemon->stop(), 0);
    const std::string log = daemon->log();
    const auto at = log.rfind("audit.head record ");
    ASSERT_NE(at, std::string::npos);
    const auto head_at = log.find(" head ", at) + 6;
    const std::string head = log.substr(head_at, log.find('\n', head_at) - head_at);
    ASSERT_TRUE(daemon->start()) << daemon->log();
    const Json r = admin()->call("audit-verify", {{"head", head}});
    EXPECT_EQ(r["result"], 0) << r;
    EXPECT_EQ(args_of(r)["head_reached"], true) << r;
    std::string changed = head;
    changed.back() = changed.back() == '0' ? '1' : '0';
    const Json cut = admin()->call("audit-verify", {{"head", changed}});
    EXPECT_EQ(args_of(cut)["head_reached"], false) << cut;
    EXPECT_NE(cut["text"].get<std::string>().find("does NOT reach the head"), std::string::npos);
    EXPECT_EQ(args_of(admin()->call("audit-verify", {{"head", "12"}}))["code"], "bad_request");
}

TEST_F(AdminTest, ChangesAreAuditedWithThePeersCredentialsArgumentsAndResult) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    a->call("agent-pause", {{"agent", "zz"}, {"reason", "break"}});
    a->call("version-get");  // changes nothing: not audited
    EXPECT_EQ(daemon->stop(), 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((daemon->dir() / "acdd.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT type, uid, gid, body FROM audit WHERE kind = 'action' ORDER BY id",
                       -1, &stmt, nullptr);
    std::vector<Json> actions;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        EXPECT_EQ(sqlite3_column_int64(stmt, 1), ::getuid());
        EXPECT_EQ(sqlite3_column_int64(stmt, 2), ::getgid());
        Json body = Json::parse(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)));
        body["type"] = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        actions.push_back(body);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    ASSERT_GE(actions.size(), 2U);
    EXPECT_EQ(actions[0]["type"], "agent-login");
    EXPECT_EQ(actions[0]["arguments"]["agent"], "a1");
    EXPECT_EQ(actions[0]["result"], 0);
    EXPECT_EQ(actions[1]["type"], "agent-pause");
    EXPECT_EQ(actions[1]["result"], 1);
}

// Admin protocol v1.1: the audit log is append-only, so a pause reason is one of pause_reasons
// and free text (a name, a number) never enters it, not even in the record of the refusal.
TEST_F(AdminTest, AgentPauseTakesOnlyAConfiguredReasonAndFreeTextNeverReachesTheAuditLog) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    const Json refused =
        a->call("agent-pause", {{"agent", "a1"}, {"reason", "call back +352621999999 Mme Martin"}});
    EXPECT_EQ(refused["result"], 1);
    EXPECT_EQ(args_of(refused)["code"], "bad_request");
    EXPECT_EQ(refused["text"],
              "argument 'reason' must be one of the configured pause_reasons: break, lunch, "
              "training, meeting, admin, no_answer, login");
    EXPECT_EQ(args_of(a->call("agent-pause", {{"agent", "a1"}, {"reason", "lunch"}}))["reason"],
              "lunch");
    EXPECT_EQ(daemon->stop(), 0);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((daemon->dir() / "acdd.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(
        db,
        "SELECT count(*) FROM audit WHERE body LIKE '%621999999%' OR changes LIKE '%621999999%'",
        -1, &stmt, nullptr);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int64(stmt, 0), 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

struct PauseReasonsTest : AdminTest {
    void adjust(Json& config) override { config["pause_reasons"] = {"coffee"}; }
};

TEST_F(PauseReasonsTest, TheConfiguredListReplacesTheDefaultAndAcddsOwnReasonsStay) {
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    EXPECT_EQ(args_of(a->call("agent-pause", {{"agent", "a1"}, {"reason", "break"}}))["code"],
              "bad_request");
    EXPECT_EQ(a->call("agent-pause", {{"agent", "a1"}, {"reason", "coffee"}})["result"], 0);
    a->call("agent-ready", {{"agent", "a1"}});
    EXPECT_EQ(a->call("agent-pause", {{"agent", "a1"}, {"reason", "no_answer"}})["result"], 0);
}

// ---------------------------------------------------------------------------------------------
// Subscriptions and shutdown
// ---------------------------------------------------------------------------------------------

TEST_F(AdminTest, SubscribeStreamsEveryChangeInOrder) {
    auto sub = admin();
    const Json r = sub->call("subscribe", {{"topics", {"calls", "agents"}}});
    EXPECT_EQ(r["result"], 0);
    auto a = admin();
    a->call("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    std::vector<std::string> seen;
    while (seen.size() < 4) {
        const auto m = sub->receive();
        ASSERT_TRUE(m);
        ASSERT_NE((*m)["topic"], "queues");
        std::string line = (*m)["topic"].get<std::string>();
        line += ' ';
        line += (*m)["event"].get<std::string>();
        if ((*m)["topic"] == "agents") {
            line += ' ';
            line += (*m)["agent"]["state"].get<std::string>();
        }
        seen.push_back(std::move(line));
    }
    EXPECT_EQ(seen, (std::vector<std::string>{"agents agent.state ready", "calls call.offered",
                                              "agents agent.state reserved", "calls call.routed"}));
}

TEST_F(AdminTest, AQueueTopicCarriesTheQueueAfterAChange) {
    auto sub = admin();
    sub->call("subscribe", {{"topics", {"queues"}}});
    auto g = gateway();
    offer(*g, "c1");
    const auto m = sub->receive();
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["queue"]["specialty"], "cardiology");
    EXPECT_EQ((*m)["queue"]["queued"], 1);
}

TEST_F(AdminTest, SubscribeRefusesAnUnknownTopic) {
    EXPECT_EQ(args_of(admin()->call("subscribe", {{"topics", {"weather"}}}))["code"],
              "bad_request");
}

TEST_F(AdminTest, ASubscriberThatFallsBehindIsDroppedWithAFinalErrorLine) {
    auto slow = admin();
    ASSERT_EQ(slow->call("subscribe")["result"], 0);
    auto a = admin();
    // Many changes, never read by the subscriber.
    for (int i = 0; i < 6000; ++i) {
        a->call(i % 2 ? "agent-login" : "agent-logout", {{"agent", "a2"}});
    }
    Json last;
    while (const auto m = slow->receive(5s))
        last = *m;
    EXPECT_EQ(last["result"], 1);
    EXPECT_EQ(last["arguments"]["code"], "too_slow");
    EXPECT_EQ(a->call("version-get")["result"], 0);  // the engine never waited for it
}

TEST_F(AdminTest, ShutdownStopsTheDaemonGracefully) {
    auto a = admin();
    EXPECT_EQ(a->call("shutdown")["result"], 0);
    EXPECT_EQ(daemon->process().wait(20s).exit_code, 0);
    EXPECT_FALSE(std::filesystem::exists(socket()));
}

}  // namespace
}  // namespace acd::test
