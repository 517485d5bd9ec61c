// docs/spec/gateway-protocol.md, v1.1 additions, against a started acdd: a seq reused for another
// event is refused with `seq_reused`.
#include <gtest/gtest.h>

#include "daemon_test.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

struct GatewayErrorsTest : DaemonTest {};

Json offered(std::uint64_t seq, const std::string& call_id) {
    return {{"type", "call.offered"},
            {"seq", seq},
            {"call_id", call_id},
            {"caller", "+352621000000"},
            {"dialed", "+1001"}};
}

TEST_F(GatewayErrorsTest, ASeqReusedForAnotherEventGetsSeqReusedIsAcknowledgedAndNotApplied) {
    auto g = gateway();
    ASSERT_TRUE(g->send_acked(offered(1, "c1")));
    g->send(offered(1, "c2"));  // a new call under a used seq: a gateway bug
    const auto error = g->receive_type("error");
    ASSERT_TRUE(error) << daemon->log();
    EXPECT_EQ((*error)["code"], "seq_reused");
    EXPECT_EQ((*error)["seq"], 1);
    EXPECT_EQ(g->receive_type("ack").value()["seq"], 1);
    // c2 was not applied: ending it is an unknown call.
    g->send({{"type", "call.ended"}, {"seq", 2}, {"call_id", "c2"}});
    EXPECT_EQ(g->receive_type("error").value()["code"], "unknown_call");
}

TEST_F(GatewayErrorsTest, AResentEventWithTheSameContentIsAPlainDuplicate) {
    auto g = gateway();
    ASSERT_TRUE(g->send_acked(offered(1, "c1")));
    g->send(offered(1, "c1"));
    g->send({{"type", "call.ended"}, {"seq", 2}, {"call_id", "c1"}});
    while (true) {
        const auto line = g->receive();
        ASSERT_TRUE(line) << daemon->log();
        if ((*line)["type"] == "error") ADD_FAILURE() << line->dump();
        if ((*line)["type"] == "ack" && (*line)["seq"] == 2) break;
    }
}

}  // namespace
}  // namespace acd::test
