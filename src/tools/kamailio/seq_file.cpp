#include "seq_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace acd::kamailio {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

bool write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

std::string SeqFile::load() {
    std::ifstream in(path_);
    if (!in) {
        if (!std::filesystem::exists(path_)) return {};
        return fmt::format("cannot read state file '{}'", path_);
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    std::uint64_t value = 0;
    if (s.empty() || s.size() > 19) {
        return fmt::format("state file '{}' does not hold a sequence number", path_);
    }
    for (char c : s) {
        if (c < '0' || c > '9') {
            return fmt::format("state file '{}' does not hold a sequence number", path_);
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    last_ = value;
    bound_ = value;
    return {};
}

std::uint64_t SeqFile::next(std::string& error) {
    const std::uint64_t seq = last_ + 1;
    if (seq > bound_) {
        error = write(seq - 1 + kSeqBlock);
        if (!error.empty()) return 0;
    }
    last_ = seq;
    return seq;
}

std::string SeqFile::write(std::uint64_t bound) {
    const std::filesystem::path path(path_);
    const std::string tmp = path_ + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return fmt::format("cannot write state file '{}': {}", tmp, errno_text());
    const bool ok = write_all(fd, fmt::format("{}\n", bound)) && ::fsync(fd) == 0;
    const std::string why = errno_text();
    ::close(fd);
    if (!ok) return fmt::format("cannot write state file '{}': {}", tmp, why);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        return fmt::format("cannot rename '{}' to '{}': {}", tmp, path_, errno_text());
    }
    // The rename itself must survive a power cut.
    const std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    bound_ = bound;
    return {};
}

}  // namespace acd::kamailio
