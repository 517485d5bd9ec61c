// acdd under systemd (issue: operations): the test plays the service manager. It binds a
// NOTIFY_SOCKET, starts acdd with WATCHDOG_USEC set, and checks: READY=1 comes once the gateway
// port accepts; WATCHDOG=1 keeps coming; RELOADING=1 and READY=1 frame a reload; STOPPING=1
// comes on SIGTERM; the exit is clean.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <regex>

#include "admin_client.hpp"
#include "daemon_fixture.hpp"
#include "gateway_client.hpp"

namespace acd::test {
namespace {

using namespace std::chrono_literals;

// The service manager's end: a datagram socket acdd writes its notifications to.
class NotifySocket {
  public:
    explicit NotifySocket(const std::filesystem::path& path) : path_(path.string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    }
    ~NotifySocket() { ::close(fd_); }

    // The next datagram, or "" after `deadline`.
    std::string next(std::chrono::milliseconds deadline = 10s) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(deadline.count())) <= 0) return "";
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
    }
    // Skips datagrams until one starts with `prefix`.
    std::string next_starting(const std::string& prefix, std::chrono::milliseconds deadline = 10s) {
        for (std::string m = next(deadline); !m.empty(); m = next(deadline)) {
            if (m.starts_with(prefix)) return m;
        }
        return "";
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

TEST(SystemdNotify, ReadyWatchdogReloadingAndStoppingAreSentInTheirOrder) {
    Daemon daemon;
    NotifySocket notify(daemon.dir() / "notify.sock");
    ASSERT_TRUE(daemon.start({"NOTIFY_SOCKET=" + notify.path(), "WATCHDOG_USEC=400000"}))
        << daemon.log();

    const std::string ready = notify.next_starting("READY=1");
    ASSERT_FALSE(ready.empty());
    EXPECT_NE(ready.find("STATUS="), std::string::npos);
    {
        GatewayClient gateway(daemon.port());  // the port accepted before READY=1 was sent
        EXPECT_TRUE(gateway.hello("gw1"));
    }
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(notify.next_starting("WATCHDOG=1", 2s), "WATCHDOG=1") << i;

    AdminClient admin((daemon.dir() / "admin.sock").string());
    EXPECT_EQ(admin.call("config-reload")["result"], 0);
    EXPECT_TRUE(notify.next_starting("RELOADING=1").starts_with("RELOADING=1\nMONOTONIC_USEC="));
    EXPECT_FALSE(notify.next_starting("READY=1").empty());

    daemon.process().signal(SIGTERM);
    EXPECT_EQ(notify.next_starting("STOPPING=1"), "STOPPING=1");
    EXPECT_EQ(daemon.process().wait(20s).exit_code, 0);
}

TEST(SystemdNotify, WithoutNotifySocketNothingIsSentAndAcddRuns) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    AdminClient admin((daemon.dir() / "admin.sock").string());
    EXPECT_EQ(admin.call("version-get")["result"], 0);
    EXPECT_EQ(daemon.stop(), 0);
}

// The first line acdd logs, "daemon.start" (its stderr, as journald or a terminal sees it).
std::string start_line(Daemon& daemon) {
    const std::string log = daemon.log();
    const auto at = log.find("daemon.start");
    if (at == std::string::npos) return "";
    const auto begin = log.rfind('\n', at);
    const auto from = begin == std::string::npos ? 0 : begin + 1;
    return log.substr(from, log.find('\n', at) - from);
}

// Under systemd, stderr goes to journald, which stamps every line itself: no timestamp then.
TEST(SystemdJournal, UnderJournaldLinesCarryTheirPriorityAndNoTimestamp) {
    Daemon daemon;
    ASSERT_TRUE(daemon.start({"JOURNAL_STREAM=8:12345"})) << daemon.log();
    const std::string line = start_line(daemon);
    EXPECT_TRUE(line.starts_with("<6>info daemon.start acdd ")) << line;
    EXPECT_EQ(daemon.stop(), 0);
}

TEST(SystemdJournal, ElsewhereLinesStartWithATimestamp) {
    ::unsetenv("JOURNAL_STREAM");  // in case the tests themselves run under systemd
    Daemon daemon;
    ASSERT_TRUE(daemon.start()) << daemon.log();
    const std::string line = start_line(daemon);
    // 2026-11-23T04:57:37.192+0100 info daemon.start ...
    EXPECT_TRUE(std::regex_search(
        line,
        std::regex(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:?\d\d info daemon\.start )")))
        << line;
    EXPECT_EQ(daemon.stop(), 0);
}

}  // namespace
}  // namespace acd::test
