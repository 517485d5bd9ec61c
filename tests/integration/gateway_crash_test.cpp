// Crash and resume (issue 4): acd-load drives acdd; acdd is killed with SIGKILL while calls are
// queued and events are in flight, then restarted on the same database; acd-load reconnects and
// resends everything above the welcome's last_seq. Then:
// - every event acd-load saw acknowledged (by an ack, or by a welcome's last_seq) is in the audit
//   log exactly once, and no gateway event is in it twice;
// - the calls that were waiting when acdd died came back with their original enqueued_at: every
//   record written about them after the restart carries the enqueued_at they had before;
// - the hash chain verifies.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "acd/config.hpp"
#include "acd/pii.hpp"
#include "acd/store.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace acd::test {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kAcdd = ACD_ACDD_BINARY;
const std::string kLoad = ACD_LOAD_BINARY;

// Three agents for two specialties and no overflow team: at 1000 calls/s most calls queue.
void write_config(const std::filesystem::path& file, const TempDir& dir, unsigned port) {
    const Json config = {
        {"gateway", {{"listen", "127.0.0.1:" + std::to_string(port)}}},
        {"admin", {{"socket", (dir / "admin.sock").string()}}},
        {"store", {{"path", (dir / "acdd.db").string()}, {"synchronous", "full"}}},
        {"specialties",
         {{{"id", "cardiology"}, {"numbers", {"+35244112221"}}},
          {{"id", "neurology"}, {"numbers", {"+35244112225"}}, {"default_class", "admin"}}}},
        {"agents",
         {{{"id", "a1"}, {"uri", "sip:a1@pbx"}, {"skills", {"cardiology"}}, {"wrap_up_s", 0}},
          {{"id", "a2"},
           {"uri", "sip:a2@pbx"},
           {"skills", {"cardiology", "neurology"}},
           {"wrap_up_s", 0}},
          {{"id", "a3"}, {"uri", "sip:a3@pbx"}, {"skills", {"neurology"}}, {"wrap_up_s", 0}}}},
    };
    std::ofstream(file) << config.dump(2);
}

// The port from "gateway.listen listening for gateways on 127.0.0.1:PORT".
unsigned listening_port(const std::string& err) {
    const std::string marker = "listening for gateways on 127.0.0.1:";
    const auto at = err.find(marker);
    if (at == std::string::npos) return 0;
    return static_cast<unsigned>(std::stoul(err.substr(at + marker.size())));
}

std::unique_ptr<ChildProcess> start_daemon(const std::filesystem::path& config) {
    auto daemon = std::make_unique<ChildProcess>(std::vector<std::string>{kAcdd, "-c", config});
    EXPECT_TRUE(daemon->wait_for_stderr("daemon.ready", 20s)) << daemon->err_so_far();
    return daemon;
}

// The highest "acked=N" in acd-load's progress lines.
std::uint64_t acked_so_far(const std::string& err) {
    const std::string marker = "acked=";
    const auto at = err.rfind(marker);
    if (at == std::string::npos) return 0;
    return std::stoull(err.substr(at + marker.size()));
}

struct CallRecord {
    std::int64_t id;
    std::string state;
    std::string enqueued_at;
};

struct AuditLog {
    std::map<std::pair<std::string, std::uint64_t>, int> inputs;  // (gateway, seq) -> count
    std::map<std::pair<std::string, std::string>, std::vector<CallRecord>> calls;
    std::int64_t last_id = 0;
    bool chain_ok = false;
};

AuditLog read_audit(const std::filesystem::path& config_file) {
    AuditLog log;
    const ConfigResult config = load_config(config_file);
    EXPECT_TRUE(config.ok());
    auto key = PiiKey::load(config->store);
    EXPECT_TRUE(key) << key.error().message;
    StoreOptions options;
    options.path = config->store.path;
    auto store = Store::open(options, *key);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return log;
    const Status read = (*store)->read_records(0, std::nullopt, [&](const AuditRecord& r) {
        log.last_id = r.id;
        if (r.kind == RecordKind::input && !r.gateway.empty() && r.seq > 0) {
            ++log.inputs[{r.gateway, r.seq}];
        }
        if (r.kind != RecordKind::input || r.changes.empty()) return true;
        for (const Json& change : Json::parse(r.changes)) {
            if (!change.at("type").get<std::string>().starts_with("call.")) continue;
            const Json& body = change.at("change");
            log.calls[{body.at("gateway"), body.at("call_id")}].push_back(
                {r.id, body.at("state"), body.at("enqueued_at")});
        }
        return true;
    });
    EXPECT_TRUE(read) << read.message();
    const auto verified = (*store)->verify();
    log.chain_ok = verified && verified->ok;
    return log;
}

TEST(GatewayCrash, AcknowledgedEventsAreLoggedOnceAndQueuedCallsKeepTheirWaitAfterSigkill) {
    TempDir dir;
    const auto config = dir / "acdd.json";
    write_config(config, dir, 0);
    auto daemon = start_daemon(config);
    const unsigned port = listening_port(daemon->err_so_far());
    ASSERT_NE(port, 0u) << daemon->err_so_far();
    // acdd comes back on the same port: acd-load reconnects to the address it knows.
    write_config(config, dir, port);

    const auto acked_file = dir / "acked.txt";
    ChildProcess load({kLoad,
                       "--connect",
                       "127.0.0.1:" + std::to_string(port),
                       "-c",
                       config,
                       "--gateways",
                       "2",
                       "--rate",
                       "1000",
                       "--duration",
                       "4",
                       "--answer-ms",
                       "50",
                       "--handle-ms",
                       "400",
                       "--patience-ms",
                       "2500",
                       "--no-answer",
                       "10",
                       "--abandon",
                       "5",
                       "--reconnect-timeout",
                       "20",
                       "--drain-timeout",
                       "20",
                       "--progress",
                       "--json",
                       "--acked-file",
                       acked_file.string()});
    // Kill acdd once a good part of the load has been acknowledged: calls queue by then.
    ASSERT_TRUE(load.wait_until(
        [](const std::string&, const std::string& err) { return acked_so_far(err) >= 200; }, 20s))
        << load.err_so_far();
    daemon->signal(SIGKILL);
    EXPECT_EQ(daemon->wait(10s).exit_code, 128 + SIGKILL);
    const AuditLog before = read_audit(config);
    ASSERT_GT(before.last_id, 0);

    daemon = start_daemon(config);
    const ProcessResult loaded = load.wait(60s);
    ASSERT_EQ(loaded.exit_code, 0) << loaded.out << loaded.err;
    const Json report = Json::parse(loaded.out);
    EXPECT_GE(report["reconnects"].get<int>(), 2) << "both gateways reconnect";
    EXPECT_EQ(report["lost_acked"], 0);
    EXPECT_EQ(report["unacked_at_end"], 0);
    EXPECT_GT(
        report["events"]["resent"].get<int>() + report["events"]["acked_by_welcome"].get<int>(), 0)
        << "the crash caught events in flight";
    daemon->signal(SIGTERM);
    EXPECT_EQ(daemon->wait(20s).exit_code, 0) << daemon->err_so_far();

    const AuditLog after = read_audit(config);
    EXPECT_TRUE(after.chain_ok);
    // Every acknowledged event, exactly once; and no gateway event twice.
    std::ifstream acked(acked_file);
    std::string gateway;
    std::uint64_t seq = 0;
    std::size_t acknowledged = 0;
    while (acked >> gateway >> seq) {
        ++acknowledged;
        const auto it = after.inputs.find({gateway, seq});
        ASSERT_TRUE(it != after.inputs.end()) << gateway << " seq " << seq << " is not logged";
    }
    EXPECT_EQ(acknowledged, report["events"]["acked"].get<std::size_t>());
    for (const auto& [event, count] : after.inputs) {
        ASSERT_EQ(count, 1) << event.first << " seq " << event.second << " is logged " << count
                            << " times";
    }
    // The calls waiting at the crash: their records after the restart keep their enqueued_at.
    std::size_t waiting = 0;
    std::size_t seen_after = 0;
    for (const auto& [call, records] : before.calls) {
        const CallRecord& last = records.back();
        if (last.state != "queued" && last.state != "offering") continue;
        ++waiting;
        bool seen = false;
        for (const CallRecord& r : after.calls.at(call)) {
            if (r.id <= before.last_id) continue;
            seen = true;
            EXPECT_EQ(r.enqueued_at, last.enqueued_at) << call.second << " record " << r.id;
        }
        if (seen) ++seen_after;
    }
    EXPECT_GE(waiting, 10u) << "calls were waiting when acdd was killed";
    EXPECT_EQ(seen_after, waiting) << "every waiting call was routed or ended after the restart";
}

}  // namespace
}  // namespace acd::test
