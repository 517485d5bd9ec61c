// Personal data protection (docs/spec/agenda.md "Patients and personal data", docs/spec/config.md
// store.pii_key_file): the PII key, pseudonyms, and sealed (encrypted) personal data.
//
//   acd::Result<acd::PiiKey> key = acd::PiiKey::load(config.store);
//   std::string p = key->pseudonym("+352 44 11 22 21");    // HMAC-SHA-256, hex
//   std::string sealed = key->seal(R"({"phone":"+35244112221"})", p);
//   std::optional<std::string> clear = key->open(sealed, p);
//
// Contract:
// - The key is 32 bytes from `store.pii_key_file`, raw or as 64 hex characters. When the config
//   does not name the file, it is `<store.path>.key`, created (mode 0600, 32 random bytes as hex)
//   on first start (when the database does not exist yet); load() says so in `created`. A named
//   file that is missing, or a missing default one beside an existing database, is an error (a
//   new key would orphan every pseudonym). A file with any group or other permission is refused.
// - pseudonym() is deterministic for a key: HMAC-SHA-256 of the normalized phone number
//   (digits, and a leading '+' when there is one), as 64 lowercase hex characters.
// - seal() encrypts with AES-256-GCM under a fresh random 96-bit nonce, binding the pseudonym
//   as associated data: a sealed value moved to another pseudonym's row does not open.
// - Thread-safe: a PiiKey is immutable once loaded.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "acd/config.hpp"
#include "acd/result.hpp"

namespace acd {

// Digits, and a leading '+' when the number starts with one: "+352 44-11" -> "+3524411".
std::string normalize_phone(std::string_view phone);

class PiiKey {
  public:
    static Result<PiiKey> load(const StoreConfig& store, bool* created = nullptr);
    // A key from 32 bytes (tests, tools).
    static PiiKey from_bytes(const std::array<std::uint8_t, 32>& bytes) { return PiiKey(bytes); }

    std::string pseudonym(std::string_view phone) const;
    // Whether the call `call_id` of gateway `gateway` is in the quality sample (routing.md v1.1):
    // HMAC-SHA-256 of both under this key, its first 8 bytes modulo 100 below `percent` (0 to
    // 100). Deterministic, unpredictable without the key, uniform over call ids; the daemon puts
    // it in input::CallOffered::quality_sample, and the journal keeps it for replay.
    bool quality_sample(std::string_view gateway, std::string_view call_id, int percent) const;
    std::string seal(std::string_view plaintext, std::string_view pseudonym) const;
    std::optional<std::string> open(std::string_view sealed, std::string_view pseudonym) const;
    // A value that identifies the key without revealing it: the store keeps it to refuse a
    // database opened with another key.
    std::string fingerprint() const;

  private:
    explicit PiiKey(const std::array<std::uint8_t, 32>& bytes) : key_(bytes) {}
    std::string hmac_hex(std::string_view data) const;

    std::array<std::uint8_t, 32> key_;
};

// Lowercase hex of bytes.
std::string to_hex(std::string_view bytes);

}  // namespace acd
