// The store under load (issue: store), measured, not asserted (docs/performance.md):
//   - records/s through acd::Store's writer (hash chain, group commit, a writer thread), with
//     synchronous=normal and full;
//   - the same rows through a bare SQLite loop (one prepared INSERT, 1000 rows per transaction,
//     no chain, no thread) on the same machine in the same run: the ratio is the figure;
//   - recovery of a 1,000,000-input log as the daemon journals it (one record per input, its
//     changes in it; snapshots every kSnapshotEveryInputs inputs), and, for comparison, a full
//     replay without snapshots.
//
// The writer's records are rows of the size the daemon wrote until schema 3: per input, one
// input record and ~3 change records with JSON bodies of 100-400 bytes.
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <filesystem>
#include <random>

#include "acd/snapshot.hpp"
#include "daemon/journal.hpp"
#include "daemon/recovery.hpp"
#include "daemon/service.hpp"

namespace {

using namespace acd;
namespace fs = std::filesystem;

PiiKey bench_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(9);
    return PiiKey::from_bytes(bytes);
}

fs::path fresh_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("acdd-bench-" + name);
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// One input's worth of records: an input and three changes, bodies like the daemon's.
std::vector<AuditRecord> input_records(std::int64_t n) {
    std::vector<AuditRecord> out;
    AuditRecord in;
    in.at = Time{} + Duration(1'700'000'000'000 + n);
    in.kind = RecordKind::input;
    in.type = "call.offered";
    in.gateway = "gw1";
    in.seq = static_cast<std::uint64_t>(n);
    in.call_id = "c" + std::to_string(n);
    in.body =
        R"({"call_id":"c)" + std::to_string(n) +
        R"(","caller":"3f1d0c5e9a7b2d4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d","dialed":"+35244112221","seq":)" +
        std::to_string(n) + R"(,"type":"call.offered"})";
    out.push_back(in);
    for (const char* type : {"call.offered", "agent.state", "call.routed"}) {
        AuditRecord ch = in;
        ch.kind = RecordKind::output;
        ch.type = type;
        ch.seq = 0;
        ch.agent = "a07";
        ch.body =
            std::string(
                R"({"agent":"a07","answered_at":null,"at":"2026-11-23T09:30:00.000Z","call_id":"c)") +
            std::to_string(n) +
            R"(","caller":"3f1d0c5e9a7b2d4c6e8f0a1b3c5d7e9f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d","cause":"routed","class":"appointment","deadline":"2026-11-23T09:32:00.000Z","ended_at":null,"enqueued_at":"2026-11-23T09:30:00.000Z","gateway":"gw1","outcome":null,"overflowed":false,"specialty":"cardiology","state":"offering","team":null})";
        out.push_back(std::move(ch));
    }
    return out;
}

constexpr std::int64_t kInputs = 50'000;  // 200,000 records per run

void BM_StoreWriter(benchmark::State& state) {
    const Synchronous sync = state.range(0) ? Synchronous::full : Synchronous::normal;
    std::vector<std::vector<AuditRecord>> batches;
    for (std::int64_t n = 1; n <= kInputs; ++n)
        batches.push_back(input_records(n));
    for (auto _ : state) {
        const fs::path dir = fresh_dir("writer");
        StoreOptions options;
        options.path = dir / "acdd.db";
        options.synchronous = sync;
        auto store = Store::open(options, bench_key());
        if (!store) return state.SkipWithError(store.error().message.c_str());
        for (const auto& records : batches) {
            WriteBatch b;
            b.records = records;
            (*store)->append(std::move(b));
        }
        (*store)->flush();
    }
    state.SetItemsProcessed(state.iterations() * kInputs * 4);
    state.counters["records/s"] =
        benchmark::Counter(double(state.iterations() * kInputs * 4), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_StoreWriter)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("full")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// The rows through one prepared INSERT, 1000 rows per transaction, no chain, no index, no thread,
// in a fresh database with the daemon's pragmas (WAL, `synchronous` from `full`, `page_size`).
void bare_inserts(const std::vector<AuditRecord>& rows, bool full, int page_size) {
    const fs::path dir = fresh_dir("bare");
    sqlite3* db = nullptr;
    sqlite3_open((dir / "bare.db").c_str(), &db);
    const std::string pragmas =
        "PRAGMA page_size = " + std::to_string(page_size) +
        "; PRAGMA journal_mode = WAL; PRAGMA synchronous = " + (full ? "FULL" : "NORMAL");
    sqlite3_exec(db, pragmas.c_str(), nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "CREATE TABLE audit (id INTEGER PRIMARY KEY, at INTEGER, kind TEXT, type TEXT, "
                 "gateway TEXT, seq INTEGER, call_id TEXT, agent TEXT, body TEXT)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO audit (at, kind, type, gateway, seq, call_id, agent, body) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       -1, &insert, nullptr);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i % 1000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        const AuditRecord& r = rows[i];
        sqlite3_bind_int64(insert, 1, r.at.time_since_epoch().count());
        sqlite3_bind_text(insert, 2, r.kind == RecordKind::input ? "input" : "output", -1,
                          SQLITE_STATIC);
        sqlite3_bind_text(insert, 3, r.type.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 4, r.gateway.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 5, static_cast<std::int64_t>(r.seq));
        sqlite3_bind_text(insert, 6, r.call_id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 7, r.agent.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(insert, 8, r.body.c_str(), -1, SQLITE_STATIC);
        sqlite3_step(insert);
        sqlite3_reset(insert);
        if (i % 1000 == 999 || i + 1 == rows.size())
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
}

void BM_BareSqlite(benchmark::State& state) {
    std::vector<AuditRecord> rows;
    for (std::int64_t n = 1; n <= kInputs; ++n) {
        for (auto& r : input_records(n))
            rows.push_back(std::move(r));
    }
    for (auto _ : state)
        bare_inserts(rows, state.range(0) != 0, 4096);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(rows.size()));
    state.counters["records/s"] =
        benchmark::Counter(double(state.iterations() * rows.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BareSqlite)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("full")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// The physical bound of bench/gateway/run.sh's durable events (issue 19): one row per event of
// the size of acdd's audit record for a gateway event (an input with its changes, ~1,000 bytes of
// JSON measured under acd-load), 1000 rows per transaction, the daemon's page size (16 KiB).
// run.sh runs it in the same run as acdd and divides.
void BM_BareSqliteOneRowPerEvent(benchmark::State& state) {
    std::vector<AuditRecord> rows;
    for (std::int64_t n = 1; n <= 4 * kInputs; ++n) {
        AuditRecord r = input_records(n).front();
        r.body += std::string(1000 - std::min<std::size_t>(r.body.size(), 1000), ' ');
        rows.push_back(std::move(r));
    }
    for (auto _ : state)
        bare_inserts(rows, state.range(0) != 0, 16384);
    state.counters["events/s"] =
        benchmark::Counter(double(state.iterations() * rows.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BareSqliteOneRowPerEvent)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("full")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// A log of at least 1,000,000 records (one per input), journaled as the daemon does: a center of 6
// specialties and 24 agents taking calls, snapshots every kSnapshotEveryInputs inputs when
// `snapshots`.
fs::path build_log(bool snapshots, std::int64_t& records) {
    const fs::path dir = fresh_dir(snapshots ? "recovery" : "replay");
    StoreOptions options;
    options.path = dir / "acdd.db";
    options.synchronous = Synchronous::normal;
    auto store = Store::open(options, bench_key());
    RoutingConfig config;
    for (int s = 0; s < 6; ++s)
        config.specialties.push_back({"s" + std::to_string(s), "", {}});
    for (int a = 0; a < 24; ++a) {
        config.agents.push_back(
            {"a" + std::to_string(a), "", "sip:a@x", {"s" + std::to_string(a % 6)}, seconds(5)});
    }
    Engine engine(config);
    Time now = Time{} + Duration(1'700'000'000'000);
    std::uint64_t seq = 0;
    std::uint64_t since_snapshot = 0;
    records = 0;
    const auto journal = [&](const Input& in) {
        apply_with_timers(engine, in, now, [&](const Input& i, const Output& out) {
            if (!journaled(i, out)) return;
            WriteBatch batch = journal_batch(i, out, now);
            records += static_cast<std::int64_t>(batch.records.size());
            if (snapshots && ++since_snapshot == kSnapshotEveryInputs) {
                batch.snapshot = snapshot_engine(engine);
                since_snapshot = 0;
            }
            (*store)->append(std::move(batch));
        });
    };
    journal(input::Reconfigure{config});
    for (int a = 0; a < 24; ++a)
        journal(input::AgentLogin{"a" + std::to_string(a), false});
    std::mt19937 rng(7);
    std::int64_t call = 0;
    // A few inputs short of a snapshot past 1,000,000: nearly the worst case, about
    // kSnapshotEveryInputs inputs to replay after the last one (one record per input).
    while (records < 1'000'000 + std::int64_t(kSnapshotEveryInputs) - 10) {
        now += Duration(500);
        const std::string id = "c" + std::to_string(++call);
        journal(input::GatewayEvent{
            "gw1", ++seq, input::CallOffered{id, "p", "", "s" + std::to_string(rng() % 6), {}}});
        const auto routed = engine.find_call({id, std::nullopt});
        if (routed && routed->state == CallState::offering) {
            journal(input::GatewayEvent{"gw1", ++seq, input::CallAnswered{id, std::nullopt}});
        }
        // End an older call, so that the center stays in a steady state.
        if (call > 20) {
            const std::string old = "c" + std::to_string(call - 20);
            if (engine.find_call({old, std::nullopt})) {
                journal(input::GatewayEvent{"gw1", ++seq, input::CallEnded{old, std::nullopt}});
            }
        }
    }
    (*store)->flush();
    return dir;
}

void BM_Recovery(benchmark::State& state) {
    std::int64_t records = 0;
    const fs::path dir = build_log(state.range(0) != 0, records);
    StoreOptions options;
    options.path = dir / "acdd.db";
    auto store = Store::open(options, bench_key());
    std::int64_t replayed = 0;
    for (auto _ : state) {
        auto recovered = recover(**store);
        if (!recovered) return state.SkipWithError(recovered.error().message.c_str());
        replayed = recovered->replayed;
        benchmark::DoNotOptimize(recovered->engine);
    }
    state.counters["log_records"] = double(records);
    state.counters["inputs_replayed"] = double(replayed);
}
BENCHMARK(BM_Recovery)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("snapshots")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
