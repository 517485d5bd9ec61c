// acd-load against a started acdd: what its report says of the errors acdd sent, and the agents
// it played put back as it found them, at the end of the run and on SIGTERM.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

const std::string kLoad = ACD_LOAD_BINARY;

std::vector<std::string> load_args(const Daemon& daemon, const std::string& config,
                                   std::vector<std::string> more) {
    std::vector<std::string> args = {kLoad, "--connect",
                                     "127.0.0.1:" + std::to_string(daemon.port()), "-c", config};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// Issue: the report counted errors by code only; which events got them was left to guess.
TEST(LoadDaemon, TheReportSaysWhichEventsGotWhichErrors) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    // acd-load plays an agent that this acdd does not know.
    Json config = test_config(daemon.dir());
    config["agents"].push_back(
        {{"id", "ghost"}, {"uri", "sip:ghost@pbx.test"}, {"skills", {"cardiology"}}});
    const std::string file = (daemon.dir() / "load.json").string();
    std::ofstream(file) << config.dump();
    const ProcessResult r =
        run_process(load_args(daemon, file, {"--rate", "20", "--duration", "0.2", "--json"}));
    const Json report = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << r.out << r.err;
    EXPECT_GE(report["errors"].value("agent.state unknown_agent", 0), 2) << report["errors"];
    for (const auto& [key, count] : report["errors"].items())
        EXPECT_TRUE(key.starts_with("agent.state ") || key.starts_with("call.")) << key;
    EXPECT_EQ(daemon.stop(), 0);
}

// Three agents in three states before the run: paused for lunch, ready, logged out.
struct LoadRestoreTest : testing::Test {
    Daemon daemon;
    std::string config = (daemon.dir() / "acdd.json").string();

    void SetUp() override {
        Json c = test_config(daemon.dir());
        c["agents"].push_back({{"id", "a3"},
                               {"uri", "sip:a3@pbx.test"},
                               {"skills", {"cardiology"}},
                               {"wrap_up_s", 0}});
        daemon.configure(c);
        ASSERT_TRUE(daemon.start()) << daemon.log();
        AdminClient admin(socket());
        ASSERT_EQ(admin.call("agent-login", {{"agent", "a1"}})["result"], 0);
        ASSERT_EQ(admin.call("agent-pause", {{"agent", "a1"}, {"reason", "lunch"}})["result"], 0);
        ASSERT_EQ(admin.call("agent-login", {{"agent", "a2"}})["result"], 0);
    }
    std::string socket() const { return (daemon.dir() / "admin.sock").string(); }
    // Each agent's state, and its reason when paused.
    std::map<std::string, std::string> states() {
        std::map<std::string, std::string> out;
        const Json list = AdminClient(socket()).call("agent-list");
        for (const Json& a : list["arguments"]["agents"]) {
            std::string s = a["state"];
            if (a["reason"].is_string()) s += " " + a["reason"].get<std::string>();
            out[a["agent"]] = s;
        }
        return out;
    }
    const std::map<std::string, std::string> kBefore = {
        {"a1", "paused lunch"}, {"a2", "ready"}, {"a3", "logged_out"}};
};

// Issue: a run left the configuration's agents paused.
TEST_F(LoadRestoreTest, AtTheEndTheAgentsPlayedAreAsTheyWereFound) {
    // Half the offers not answered: acdd pauses the agents (no_answer) during the run.
    const ProcessResult r = run_process(load_args(
        daemon, config,
        {"--rate", "50", "--duration", "1", "--no-answer", "50", "--handle-ms", "50", "--json"}));
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const Json report = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << r.out << r.err;
    EXPECT_GT(report["calls"]["no_answer"].get<int>(), 0);
    EXPECT_EQ(report["agents"]["played"], Json({"a1", "a2", "a3"}));
    EXPECT_EQ(report["agents"]["restore_checked"], true);
    EXPECT_EQ(report["agents"]["not_restored"], Json::array());
    EXPECT_EQ(states(), kBefore);
    EXPECT_EQ(daemon.stop(), 0);
}

TEST_F(LoadRestoreTest, OnSigtermTheAgentsPlayedAreAsTheyWereFound) {
    ChildProcess load(
        load_args(daemon, config, {"--rate", "50", "--duration", "600", "--progress", "--json"}));
    // The first progress line comes once the run has begun: the agents are being played.
    ASSERT_TRUE(load.wait_for_stderr("acd-load.progress", 20s)) << load.err_so_far();
    load.signal(SIGTERM);
    const ProcessResult r = load.wait(30s);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // the run did not go to its end
    const Json report = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << r.out << r.err;
    EXPECT_EQ(report["failure"], "interrupted");
    EXPECT_EQ(report["agents"]["not_restored"], Json::array());
    EXPECT_EQ(states(), kBefore);
    EXPECT_EQ(daemon.stop(), 0);
}

// Without the states acd-load could not put the agents back: it does not start.
TEST_F(LoadRestoreTest, AnUnreadableAdminSocketStopsTheRunBeforeItStarts) {
    const ProcessResult r = run_process(load_args(
        daemon, config, {"--admin-socket", "/nonexistent/admin.sock", "--duration", "0.2"}));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(
        r.err.starts_with("acd-load: cannot read the agents' states before the run, to "
                          "put them back after it: cannot connect to "
                          "/nonexistent/admin.sock"))
        << r.err;
    EXPECT_NE(r.err.find("--no-restore"), std::string::npos) << r.err;
    EXPECT_EQ(states(), kBefore);
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
