// The side file of the chain's head (head.hpp). Its format, one item a line:
//   acdd-head 1
//   audit_id 5054
//   hash <64 hex digits>
//   gateway gw1 5054
#include "head.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "acd/pii.hpp"

namespace acd {
namespace {

std::optional<Hash> parse_hash(const std::string& hex) {
    Hash h{};
    if (hex.size() != h.size() * 2) return std::nullopt;
    for (std::size_t i = 0; i < h.size(); ++i) {
        unsigned v = 0;
        if (std::sscanf(hex.c_str() + 2 * i, "%2x", &v) != 1) return std::nullopt;
        h[i] = static_cast<std::uint8_t>(v);
    }
    return h;
}

Status fsync_dir(const std::filesystem::path& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return {};
    ::fsync(fd);
    ::close(fd);
    return {};
}

}  // namespace

std::filesystem::path head_file_of(const std::filesystem::path& database) {
    return std::filesystem::path(database.string() + ".head");
}

Result<std::optional<Head>> read_head(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) {
        if (errno == ENOENT) return std::optional<Head>();
        return Error{ErrorCode::io_error,
                     fmt::format("cannot read {}: {}", file.string(), std::strerror(errno))};
    }
    const auto bad = [&](const std::string& why) {
        return Error{ErrorCode::io_error,
                     fmt::format("{} is not a head file acdd wrote ({}): move it away to start "
                                 "without the check",
                                 file.string(), why)};
    };
    Head head;
    std::string line;
    if (!std::getline(in, line) || line != "acdd-head 1") return bad("first line");
    bool have_id = false;
    bool have_hash = false;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key;
        words >> key;
        if (key == "audit_id") {
            have_id = static_cast<bool>(words >> head.chain.id);
        } else if (key == "hash") {
            std::string hex;
            words >> hex;
            const auto h = parse_hash(hex);
            if (!h) return bad("hash");
            head.chain.hash = *h;
            have_hash = true;
        } else if (key == "gateway") {
            std::string id;
            std::uint64_t seq = 0;
            if (!(words >> id >> seq)) return bad("gateway line");
            head.gateways[id] = seq;
        } else if (!key.empty()) {
            return bad("unknown line '" + key + "'");
        }
    }
    if (!have_id || !have_hash) return bad("audit_id or hash missing");
    return std::optional<Head>(std::move(head));
}

Status write_head(const std::filesystem::path& file, const Head& head) {
    std::string text =
        fmt::format("acdd-head 1\naudit_id {}\nhash {}\n", head.chain.id,
                    to_hex(std::string_view(reinterpret_cast<const char*>(head.chain.hash.data()),
                                            head.chain.hash.size())));
    for (const auto& [id, seq] : head.gateways)
        text += fmt::format("gateway {} {}\n", id, seq);
    const std::filesystem::path tmp = file.string() + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        return Error{ErrorCode::io_error,
                     fmt::format("cannot write {}: {}", tmp.string(), std::strerror(errno))};
    }
    const bool written =
        ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
        ::fsync(fd) == 0;
    int err = errno;
    ::close(fd);
    if (written && ::rename(tmp.c_str(), file.c_str()) == 0) return fsync_dir(file.parent_path());
    if (written) err = errno;
    return Error{ErrorCode::io_error,
                 fmt::format("cannot write {}: {}", file.string(), std::strerror(err))};
}

}  // namespace acd
