// The hash chain of the audit log: the canonical bytes of a record and their hash
// (docs/storage.md "The hash chain").
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "store_impl.hpp"

namespace acd {
namespace {

void put_u64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>(v >> shift));
}
void put_str(std::string& out, std::string_view s) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<char>(s.size() >> shift));
    }
    out.append(s);
}
void put_opt(std::string& out, const std::optional<std::int64_t>& v) {
    out.push_back(v ? 1 : 0);
    if (v) put_u64(out, static_cast<std::uint64_t>(*v));
}

// SHA-256 with the algorithm fetched once and the context reused: EVP_Digest() looks the
// algorithm up and allocates a context on every call, which cost as much as hashing a record.
class Sha256 {
  public:
    Sha256() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {}
    ~Sha256() {
        EVP_MD_CTX_free(ctx_);
        EVP_MD_free(md_);
    }
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Hash of(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
        Hash out{};
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx_, md_, nullptr);
        EVP_DigestUpdate(ctx_, a.data(), a.size());
        EVP_DigestUpdate(ctx_, b.data(), b.size());
        EVP_DigestUpdate(ctx_, c.data(), c.size());
        EVP_DigestFinal_ex(ctx_, out.data(), &len);
        return out;
    }

  private:
    EVP_MD* md_;
    EVP_MD_CTX* ctx_;
};

std::string_view bytes(const Hash& h) {
    return {reinterpret_cast<const char*>(h.data()), h.size()};
}

Sha256& sha256() {
    thread_local Sha256 sha;  // each thread that hashes (producers, the writer, verify) has its own
    return sha;
}

}  // namespace

Hash chain_hash(const Hash& previous, const AuditRecord& record) {
    return sha256().of(bytes(previous), canonical_bytes(record));
}

Hash content_digest(const AuditRecord& record) {
    return sha256().of(content_bytes(record));
}

Hash chain_link(const Hash& previous, std::int64_t id, const Hash& digest) {
    std::string be;
    put_u64(be, static_cast<std::uint64_t>(id));
    return sha256().of(bytes(previous), be, bytes(digest));
}

Hash chain_hash(const Hash& previous, const AuditRecord& record, std::int64_t format2_from) {
    if (record.id < format2_from) return chain_hash(previous, record);
    return chain_link(previous, record.id, content_digest(record));
}

namespace {

std::optional<RecordKind> parse_kind(std::string_view s) {
    for (RecordKind k : {RecordKind::input, RecordKind::output, RecordKind::action}) {
        if (to_string(k) == s) return k;
    }
    return std::nullopt;
}

}  // namespace

AuditRecord record_from_row(const sql::Statement& row) {
    AuditRecord r;
    r.id = row.int64(0);
    r.at = from_ms(row.int64(1));
    r.kind = parse_kind(row.text(2)).value_or(RecordKind::action);
    r.type = std::string(row.text(3));
    r.gateway = std::string(row.text(4));
    r.seq = static_cast<std::uint64_t>(row.int64(5));
    r.call_id = std::string(row.text(6));
    r.agent = std::string(row.text(7));
    if (!row.is_null(8)) r.uid = row.int64(8);
    if (!row.is_null(9)) r.gid = row.int64(9);
    r.body = std::string(row.text(10));
    const std::string_view hash = row.blob(11);
    if (hash.size() == r.hash.size()) std::memcpy(r.hash.data(), hash.data(), hash.size());
    r.changes = std::string(row.text(12));
    return r;
}

std::string_view to_string(RecordKind kind) {
    switch (kind) {
        case RecordKind::input:
            return "input";
        case RecordKind::output:
            return "output";
        case RecordKind::action:
            return "action";
    }
    return "action";
}

namespace {

// The fields both formats hash, in this order, from `at` to `body` (docs/storage.md).
void put_fields(std::string& out, const AuditRecord& r) {
    put_u64(out, static_cast<std::uint64_t>(ms(r.at)));
    put_str(out, to_string(r.kind));
    put_str(out, r.type);
    put_str(out, r.gateway);
    put_u64(out, r.seq);
    put_str(out, r.call_id);
    put_str(out, r.agent);
    put_opt(out, r.uid);
    put_opt(out, r.gid);
    put_str(out, r.body);
}

std::size_t bytes_hint(const AuditRecord& r) {
    return 96 + r.type.size() + r.gateway.size() + r.call_id.size() + r.agent.size() +
           r.body.size() + r.changes.size();
}

}  // namespace

std::string canonical_bytes(const AuditRecord& r) {
    std::string out;
    out.reserve(bytes_hint(r));
    out.append("acdd-audit-v1");
    put_u64(out, static_cast<std::uint64_t>(r.id));
    put_fields(out, r);
    return out;
}

// Format 2: as format 1 without the id (the writer assigns it and links it, see chain_link), and
// with the changes an input carries.
std::string content_bytes(const AuditRecord& r) {
    std::string out;
    out.reserve(bytes_hint(r));
    out.append("acdd-audit-v2");
    put_fields(out, r);
    put_str(out, r.changes);
    return out;
}

void seal(AuditRecord& r) {
    if (!r.call_id.empty()) r.calls.push_back({r.gateway, r.call_id});
    if (!r.agent.empty()) r.agents.push_back(r.agent);
    std::sort(r.calls.begin(), r.calls.end());
    r.calls.erase(std::unique(r.calls.begin(), r.calls.end()), r.calls.end());
    std::sort(r.agents.begin(), r.agents.end());
    r.agents.erase(std::unique(r.agents.begin(), r.agents.end()), r.agents.end());
    r.digest = content_digest(r);
}

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

}  // namespace acd
