// acd-load end to end against its own echo server: the handshake, the ack path (echoed lines
// acknowledge their seq), the JSON report, TLS with a verified server certificate, and clear
// failures for a wrong CA and a bad configuration.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

namespace acd::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kLoad = ACD_LOAD_BINARY;
const std::string kConfig = std::string(ACD_SOURCE_DIR) + "/config/acdd.json";

// A self-signed certificate for CN=localhost that is its own CA, and its key.
void write_certificate(const std::filesystem::path& cert, const std::filesystem::path& key) {
    EVP_PKEY* pkey = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, pkey);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_EXTENSION* ca = X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints,
                                             const_cast<char*>("critical,CA:TRUE"));
    X509_add_ext(x, ca, -1);
    X509_EXTENSION_free(ca);
    X509_sign(x, pkey, EVP_sha256());
    std::FILE* f = std::fopen(cert.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
    f = std::fopen(key.c_str(), "w");
    PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

// Starts the echo server and returns its "127.0.0.1:PORT".
std::string start_echo(ChildProcess& server) {
    const std::string marker = "listening on 127.0.0.1:";
    EXPECT_TRUE(server.wait_for_stderr(marker, 10s)) << server.err_so_far();
    const std::string& err = server.err_so_far();
    const auto at = err.find(marker);
    if (at == std::string::npos) return "";
    return "127.0.0.1:" + std::to_string(std::stoul(err.substr(at + marker.size())));
}

Json run_load(std::vector<std::string> args, int expected_exit = 0) {
    args.insert(args.begin(), kLoad);
    const ProcessResult r = run_process(args);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    return Json::parse(r.out, nullptr, false);
}

void expect_every_event_echoed(const Json& report, bool tls) {
    ASSERT_TRUE(report.is_object());
    EXPECT_EQ(report["server"], "echo");
    EXPECT_EQ(report["tls"], tls);
    EXPECT_EQ(report["ok"], true) << report["failure"];
    EXPECT_GT(report["events"]["sent"].get<int>(), 0);
    EXPECT_EQ(report["events"]["acked"], report["events"]["sent"]);
    EXPECT_EQ(report["calls"]["offered"], report["events"]["sent"]);
    EXPECT_EQ(report["ack_latency_ms"]["count"], report["events"]["sent"]);
    EXPECT_EQ(report["unacked_at_end"], 0);
}

TEST(LoadEcho, EveryEventComesBackAndCountsAsAcknowledged) {
    ChildProcess server({kLoad, "--echo-server", "--listen", "127.0.0.1:0"});
    const std::string where = start_echo(server);
    const Json report = run_load({"--echo", "--connect", where, "-c", kConfig, "--gateways", "2",
                                  "--rate", "2000", "--duration", "0.3", "--json"});
    expect_every_event_echoed(report, false);
    EXPECT_NEAR(report["calls"]["offered"].get<double>(), 600, 1) << "2000 calls/s for 0.3 s";
}

TEST(LoadEcho, SpeaksTlsAndVerifiesTheServerWithTheGivenCa) {
    TempDir dir;
    const auto cert = dir / "cert.pem";
    const auto key = dir / "key.pem";
    write_certificate(cert, key);
    ChildProcess server({kLoad, "--echo-server", "--listen", "127.0.0.1:0", "--tls", "--cert",
                         cert.string(), "--key", key.string()});
    const std::string where = start_echo(server);
    const Json report = run_load({"--echo", "--connect", where, "-c", kConfig, "--tls", "--ca",
                                  cert.string(), "--duration", "0.2", "--json"});
    expect_every_event_echoed(report, true);
}

TEST(LoadEcho, AServerCertificateFromAnotherCaFailsWithTheReason) {
    TempDir dir;
    write_certificate(dir / "cert.pem", dir / "key.pem");
    write_certificate(dir / "other.pem", dir / "other-key.pem");
    ChildProcess server({kLoad, "--echo-server", "--listen", "127.0.0.1:0", "--tls", "--cert",
                         (dir / "cert.pem").string(), "--key", (dir / "key.pem").string()});
    const std::string where = start_echo(server);
    const Json report =
        run_load({"--echo", "--connect", where, "-c", kConfig, "--tls", "--ca",
                  (dir / "other.pem").string(), "--reconnect-timeout", "0.2", "--json"},
                 1);
    ASSERT_TRUE(report.is_object());
    EXPECT_NE(report["failure"].get<std::string>().find("TLS handshake"), std::string::npos)
        << report["failure"];
}

TEST(LoadEcho, NobodyListeningFailsAfterTheReconnectTimeout) {
    ChildProcess server({kLoad, "--echo-server", "--listen", "127.0.0.1:0"});
    const std::string where = start_echo(server);
    server.signal(SIGTERM);
    server.wait(10s);
    const Json report = run_load(
        {"--echo", "--connect", where, "-c", kConfig, "--reconnect-timeout", "0.2", "--json"}, 1);
    ASSERT_TRUE(report.is_object());
    EXPECT_NE(report["failure"].get<std::string>().find("cannot reach " + where), std::string::npos)
        << report["failure"];
}

// A gateway listener that reads each connection's hello and hangs up, as acdd does to a client
// whose certificate it refuses (under TLS 1.3 the client learns it only after its hello).
class HangUpServer {
  public:
    HangUpServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(fd_, 16), 0);
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
        port_ = ntohs(a.sin_port);
        thread_ = std::thread([this] {
            for (;;) {
                const int c = ::accept(fd_, nullptr, nullptr);
                if (c < 0) return;  // shut down
                char buf[512];
                [[maybe_unused]] const auto n = ::read(c, buf, sizeof buf);
                ::close(c);
            }
        });
    }
    ~HangUpServer() {
        ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
        thread_.join();
        ::close(fd_);
    }
    std::string where() const { return "127.0.0.1:" + std::to_string(port_); }

  private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

// Issue: a refused handshake was retried forever, whatever --reconnect-timeout said.
TEST(LoadEcho, AConnectionDroppedBeforeItsWelcomeFailsAfterTheReconnectTimeout) {
    HangUpServer server;
    // No acdd behind it, hence no admin socket: no agents' states to put back.
    const Json report = run_load({"--connect", server.where(), "-c", kConfig, "--no-restore",
                                  "--reconnect-timeout", "0.5", "--json"},
                                 1);
    ASSERT_TRUE(report.is_object());
    EXPECT_NE(report["failure"].get<std::string>().find("cannot reach " + server.where()),
              std::string::npos)
        << report["failure"];
}

TEST(LoadEcho, ABadConfigurationIsReportedWithItsJsonPath) {
    const ProcessResult r = run_process(
        {kLoad, "-c", std::string(ACD_SOURCE_DIR) + "/tests/config/bad-unknown-skill.json"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("agents[2].skills[0]: unknown specialty 'cardio'"), std::string::npos)
        << r.err;
}

}  // namespace
}  // namespace acd::test
