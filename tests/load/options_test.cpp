// acd-load's command line (src/tools/load/options.hpp).
#include "load/options.hpp"

#include <gtest/gtest.h>

namespace acd::load {
namespace {

Options parsed(const std::vector<std::string>& args) {
    auto r = parse_options(args);
    if (std::holds_alternative<int>(r)) {
        ADD_FAILURE() << "refused with exit code " << std::get<int>(r);
        return {};
    }
    return std::get<Options>(r);
}

int refused(const std::vector<std::string>& args) {
    auto r = parse_options(args);
    return std::holds_alternative<int>(r) ? std::get<int>(r) : -1;
}

TEST(LoadOptions, DefaultsAreOneGatewayAtFullRateOnTheDefaultPort) {
    const Options o = parsed({});
    EXPECT_EQ(o.mode, Options::Mode::load);
    EXPECT_EQ(o.connect.host, "127.0.0.1");
    EXPECT_EQ(o.connect.port, 7400);
    EXPECT_EQ(o.gateways, 1);
    EXPECT_FALSE(o.rate);
    EXPECT_FALSE(o.tls);
}

TEST(LoadOptions, ReadsEveryKindOfValueInBothSpellings) {
    const Options o = parsed({"--connect",
                              "[::1]:7500",
                              "--rate=250.5",
                              "--gateways",
                              "8",
                              "--duration",
                              "2.5",
                              "--tls",
                              "--cert",
                              "c.pem",
                              "--key=k.pem",
                              "--ca",
                              "ca.pem",
                              "--token",
                              "t",
                              "-c",
                              "x.json",
                              "--json",
                              "--acked-file",
                              "a.txt",
                              "--no-answer",
                              "0",
                              "--max-waiting",
                              "3"});
    EXPECT_EQ(o.connect.host, "::1");
    EXPECT_EQ(o.connect.port, 7500);
    ASSERT_TRUE(o.rate);
    EXPECT_DOUBLE_EQ(*o.rate, 250.5);
    EXPECT_EQ(o.gateways, 8);
    EXPECT_DOUBLE_EQ(o.duration_s, 2.5);
    EXPECT_TRUE(o.tls);
    EXPECT_EQ(o.tls_files.cert, "c.pem");
    EXPECT_EQ(o.tls_files.key, "k.pem");
    EXPECT_EQ(o.tls_files.ca, "ca.pem");
    EXPECT_EQ(o.token, "t");
    EXPECT_EQ(o.config, "x.json");
    EXPECT_TRUE(o.json);
    EXPECT_EQ(o.acked_file, "a.txt");
    EXPECT_DOUBLE_EQ(o.no_answer_pct, 0);
    EXPECT_EQ(o.max_waiting, 3u);
}

TEST(LoadOptions, RateMaxMeansAsFastAsTheWindowAllows) {
    EXPECT_FALSE(parsed({"--rate", "10", "--rate", "max"}).rate);
}

TEST(LoadOptions, EchoServerModeListensWhereAsked) {
    const Options o = parsed({"--echo-server", "--listen", "127.0.0.1:0"});
    EXPECT_EQ(o.mode, Options::Mode::echo_server);
    EXPECT_EQ(o.listen.port, 0);
}

TEST(LoadOptions, BadValuesAndUnknownOptionsAreUsageErrors) {
    EXPECT_EQ(refused({"--rate", "-3"}), 2);
    EXPECT_EQ(refused({"--rate", "fast"}), 2);
    EXPECT_EQ(refused({"--gateways", "0"}), 2);
    EXPECT_EQ(refused({"--gateways", "1.5"}), 2);
    EXPECT_EQ(refused({"--connect", "localhost"}), 2);
    EXPECT_EQ(refused({"--connect", "h:99999"}), 2);
    EXPECT_EQ(refused({"--no-answer", "101"}), 2);
    EXPECT_EQ(refused({"--no-answer", "60", "--abandon", "60"}), 2);
    EXPECT_EQ(refused({"--duration"}), 2);
    EXPECT_EQ(refused({"--json=yes"}), 2);
    EXPECT_EQ(refused({"--frobnicate"}), 2);
}

TEST(LoadOptions, TlsFilesNeedTlsAndCertificateAndKeyGoTogether) {
    EXPECT_EQ(refused({"--cert", "c.pem", "--key", "k.pem"}), 2);
    EXPECT_EQ(refused({"--tls", "--cert", "c.pem"}), 2);
    EXPECT_EQ(refused({"--echo-server", "--tls"}), 2);
}

TEST(LoadOptions, HelpExitsZero) {
    EXPECT_EQ(refused({"--help"}), 0);
    EXPECT_NE(std::string(usage()).find("--acked-file"), std::string::npos);
}

TEST(LoadOptions, EndpointsTakeIpv4Ipv6AndNames) {
    EXPECT_EQ(parse_endpoint("10.0.0.1:1")->host, "10.0.0.1");
    EXPECT_EQ(parse_endpoint("[fe80::1]:2")->host, "fe80::1");
    EXPECT_EQ(parse_endpoint("localhost:3")->port, 3);
    EXPECT_FALSE(parse_endpoint(":3"));
    EXPECT_FALSE(parse_endpoint("[::1:3"));
    EXPECT_FALSE(parse_endpoint("h:"));
}

// The agents are put back as found unless --no-restore; the admin socket may be named.
TEST(LoadOptions, RestoresTheAgentsUnlessToldNotTo) {
    EXPECT_TRUE(parsed({}).restore);
    EXPECT_EQ(parsed({}).admin_socket, "");
    const Options o = parsed({"--no-restore", "--admin-socket", "/tmp/a.sock"});
    EXPECT_FALSE(o.restore);
    EXPECT_EQ(o.admin_socket, "/tmp/a.sock");
    EXPECT_EQ(refused({"--no-restore=yes"}), 2);
    EXPECT_EQ(refused({"--admin-socket"}), 2);
}

}  // namespace
}  // namespace acd::load
