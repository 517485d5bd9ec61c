// acdctl (docs/acdctl.md) against a started acdd: its tables, --json, the exit statuses (success,
// error, unsupported, usage, unreachable, no answer), where the socket comes from, and the
// wallboard: one frame, live updates from the subscription, a new subscription after acdd
// drops a wallboard that fell behind, and waiting for an acdd that is not there yet.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "admin_client.hpp"
#include "daemon_test.hpp"
#include "text_lines.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

const std::string kAcdctl = ACD_ACDCTL_BINARY;

bool has_line(const std::string& text, const std::string& line) {
    const auto lines = lines_of(text);
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

bool has_line_starting(const std::string& text, const std::string& prefix) {
    for (const std::string& l : lines_of(text)) {
        if (l.starts_with(prefix)) return true;
    }
    return false;
}

// Waits until the child's stdout shows `text`.
bool watch_for(ChildProcess& p, const std::string& text) {
    return p.wait_until([&](const std::string& out,
                            const std::string&) { return out.find(text) != std::string::npos; },
                        std::chrono::seconds(20));
}

struct AcdctlTest : DaemonTest {
    // acdctl -s SOCKET ARGS...
    ProcessResult ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {kAcdctl, "-s", socket()});
        return run_process(args);
    }
    std::unique_ptr<ChildProcess> start_ctl(std::vector<std::string> args) {
        args.insert(args.begin(), {kAcdctl, "-s", socket()});
        return std::make_unique<ChildProcess>(args);
    }
    Json admin(const std::string& command, const Json& args = Json::object()) {
        return AdminClient(socket()).call(command, args);
    }
};

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

TEST_F(AcdctlTest, StatusShowsCallsAgentsByStateAndOverdueUrgentMessages) {
    admin("agent-login", {{"agent", "a1"}});
    const ProcessResult r = ctl({"status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 5U) << r.out;
    EXPECT_TRUE(lines[0].starts_with("acdd 0.1.0, up ")) << lines[0];
    EXPECT_EQ(lines[1], "calls:  0 queued, 0 offering, 0 connected");
    EXPECT_EQ(lines[2], "agents: 1 ready, 0 reserved, 0 busy, 0 wrap_up, 0 paused, 1 logged_out");
    EXPECT_EQ(lines[3], "messages: 0 urgent open for more than 30 min");
    EXPECT_EQ(lines[4], "alerts: none");
}

TEST_F(AcdctlTest, QueuesIsAnAlignedTable) {
    const ProcessResult r = ctl({"queues"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "SPECIALTY   QUEUED  OLDEST  READY  BUSY  OVER THRESHOLD\n"
              "cardiology       0       -      0     0  no\n"
              "neurology        0       -      0     0  no\n");
}

TEST_F(AcdctlTest, QueueShowsTheCallsInDispatchOrder) {
    auto g = gateway();
    offer(*g, "admin1", "+1001", "admin");
    offer(*g, "urgent1", "+1001", "urgent");
    const ProcessResult r = ctl({"queue", "cardiology"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 4U) << r.out;
    EXPECT_EQ(lines[0], "cardiology: 2 queued, in dispatch order");
    EXPECT_EQ(lines[1], "#  CALL     CLASS   WAIT  DEADLINE");
    EXPECT_TRUE(lines[2].starts_with("1  urgent1  urgent    ")) << lines[2];
    EXPECT_TRUE(lines[2].ends_with("s")) << lines[2];  // "in 30s" or "in 29s"
    EXPECT_TRUE(lines[3].starts_with("2  admin1   admin     ")) << lines[3];
    EXPECT_TRUE(lines[3].ends_with("in 4m59s") || lines[3].ends_with("in 5m00s")) << lines[3];
}

TEST_F(AcdctlTest, AnEmptyQueueSaysSoAndSucceeds) {
    const ProcessResult r = ctl({"queue", "neurology"});  // result 3
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "no calls queued for neurology\n");
    const ProcessResult calls = ctl({"calls"});
    EXPECT_EQ(calls.exit_code, 0);
    EXPECT_EQ(calls.out, "no live calls\n");
}

TEST_F(AcdctlTest, AgentsShowStateReasonCallAndSkills) {
    EXPECT_EQ(ctl({"agent", "login", "a1"}).out, "agent a1 logged in\n");
    EXPECT_EQ(ctl({"agent", "login", "a2", "--paused"}).out, "agent a2 logged in\n");
    const ProcessResult r = ctl({"agents"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out,
              "AGENT  STATE   FOR  REASON  CALL  SKILLS\n"
              "a1     ready    0s  -       -     cardiology\n"
              "a2     paused   0s  login   -     cardiology,neurology\n");
    // Only a configured reason: free text could name a patient in the audit log.
    EXPECT_EQ(ctl({"agent", "pause", "a1", "team", "meeting"}).exit_code, 1);
    EXPECT_EQ(ctl({"agent", "pause", "a1", "meeting"}).out, "agent a1 paused\n");
    EXPECT_TRUE(has_line_starting(ctl({"agents"}).out, "a1     paused   0s  meeting"));
    EXPECT_EQ(ctl({"agent", "ready", "a1"}).out, "agent a1 ready\n");
    EXPECT_EQ(ctl({"agent", "logout", "a1"}).out, "agent a1 logged out\n");
}

TEST_F(AcdctlTest, CallsAndTheCallActions) {
    admin("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");  // to a1
    offer(*g, "c2");  // queued behind it
    const ProcessResult r = ctl({"calls"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3U) << r.out;
    EXPECT_EQ(lines[0], "CALL  STATE     SPECIALTY   CLASS        WAIT  AGENT  GATEWAY");
    EXPECT_EQ(lines[1], "c1    offering  cardiology  appointment    0s  a1     gw1");
    EXPECT_EQ(lines[2], "c2    queued    cardiology  appointment    0s  -      gw1");
    EXPECT_EQ(ctl({"call", "reclassify", "c2", "urgent"}).out, "call c2 is now urgent\n");
    EXPECT_EQ(ctl({"call", "transfer", "c2", "neurology"}).out,
              "call c2 transferred to neurology\n");
    const ProcessResult refused = ctl({"call", "transfer", "c1", "neurology"});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_TRUE(refused.err.ends_with("(invalid_state)\n")) << refused.err;
}

TEST_F(AcdctlTest, OverflowShowsSpecialtiesAndTeamsAndSetChangesThem) {
    const ProcessResult r = ctl({"overflow"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 6U) << r.out;
    EXPECT_EQ(lines[0], "SPECIALTY   THRESHOLD  OVERFLOW");
    EXPECT_EQ(lines[1], "cardiology          3  enabled");
    EXPECT_EQ(lines[3], "");
    EXPECT_EQ(lines[4], "TEAM  ACTIVE  MAX");
    EXPECT_EQ(lines[5], "ext        0    2");
    EXPECT_EQ(ctl({"overflow", "set", "cardiology", "--threshold", "0", "--disable"}).out,
              "overflow of cardiology set\n");
    EXPECT_TRUE(has_line(ctl({"overflow"}).out, "cardiology          0  disabled"));
    EXPECT_EQ(ctl({"overflow", "set", "cardiology"}).exit_code, 2);  // nothing to set
}

TEST_F(AcdctlTest, StatsShowsTheRowsWithCallsAndTheServiceLevelAsAPercentage) {
    admin("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    offer(*g, "c9", "+9999");  // no specialty: rejected
    const ProcessResult r = ctl({"stats"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 4U) << r.out;
    EXPECT_TRUE(lines[0].starts_with("service figures since ")) << lines[0];
    EXPECT_EQ(lines[1],
              "SPECIALTY   CLASS        OFFERED  ANSWERED  ABANDONED  SHORT  OVERFLOWED  "
              "IN TARGET      SL  ANSWERED%  ASA  MAX WAIT");
    EXPECT_EQ(lines[2],
              "cardiology  appointment        1         1          0      0           0  "
              "        1  100.0%     100.0%   0s        0s");
    EXPECT_EQ(lines[3], "rejected (no specialty): 1");
    // --all: every specialty and class.
    EXPECT_EQ(lines_of(ctl({"stats", "--all"}).out).size(), 9U);
    EXPECT_EQ(ctl({"stats", "--since", "2h"}).exit_code, 0);
    EXPECT_EQ(ctl({"stats", "--since", "2999-01-01T00:00:00Z"}).out,
              "service figures since 2999-01-01T00:00:00.000Z\nno calls\n");
}

// admin-protocol.md v1.1 quality-list and quality-evaluate, as tables (routing.md "Quality
// sample").
struct AcdctlQualityTest : AcdctlTest {
    void SetUp() override {
        AcdctlTest::SetUp();
        ASSERT_EQ(daemon->stop(), 0);
        Json config = test_config(daemon->dir());
        config["quality"] = {{"sample_percent", 100}};  // every call routed to an agent
        daemon->configure(config);
        ASSERT_TRUE(daemon->start()) << daemon->log();
    }
};

TEST_F(AcdctlQualityTest, QualityListIsEmptyBeforeAnyAnsweredCall) {
    const ProcessResult r = ctl({"quality"});  // result 3
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("no calls in the quality sample since ")) << r.out;
}

TEST_F(AcdctlQualityTest, QualityListsTheSampleAndEvaluateScoresACall) {
    admin("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");
    event(*g, {{"type", "call.answered"}, {"call_id", "c1"}});
    ProcessResult r = ctl({"quality", "list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3U) << r.out;
    EXPECT_TRUE(lines[0].starts_with("quality sample since ")) << lines[0];
    EXPECT_TRUE(lines[0].ends_with(": 1 calls, 0 evaluated")) << lines[0];
    EXPECT_EQ(lines[1],
              "CALL  SPECIALTY   CLASS        AGENT  ANSWERED             SCORE  BY  COMMENT");
    EXPECT_TRUE(lines[2].starts_with("c1    cardiology  appointment  a1     20")) << lines[2];
    EXPECT_TRUE(lines[2].ends_with("      -  -   -")) << lines[2];

    r = ctl({"quality", "evaluate", "c1", "4", "--by", "chef", "clear", "and", "kind"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "call c1 evaluated 4/5\n");
    lines = lines_of(ctl({"quality", "--since", "1h"}).out);
    ASSERT_EQ(lines.size(), 3U);
    EXPECT_TRUE(lines[0].ends_with(": 1 calls, 1 evaluated")) << lines[0];
    EXPECT_TRUE(lines[2].ends_with("  4/5  chef  clear and kind")) << lines[2];

    const ProcessResult j = ctl({"--json", "quality"});
    EXPECT_EQ(j.exit_code, 0);
    EXPECT_EQ(Json::parse(j.out)["arguments"]["calls"][0]["evaluation"]["score"], 4);
}

TEST_F(AcdctlQualityTest, QualityEvaluateRefusalsExitOneWithTheDaemonsCode) {
    // Not in the sample (no such call): invalid_state.
    ProcessResult r = ctl({"quality", "evaluate", "c9", "3", "--by", "chef", "fine"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.err.ends_with("(invalid_state)\n")) << r.err;
    // Out of range: the daemon's bad_request.
    r = ctl({"quality", "evaluate", "c9", "9", "--by", "chef", "fine"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.err.ends_with("(bad_request)\n")) << r.err;
    // --json: the response as received, and still exit 1.
    r = ctl({"-j", "quality", "evaluate", "c9", "3", "--by", "chef", "fine"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(Json::parse(r.out)["arguments"]["code"], "invalid_state");
}

TEST_F(AcdctlTest, ConfigTestListsEveryErrorAndExitsOne) {
    EXPECT_EQ(ctl({"config", "test"}).out, "ok: " + (daemon->dir() / "acdd.json").string() + "\n");
    const std::string bad = (daemon->dir() / "bad.json").string();
    std::ofstream(bad) << R"({"specialties": [{"id": "x"}], "ring_timeout_s": 0})";
    const ProcessResult r = ctl({"config", "test", bad});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.err.starts_with("acdctl: ")) << r.err;
    EXPECT_TRUE(has_line(r.err, "  ring_timeout_s: must be between 1 and 600, got 0")) << r.err;
    EXPECT_EQ(ctl({"config", "reload"}).out, "configuration reloaded\n");
}

TEST_F(AcdctlTest, AuditVerifyCommandsAndVersion) {
    admin("agent-login", {{"agent", "a1"}});
    const ProcessResult audit = ctl({"audit", "verify"});
    EXPECT_EQ(audit.exit_code, 0) << audit.err;
    EXPECT_TRUE(audit.out.starts_with("the audit chain of ")) << audit.out;
    EXPECT_TRUE(has_line(ctl({"commands"}).out, "agent-pause"));
    EXPECT_EQ(ctl({"version"}).out, "acdd 0.1.0\n");
}

TEST_F(AcdctlTest, BackupCopiesTheDatabaseToANewFile) {
    admin("agent-login", {{"agent", "a1"}});
    const std::string copy = (daemon->dir() / "copy.db").string();
    const ProcessResult r = ctl({"backup", copy});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.starts_with("backed up ")) << r.out;
    EXPECT_TRUE(r.out.ends_with(" audit records to " + copy + "\n")) << r.out;
    EXPECT_TRUE(std::filesystem::is_regular_file(copy));
    // --json: the records counted in the copy.
    const ProcessResult j = ctl({"--json", "backup", (daemon->dir() / "copy2.db").string()});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_GT(Json::parse(j.out)["arguments"]["records"].get<std::int64_t>(), 0);
}

TEST_F(AcdctlTest, BackupTakesARelativeFileFromAcdctlsFolder) {
    // acdd runs elsewhere: acdctl sends the path made absolute against its own folder.
    const std::filesystem::path here = daemon->dir() / "backups";
    std::filesystem::create_directory(here);
    const ProcessResult r =
        run_process({"/bin/sh", "-c", "cd \"$0\" && exec \"$1\" -s \"$2\" backup ./sub/../today.db",
                     here.string(), kAcdctl, socket()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.ends_with(" to " + (here / "today.db").string() + "\n")) << r.out;
    EXPECT_TRUE(std::filesystem::is_regular_file(here / "today.db"));
}

TEST_F(AcdctlTest, BackupRefusesAFileThatExistsAndExitsOne) {
    const std::string copy = (daemon->dir() / "acdd.json").string();
    const ProcessResult r = ctl({"backup", copy});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "acdctl: " + copy + " exists already: choose a new file (store)\n");
}

// ---------------------------------------------------------------------------------------------
// --json and raw
// ---------------------------------------------------------------------------------------------

TEST_F(AcdctlTest, JsonPrintsTheDaemonsResponseUnchanged) {
    const ProcessResult r = ctl({"--json", "agent", "login", "a1"});
    EXPECT_EQ(r.exit_code, 0);
    ASSERT_EQ(lines_of(r.out).size(), 1U) << r.out;
    EXPECT_EQ(Json::parse(r.out), Json::parse(R"({"result":0,"text":"agent a1 logged in",
        "arguments":{"agent":"a1","state":"ready","reason":null,"skills":["cardiology"],
        "call_id":null,"state_for_s":0}})"));
    // The response line as it came: the daemon's own serialization, key order included.
    const std::string list = ctl({"agents", "--json"}).out;
    EXPECT_EQ(list, admin("agent-list").dump() + "\n");
}

TEST_F(AcdctlTest, JsonOfAnErrorIsTheResponseWithExitOne) {
    const ProcessResult r = ctl({"-j", "agent", "pause", "zz", "break"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(Json::parse(r.out)["arguments"]["code"], "unknown_agent");
}

TEST_F(AcdctlTest, RawSendsAnyCommand) {
    const ProcessResult r = ctl({"raw", "queue-get", R"({"specialty":"cardiology"})"});
    EXPECT_EQ(r.exit_code, 0);  // result 3: empty
    EXPECT_EQ(Json::parse(r.out)["result"], 3);
    EXPECT_EQ(ctl({"raw", "queue-get", "[1]"}).exit_code, 2);  // not an object: usage
}

// ---------------------------------------------------------------------------------------------
// Exit statuses and errors
// ---------------------------------------------------------------------------------------------

TEST_F(AcdctlTest, AnErrorPrintsTheDaemonsTextAndCodeAndExitsOne) {
    const ProcessResult r = ctl({"agent", "pause", "zz", "break"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "acdctl: unknown agent 'zz' (unknown_agent)\n");
}

TEST_F(AcdctlTest, AnUnsupportedCommandExitsTwo) {
    const ProcessResult r = ctl({"raw", "coffee-make"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(Json::parse(r.out)["result"], 2);
}

TEST_F(AcdctlTest, UsageErrorsExitTwoWithoutTalkingToTheDaemon) {
    for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
             {},
             {"frobnicate"},
             {"agent", "pause", "a1"},
             {"agent", "sleep", "a1"},
             {"queue"},
             {"status", "extra"},
             {"stats", "--since", "yesterday"},
             {"overflow", "set", "cardiology", "--threshold", "many"},
             {"watch", "--json"},
             {"quality", "frobnicate"},
             {"quality", "--since", "yesterday"},
             {"quality", "evaluate", "c1", "four", "--by", "chef", "ok"},
             {"quality", "evaluate", "c1", "4", "ok"},
             {"quality", "evaluate", "c1", "4", "--by", "chef"},
             {"backup"},
             {"backup", "a.db", "b.db"},
             {"--timeout", "0", "status"}}) {
        const ProcessResult r = ctl(args);
        EXPECT_EQ(r.exit_code, 2) << testing::PrintToString(args);
        EXPECT_TRUE(r.err.starts_with("acdctl: ")) << r.err;
        EXPECT_EQ(r.out, "");
    }
    const ProcessResult missing = ctl({"agent", "pause", "a1"});
    EXPECT_EQ(missing.err,
              "acdctl: missing arguments: acdctl agent pause AGENT REASON\n"
              "Try 'acdctl --help'.\n");
}

TEST_F(AcdctlTest, HelpAndVersion) {
    const ProcessResult help = run_process({kAcdctl, "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("agent pause AGENT REASON"), std::string::npos);
    EXPECT_EQ(run_process({kAcdctl, "--version"}).out, "acdctl 0.1.0\n");
}

TEST(Acdctl, AnUnreachableDaemonExitsThree) {
    const ProcessResult r = run_process({kAcdctl, "-s", "/nonexistent/admin.sock", "status"});
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err,
              "acdctl: cannot connect to /nonexistent/admin.sock: No such file or directory (is "
              "acdd running? the socket is admin.socket in its configuration)\n");
    const ProcessResult watch =
        run_process({kAcdctl, "-s", "/nonexistent/admin.sock", "watch", "--once"});
    EXPECT_EQ(watch.exit_code, 3);
    const ProcessResult backup =
        run_process({kAcdctl, "-s", "/nonexistent/admin.sock", "backup", "/tmp/never.db"});
    EXPECT_EQ(backup.exit_code, 3);
}

TEST(Acdctl, ADaemonThatDoesNotAnswerTimesOutAndExitsThree) {
    TempDir dir;
    const std::string path = (dir.path() / "mute.sock").string();
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);  // connections are queued, never answered
    const ProcessResult r = run_process({kAcdctl, "-s", path, "-t", "0.3", "status"});
    ::close(fd);
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_EQ(r.err, "acdctl: no response from acdd within 300 ms\n");
}

// ---------------------------------------------------------------------------------------------
// Where the socket comes from
// ---------------------------------------------------------------------------------------------

TEST_F(AcdctlTest, TheSocketComesFromTheConfigFileOrTheEnvironment) {
    const std::string config = (daemon->dir() / "acdd.json").string();
    const ProcessResult from_config = run_process({kAcdctl, "-c", config, "version"});
    EXPECT_EQ(from_config.exit_code, 0) << from_config.err;
    EXPECT_EQ(from_config.out, "acdd 0.1.0\n");
    const ProcessResult from_env = run_process({kAcdctl, "version"}, {"ACDCTL_SOCKET=" + socket()});
    EXPECT_EQ(from_env.out, "acdd 0.1.0\n");
    // -s wins over the environment.
    const ProcessResult both = run_process({kAcdctl, "-s", socket(), "version"},
                                           {"ACDCTL_SOCKET=/nonexistent/admin.sock"});
    EXPECT_EQ(both.exit_code, 0);
    const ProcessResult bad_config = run_process({kAcdctl, "-c", "/nonexistent.json", "version"});
    EXPECT_EQ(bad_config.exit_code, 2);
}

// Issue: an error anywhere in the file kept acdctl from reaching the running acdd.
TEST_F(AcdctlTest, OfTheConfigFileOnlyAdminSocketIsRead) {
    Json config = test_config(daemon->dir());
    config["agents"][0]["skills"] = {"cardio"};  // an error acdd would refuse
    const std::string file = (daemon->dir() / "being-fixed.json").string();
    std::ofstream(file) << config.dump();
    const ProcessResult r = run_process({kAcdctl, "-c", file, "version"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "acdd 0.1.0\n");
    // A relative socket path is taken from the file's folder, as acdd does.
    config["admin"]["socket"] = "./admin.sock";
    std::ofstream(file) << config.dump();
    EXPECT_EQ(run_process({kAcdctl, "-c", file, "version"}).out, "acdd 0.1.0\n");
}

TEST_F(AcdctlTest, AConfigFileWithoutAdminSocketSaysSoAndABadOneIsNamed) {
    const std::string file = (daemon->dir() / "other.json").string();
    std::ofstream(file) << R"({"specialties": []})";
    const ProcessResult none = run_process({kAcdctl, "-c", file, "version"});
    EXPECT_NE(none.err.find("acdctl: " + file +
                            " sets no admin.socket: using acdd's default, /run/acdd/admin.sock\n"),
              std::string::npos)
        << none.err;
    std::ofstream(file) << R"({"admin": {"socket": 7}})";
    const ProcessResult bad = run_process({kAcdctl, "-c", file, "version"});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_EQ(bad.err, "acdctl: cannot take admin.socket from " + file +
                           ":\n  admin.socket: expected a string, got 7\n");
}

// ---------------------------------------------------------------------------------------------
// The wallboard and subscriptions
// ---------------------------------------------------------------------------------------------

TEST_F(AcdctlTest, WatchOncePrintsOneFrame) {
    admin("agent-login", {{"agent", "a1"}});
    auto g = gateway();
    offer(*g, "c1");                     // to a1: ringing
    offer(*g, "c2", "+1002", "urgent");  // neurology: nobody there, waits
    const ProcessResult r = ctl({"watch", "--once"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 21U) << r.out;
    EXPECT_TRUE(lines[0].starts_with("acdd 0.1.0 wallboard · " + socket() + " · ")) << lines[0];
    EXPECT_EQ(lines[1],
              "calls: 1 waiting, 1 ringing, 0 talking    agents: 0 ready, 1 reserved, 0 busy, 0 "
              "wrap_up, 0 paused, 1 logged_out");
    // Today's figures, from stats-get.
    EXPECT_TRUE(lines[2].starts_with("today since ")) << lines[2];
    EXPECT_TRUE(lines[2].ends_with(": 2 calls, 0 answered, 0 abandoned, service level -"))
        << lines[2];
    EXPECT_EQ(lines[4], "WAITING CALLS (2)");
    EXPECT_EQ(lines[5], "CALL  SPECIALTY   CLASS        WAIT  DEADLINE  AT");
    EXPECT_TRUE(lines[6].starts_with("c2    neurology   urgent         0s    in ")) << lines[6];
    EXPECT_TRUE(lines[6].ends_with("s  queue       [..........]")) << lines[6];
    // Ringing calls stay in the list, where they ring.
    EXPECT_EQ(lines[7], "c1    cardiology  appointment    0s         -  ringing a1");
    EXPECT_EQ(lines[9], "QUEUES AND TODAY");
    EXPECT_EQ(lines[10], "SPECIALTY   QUEUED  OLDEST  READY  BUSY  CALLS  ANSW  ABAND  SL");
    EXPECT_EQ(lines[11], "cardiology       0       -      0     1      1     0      0   -");
    EXPECT_EQ(lines[12], "neurology        1      0s      0     0      1     0      0   -");
    EXPECT_EQ(lines[14], "TEAMS (1)");
    EXPECT_EQ(lines[15], "TEAM  LOAD  CALLS");
    EXPECT_EQ(lines[16], "ext    0/2");
    EXPECT_EQ(lines[18], "AGENTS (1 logged in)");
    EXPECT_EQ(lines[19], "AGENT  STATE     FOR  DETAIL");
    EXPECT_EQ(lines[20], "a1     reserved   0s  call c1");
}

// Issue: calls ringing at a team vanished from the list, and the team's load was not shown.
TEST_F(AcdctlTest, WatchListsACallRingingAtATeamAndTheTeamsLoad) {
    auto g = gateway();
    // No agent: past cardiology's threshold of 3 waiting calls, the last goes to the team.
    for (const char* id : {"c1", "c2", "c3", "c4"})
        offer(*g, id);
    const ProcessResult r = ctl({"watch", "--once"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("WAITING CALLS (4)\n"), std::string::npos) << r.out;
    EXPECT_TRUE(has_line_starting(r.out, "c4    cardiology  appointment")) << r.out;
    EXPECT_NE(r.out.find("  ringing team ext"), std::string::npos) << r.out;
    EXPECT_TRUE(has_line(r.out, "ext    1/2  c4 ringing")) << r.out;
}

// Issue: after acdd stopped, the old numbers stayed as if current.
TEST_F(AcdctlTest, WatchMarksTheFiguresStaleWhenAcddStops) {
    auto watch = start_ctl({"watch"});
    ASSERT_TRUE(watch_for(*watch, "AGENTS (0 logged in)")) << watch->out_so_far();
    ASSERT_EQ(daemon->stop(), 0);  // SIGTERM to its PID
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("DISCONNECTED — figures stale since ") != std::string::npos &&
                   out.find("AGENTS (0 logged in) — STALE") != std::string::npos;
        },
        20s))
        << watch->out_so_far() << watch->err_so_far();
    watch->signal(SIGINT);
    EXPECT_EQ(watch->wait(20s).exit_code, 0);
}

TEST_F(AcdctlTest, WatchFollowsTheSubscriptionUntilCtrlC) {
    auto watch = start_ctl({"watch"});
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("AGENTS (0 logged in)") != std::string::npos;
        },
        20s))
        << watch->out_so_far() << watch->err_so_far();
    admin("agent-login", {{"agent", "a1"}});
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("a1     ready") != std::string::npos;
        },
        20s))
        << watch->out_so_far();
    auto g = gateway();
    offer(*g, "c1", "+1002", "urgent");  // waits in neurology
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            // The deadline comes from queue-get once the call is known from the stream.
            return out.find("c1    neurology  urgent") != std::string::npos &&
                   out.find("WAITING CALLS (1)") != std::string::npos &&
                   has_line_starting(out, "c1    neurology  urgent") &&
                   out.find("  queue  [") != std::string::npos;
        },
        20s))
        << watch->out_so_far();
    watch->signal(SIGINT);
    const ProcessResult r = watch->wait(20s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(AcdctlTest, WatchSubscribesAgainAfterAcddDropsItForBeingSlow) {
    auto watch = start_ctl({"watch"});
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("AGENTS (0 logged in)") != std::string::npos;
        },
        20s));
    watch->signal(SIGSTOP);  // it reads nothing while stopped
    AdminClient a(socket());
    for (int i = 0; i < 6000; ++i)
        a.call(i % 2 ? "agent-login" : "agent-logout", {{"agent", "a2"}});  // ends logged in
    watch->signal(SIGCONT);
    ASSERT_TRUE(watch->wait_until(
        [](const std::string&, const std::string& err) {
            return err.find("acdctl: watch: acdd ended the subscription: subscriber too slow") !=
                       std::string::npos &&
                   err.find("subscribed again") != std::string::npos;
        },
        30s))
        << watch->err_so_far();
    a.call("agent-login", {{"agent", "a1"}});
    ASSERT_TRUE(watch->wait_until(
        [](const std::string& out, const std::string&) {
            return out.find("AGENTS (2 logged in)") != std::string::npos;
        },
        20s));
    watch->signal(SIGTERM);
    EXPECT_EQ(watch->wait(20s).exit_code, 0);
}

TEST(Acdctl, WatchWaitsForADaemonThatIsNotThereYet) {
    Daemon later;
    const std::string socket = (later.dir() / "admin.sock").string();
    ChildProcess watch({kAcdctl, "-s", socket, "watch"});
    ASSERT_TRUE(watch.wait_until(
        [](const std::string&, const std::string& err) {
            return err.find("No such file or directory") != std::string::npos &&
                   err.find("trying again in") != std::string::npos;
        },
        20s))
        << watch.err_so_far();
    ASSERT_TRUE(later.start()) << later.log();
    ASSERT_TRUE(watch_for(watch, "AGENTS (0 logged in)")) << watch.out_so_far();
    watch.signal(SIGINT);
    EXPECT_EQ(watch.wait(20s).exit_code, 0);
}

TEST_F(AcdctlTest, SubscribePrintsEveryChangeAsAJsonLine) {
    auto sub = start_ctl({"subscribe", "agents"});
    ASSERT_TRUE(watch_for(*sub, "\"subscribed\""));
    admin("agent-login", {{"agent", "a1"}});
    ASSERT_TRUE(watch_for(*sub, "\"agent.state\""));
    const auto lines = lines_of(sub->out_so_far());
    ASSERT_GE(lines.size(), 2U);
    EXPECT_EQ(Json::parse(lines[0])["arguments"]["topics"], Json::array({"agents"}));
    EXPECT_EQ(Json::parse(lines[1])["agent"]["state"], "ready");
}

TEST_F(AcdctlTest, ShutdownStopsTheDaemon) {
    const ProcessResult r = ctl({"shutdown"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "acdd is stopping\n");
    EXPECT_EQ(daemon->process().wait(20s).exit_code, 0);
    EXPECT_EQ(ctl({"status"}).exit_code, 3);
}

}  // namespace
}  // namespace acd::test
