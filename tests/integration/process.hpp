// Child processes for integration tests: start a program with its stdout and stderr drained
// continuously (so that it never blocks on a full pipe), wait for output or exit with a
// deadline, signal it. No sleeps: every wait is on an event with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
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
    // Waits until the child exits; kills it (SIGKILL) when `deadline` passes first.
    ProcessResult wait(std::chrono::milliseconds deadline);
    // Waits until `text` appears in stderr; false on timeout, or when the child closed its output.
    bool wait_for_stderr(const std::string& text, std::chrono::milliseconds deadline);
    // Waits until `done(out, err)` holds; false on timeout, or when the child closed its output.
    bool wait_until(const std::function<bool(const std::string&, const std::string&)>& done,
                    std::chrono::milliseconds deadline);
    std::string out_so_far() const;
    std::string err_so_far() const;

  private:
    void drain();  // the reader thread

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    mutable std::mutex mu_;
    std::condition_variable grew_;
    std::string out_;
    std::string err_;
    bool eof_ = false;
    bool reaped_ = false;
    int exit_code_ = -1;
    std::thread reader_;
};

// Runs a program to completion (deadline 30 s).
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env = {});

}  // namespace acd::test
