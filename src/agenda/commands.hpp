// The agenda's commands (docs/spec/agenda.md, docs/agenda.md): slots, appointments, the waiting
// list, messages, reminders, the caller history and erasure, registered in the control registry.
//
// - A change is parsed on the engine's thread, then runs as a job on the store's writer thread
//   (check and change in one step, which is what makes booking conflict-free) and is answered
//   once its transaction is durable. Each writes its own audit record in the same job: the
//   command, who ran it, `by`, the call it was made during, its arguments with the patient as a
//   pseudonym and without personal data or free text, and its result. A change refused before it
//   reaches the store is recorded too.
// - A read is parsed on the engine's thread and runs on the agenda's reader thread, on a read-only
//   connection of its own: the engine never waits for SQLite.
// - The caller summary that a route to an agent carries comes from memory (Summaries), fed by
//   durable changes: finished calls and appointments.
// - The `agenda` subscription topic gets `slot.freed` (a cancel or a move freed a slot, with the
//   waiting-list entries it suits) and `message.overdue` (an urgent message open for more than 30
//   minutes, once); a new subscriber is sent the ones overdue at once.
//
// Single-threaded, on the io_context thread; owns its reader thread.
#pragma once

#include <asio.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "acd/agenda.hpp"
#include "acd/control.hpp"
#include "acd/pii.hpp"
#include "acd/routing_config.hpp"
#include "acd/store.hpp"
#include "summaries.hpp"

namespace acd::agenda {

// What the commands need from the daemon, as functions, so that the agenda depends on no layer
// above it. Every function is called on the io_context thread.
struct Context {
    asio::io_context& io;
    Store& store;
    const PiiKey& key;
    std::filesystem::path database;  // the store's file, for the reader's connection
    control::Hub& hub;
    std::function<Time()> now;
    std::function<const RoutingConfig&()> routing;  // specialties and agents in force
    // The live call with this id (of `gateway` when not empty).
    std::function<std::optional<CallSnapshot>(const std::string& call_id,
                                              const std::string& gateway)>
        live_call;
    // Runs `fn` on the io_context thread once every batch up to `ticket` is durable.
    std::function<void(std::uint64_t ticket, std::function<void()> fn)> when_durable;
    // A person's data is being erased: their calls still live are to be recorded under
    // `unlinked` when they end, not under `pseudonym` (else caller-history would show them).
    // Returns those calls (gateway, call_id): the erasure journals one `call-unlink` record for
    // each, so that a restart before they end unlinks them again (docs/storage.md).
    std::function<std::vector<LiveCallId>(const std::string& pseudonym,
                                          const std::string& unlinked)>
        erasing;
};

class Commands {
  public:
    // Loads the caller summaries (one pass over the calls and booked appointments).
    static Result<std::unique_ptr<Commands>> open(Context context);
    ~Commands();  // waits for the reader thread
    Commands(const Commands&) = delete;
    Commands& operator=(const Commands&) = delete;

    void add_to(control::Registry& registry);
    // Starts watching for urgent messages that become overdue; `ready` runs once the first look
    // is done (status-get and new subscribers know them from then on).
    void start(std::function<void()> ready = nullptr);

    // Urgent messages open for more than 30 minutes, as of the last look (status-get).
    std::int64_t urgent_overdue_count() const { return std::int64_t(overdue_.size()); }
    // What an agent's desk pops: the caller's past calls and next appointment; nothing for an
    // anonymous or erased caller. From memory: cheap, never waits.
    std::optional<Json> caller_summary(const std::string& caller);
    // A finished call became durable: it counts in its caller's summary.
    void call_finished(const CallSnapshot& call) { summaries_.call_finished(call.caller); }

    struct Impl;

  private:
    explicit Commands(Context context, std::unique_ptr<Reader> reader, Summaries summaries);
    // Reads the overdue messages on the reader thread, then announces the new ones and runs
    // `then` on the io_context thread.
    void check_overdue(std::function<void()> then = nullptr);

    Context ctx_;
    std::unique_ptr<Reader> reader_;  // used on reader_thread_ only
    Summaries summaries_;
    std::set<std::int64_t> overdue_;      // overdue messages already announced
    std::vector<Json> overdue_messages_;  // their messages, for a new subscriber
    asio::steady_timer overdue_timer_;
    asio::thread_pool reader_thread_{1};
    asio::thread_pool background_{1};  // what may block: emptying the write-ahead log
};

}  // namespace acd::agenda
