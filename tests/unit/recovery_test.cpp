// Recovery (src/daemon/recovery.hpp): random input sequences are journaled through the real
// store, as the daemon does; the engine recovered from the store (snapshot plus replay, or replay
// alone) equals the live engine.
#include "daemon/recovery.hpp"

#include <gtest/gtest.h>

#include "acd/snapshot.hpp"
#include "daemon/journal.hpp"
#include "random_inputs.hpp"
#include "temp_dir.hpp"

namespace acd::test {
namespace {

PiiKey test_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(3);
    return PiiKey::from_bytes(bytes);
}

// The daemon's clock then moves on from the wall clock; recovery restores everything but the
// engine's latest time, which is that of the last journaled input.
EngineImage without_clock(EngineImage im) {
    im.now = Time{};
    return im;
}

void run(std::uint64_t seed, int length, int snapshot_every) {
    TempDir dir;
    StoreOptions options;
    options.path = dir / "acdd.db";
    options.synchronous = Synchronous::normal;
    auto store = Store::open(options, test_key());
    ASSERT_TRUE(store) << store.error().message;

    Rng rng(seed);
    const RoutingConfig config = random_config(rng, /*v11=*/false);
    Engine engine(config);
    {
        WriteBatch first;
        first.records.push_back(input_record(input::Reconfigure{config}, engine.now()));
        (*store)->append(std::move(first));
    }
    Generator gen(rng, engine, /*with_v11=*/false);
    int since_snapshot = 0;
    for (int i = 1; i <= length; ++i) {
        const Input in = gen.next(engine);
        // Only what can arrive through the protocols reaches the daemon's engine (an
        // overflow-set with a negative threshold, say, is refused by the admin parser).
        if (!input_from_record(input_record(in, gen.now))) continue;
        apply_with_timers(engine, in, gen.now, [&](const Input& input, const Output& out) {
            if (!journaled(input, out)) return;
            WriteBatch batch = journal_batch(input, out, gen.now);
            if (snapshot_every > 0 && ++since_snapshot == snapshot_every) {
                batch.snapshot = snapshot_engine(engine);  // as the service does
                since_snapshot = 0;
            }
            (*store)->append(std::move(batch));
        });
    }
    (*store)->flush();

    auto recovered = recover(**store);
    ASSERT_TRUE(recovered) << recovered.error().message;
    ASSERT_TRUE(recovered->engine);
    EXPECT_EQ(without_clock(recovered->engine->image()), without_clock(engine.image()))
        << "seed " << seed << "\nrecovered: " << snapshot_engine(*recovered->engine)
        << "\nlive:      " << snapshot_engine(engine);
    if (snapshot_every > 0) {
        EXPECT_GT(recovered->snapshot_id, 0) << "seed " << seed;
        EXPECT_LE(recovered->replayed, snapshot_every) << "seed " << seed;
    }
}

TEST(Recovery, ReplayOfTheWholeLogEqualsTheLiveState) {
    for (std::uint64_t seed = 1; seed <= 30; ++seed)
        run(seed, 400, 0);
}

TEST(Recovery, SnapshotPlusReplayEqualsTheLiveState) {
    for (std::uint64_t seed = 101; seed <= 130; ++seed)
        run(seed, 400, 37);
}

TEST(Recovery, AnEmptyLogGivesNoEngine) {
    TempDir dir;
    StoreOptions options;
    options.path = dir / "acdd.db";
    auto store = Store::open(options, test_key());
    ASSERT_TRUE(store);
    auto recovered = recover(**store);
    ASSERT_TRUE(recovered);
    EXPECT_FALSE(recovered->engine);
}

TEST(Recovery, ALogThatDoesNotStartWithAConfigurationIsRefused) {
    TempDir dir;
    StoreOptions options;
    options.path = dir / "acdd.db";
    auto store = Store::open(options, test_key());
    ASSERT_TRUE(store);
    WriteBatch b;
    b.records.push_back(input_record(input::AgentReady{"a1"}, Time{}));
    (*store)->append(std::move(b));
    (*store)->flush();
    auto recovered = recover(**store);
    ASSERT_FALSE(recovered);
    EXPECT_EQ(recovered.error().message, "audit record 1 comes before any configuration record");
}

}  // namespace
}  // namespace acd::test
