// The database's lock file (include/acd/store_lock.hpp).
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "acd/store_lock.hpp"

namespace acd {
namespace {

// The PID the holder wrote, or "" when there is none to read.
std::string holder_of(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return "";
    std::string pid(buf, static_cast<std::size_t>(n));
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
        pid.pop_back();
    return pid;
}

}  // namespace

std::filesystem::path StoreLock::file_of(const std::filesystem::path& database) {
    return std::filesystem::path(database.string() + ".lock");
}

Result<StoreLock> StoreLock::acquire(const std::filesystem::path& database) {
    const std::filesystem::path path = file_of(database);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Error{ErrorCode::io_error, fmt::format("cannot open the lock file {}: {}",
                                                      path.string(), std::strerror(errno))};
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string holder = holder_of(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return Error{
                ErrorCode::io_error,
                fmt::format("{} is in use by another acdd ({}; lock file {}): stop it "
                            "first, or give this one another store.path",
                            database.string(), holder.empty() ? "pid unknown" : "pid " + holder,
                            path.string())};
        }
        return Error{ErrorCode::io_error,
                     fmt::format("cannot lock {}: {}", path.string(), std::strerror(err))};
    }
    const std::string pid = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
        const int err = errno;
        ::close(fd);
        return Error{ErrorCode::io_error, fmt::format("cannot write the lock file {}: {}",
                                                      path.string(), std::strerror(err))};
    }
    return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

StoreLock::~StoreLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace acd
