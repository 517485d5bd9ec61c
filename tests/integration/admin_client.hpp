// An admin client for tests: one Unix socket connection, a JSON request per line, the response
// with a deadline.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "acd/codec.hpp"

namespace acd::test {

class AdminClient {
  public:
    explicit AdminClient(const std::string& socket_path);
    ~AdminClient();
    AdminClient(const AdminClient&) = delete;
    AdminClient& operator=(const AdminClient&) = delete;

    bool connected() const { return fd_ >= 0 && !failed_; }
    void send_raw(const std::string& bytes);
    std::optional<Json> receive(std::chrono::milliseconds deadline = std::chrono::seconds(10));
    // Sends {"command", "arguments"} and waits for the response (an empty object on failure).
    Json call(const std::string& command, const Json& arguments = Json::object());
    bool closed_by_peer(std::chrono::milliseconds deadline = std::chrono::seconds(10));

  private:
    int fd_ = -1;
    bool failed_ = false;
    std::string buffer_;
};

}  // namespace acd::test
