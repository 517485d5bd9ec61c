// A gateway's connection lost and back (routing.md v1.1, "While a call's gateway is
// disconnected"): its calls keep their places but are not routed, are routed again once it is
// back, and end as abandoned after gateway.orphan_timeout_s.
#include <gtest/gtest.h>

#include <algorithm>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

Json offered(std::uint64_t seq, const std::string& call_id) {
    return {{"type", "call.offered"},
            {"seq", seq},
            {"call_id", call_id},
            {"caller", "+352621000000"},
            {"dialed", "+1001"}};
}

// The call's entry in call-list, or null.
Json call_entry(AdminClient& admin, const std::string& call_id) {
    const Json list = admin.call("call-list");
    for (const Json& c : list["arguments"]["calls"]) {
        if (c["call_id"] == call_id) return c;
    }
    return nullptr;
}

void disconnect(Daemon& daemon, std::unique_ptr<GatewayClient>& gateway) {
    gateway.reset();
    ASSERT_TRUE(daemon.process().wait_for_stderr("gateway gw1 disconnected", 10s)) << daemon.log();
}

TEST(GatewayAway, CallsOfAGatewayAwayAreNotRoutedUntilItIsBack) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    auto gateway = std::make_unique<GatewayClient>(daemon.port());
    ASSERT_TRUE(gateway->hello("gw1"));
    ASSERT_TRUE(gateway->send_acked(offered(1, "c1")));
    disconnect(daemon, gateway);

    AdminClient admin((daemon.dir() / "admin.sock").string());
    ASSERT_EQ(admin.call("agent-login", {{"agent", "a1"}})["result"], 0);
    // Nobody can ring it: no agent is reserved for it.
    EXPECT_EQ(call_entry(admin, "c1")["state"], "queued");

    gateway = std::make_unique<GatewayClient>(daemon.port());
    ASSERT_TRUE(gateway->hello("gw1"));
    const auto route = gateway->receive_type("call.route");
    ASSERT_TRUE(route) << daemon.log();
    EXPECT_EQ((*route)["call_id"], "c1");
    EXPECT_EQ((*route)["agent"], "a1");
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(GatewayAway, AnOfferUnderWayIsSentAgainAfterTheWelcome) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    AdminClient admin((daemon.dir() / "admin.sock").string());
    ASSERT_EQ(admin.call("agent-login", {{"agent", "a1"}})["result"], 0);
    auto gateway = std::make_unique<GatewayClient>(daemon.port());
    ASSERT_TRUE(gateway->hello("gw1"));
    std::vector<Json> before_ack;  // the route goes out before the event is durable
    ASSERT_TRUE(gateway->send_acked(offered(1, "c1"), &before_ack));
    ASSERT_TRUE(std::any_of(before_ack.begin(), before_ack.end(),
                            [](const Json& m) { return m["type"] == "call.route"; }) ||
                gateway->receive_type("call.route"));
    disconnect(daemon, gateway);
    gateway = std::make_unique<GatewayClient>(daemon.port());
    ASSERT_TRUE(gateway->hello("gw1"));
    const auto route = gateway->receive_type("call.route");
    ASSERT_TRUE(route) << daemon.log();
    EXPECT_EQ((*route)["call_id"], "c1");
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(GatewayAway, CallsOfAGatewayAwayLongerThanOrphanTimeoutEndAbandoned) {
    Daemon daemon;
    Json config = test_config(daemon.dir());
    config["gateway"]["orphan_timeout_s"] = 10;  // the least allowed
    daemon.configure(config);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    auto gateway = std::make_unique<GatewayClient>(daemon.port());
    ASSERT_TRUE(gateway->hello("gw1"));
    for (std::uint64_t seq = 1; seq <= 3; ++seq)
        ASSERT_TRUE(gateway->send_acked(offered(seq, "c" + std::to_string(seq))));

    AdminClient watcher((daemon.dir() / "admin.sock").string());
    ASSERT_EQ(watcher.call("subscribe", {{"topics", {"calls"}}})["result"], 0);
    disconnect(daemon, gateway);
    int ended = 0;
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (ended < 3 && std::chrono::steady_clock::now() < until) {
        const auto change = watcher.receive(30s);
        if (!change) break;
        if (change->dump().find("gateway_lost") != std::string::npos) ++ended;
    }
    EXPECT_EQ(ended, 3) << daemon.log();
    AdminClient admin((daemon.dir() / "admin.sock").string());
    EXPECT_TRUE(call_entry(admin, "c1").is_null());
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
