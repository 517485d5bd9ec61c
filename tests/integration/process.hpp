// Child processes for integration tests: start a program with pipes on stdout and stderr, wait
// for it with a deadline, signal it. No sleeps: every wait is on an event with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace acd::test {

struct ProcessResult {
    int exit_code = -1;  // 128 + signal number when killed by a signal
    std::string out;
    std::string err;
};

class ChildProcess {
  public:
    // Starts argv[0] (a path) with `env` added to the environment.
    explicit ChildProcess(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});
    ~ChildProcess();  // kills the child if it still runs
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    // Reads output until the child exits; kills it (SIGKILL) when `deadline` passes first.
    ProcessResult wait(std::chrono::milliseconds deadline);
    // Reads stderr until `text` appears in it or `deadline` passes; false on timeout or exit.
    bool wait_for_stderr(const std::string& text, std::chrono::milliseconds deadline);
    // Reads output until `done(out, err)` holds or `deadline` passes; false on timeout or exit.
    bool wait_until(const std::function<bool(const std::string&, const std::string&)>& done,
                    std::chrono::milliseconds deadline);
    const std::string& out_so_far() const { return result_.out; }
    const std::string& err_so_far() const { return result_.err; }

  private:
    bool pump(std::chrono::milliseconds timeout);  // false when both pipes are closed

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    ProcessResult result_;
    bool reaped_ = false;
};

// Runs a program to completion (deadline 30 s).
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});

}  // namespace acd::test
