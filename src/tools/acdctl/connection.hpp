// A client connection to acdd's admin socket (docs/spec/admin-protocol.md "Transport"): a Unix
// stream socket carrying one JSON object per line in each direction.
//
// Plain POSIX sockets: a command-line client needs no event loop, and the wallboard waits on
// the descriptor with poll(). Every wait has a deadline, so a daemon that hangs never hangs
// acdctl. Not thread-safe; one owner.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "acd/result.hpp"

namespace acd::ctl {

using Clock = std::chrono::steady_clock;

class Connection {
  public:
    // Connects to the socket at `path`. The error message names the path and the cause, with a
    // hint for the usual ones (no such file: is acdd running?; permission denied: the group).
    static Result<Connection> open(const std::string& path, std::chrono::milliseconds timeout);

    Connection(Connection&& other) noexcept;
    Connection& operator=(Connection&& other) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Sends `line` and a '\n'; waits at most `timeout` for the socket to take it.
    Status send_line(const std::string& line, std::chrono::milliseconds timeout);

    enum class Read { line, timeout, closed, error };
    // The next line (without '\n'), waiting until `deadline`.
    Read read_line(std::string& line, Clock::time_point deadline);
    // Sends a request line and reads the response line; errors say what happened.
    Result<std::string> round_trip(const std::string& request, std::chrono::milliseconds timeout);

    // For poll(): the descriptor to wait on, and whether a whole line is already buffered
    // (then there is no need to wait).
    int fd() const { return fd_; }
    bool has_buffered_line() const;

  private:
    explicit Connection(int fd) : fd_(fd) {}

    int fd_ = -1;
    std::string buffer_;
    bool eof_ = false;
};

}  // namespace acd::ctl
