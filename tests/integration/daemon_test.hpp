// The base of the tests that talk to a started acdd: the daemon on test_config(), the admin
// socket's path, and a gateway "gw1" whose events are sent one at a time, each waited for until
// acknowledged (durable).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {

struct DaemonTest : testing::Test {
    std::unique_ptr<Daemon> daemon = std::make_unique<Daemon>();
    std::uint64_t seq = 0;  // the last seq the gateway sent

    void SetUp() override { ASSERT_TRUE(daemon->start()) << daemon->log(); }
    std::string socket() const { return (daemon->dir() / "admin.sock").string(); }

    std::unique_ptr<GatewayClient> gateway() {
        auto g = std::make_unique<GatewayClient>(daemon->port());
        EXPECT_TRUE(g->hello("gw1"));
        return g;
    }
    // Sends `e` (with the next seq unless it has one) and waits for its ack; the commands that
    // came meanwhile go to `others` when given.
    void event(GatewayClient& g, Json e, std::vector<Json>* others = nullptr) {
        if (!e.contains("seq")) e["seq"] = ++seq;
        ASSERT_TRUE(g.send_acked(e, others)) << daemon->log();
    }
    // Offers a call from +352621000001 and waits until it is acknowledged.
    void offer(GatewayClient& g, const std::string& call_id, const std::string& dialed = "+1001",
               std::optional<std::string> cls = {}) {
        Json e = {{"type", "call.offered"},
                  {"call_id", call_id},
                  {"caller", "+352621000001"},
                  {"dialed", dialed}};
        if (cls) e["class"] = *cls;
        event(g, e);
    }
};

}  // namespace acd::test
