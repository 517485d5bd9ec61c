// docs/spec/gateway-protocol.md "Transport" with gateway.tls: TLS 1.2 or newer; with client_ca, a
// client certificate signed by that CA is required and verified. Certificates are made for each
// test run with the openssl tool.
#include <gtest/gtest.h>

#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

// Runs openssl with `args`; fails the test on error.
void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    const ProcessResult r = run_process(argv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A CA, and a key with a certificate signed by it: name.key, name.crt in `dir`.
void make_ca(const std::filesystem::path& dir, const std::string& name) {
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", (dir / (name + ".key")).string(), "-out", (dir / (name + ".crt")).string(),
             "-subj", "/CN=" + name, "-days", "2"});
}
void make_signed(const std::filesystem::path& dir, const std::string& name, const std::string& ca) {
    const auto p = [&](const std::string& file) { return (dir / file).string(); };
    openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", p(name + ".key"), "-out", p(name + ".csr"), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    openssl({"x509", "-req", "-in", p(name + ".csr"), "-CA", p(ca + ".crt"), "-CAkey",
             p(ca + ".key"), "-CAcreateserial", "-out", p(name + ".crt"), "-days", "2",
             "-copy_extensions", "copy"});
}

struct TlsTest : testing::Test {
    Daemon daemon;
    std::filesystem::path dir = daemon.dir();

    void start(bool mutual) {
        make_ca(dir, "ca");
        make_ca(dir, "rogue-ca");
        make_signed(dir, "server", "ca");
        make_signed(dir, "client", "ca");
        make_signed(dir, "rogue", "rogue-ca");
        Json config = test_config(dir);
        config["gateway"]["tls"] = {{"cert", (dir / "server.crt").string()},
                                    {"key", (dir / "server.key").string()}};
        if (mutual) config["gateway"]["tls"]["client_ca"] = (dir / "ca.crt").string();
        daemon.configure(config);
        ASSERT_TRUE(daemon.start()) << daemon.log();
    }
    TlsFiles client(const std::string& name) {
        if (name.empty()) return {(dir / "ca.crt").string(), "", "", 0};
        return {(dir / "ca.crt").string(), (dir / (name + ".crt")).string(),
                (dir / (name + ".key")).string(), 0};
    }
};

TEST_F(TlsTest, AClientWithACertificateOfTheClientCaIsWelcome) {
    start(/*mutual=*/true);
    GatewayClient c(daemon.port(), client("client"));
    ASSERT_TRUE(c.connected());
    EXPECT_TRUE(c.hello("gw1"));
    c.send({{"type", "call.offered"},
            {"seq", 1},
            {"call_id", "c1"},
            {"caller", "+1"},
            {"dialed", "+1001"}});
    EXPECT_TRUE(c.receive_type("ack"));
}

TEST_F(TlsTest, WithAClientCaAClientWithoutACertificateIsRefused) {
    start(/*mutual=*/true);
    GatewayClient c(daemon.port(), client(""));
    // TLS 1.3 reports the refusal after the client's handshake: the hello gets no welcome.
    EXPECT_FALSE(c.connected() && c.hello("gw1"));
}

TEST_F(TlsTest, AClientCertificateFromAnotherCaIsRefused) {
    start(/*mutual=*/true);
    GatewayClient c(daemon.port(), client("rogue"));
    EXPECT_FALSE(c.connected() && c.hello("gw1"));
}

TEST_F(TlsTest, WithoutAClientCaAClientWithoutACertificateIsWelcome) {
    start(/*mutual=*/false);
    GatewayClient c(daemon.port(), client(""));
    ASSERT_TRUE(c.connected());
    EXPECT_TRUE(c.hello("gw1"));
}

TEST_F(TlsTest, TlsOlderThanOnePointTwoIsRefused) {
    start(/*mutual=*/false);
    TlsFiles old = client("");
    old.max_version = TLS1_1_VERSION;
    GatewayClient c(daemon.port(), old);
    EXPECT_FALSE(c.connected());
}

TEST_F(TlsTest, APlainConnectionToATlsListenerGetsNoWelcome) {
    start(/*mutual=*/false);
    GatewayClient c(daemon.port());
    c.send({{"type", "hello"}, {"gateway", "gw1"}, {"protocol", 1}});
    EXPECT_FALSE(c.receive(std::chrono::seconds(3)).value_or(Json()).contains("last_seq"));
}

TEST_F(TlsTest, AMissingCertificateFileStopsTheStartWithItsPath) {
    Json config = test_config(dir);
    config["gateway"]["tls"] = {{"cert", (dir / "none.crt").string()},
                                {"key", (dir / "none.key").string()}};
    daemon.configure(config);
    EXPECT_FALSE(daemon.start());
    EXPECT_NE(daemon.log().find("gateway.tls.cert: cannot use " + (dir / "none.crt").string()),
              std::string::npos)
        << daemon.log();
}

}  // namespace
}  // namespace acd::test
