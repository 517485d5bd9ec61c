// The service: the engine on the io_context thread, with everything around it that is neither
// network nor storage: applying inputs at the current time, journaling them (and their outputs)
// to the store, sending commands to gateways, acknowledging gateway events once durable,
// driving the engine's timers, snapshots, and retention.
//
// Single-threaded: every member runs on the io_context's thread. The store's writer thread only
// posts to it.
#pragma once

#include <asio.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "acd/agenda.hpp"
#include "acd/config.hpp"
#include "acd/control.hpp"
#include "acd/engine.hpp"
#include "acd/gateway_server.hpp"
#include "acd/pii.hpp"
#include "acd/store.hpp"
#include "journal.hpp"
#include "seq_history.hpp"

namespace acd {

// Inputs between two engine snapshots: recovery replays at most this many.
inline constexpr std::uint64_t kSnapshotEveryInputs = 50'000;
// Gateways stop being read while this many records wait for the store, and go on below the low
// mark.
inline constexpr std::size_t kStoreHighWater = 100'000;
inline constexpr std::size_t kStoreLowWater = 50'000;

class Service : public net::GatewayHub {
  public:
    Service(asio::io_context& io, const Config& config, std::unique_ptr<Engine> engine,
            Store& store, const PiiKey& key);

    void set_gateway_server(net::GatewayServer* server) { gateway_server_ = server; }
    // Called with every engine output (the admin subscriptions).
    void set_observer(std::function<void(const Output&)> observer) {
        observer_ = std::move(observer);
    }
    // What an agent's desktop pops when a call rings it: a short summary of the caller (past
    // calls, next appointment), added as "caller" to the call.route of an agent. Returns nothing
    // for a caller without one (anonymous). Runs on this thread, once per agent route: it must
    // not wait (no database read).
    void set_caller_summary(std::function<std::optional<Json>(const std::string& caller)> f) {
        caller_summary_ = std::move(f);
    }
    // Called with each finished call once its record is durable.
    void set_call_finished(std::function<void(const CallSnapshot&)> f) {
        call_finished_ = std::move(f);
    }
    // A job to run in the transaction of an output's records (the quality sample's answered
    // calls), or an empty function. Called on this thread for every journaled output.
    void set_output_job(std::function<std::function<Status(WriteContext&)>(const Output&)> f) {
        output_job_ = std::move(f);
    }
    // Runs `fn` on this thread once every batch up to `ticket` is durable: for answers that must
    // not come before their change is on disk. Never runs when the store fails (acdd then stops).
    void when_durable(std::uint64_t ticket, std::function<void()> fn);
    // Right to erasure while the person's calls are live: each of them, when it ends, is recorded
    // (calls table, finished-call subscribers) under `unlinked` instead of `pseudonym`. Returns
    // them, for the erasure to journal (recovery.hpp: unlink_recovered_calls).
    std::vector<agenda::LiveCallId> unlink_live_calls(const std::string& pseudonym,
                                                      const std::string& unlinked);
    // The same for one live call, by its id (recovery).
    void unlink_call(const agenda::LiveCallId& call, const std::string& unlinked);
    // Takes the parts of a reloaded configuration that apply while running: gateway tokens,
    // retention, log level. (The routing part goes through apply(Reconfigure).)
    void update_config(const Config& config);

    struct Applied {
        const Output& output;
        std::uint64_t ticket;  // the store ticket of its records (0 when nothing was logged)
    };
    // Applies one input at the current time, journals it with its changes, sends its commands.
    // When the input is an event from `source`, an error reply goes to it before the commands.
    Applied apply(const Input& input, const control::Caller* caller = nullptr,
                  std::vector<PiiUpsert> pii = {}, net::GatewayLink* source = nullptr);

    // The store made every batch up to `ticket` durable (called on this thread).
    void on_durable(std::uint64_t ticket);
    // Arms the engine timer and the daily retention. Every gateway with live calls is away until
    // it connects again (none is connected yet): its calls wait, and orphan_timeout runs.
    void start();
    // Stops timers and writes a last snapshot. The caller then flushes the store, so that the
    // last acknowledgements are posted, and calls close_links().
    void stop();
    // Closes every gateway link once its queued lines are sent; `drained` runs when the last one
    // is gone (at once when there is none).
    void close_links(std::function<void()> drained);

    const Engine& engine() const { return *engine_; }
    const Config& config() const { return config_; }
    const PiiKey& pii_key() const { return key_; }
    Time now() const;  // the engine's clock: wall time that never goes backwards

    // net::GatewayHub
    Result<std::uint64_t> admit(const std::shared_ptr<net::GatewayLink>& link,
                                const Hello& hello) override;
    void welcomed(const std::shared_ptr<net::GatewayLink>& link) override;
    void on_message(net::GatewayLink& link,
                    Result<input::GatewayEvent, DecodeError> parsed) override;
    void on_closed(net::GatewayLink& link) override;
    bool accepting() const override;

  private:
    // Whether the engine holds gateway `id` as away (routing.md v1.1).
    bool away(const std::string& id) const;

    struct GatewayState {
        std::uint64_t durable_seq = 0;  // the highest seq known durable
        std::deque<std::pair<std::uint64_t, std::uint64_t>> pending;  // (ticket, seq)
        std::shared_ptr<net::GatewayLink> link;
        SeqHistory history;  // what the last events were, to tell a resent one from a reused seq
    };

    GatewayState& gateway(const std::string& id);
    void on_event(net::GatewayLink& link, input::GatewayEvent event, std::uint64_t digest);
    void send_commands(const Output& output);
    void unlink_finished(std::vector<CallSnapshot>& finished);
    std::string command_line(const Command& command) const;
    void arm_timer();
    void on_timer();
    void run_retention();

    asio::io_context& io_;
    Config config_;
    std::unique_ptr<Engine> engine_;
    Store& store_;
    const PiiKey& key_;
    net::GatewayServer* gateway_server_ = nullptr;
    std::map<std::string, GatewayState, std::less<>> gateways_;
    asio::steady_timer timer_;
    std::optional<Time> armed_for_;  // the engine timer timer_ waits for
    asio::steady_timer retention_timer_;
    mutable Time last_time_{};
    std::uint64_t inputs_since_snapshot_ = 0;
    mutable bool paused_ = false;
    bool stopped_ = false;
    std::function<void()> drained_;
    std::function<void(const Output&)> observer_;
    std::function<std::optional<Json>(const std::string&)> caller_summary_;
    std::function<void(const CallSnapshot&)> call_finished_;
    std::function<std::function<Status(WriteContext&)>(const Output&)> output_job_;
    std::uint64_t durable_ticket_ = 0;
    std::multimap<std::uint64_t, std::function<void()>> after_durable_;
    // Live calls of erased people: (gateway, call_id) -> the pseudonym to record them under.
    std::map<std::pair<std::string, std::string>, std::string> unlinked_calls_;
};

}  // namespace acd
