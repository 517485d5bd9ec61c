// The agenda commands of the admin protocol (docs/spec/agenda.md, docs/agenda.md): slots,
// appointments, the waiting list, messages, reminders, the caller history and erasure, on top of
// the store's agenda tables (src/store/agenda.hpp).
//
// - A change runs as a job on the store's writer thread (check and change in one step, which is
//   what makes booking conflict-free) and is answered once its transaction is durable.
// - Each changing command writes its own audit record, in the same job as the change: the
//   command, the peer's uid and gid, `by`, the call it was made during, its arguments with the
//   patient as a pseudonym and without personal data or free text, and its result. The admin
//   entry point does not record these commands again (Admin::add_self_audited).
// - Reads use a read-only connection of their own on the io thread: committed data only.
// - The `agenda` subscription topic gets `slot.freed` (a cancel or a move freed a slot, with the
//   waiting-list entries it suits) and `message.overdue` (an urgent message open for more than
//   30 minutes, once).
//
// Single-threaded, on the io_context thread, like the Admin that owns it.
#pragma once

#include <asio.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "acd/agenda.hpp"
#include "admin.hpp"

namespace acd {

class AgendaCommands {
  public:
    using Answer = Admin::Answer;
    using Done = Admin::Done;
    using Handler = std::function<void(const Json& args, const Peer& peer, Done done)>;
    // Registers a command; `changes_state` commands audit themselves.
    using Register = std::function<void(std::string name, bool changes_state, Handler run)>;
    // Streams a message to the subscribers of the `agenda` topic.
    using Publish = std::function<void(const Json& message)>;

    AgendaCommands(asio::io_context& io, Service& service, Store& store, Publish publish);
    ~AgendaCommands();
    AgendaCommands(const AgendaCommands&) = delete;
    AgendaCommands& operator=(const AgendaCommands&) = delete;

    void register_commands(const Register& add);
    // Starts watching for urgent messages that become overdue.
    void start();

    // For status-get: urgent messages open for more than 30 minutes (nullopt when the store
    // cannot be read).
    std::optional<std::int64_t> urgent_overdue_count();
    // What a new `agenda` subscriber is sent at once: the urgent messages overdue now.
    std::vector<Json> overdue_now();
    // The caller summary of call.route and the `calls` subscription; nothing for an anonymous
    // (or erased) caller.
    std::optional<Json> caller_summary(const std::string& caller);

    // What a change produced, on the writer thread: the answer, what its audit record adds,
    // and the subscription messages to send once it is durable.
    struct Written {
        Answer answer;
        Json facts = Json::object();
        std::vector<Json> events;
        bool messages_changed = false;
        bool truncate_wal = false;  // an erasure: empty the log before answering
    };
    using Work = std::function<Result<Written>(WriteContext& ctx)>;

  private:
    // Changes
    void slot_open(const Json& args, const Peer& peer, Done done);
    void appointment_book(const Json& args, const Peer& peer, Done done);
    void appointment_cancel(const Json& args, const Peer& peer, Done done);
    void appointment_move(const Json& args, const Peer& peer, Done done);
    void waitlist_add(const Json& args, const Peer& peer, Done done);
    void message_create(const Json& args, const Peer& peer, Done done);
    void message_ack(const Json& args, const Peer& peer, Done done);
    void reminder_sent(const Json& args, const Peer& peer, Done done);
    void patient_erase(const Json& args, const Peer& peer, Done done);
    // Reads
    Answer slot_list(const Json& args);
    Answer appointment_list(const Json& args);
    Answer waitlist_list(const Json& args);
    Answer message_list(const Json& args);
    Answer reminders_due(const Json& args);
    Answer caller_history(const Json& args);

    // Runs `work` in a writer job with its audit record; answers once durable.
    void write(const std::string& command, const Json& args, const Peer& peer,
               const agenda::Actor& actor, Work work, Done done);
    // Answers a change refused before it reached the store, and records the attempt.
    void refuse(const std::string& command, const Json& args, const Peer& peer,
                const agenda::Actor& actor, const Answer& answer, const Done& done);
    AuditRecord audit_base(const std::string& command, const Json& args, const Peer& peer,
                           const agenda::Actor& actor) const;
    // Fills in the gateway of actor.call_id (a live call, else a finished one); an answer with
    // unknown_call when there is no such call. `caller` receives the call's caller.
    std::optional<Answer> resolve_call(agenda::Actor& actor, std::string* caller = nullptr);
    std::optional<Answer> check_specialty(const std::string& specialty) const;
    void check_overdue();

    asio::io_context& io_;
    Service& service_;
    Store& store_;
    Publish publish_;
    agenda::Reader reader_;
    asio::steady_timer overdue_timer_;
    std::set<std::int64_t> announced_;  // overdue messages already announced
    asio::thread_pool background_{1};   // what may block: emptying the write-ahead log
};

}  // namespace acd
