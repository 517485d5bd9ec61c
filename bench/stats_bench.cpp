// stats-get over a busy day (issue: 360,000 calls held the gateways for 1.2 s), measured, not
// asserted (docs/performance.md). The command runs through the registry on this thread, as it does
// on the engine's thread in acdd, over a store holding 360,000 calls finished today:
//   - Kept: stats-get without `since`, served from the figures kept as calls end (CallFigures);
//   - Scan: stats-get with `since` a millisecond before today's midnight, which reads the calls
//     table as every stats-get did before (the same calls, the same figures).
// The ratio of the two, in the same run, is the figure.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "acd/site_time.hpp"
#include "acd/zone.hpp"
#include "daemon/call_figures.hpp"
#include "daemon/commands.hpp"
#include "daemon/service.hpp"

namespace {

using namespace acd;
namespace fs = std::filesystem;

constexpr std::int64_t kCalls = 360'000;
constexpr std::int64_t kPerBatch = 2'000;

PiiKey bench_key() {
    std::array<std::uint8_t, 32> bytes{};
    bytes.fill(5);
    return PiiKey::from_bytes(bytes);
}

Config bench_config(const fs::path& dir) {
    Config c;
    c.store.path = dir / "acdd.db";
    c.store.synchronous = Synchronous::normal;
    for (const char* id : {"cardiology", "neurology", "gastroenterology", "general_surgery",
                           "vascular", "pneumology"}) {
        SpecialtyConfig s;
        s.id = id;
        s.name = id;
        s.numbers = {std::string("+35244") + std::to_string(c.routing.specialties.size())};
        c.routing.specialties.push_back(s);
    }
    c.routing.zone = *zone_rules("Europe/Luxembourg");
    return c;
}

// Today's calls, spread over the hours since the site's midnight: answered (some late, some by
// the team), abandoned, rejected.
void fill(Store& store, const RoutingConfig& routing, Time now) {
    const Time midnight = site_midnight(routing.zone, now);
    const Duration span = std::max(now - midnight, Duration(std::chrono::minutes(10)));
    for (std::int64_t n = 0; n < kCalls;) {
        WriteBatch b;
        for (std::int64_t i = 0; i < kPerBatch; ++i, ++n) {
            CallSnapshot c;
            c.gateway = "gw1";
            c.call_id = "c" + std::to_string(n);
            c.caller = "p" + std::to_string(n % 50'000);
            c.specialty = routing.specialties[std::size_t(n % 6)].id;
            c.call_class = kCallClasses[std::size_t(n % 3)];
            c.enqueued_at = midnight + span * n / (kCalls + 1);
            c.state = CallState::ended;
            if (n % 10 == 7) {
                c.outcome = Outcome::abandoned;
            } else if (n % 100 == 3) {
                c.outcome = Outcome::rejected;
            } else {
                c.answered_at = c.enqueued_at + seconds(n % 200);
                c.outcome = Outcome::completed;
                if (n % 9 == 0) {
                    c.team = "ext";
                } else {
                    c.agent = "a" + std::to_string(n % 26);
                }
            }
            c.ended_at = c.enqueued_at + seconds(240);
            b.finished_calls.push_back(std::move(c));
        }
        store.append(std::move(b));
    }
    store.flush();
}

struct Day {
    fs::path dir;
    Config config;
    PiiKey key = bench_key();
    std::unique_ptr<Store> store;
    asio::io_context io;
    std::unique_ptr<Service> service;
    std::unique_ptr<CallFigures> figures;
    control::Registry registry;
    Time midnight{};

    Day() {
        dir = fs::temp_directory_path() / "acdd-bench-stats";
        fs::remove_all(dir);
        fs::create_directories(dir);
        config = bench_config(dir);
        StoreOptions o;
        o.path = config.store.path;
        o.synchronous = Synchronous::normal;
        store = std::move(*Store::open(std::move(o), key));
        const Time now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
        fill(*store, config.routing, now);
        service = std::make_unique<Service>(io, config, std::make_unique<Engine>(config.routing),
                                            *store, key);
        figures = std::make_unique<CallFigures>(
            std::move(*CallFigures::load(*store, config.routing, now)));
        add_status_commands(
            registry, *service, *store, *figures, [] { return std::optional<std::int64_t>(); },
            [](Time) -> Result<std::map<quality::FigureKey, quality::Figures>> {
                return std::map<quality::FigureKey, quality::Figures>{};
            });
        midnight = site_midnight(config.routing.zone, now);
    }
    ~Day() { fs::remove_all(dir); }

    void stats_get(const Json& args, benchmark::State& state) {
        control::Caller caller;
        caller.channel = control::Caller::Channel::internal;
        registry.run({"stats-get", args, caller, nullptr}, [&](control::Answer a) {
            if (!a.ok()) state.SkipWithError(a.text.c_str());
            benchmark::DoNotOptimize(a);
        });
    }
};

Day& day() {
    static Day d;
    return d;
}

void BM_StatsGetKept(benchmark::State& state) {
    Day& d = day();
    for (auto _ : state)
        d.stats_get(Json::object(), state);
    state.counters["calls"] = double(kCalls);
}
BENCHMARK(BM_StatsGetKept)->Unit(benchmark::kMillisecond);

void BM_StatsGetScan(benchmark::State& state) {
    Day& d = day();
    const Json args = {{"since", format_time(d.midnight - Duration(1))}};
    for (auto _ : state)
        d.stats_get(args, state);
    state.counters["calls"] = double(kCalls);
}
BENCHMARK(BM_StatsGetScan)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
