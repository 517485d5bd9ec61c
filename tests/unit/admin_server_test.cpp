// The admin listener's transport rules (docs/spec/admin-protocol.md "Transport") that the daemon's
// integration tests cannot reach in reasonable time: the idle timeout, here shortened.
#include "acd/admin_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <future>
#include <optional>
#include <string>
#include <thread>

#include "temp_dir.hpp"

namespace acd::net {
namespace {

constexpr auto kIdle = std::chrono::milliseconds(200);

// Answers every request with {"result":0}; a "subscribe" also starts the stream.
class EchoHub : public AdminHub {
  public:
    void on_request(const std::shared_ptr<AdminLink>& link, const Json& request) override {
        if (request.value("command", "") == "subscribe") {
            link->start_stream();
            subscriber = link;
        }
        link->respond(Json{{"result", 0}, {"text", "ok"}});
    }
    void on_closed(AdminLink&) override {}

    std::shared_ptr<AdminLink> subscriber;
};

// A blocking client; every read gives up after 10 s (the deadline of a test).
class Client {
  public:
    explicit Client(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM, 0)) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
        timeval deadline{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &deadline, sizeof(deadline));
    }
    ~Client() { ::close(fd_); }

    bool connected() const { return connected_; }
    void send(const std::string& line) {
        const std::string data = line + "\n";
        ASSERT_EQ(::write(fd_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
    }
    // The next line; nullopt at end of stream (or past the deadline).
    std::optional<std::string> read_line() {
        for (;;) {
            if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            char chunk[4096];
            const ssize_t n = ::read(fd_, chunk, sizeof(chunk));
            if (n <= 0) return std::nullopt;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

  private:
    int fd_;
    bool connected_ = false;
    std::string buffer_;
};

class AdminServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        AdminConfig config;
        config.socket = dir_.path() / "admin.sock";
        path_ = config.socket.string();
        auto started = AdminServer::start(io_, config, hub_, kIdle);
        ASSERT_TRUE(started.ok()) << started.error().message;
        server_ = std::move(started.value());
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        asio::post(io_, [this] {
            if (server_) server_->stop();
            hub_.subscriber.reset();
            io_.stop();
        });
        if (thread_.joinable()) thread_.join();
    }

    // Runs `fn` on the server's thread and waits for it.
    template <typename Fn>
    auto on_server(Fn fn) {
        std::packaged_task<decltype(fn())()> task(std::move(fn));
        auto result = task.get_future();
        asio::post(io_, [&task] { task(); });
        return result.get();
    }

    test::TempDir dir_;
    std::string path_;
    asio::io_context io_;
    EchoHub hub_;
    std::unique_ptr<AdminServer> server_;
    std::thread thread_;
};

TEST_F(AdminServerTest, IdleConnectionsAreClosedAfterTheIdleTimeout) {
    Client idle(path_);
    ASSERT_TRUE(idle.connected());
    EXPECT_EQ(idle.read_line(), std::nullopt);  // closed by the server, well before 10 s
}

TEST_F(AdminServerTest, ASubscriptionIsNotClosedWhenIdle) {
    Client subscriber(path_);
    subscriber.send(R"({"command":"subscribe"})");
    ASSERT_EQ(subscriber.read_line(), R"({"result":0,"text":"ok"})");

    // A connection opened after the subscription is closed for being idle: by then the
    // subscriber, silent for longer, would have been closed too if the timeout applied to it.
    Client idle(path_);
    ASSERT_EQ(idle.read_line(), std::nullopt);

    EXPECT_TRUE(on_server([this] { return hub_.subscriber->send(Json{{"change", 1}}); }));
    EXPECT_EQ(subscriber.read_line(), R"({"change":1})");
}

}  // namespace
}  // namespace acd::net
