// Connection limits (config.md v1.1 gateway.max_connections, admin.max_connections;
// admin-protocol.md v1.1): connections past the cap cost nothing and are closed at once, idle
// connections before hello cost little, the last admin slots are kept for root and acdd, and a
// listener out of descriptors pauses instead of spinning.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

const std::string kAcddBinary = ACD_ACDD_BINARY;
const std::string kAcdctlBinary = ACD_ACDCTL_BINARY;

// A plain TCP connection to 127.0.0.1:port that sends nothing.
class IdleConnection {
  public:
    explicit IdleConnection(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(port);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    ~IdleConnection() { ::close(fd_); }
    IdleConnection(const IdleConnection&) = delete;
    IdleConnection& operator=(const IdleConnection&) = delete;
    bool connected() const { return connected_; }
    // Whether acdd closes it within `deadline` (reads end of file or a reset).
    bool closed_by_peer(std::chrono::milliseconds deadline) const {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return false;
        char c;
        return ::recv(fd_, &c, 1, 0) <= 0;
    }

  private:
    int fd_ = -1;
    bool connected_ = false;
};

// The resident memory of a process, in KiB.
long rss_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    }
    return -1;
}

// CPU time a process used so far (user + system), in clock ticks.
long cpu_ticks(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    std::istringstream fields(all.substr(all.rfind(')') + 2));
    std::string skip;
    for (int i = 3; i < 14; ++i)
        fields >> skip;  // fields 3..13
    long utime = 0, stime = 0;
    fields >> utime >> stime;
    return utime + stime;
}

std::string socket_of(Daemon& daemon) {
    return (daemon.dir() / "admin.sock").string();
}

TEST(GatewayLimit, ConnectionsBeyondMaxConnectionsAreClosedAtOnceAndIdleOnesCostLittle) {
    Daemon daemon;
    Json config = test_config(daemon.dir());
    config["gateway"]["max_connections"] = 200;
    daemon.configure(config);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    const long before = rss_kib(daemon.process().pid());

    std::vector<std::unique_ptr<IdleConnection>> idle;
    for (int i = 0; i < 200; ++i) {
        idle.push_back(std::make_unique<IdleConnection>(daemon.port()));
        ASSERT_TRUE(idle.back()->connected()) << i;
    }
    // Past the cap: closed at once, and said in the log.
    IdleConnection extra(daemon.port());
    EXPECT_TRUE(extra.closed_by_peer(5s));
    EXPECT_TRUE(daemon.process().wait_for_stderr("gateway.refused", 5s)) << daemon.log();
    // The admin socket answers (and by then acdd has taken every connection above).
    AdminClient admin(socket_of(daemon));
    EXPECT_EQ(admin.call("version-get")["result"], 0);
    // Two hundred connections before hello: far less than the 64 KiB read buffer each that an
    // admitted gateway may use (12.8 MiB).
    const long grown = rss_kib(daemon.process().pid()) - before;
    EXPECT_LT(grown, 6 * 1024) << "RSS grew by " << grown << " KiB";
    for (int i = 0; i < 200; ++i)
        EXPECT_FALSE(idle[std::size_t(i)]->closed_by_peer(0ms)) << i;  // those under the cap stay
    idle.clear();
    // A slot given back is taken again.
    GatewayClient gateway(daemon.port());
    EXPECT_TRUE(gateway.hello("gw1"));
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(GatewayLimit, AcceptErrorsAreLoggedAndTheListenerPausesInsteadOfSpinning) {
    Daemon daemon;  // for its folder and configuration
    Json config = test_config(daemon.dir());
    config["gateway"]["listen"] = "127.0.0.1:0";
    config["gateway"]["max_connections"] = 10000;
    daemon.configure(config);
    ChildProcess acdd(
        {"/bin/sh", "-c",
         "ulimit -n 64 && exec " + kAcddBinary + " -c " + (daemon.dir() / "acdd.json").string()});
    ASSERT_TRUE(acdd.wait_for_stderr("daemon.ready", 20s)) << acdd.err_so_far();
    const std::string err = acdd.err_so_far();
    const auto at = err.find("listening for gateways on ");
    const auto port =
        static_cast<std::uint16_t>(std::stoi(err.substr(err.rfind(':', err.find('\n', at)) + 1)));

    std::vector<std::unique_ptr<IdleConnection>> idle;
    for (int i = 0; i < 80; ++i)
        idle.push_back(std::make_unique<IdleConnection>(port));  // queued in the backlog past 64
    ASSERT_TRUE(acdd.wait_for_stderr("gateway.accept_failed", 10s)) << acdd.err_so_far();
    // While descriptors stay exhausted, the loop retries after a pause and logs once a second:
    // between two lines it used far less than the second of CPU a spinning loop would.
    const auto count = [](const std::string& s) {
        std::size_t n = 0;
        for (auto p = s.find("gateway.accept_failed"); p != std::string::npos;
             p = s.find("gateway.accept_failed", p + 1))
            ++n;
        return n;
    };
    const long ticks = cpu_ticks(acdd.pid());
    const std::size_t lines = count(acdd.err_so_far());
    ASSERT_TRUE(acdd.wait_until(
        [&](const std::string&, const std::string& e) { return count(e) > lines; }, 10s));
    EXPECT_LT(cpu_ticks(acdd.pid()) - ticks, sysconf(_SC_CLK_TCK) / 2);
    // Descriptors given back: acdd serves again.
    idle.clear();
    AdminClient admin(socket_of(daemon));
    EXPECT_EQ(admin.call("version-get")["result"], 0);
    acdd.signal(SIGTERM);
    EXPECT_EQ(acdd.wait(20s).exit_code, 0);
}

// An admin connection made with another effective uid (SO_PEERCRED records it at connect).
std::unique_ptr<AdminClient> admin_as(uid_t uid, const std::string& socket) {
    if (::seteuid(uid) != 0) return nullptr;
    auto client = std::make_unique<AdminClient>(socket);
    if (::seteuid(0) != 0) std::abort();
    return client;
}

TEST(AdminLimit, TheLastSlotsAreKeptForRootAndAcdd) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to connect as another user";
    Daemon daemon;
    Json config = test_config(daemon.dir());
    config["admin"]["max_connections"] = 8;
    daemon.configure(config);
    // nobody reaches the socket through its group (root's, kept as the effective gid).
    std::filesystem::permissions(daemon.dir(), std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
    ASSERT_TRUE(daemon.start()) << daemon.log();
    const std::string socket = socket_of(daemon);

    std::vector<std::unique_ptr<AdminClient>> clients;
    for (int i = 0; i < 4; ++i) {
        clients.push_back(admin_as(65534, socket));  // nobody, through the socket's group
        ASSERT_TRUE(clients.back() && clients.back()->connected());
        EXPECT_EQ(clients.back()->call("version-get")["result"], 0) << i;
    }
    auto fifth = admin_as(65534, socket);
    ASSERT_TRUE(fifth);
    const auto refusal = fifth->receive(5s);
    ASSERT_TRUE(refusal) << daemon.log();
    EXPECT_EQ((*refusal)["arguments"]["code"], "too_many_connections");
    EXPECT_TRUE(fifth->closed_by_peer());
    fifth.reset();

    // Root gets the kept slots, up to admin.max_connections.
    for (int i = 0; i < 4; ++i) {
        clients.push_back(std::make_unique<AdminClient>(socket));
        EXPECT_EQ(clients.back()->call("version-get")["result"], 0) << i;
    }
    // Then acdctl is refused too, and says so.
    const ProcessResult ctl = run_process({kAcdctlBinary, "-s", socket, "version"});
    EXPECT_NE(ctl.exit_code, 0);
    EXPECT_NE(ctl.err.find("too many connections"), std::string::npos) << ctl.err;
    EXPECT_EQ(ctl.err.find("Broken pipe"), std::string::npos) << ctl.err;
    clients.clear();
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
