// Real SIP calls through Kamailio (config/kamailio/acdd.cfg), acd-kamailio and acdd, with sipp
// as the callers and the agents' phones (docs/spec/telephony.md). One test per rule.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "chain.hpp"

namespace acd::e2e {
namespace {

// Starts acdd, Kamailio and (unless told not to) the bridge; skips without kamailio or sipp.
#define START_CHAIN(chain)                                                          \
    do {                                                                            \
        if (!tools_present()) GTEST_SKIP() << "kamailio or sipp is not installed";  \
        ASSERT_TRUE(chain.start_acdd()) << chain.logs();                            \
        ASSERT_TRUE(chain.start_kamailio()) << chain.logs();                        \
        ASSERT_TRUE(!options.start_bridge || chain.start_bridge()) << chain.logs(); \
    } while (false)

TEST(KamailioChain, CallIsAnsweredByTheLongestIdleAgent) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_answer");
    chain.phone("a02", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    ASSERT_TRUE(chain.feature_code("a02", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_answered");
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"agent\":\"a01\""})) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.ended\"", "\"call_id\":\"c-1-"})) << chain.logs();
}

TEST(KamailioChain, AgentHangingUpEndsTheCall) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_hangs_up");  // BYE from the agent's side
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_hung_up_on");
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.ended\"", "\"call_id\":\"c-1-"})) << chain.logs();
    EXPECT_TRUE(chain.bridge_logged({"call.ended", "normal_clearing"})) << chain.logs();
}

TEST(KamailioChain, RingNoAnswerPausesTheAgentAndRingsTheNext) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_ring");
    auto& a02 = chain.phone("a02", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    ASSERT_TRUE(chain.feature_code("a02", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_answered");
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();  // rang, then was cancelled
    EXPECT_EQ(Chain::finished(a02), 0) << chain.logs();
    EXPECT_TRUE(
        chain.saw({"\"agent\":\"a01\"", "\"state\":\"paused\"", "\"reason\":\"no_answer\""}))
        << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"agent\":\"a02\""})) << chain.logs();
}

TEST(KamailioChain, BusyAgentIsANoAnswerAndTheNextAgentAnswers) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_busy");
    auto& a02 = chain.phone("a02", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    ASSERT_TRUE(chain.feature_code("a02", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_answered");
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a02), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.no_answer\""})) << chain.logs();
    EXPECT_TRUE(
        chain.saw({"\"agent\":\"a01\"", "\"state\":\"paused\"", "\"reason\":\"no_answer\""}))
        << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"agent\":\"a02\""})) << chain.logs();
}

TEST(KamailioChain, CallerHangingUpWhileQueuedIsAbandoned) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& caller = chain.caller("c", "caller_cancel_queued");  // hangs up on 182 Queued
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.ended\"", "\"call_id\":\"c-1-"})) << chain.logs();
    const auto stats = chain.admin({"stats"});
    EXPECT_NE(stats.dump().find("\"abandoned\":1"), std::string::npos) << stats.dump();
}

TEST(KamailioChain, CallerHangingUpWhileRingingEndsTheCall) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_ring");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_cancel_ringing");  // hangs up on 180 Ringing
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();  // its ringing was cancelled
    EXPECT_TRUE(chain.saw({"\"event\":\"call.ended\"", "\"call_id\":\"c-1-"})) << chain.logs();
    EXPECT_FALSE(chain.saw({"\"event\":\"call.no_answer\""}, 0ms)) << chain.logs();
}

TEST(KamailioChain, FourthWaitingCallGoesToTheOverflowTeam) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& team = chain.phone("ext", "agent_answer");
    // Four calls, nobody ready: more than 3 wait, the last in dispatch order overflows.
    auto& callers = chain.caller("c", "caller_answered", "appointment", 4);
    EXPECT_EQ(Chain::finished(team), 0) << chain.logs();
    EXPECT_TRUE(
        chain.saw({"\"event\":\"call.answered\"", "\"team\":\"ext\"", "\"call_id\":\"c-4-"}))
        << chain.logs();
    EXPECT_TRUE(chain.bridge_logged({"call.route", "\"team\":\"ext\"", "c-4-"})) << chain.logs();
    callers.signal(SIGTERM);  // the first three still wait
}

TEST(KamailioChain, UrgentCallIsAnsweredBeforeAnEarlierAppointmentCall) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& appointment = chain.caller("appt", "caller_answered", "appointment");
    ASSERT_TRUE(chain.saw({"\"event\":\"call.queued\"", "\"call_id\":\"appt-1-"})) << chain.logs();
    auto& urgent = chain.caller("urg", "caller_answered", "urgent");
    ASSERT_TRUE(chain.saw({"\"event\":\"call.queued\"", "\"call_id\":\"urg-1-"})) << chain.logs();
    auto& a01 = chain.phone("a01", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    EXPECT_EQ(Chain::finished(urgent), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(
        chain.saw({"\"event\":\"call.answered\"", "\"call_id\":\"urg-1-", "\"agent\":\"a01\""}))
        << chain.logs();
    appointment.signal(SIGTERM);
}

TEST(KamailioChain, HeldCallsSurviveARestartOfTheBridge) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& caller = chain.caller("c", "caller_answered");
    ASSERT_TRUE(chain.saw({"\"event\":\"call.queued\"", "\"call_id\":\"c-1-"})) << chain.logs();
    chain.kill_bridge();
    ASSERT_TRUE(chain.start_bridge()) << chain.logs();
    auto& a01 = chain.phone("a01", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"call_id\":\"c-1-"})) << chain.logs();
}

TEST(KamailioChain, HeldCallsSurviveAnAcddCrash) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    auto& caller = chain.caller("c", "caller_answered");
    ASSERT_TRUE(chain.saw({"\"event\":\"call.queued\"", "\"call_id\":\"c-1-"})) << chain.logs();
    chain.kill_acdd();  // SIGKILL
    ASSERT_TRUE(chain.start_acdd()) << chain.logs();
    ASSERT_TRUE(chain.bridge_logged({"acdd.welcome"}, 20s)) << chain.logs();
    auto& a01 = chain.phone("a01", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"call_id\":\"c-1-"})) << chain.logs();
}

TEST(KamailioChain, HeldCallsAreOfferedAgainWhenABridgeConnects) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    chain.kill_acdd();  // the offer below waits in the bridge, unacknowledged...
    auto& caller = chain.caller("c", "caller_answered");
    ASSERT_TRUE(chain.bridge_logged({"event", "call.offered", "c-1-"})) << chain.logs();
    chain.kill_bridge();  // ... and is lost with it
    ASSERT_TRUE(chain.start_acdd()) << chain.logs();
    ASSERT_TRUE(chain.start_bridge()) << chain.logs();
    auto& a01 = chain.phone("a01", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.answered\"", "\"call_id\":\"c-1-"})) << chain.logs();
}

TEST(KamailioChain, WithoutABridgeNewCallsGet503AtOnce) {
    ChainOptions options;
    options.start_bridge = false;
    Chain chain(options);
    START_CHAIN(chain);
    auto& caller = chain.caller("c", "caller_refused");
    EXPECT_EQ(Chain::finished(caller, 5s), 0) << chain.logs();
}

TEST(KamailioChain, WithoutABridgeNewCallsGoToTheFallbackUri) {
    ChainOptions options;
    options.start_bridge = false;
    options.fallback = true;  // the phone on the team's port plays the reception desk
    Chain chain(options);
    START_CHAIN(chain);
    auto& reception = chain.phone("ext", "agent_answer");
    auto& caller = chain.caller("c", "caller_answered");
    EXPECT_EQ(Chain::finished(caller, 10s), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(reception, 10s), 0) << chain.logs();
}

TEST(KamailioChain, CallerHeldLongerThanHoldMaxGets480AndTheCallEnds) {
    ChainOptions options;
    options.hold_max_s = 1;
    Chain chain(options);
    START_CHAIN(chain);
    auto& caller = chain.caller("c", "caller_held_too_long");  // nobody is ready
    EXPECT_EQ(Chain::finished(caller, 10s), 0) << chain.logs();
    EXPECT_TRUE(chain.saw({"\"event\":\"call.ended\"", "\"call_id\":\"c-1-"})) << chain.logs();
    EXPECT_TRUE(chain.bridge_logged({"call.ended", "hold_timeout"})) << chain.logs();
}

TEST(KamailioChain, FeatureCodesPauseAndReadyTheAgent) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    ASSERT_TRUE(chain.feature_code("a01", "*51", "paused")) << chain.logs();
    const auto agents = chain.admin({"agents"});
    EXPECT_NE(agents.dump().find("\"agent\":\"a01\",\"call_id\":null,\"reason\":\"phone\""),
              std::string::npos)
        << agents.dump();
}

TEST(KamailioChain, BridgeSpeaksMutualTlsWithATokenToAcdd) {
    ChainOptions options;
    options.tls = true;
    Chain chain(options);
    START_CHAIN(chain);
    auto& a01 = chain.phone("a01", "agent_answer");
    ASSERT_TRUE(chain.feature_code("a01", "*52", "ready")) << chain.logs();
    auto& caller = chain.caller("c", "caller_answered");
    EXPECT_EQ(Chain::finished(caller), 0) << chain.logs();
    EXPECT_EQ(Chain::finished(a01), 0) << chain.logs();
    EXPECT_TRUE(chain.bridge_logged({"acdd.connected", "(TLS)"})) << chain.logs();
}

TEST(KamailioChain, SigtermStopsTheBridgeCleanly) {
    ChainOptions options;
    Chain chain(options);
    START_CHAIN(chain);
    EXPECT_EQ(chain.stop_bridge(), 0) << chain.logs();
}

// The service manager's end of NOTIFY_SOCKET: a datagram socket the bridge writes to.
class NotifySocket {
  public:
    explicit NotifySocket(std::string path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    ~NotifySocket() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    // Skips datagrams until one starts with `prefix`; "" after `deadline`.
    std::string next_starting(const std::string& prefix, std::chrono::milliseconds deadline = 10s) {
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return "";
            char buf[4096];
            const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
            if (n <= 0) return "";
            std::string m(buf, static_cast<std::size_t>(n));
            if (m.starts_with(prefix)) return m;
        }
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

TEST(BridgeUnderSystemd, ReadyThenWatchdogPingsThenStoppingOnSigterm) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto file = dir / ("acd-kamailio-notify-" + std::to_string(::getpid()) + ".json");
    const auto state = dir / ("acd-kamailio-notify-" + std::to_string(::getpid()) + ".state");
    // Nothing listens on these ports: the bridge keeps reconnecting, and still pings.
    std::ofstream(file) << nlohmann::json{
        {"acdd", {{"connect", "127.0.0.1:" + std::to_string(free_tcp_port())}}},
        {"kamailio", {{"evapi", "127.0.0.1:" + std::to_string(free_tcp_port())}}},
        {"state_file",
         state.string()}}.dump();
    NotifySocket notify((dir / ("acd-kamailio-notify-" + std::to_string(::getpid()))).string());
    ChildProcess bridge({ACD_BRIDGE_BINARY, "-c", file.string()},
                        {"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=200000"});
    EXPECT_EQ(notify.next_starting("READY=1"), "READY=1");
    EXPECT_EQ(notify.next_starting("WATCHDOG=1"), "WATCHDOG=1");
    EXPECT_EQ(notify.next_starting("WATCHDOG=1"), "WATCHDOG=1");  // and again
    bridge.signal(SIGTERM);
    EXPECT_EQ(notify.next_starting("STOPPING=1"), "STOPPING=1");
    EXPECT_EQ(bridge.wait(10s).exit_code, 0);
    std::filesystem::remove(file);
    std::filesystem::remove(state);
}

TEST(BridgeCommandLine, CheckConfigSaysOkForAValidFile) {
    const auto file = std::filesystem::temp_directory_path() / "acd-kamailio-ok.json";
    std::ofstream(file) << R"({"acdd": {"connect": "127.0.0.1:7400"}})";
    const auto r = run_bridge({"--check-config", "-c", file.string()});
    std::filesystem::remove(file);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ok: " + file.string() + "\n");
}

TEST(BridgeCommandLine, CheckConfigPrintsEveryErrorWithItsPathAndExits1) {
    const auto file = std::filesystem::temp_directory_path() / "acd-kamailio-bad.json";
    std::ofstream(file) << R"({"acdd": {"connect": "acdd"}, "kamailio": {"evapi": 8448}})";
    const auto r = run_bridge({"--check-config", "-c", file.string()});
    std::filesystem::remove(file);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(file.string() + ": acdd.connect: expected HOST:PORT"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(file.string() + ": kamailio.evapi: expected a string, got 8448"),
              std::string::npos)
        << r.err;
}

TEST(BridgeCommandLine, UnknownArgumentExits2) {
    EXPECT_EQ(run_bridge({"--frobnicate"}).exit_code, 2);
}

TEST(BridgeCommandLine, UnreadableStateFileStopsTheStart) {
    const auto dir = std::filesystem::temp_directory_path();
    const auto state = dir / "acd-kamailio-bad.state";
    const auto file = dir / "acd-kamailio-state.json";
    std::ofstream(state) << "not a number\n";
    std::ofstream(file) << R"({"state_file": ")" + state.string() + R"("})";
    const auto r = run_bridge({"-c", file.string()});
    std::filesystem::remove(file);
    std::filesystem::remove(state);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("does not hold a sequence number"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace acd::e2e
