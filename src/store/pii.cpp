#include "acd/pii.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace acd {
namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

std::optional<std::array<std::uint8_t, 32>> parse_key(const std::string& content) {
    std::array<std::uint8_t, 32> key{};
    if (content.size() == 32) {
        std::memcpy(key.data(), content.data(), 32);
        return key;
    }
    std::string hex = content;
    while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back())))
        hex.pop_back();
    if (hex.size() != 64) return std::nullopt;
    for (std::size_t i = 0; i < 32; ++i) {
        const std::string byte = hex.substr(2 * i, 2);
        if (!std::isxdigit(static_cast<unsigned char>(byte[0])) ||
            !std::isxdigit(static_cast<unsigned char>(byte[1]))) {
            return std::nullopt;
        }
        key[i] = static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16));
    }
    return key;
}

// Creates the key file with O_EXCL (never overwrites), 0600, synced with its folder.
Status create_key_file(const std::filesystem::path& path) {
    std::array<std::uint8_t, 32> key{};
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        return Error{ErrorCode::io_error, "cannot draw random bytes for the PII key"};
    }
    const std::string hex =
        to_hex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size())) + "\n";
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{ErrorCode::io_error,
                     fmt::format("cannot create {}: {}", path.string(), std::strerror(errno))};
    const bool written =
        ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written)
        return Error{ErrorCode::io_error,
                     fmt::format("cannot write {}: {}", path.string(), std::strerror(errno))};
    const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return {};
}

}  // namespace

std::string to_hex(std::string_view data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (unsigned char c : data) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
    }
    return out;
}

std::string normalize_phone(std::string_view phone) {
    std::string out;
    for (char c : phone) {
        if (c >= '0' && c <= '9') out.push_back(c);
        if (c == '+' && out.empty()) out.push_back(c);
    }
    return out;
}

Result<PiiKey> PiiKey::load(const StoreConfig& store, bool* created) {
    const std::filesystem::path& path = store.pii_key_file;
    if (created != nullptr) *created = false;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno != ENOENT || store.pii_key_file_given) {
            return Error{ErrorCode::io_error, fmt::format("store.pii_key_file: cannot use {}: {}",
                                                          path.string(), std::strerror(errno))};
        }
        // A database without its key: a new key would make every pseudonym and sealed value
        // in it unreadable, and then stand in the way of restoring the right one.
        std::error_code ec;
        if (std::filesystem::file_size(store.path, ec) > 0 && !ec) {
            return Error{ErrorCode::io_error,
                         fmt::format("the PII key {} is missing but the database {} exists: "
                                     "restore the key file it was written with (from the "
                                     "backup of the database)",
                                     path.string(), store.path.string())};
        }
        if (Status s = create_key_file(path); !s) return s.error();
        if (created != nullptr) *created = true;
        if (::stat(path.c_str(), &st) != 0)
            return Error{ErrorCode::io_error, "cannot stat " + path.string()};
    }
    if (!S_ISREG(st.st_mode))
        return Error{ErrorCode::io_error, fmt::format("{} is not a regular file", path.string())};
    if ((st.st_mode & 077) != 0) {
        return Error{
            ErrorCode::io_error,
            fmt::format(
                "{} is accessible by other users (mode {:04o}): the PII key must be private; "
                "chmod 600 it",
                path.string(), st.st_mode & 07777)};
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in) return Error{ErrorCode::io_error, fmt::format("cannot read {}", path.string())};
    const auto key = parse_key(content.str());
    if (!key) {
        return Error{ErrorCode::io_error,
                     fmt::format("{} must hold 32 random bytes, raw or as 64 hex characters",
                                 path.string())};
    }
    return PiiKey(*key);
}

std::string PiiKey::hmac_hex(std::string_view data) const {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), bytes(data), data.size(), out,
         &len);
    return to_hex(std::string_view(reinterpret_cast<const char*>(out), len));
}

std::string PiiKey::pseudonym(std::string_view phone) const {
    return hmac_hex(normalize_phone(phone));
}

bool PiiKey::quality_sample(std::string_view gateway, std::string_view call_id, int percent) const {
    if (percent <= 0) return false;
    if (percent >= 100) return true;
    // A domain of its own, and the gateway id's length, so that no (gateway, call id) pair reads
    // as another and no pseudonym equals a choice.
    std::string message = "acdd quality sample v1\n";
    message += std::to_string(gateway.size());
    message += ':';
    message += gateway;
    message += call_id;
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), bytes(message), message.size(),
         out, &len);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | out[i];
    return static_cast<int>(v % 100) < percent;
}

std::string PiiKey::fingerprint() const {
    return hmac_hex("acdd pii key fingerprint v1");
}

std::string PiiKey::seal(std::string_view plaintext, std::string_view pseudonym) const {
    std::string out(kNonce + plaintext.size() + kTag, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    RAND_bytes(o, kNonce);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), o);
    EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(pseudonym),
                      static_cast<int>(pseudonym.size()));
    EVP_EncryptUpdate(ctx.get(), o + kNonce, &len, bytes(plaintext),
                      static_cast<int>(plaintext.size()));
    EVP_EncryptFinal_ex(ctx.get(), o + kNonce + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, o + kNonce + plaintext.size());
    return out;
}

std::optional<std::string> PiiKey::open(std::string_view sealed, std::string_view pseudonym) const {
    if (sealed.size() < kNonce + kTag) return std::nullopt;
    const std::size_t n = sealed.size() - kNonce - kTag;
    std::string out(n, '\0');
    const unsigned char* s = bytes(sealed);
    CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
    int len = 0;
    EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), s);
    EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(pseudonym),
                      static_cast<int>(pseudonym.size()));
    EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, s + kNonce,
                      static_cast<int>(n));
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag,
                        const_cast<unsigned char*>(s + kNonce + n));
    if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) !=
        1) {
        return std::nullopt;
    }
    return out;
}

}  // namespace acd
