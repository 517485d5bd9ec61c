// The quality sample (docs/spec/routing.md v1.1 "Quality sample", admin-protocol.md v1.1
// quality-list, quality-evaluate, the quality figures of stats-get): the calls of the sample that
// an agent answered, and their evaluations, in a table of their own in the store's database
// (docs/storage.md).
//
// - Which calls are in the sample is the daemon's keyed choice (PiiKey::quality_sample), carried
//   by the engine in CallSnapshot::quality_sample. A sampled call answered by an agent is written
//   by job_for() in the same transaction as the engine's record of the answer, so the table and
//   the audit log never disagree, whatever the moment of a crash.
// - quality-evaluate runs as a job on the store's writer thread (check and change in one step),
//   writes its own audit record in that job (the comment's length, never its text: free text may
//   name a patient, and the audit log is append-only) and is answered once durable. A request
//   refused before it reaches the store is audited through Context::audit.
// - Reads (quality-list, figures()) run on the engine's thread on a read-only connection of their
//   own, like stats-get's: small indexed queries on one day or so of sampled calls.
//
// Single-threaded, on the io_context thread, but for the jobs, which run on the writer thread.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "acd/control.hpp"
#include "acd/engine.hpp"
#include "acd/routing_config.hpp"
#include "acd/store.hpp"

namespace acd::quality {

// The module's tables, created and migrated by the store (StoreOptions::modules).
SchemaModule schema();

// What the module needs from the daemon, as functions; each is called on the io_context thread.
struct Context {
    Store& store;
    std::filesystem::path database;  // the store's file, for the read-only connection
    std::function<Time()> now;
    std::function<const RoutingConfig&()> routing;  // the site's zone, for times and "today"
    std::function<void(std::uint64_t ticket, std::function<void()> fn)> when_durable;
    // Audits a request refused before it reached the store (the registry's audit record).
    std::function<void(const control::Request&, const control::Answer&)> audit;
};

// The quality figures of one specialty and class (admin-protocol.md v1.1 stats-get).
struct Figures {
    std::int64_t selected = 0;         // sampled calls answered by an agent
    std::int64_t evaluated = 0;        // of which evaluated
    std::optional<double> mean_score;  // null when none was evaluated
};
using FigureKey = std::pair<std::string, CallClass>;  // specialty, class

class Quality {
  public:
    explicit Quality(Context context);
    ~Quality();
    Quality(const Quality&) = delete;
    Quality& operator=(const Quality&) = delete;

    // The job that records the sampled calls an engine output shows answered by an agent, to
    // run in the transaction of that output's records; empty when there is none. Counts them in
    // today's figures.
    std::function<Status(WriteContext&)> job_for(const Output& output);
    // Registers quality-list and quality-evaluate.
    void add_to(control::Registry& registry);
    // The figures of the sampled calls answered at or after `since`. Today's (`since` is 00:00
    // site time today) are kept in memory, counted from the table at the first read (after a
    // flush of the store) and when the zone changes, then as calls are answered and evaluated;
    // the day rolls over at the site's midnight. Another `since` is a query of the table.
    Result<std::map<FigureKey, Figures>> figures(Time since);

  private:
    struct Tally {
        std::int64_t selected = 0;
        std::int64_t evaluated = 0;
        std::int64_t score_sum = 0;
    };
    struct Day {
        Time start{};      // 00:00 site time
        std::string zone;  // the zone `start` is in
        std::map<FigureKey, Tally> tallies;
    };
    void evaluate(control::Request& request, control::Done done);
    control::Answer list(const control::Request& request);
    // Today's tallies, rolled over to the current day; null until counted from the table.
    Day* this_day();
    // Counts an evaluation of a call of (specialty, class) answered at `answered_at`.
    void count_evaluation(const FigureKey& key, Time answered_at, std::int64_t score,
                          std::optional<std::int64_t> previous_score);
    Result<std::map<FigureKey, Figures>> query(Time since);
    Result<std::map<FigureKey, Tally>> sums_since(Time since);

    struct Reader;
    Context context_;
    std::unique_ptr<Reader> reader_;
    std::optional<Day> day_;
};

// Json of figures, merged into a specialty's class figures by stats-get.
void add_figures_json(Json& figures, const Figures& quality);

}  // namespace acd::quality
