// The writer thread: group commit of the batches, the hash chain as records are written, jobs in
// savepoints of their own (see include/acd/store.hpp).
#include <fmt/format.h>

#include <chrono>

#include "acd/log.hpp"
#include "module.hpp"
#include "store_impl.hpp"

namespace acd {
namespace {

constexpr std::size_t kMaxRecordsPerCommit = 100'000;
constexpr int kSnapshotsKept = 2;

}  // namespace

void Store::Impl::run() {
    std::vector<Pending> taken;
    for (;;) {
        {
            std::unique_lock lock(mu);
            work_cv.wait(lock, [&] { return !queue.empty() || stopping; });
            if (queue.empty()) return;  // stopping, and everything is written
            // Group commit: take what is queued, up to a bound that keeps latency in check.
            std::size_t records = 0;
            std::size_t n = 0;
            while (n < queue.size() && (n == 0 || records < kMaxRecordsPerCommit)) {
                records += queue[n++].batch.records.size() + 1;
            }
            std::move(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n),
                      std::back_inserter(taken));
            queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
        }
        if (failed) {
            taken.clear();
            continue;
        }
        // Timed from here to COMMIT returned: what the acks of this batch wait for, the copy of
        // the WAL's tail before it starts over included (acdd_store_commit_seconds).
        const auto began = std::chrono::steady_clock::now();
        checkpoint_tail();
        std::size_t records = 0;
        for (const Pending& p : taken)
            records += p.batch.records.size() + 1;
        if (Status st = write(taken); !st) {
            failed = true;
            if (options.on_failure) options.on_failure(st.message());
            durable_cv.notify_all();
            room_cv.notify_all();
            taken.clear();
            continue;
        }
        commit_times.record(std::chrono::steady_clock::now() - began);
        const std::uint64_t ticket = taken.back().ticket;
        publish_head(taken);
        taken.clear();
        // The committed records leave pending_records before on_durable runs: a producer that
        // paused on pending_records() and waits for on_durable to look again must see them gone,
        // or it may wait for a commit that never comes.
        {
            std::lock_guard lock(mu);
            pending_records -= records;
        }
        room_cv.notify_all();
        // The callback runs before flush() can see the commit: when flush() returns, every
        // on_durable call for what it waited on has been made.
        if (options.on_durable) options.on_durable(ticket);
        {
            std::lock_guard lock(mu);
            durable_ticket = ticket;
        }
        durable_cv.notify_all();
    }
}

Status Store::Impl::write(std::vector<Pending>& pending) {
    const Chain saved = chain;
    Status s = sql::transaction(writer_db, [&]() -> Status {
        for (Pending& p : pending) {
            if (Status b = write_batch(p.batch); !b) return b;
        }
        return {};
    });
    if (!s) {
        chain = saved;
        return Error{s.code(),
                     fmt::format("cannot write to {}: {}", options.path.string(), s.message())};
    }
    return {};
}

Status Store::Impl::write_batch(WriteBatch& batch) {
    for (AuditRecord& r : batch.records) {
        if (Status s = write_record(r); !s) return s;
    }
    for (const PiiUpsert& p : batch.pii) {
        if (Status s = remember(p.pseudonym, p.fields, p.at, /*create=*/true); !s) return s;
    }
    for (const CallSnapshot& c : batch.finished_calls) {
        if (Status s = bind_call(insert_call, c); !s) return s;
    }
    if (!batch.snapshot.empty()) {
        if (Status s = write_snapshot(batch.snapshot); !s) return s;
    }
    if (batch.job) return run_job(batch.job);
    return {};
}

// The record's content was hashed by its producer (Store::append, seal()); here it only gets its
// id and its link in the chain, and its rows in the side indexes.
Status Store::Impl::write_record(AuditRecord& r) {
    if (!r.digest) seal(r);  // a job's record, appended on this thread
    r.id = chain.id + 1;
    r.hash = chain_link(chain.hash, r.id, *r.digest);
    insert_record.bind(1, r.id)
        .bind(2, ms(r.at))
        .bind(3, to_string(r.kind))
        .bind(4, r.type)
        .bind(5, null_if_empty(r.gateway))
        .bind(6, r.seq == 0 ? std::nullopt : std::optional<std::int64_t>(std::int64_t(r.seq)))
        .bind(7, null_if_empty(r.call_id))
        .bind(8, null_if_empty(r.agent))
        .bind(9, r.uid)
        .bind(10, r.gid)
        .bind(11, r.body)
        .bind_blob(12,
                   std::string_view(reinterpret_cast<const char*>(r.hash.data()), r.hash.size()))
        .bind(13, null_if_empty(r.changes));
    if (Status s = insert_record.run(); !s) return s;
    for (const CallRef& c : r.calls) {
        if (Status s = index_call.bind(1, c.call_id).bind(2, c.gateway).bind(3, r.id).run(); !s)
            return s;
    }
    for (const std::string& agent : r.agents) {
        if (Status s = index_agent.bind(1, r.id).bind(2, agent).run(); !s) return s;
    }
    chain = {r.id, r.hash, r.at};
    return {};
}

// A person seen again within kPiiTouchEveryMs keeps the last_seen of the earlier time: retention
// counts in days, and a caller who calls back then costs no write (the row and its index entry
// would move to other pages at every call).
Status Store::Impl::write_snapshot(const std::string& state) {
    if (Status s =
            insert_snapshot.bind(1, chain.id).bind(2, ms(chain.at)).bind_blob(3, state).run();
        !s) {
        return s;
    }
    return prune_snapshots.bind(1, std::int64_t(kSnapshotsKept)).run();
}

// A job runs in a savepoint: when it fails, what it wrote (rows and audit records) is rolled
// back and the transaction goes on without it; only an io_error fails the transaction.
Status Store::Impl::run_job(const std::function<Status(WriteContext&)>& job) {
    const Chain saved = chain;
    if (Status s = writer_db.exec("SAVEPOINT job"); !s) return s;
    WriteContext ctx(*this);
    Status s = job(ctx);
    if (s) return writer_db.exec("RELEASE job");
    if (s.code() == ErrorCode::io_error) return s;
    chain = saved;
    log_error("store.job", "a change was not made ({}): {}", to_string(s.code()), s.message());
    if (Status r = writer_db.exec("ROLLBACK TO job"); !r) return r;
    return writer_db.exec("RELEASE job");
}

const PiiKey& WriteContext::key() const {
    return impl_.key;
}
Status WriteContext::append(AuditRecord record) {
    return impl_.write_record(record);
}

sql::Db& store::connection(WriteContext& ctx) {
    return ctx.impl().writer_db;
}

}  // namespace acd
