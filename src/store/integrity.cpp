// What the store checks when it opens, before acdd serves (include/acd/store.hpp,
// docs/operations.md "When acdd refuses to start"): damaged pages, a database behind its side file,
// a disk that does not take writes; and the side file itself, kept after commits by a thread of its
// own.
#include <fmt/format.h>

#include <chrono>
#include <cstring>

#include "acd/json.hpp"
#include "acd/log.hpp"
#include "store_impl.hpp"

namespace acd {
namespace {

// The side file is rewritten at most this often: a file write and an fsync off the commit path.
constexpr auto kHeadInterval = std::chrono::milliseconds(200);

Time wall_now() {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

}  // namespace

// quick_check reads every page of the database (not the indexes' contents against their tables,
// which integrity_check adds): its cost is in docs/operations.md.
Status Store::Impl::check_pages() {
    auto stmt = writer_db.prepare("PRAGMA quick_check(5)");
    if (!stmt) return unreadable(stmt.error().message);
    std::string problems;
    while (stmt->step()) {
        const std::string_view line = stmt->text(0);
        if (line == "ok") return {};
        problems += problems.empty() ? "" : "; ";
        problems += line;
    }
    if (stmt->failed()) return unreadable(stmt->error().message);
    return Error{ErrorCode::io_error,
                 fmt::format("{} is damaged (PRAGMA quick_check: {}): acdd does not write into a "
                             "damaged database; restore the latest backup (docs/operations.md)",
                             options.path.string(), problems)};
}

Status Store::Impl::unreadable(const std::string& message) {
    return Error{ErrorCode::io_error,
                 fmt::format("{} cannot be read whole (PRAGMA quick_check: {}): acdd does not "
                             "write into a database it cannot read; if it is damaged, restore "
                             "the latest backup (docs/operations.md)",
                             options.path.string(), message)};
}

Status Store::Impl::probe_write() {
    auto stmt =
        writer_db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('opened_at', ?1)");
    if (!stmt) return stmt.error();
    Status s = sql::transaction(
        writer_db, [&] { return stmt->bind(1, std::to_string(ms(wall_now()))).run(); });
    if (s) return s;
    return Error{ErrorCode::io_error,
                 fmt::format("cannot write to {}: {}: acdd does not serve on a store that cannot "
                             "make what it takes durable",
                             options.path.string(), s.message())};
}

namespace {

// What the side file says was acknowledged per gateway and the database does not hold.
std::string gateway_losses(sql::Db& db, const Head& expected) {
    std::string out;
    auto stmt = db.prepare("SELECT max(seq) FROM audit WHERE gateway = ?1");
    if (!stmt) return out;
    for (const auto& [gateway, seq] : expected.gateways) {
        stmt->bind(1, gateway);
        const std::uint64_t have = stmt->step() ? std::uint64_t(stmt->int64(0)) : 0;
        stmt->reset();
        if (have < seq) {
            out += fmt::format(
                "; gateway {}: events up to seq {} were recorded, the database "
                "holds them up to seq {}",
                gateway, seq, have);
        }
    }
    return out;
}

}  // namespace

Status Store::Impl::check_head() {
    head_path = head_file_of(options.path);
    auto side = read_head(head_path);
    if (!side) return side.error();
    Head now;
    std::int64_t scan_after = 0;
    if (*side) {
        const Head& expected = **side;
        std::string what;
        if (chain.id < expected.chain.id) {
            what = fmt::format(
                "it ends at audit record {}, acdd had committed up to record {} ({} "
                "records missing{})",
                chain.id, expected.chain.id, expected.chain.id - chain.id,
                gateway_losses(writer_db, expected));
        } else if (expected.chain.id > 0) {
            auto stmt = writer_db.prepare("SELECT hash FROM audit WHERE id = ?1");
            if (!stmt) return stmt.error();
            stmt->bind(1, expected.chain.id);
            const bool same =
                stmt->step() &&
                stmt->blob(0) ==
                    std::string_view(reinterpret_cast<const char*>(expected.chain.hash.data()),
                                     expected.chain.hash.size());
            if (!same) {
                what = fmt::format("its audit record {} is not the one acdd wrote (another chain)",
                                   expected.chain.id);
            }
        }
        if (!what.empty() && !options.accept_data_loss) {
            return Error{ErrorCode::store,
                         fmt::format("{} is behind what acdd had committed ({}): {}. It was "
                                     "restored from a backup, cut (its WAL lost or damaged), "
                                     "deleted or replaced. Restore the newest copy there is; to "
                                     "start on this one anyway, accepting the loss, start acdd "
                                     "once with --accept-data-loss (audited)",
                                     options.path.string(), head_path.string(), what)};
        }
        if (!what.empty()) {
            if (Status s = accept_loss(expected, what); !s) return s;
        } else {
            now.gateways = expected.gateways;
            scan_after = expected.chain.id;
        }
    }
    // The gateways' seqs recorded after what the side file knew (all of them on a first start).
    auto stmt = writer_db.prepare(
        "SELECT gateway, max(seq) FROM audit WHERE id > ?1 AND gateway IS NOT NULL AND seq IS NOT "
        "NULL GROUP BY gateway");
    if (!stmt) return stmt.error();
    stmt->bind(1, scan_after);
    while (stmt->step()) {
        std::uint64_t& seq = now.gateways[std::string(stmt->text(0))];
        seq = std::max(seq, std::uint64_t(stmt->int64(1)));
    }
    if (stmt->failed()) return stmt->error();
    now.chain = {chain.id, chain.hash};
    committed_head = now;
    return write_head(head_path, now);
}

Status Store::Impl::accept_loss(const Head& expected, const std::string& what) {
    AuditRecord r;
    r.at = wall_now();
    r.kind = RecordKind::action;
    r.type = "data-loss-accepted";
    Json body = {{"database_head", chain.id},
                 {"expected_head", expected.chain.id},
                 {"what", what},
                 {"gateways", expected.gateways}};
    r.body = body.dump();
    const Chain saved = chain;
    Status s = sql::transaction(writer_db, [&] { return write_record(r); });
    if (!s) {
        chain = saved;
        return s;
    }
    log_error("store.data_loss_accepted",
              "{}: started with --accept-data-loss: {} (audit record {})", options.path.string(),
              what, r.id);
    return {};
}

void Store::Impl::publish_head(const std::vector<Pending>& committed) {
    std::lock_guard lock(head_mu);
    committed_head.chain = {chain.id, chain.hash};
    for (const Pending& p : committed) {
        for (const AuditRecord& r : p.batch.records) {
            if (r.gateway.empty() || r.seq == 0) continue;
            std::uint64_t& seq = committed_head.gateways[r.gateway];
            seq = std::max(seq, r.seq);
        }
    }
    head_dirty = true;
    head_cv.notify_one();
}

void Store::Impl::run_head() {
    bool failing = false;
    std::unique_lock lock(head_mu);
    for (;;) {
        head_cv.wait(lock, [&] { return head_dirty || head_stopping; });
        if (head_dirty) {
            const Head head = committed_head;
            head_dirty = false;
            lock.unlock();
            const Status s = write_head(head_path, head);
            if (!s && !failing) log_error("store.head", "{}", s.message());
            if (s && failing) log_event("store.head", "{} written again", head_path.string());
            failing = !s;
            lock.lock();
        }
        if (head_stopping && !head_dirty) return;
        head_cv.wait_for(lock, kHeadInterval, [&] { return head_stopping; });
    }
}

}  // namespace acd
