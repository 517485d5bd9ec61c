// acd-load against a started acdd: what its report says of the errors acdd sent.
#include <gtest/gtest.h>

#include <fstream>

#include "daemon_fixture.hpp"

namespace acd::test {
namespace {

const std::string kLoad = ACD_LOAD_BINARY;

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
        run_process({kLoad, "--connect", "127.0.0.1:" + std::to_string(daemon.port()), "-c", file,
                     "--rate", "20", "--duration", "0.2", "--json"});
    const Json report = Json::parse(r.out, nullptr, false);
    ASSERT_TRUE(report.is_object()) << r.out << r.err;
    EXPECT_GE(report["errors"].value("agent.state unknown_agent", 0), 2) << report["errors"];
    for (const auto& [key, count] : report["errors"].items())
        EXPECT_TRUE(key.starts_with("agent.state ") || key.starts_with("call.")) << key;
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
