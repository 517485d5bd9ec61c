#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

extern char** environ;

namespace acd::test {

using Clock = std::chrono::steady_clock;

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::vector<std::string>& env) {
    int out[2];
    int err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e)
        envs.emplace_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& e : envs)
        envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    out_fd_ = out[0];
    err_fd_ = err[0];
    if (rc != 0) {
        close(out_fd_);
        close(err_fd_);
        throw std::runtime_error("cannot start " + argv[0]);
    }
    reader_ = std::thread([this] { drain(); });
}

ChildProcess::~ChildProcess() {
    bool reaped;
    {
        std::lock_guard lock(mu_);
        reaped = reaped_;
    }
    if (!reaped && pid_ > 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (reader_.joinable()) reader_.join();  // ends when the child's output is closed
    close(out_fd_);
    close(err_fd_);
}

void ChildProcess::drain() {
    pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    int open = 2;
    while (open > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (pollfd& p : fds) {
            if (p.fd < 0 || p.revents == 0) continue;
            char buf[65536];
            const ssize_t n = read(p.fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            std::lock_guard lock(mu_);
            if (n > 0) {
                (p.fd == out_fd_ ? out_ : err_).append(buf, static_cast<std::size_t>(n));
            } else {
                p.fd = -1;  // closed (poll ignores negative fds)
                --open;
            }
        }
        grew_.notify_all();
    }
    std::lock_guard lock(mu_);
    eof_ = true;
    grew_.notify_all();
}

void ChildProcess::signal(int sig) const {
    std::lock_guard lock(mu_);
    if (!reaped_) kill(pid_, sig);
}

ProcessResult ChildProcess::wait(std::chrono::milliseconds deadline) {
    const auto until = Clock::now() + deadline;
    {
        std::unique_lock lock(mu_);
        if (!reaped_) {
            int status = 0;
            // The output closes when the child exits (or hands it to no one else).
            if (!grew_.wait_until(lock, until, [&] { return eof_; })) kill(pid_, SIGKILL);
            lock.unlock();
            waitpid(pid_, &status, 0);
            lock.lock();
            reaped_ = true;
            exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
    }
    if (reader_.joinable()) reader_.join();
    std::lock_guard lock(mu_);
    return {exit_code_, out_, err_};
}

bool ChildProcess::wait_for_stderr(const std::string& text, std::chrono::milliseconds deadline) {
    return wait_until([&](const std::string&,
                          const std::string& err) { return err.find(text) != std::string::npos; },
                      deadline);
}

bool ChildProcess::wait_until(
    const std::function<bool(const std::string&, const std::string&)>& done,
    std::chrono::milliseconds deadline) {
    std::unique_lock lock(mu_);
    const bool met =
        grew_.wait_until(lock, Clock::now() + deadline, [&] { return done(out_, err_) || eof_; });
    return met && done(out_, err_);
}

std::string ChildProcess::out_so_far() const {
    std::lock_guard lock(mu_);
    return out_;
}

std::string ChildProcess::err_so_far() const {
    std::lock_guard lock(mu_);
    return err_;
}

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::vector<std::string>& env) {
    ChildProcess p(argv, env);
    return p.wait(std::chrono::seconds(30));
}

}  // namespace acd::test
