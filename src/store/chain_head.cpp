// The head of the audit chain (include/acd/store.hpp, docs/storage.md "Keeping the chain's
// head").
#include <fmt/format.h>

#include <cstring>

#include "acd/pii.hpp"
#include "store_impl.hpp"

namespace acd {

std::string ChainHead::to_string() const {
    return fmt::format(
        "{}:{}", id,
        to_hex(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())));
}

std::optional<ChainHead> ChainHead::parse(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 18) return std::nullopt;
    ChainHead head;
    for (const char c : text.substr(0, colon)) {
        if (c < '0' || c > '9') return std::nullopt;
        head.id = head.id * 10 + (c - '0');
    }
    const std::string_view hex = text.substr(colon + 1);
    if (hex.size() != 2 * head.hash.size()) return std::nullopt;
    const auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < head.hash.size(); ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        head.hash[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    return head;
}

// On a connection of its own, like verify(): any thread may ask.
Result<ChainHead> Store::head() {
    auto db = sql::Db::open_reader(impl_->options.path);
    if (!db) return db.error();
    auto stmt = db->prepare("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1");
    if (!stmt) return stmt.error();
    ChainHead head;
    if (!stmt->step()) {
        if (stmt->failed()) return stmt->error();
        return head;  // an empty log
    }
    head.id = stmt->int64(0);
    const std::string_view hash = stmt->blob(1);
    if (hash.size() == head.hash.size()) std::memcpy(head.hash.data(), hash.data(), hash.size());
    return head;
}

}  // namespace acd
