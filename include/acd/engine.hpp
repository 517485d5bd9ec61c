// The routing engine: the state machine of docs/spec/routing.md, as a pure function of its inputs.
//
//   acd::Engine engine(config);
//   const acd::Output& out = engine.handle(input, now);
//   // send out.commands to gateways, write out.changes to the audit log, answer with out.reply
//   // then arm a timer for engine.next_timer() and feed acd::input::Tick{} when it is due.
//
// Contract:
// - No I/O, no clock, no threads, no randomness. The same inputs with the same times give the
//   same outputs and the same state, which is what makes replay after a crash exact.
// - Time only moves forward: a `now` earlier than a previous one is treated as the previous one.
// - Before it applies an input, handle() fires every timer due at or before `now`, each at its own
//   due time (a wrap-up that ends at 10:00:15 makes the agent ready at 10:00:15, however late
//   the input that notices it). The effects of those timers come first in the Output.
// - After every input and every timer, the engine is work-conserving: no queued call has a ready
//   eligible agent (but the calls of a gateway that is away, which are not routed); the overflow
//   and closed rules of routing.md hold: no queued call that may go to a team has an open team
//   with room that may take it.
// - Site time is data (RoutingConfig::zone): schedules open and close by engine timers, so replay
//   crosses an opening or a closing exactly as live did.
// - Every input costs O(log n) in the number of calls and agents (plus the number of specialties
//   and teams it touches).
// - Not thread-safe: one thread owns an Engine. The Output reference and the views stay valid
//   until the next call of a non-const member function.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "acd/routing_config.hpp"
#include "acd/types.hpp"

namespace acd {

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------
namespace input {

// Gateway events (docs/spec/gateway-protocol.md). `caller` is opaque to the engine: the daemon
// hands it the caller's pseudonym, never the number.
struct CallOffered {
    std::string call_id;
    std::string caller;
    std::string dialed;
    std::optional<std::string> specialty;  // overrides the lookup of `dialed`
    std::optional<CallClass> call_class;   // default: the specialty's default_class
    // Selected for the quality sample (routing.md v1.1). Like `caller`, the daemon sets it (a keyed
    // choice, PiiKey::quality_sample) and the journal keeps it, so that replay chooses the same.
    bool quality_sample = false;

    bool operator==(const CallOffered&) const = default;
};
struct CallAnswered {
    std::string call_id;
    std::optional<std::string> agent;

    bool operator==(const CallAnswered&) const = default;
};
struct CallNoAnswer {
    std::string call_id;
    std::optional<std::string> agent;

    bool operator==(const CallNoAnswer&) const = default;
};
struct CallEnded {
    std::string call_id;
    std::optional<std::string> cause;

    bool operator==(const CallEnded&) const = default;
};
// `agent.state` from a phone: ready, paused or logged_out.
struct AgentReport {
    std::string agent;
    AgentState state = AgentState::ready;
    std::string reason;

    bool operator==(const AgentReport&) const = default;
};
// An event with a valid seq that could not be taken (a field missing or of the wrong type, an
// unknown type). It is still consumed (docs/spec/gateway-protocol.md): its seq counts, and the
// reply is this error.
struct Rejected {
    ErrorCode code = ErrorCode::bad_request;
    std::string message;

    bool operator==(const Rejected&) const = default;
};
using GatewayEventBody =
    std::variant<CallOffered, CallAnswered, CallNoAnswer, CallEnded, AgentReport, Rejected>;

// One event from gateway `gateway` with its sequence number. An event whose seq is not above the
// last one the engine took from that gateway is a duplicate: it changes nothing.
struct GatewayEvent {
    std::string gateway;
    std::uint64_t seq = 0;
    GatewayEventBody body;

    bool operator==(const GatewayEvent&) const = default;
};

// Supervisor commands (docs/spec/admin-protocol.md).
struct AgentLogin {
    std::string agent;
    bool paused = false;

    bool operator==(const AgentLogin&) const = default;
};
struct AgentLogout {
    std::string agent;

    bool operator==(const AgentLogout&) const = default;
};
struct AgentPause {
    std::string agent;
    std::string reason;

    bool operator==(const AgentPause&) const = default;
};
struct AgentReady {
    std::string agent;

    bool operator==(const AgentReady&) const = default;
};
// Names a live call. `gateway` may be left out when only one gateway has a call with that id.
struct CallSelector {
    std::string call_id;
    std::optional<std::string> gateway;

    bool operator==(const CallSelector&) const = default;
};
struct CallReclassify {
    CallSelector call;
    CallClass call_class = CallClass::appointment;

    bool operator==(const CallReclassify&) const = default;
};
struct CallTransfer {
    CallSelector call;
    std::string specialty;

    bool operator==(const CallTransfer&) const = default;
};
struct OverflowSet {
    std::string specialty;
    std::optional<int> threshold;
    std::optional<bool> enabled;

    bool operator==(const OverflowSet&) const = default;
};
// A new routing configuration, applied live (docs/spec/admin-protocol.md config-reload): calls keep
// their place (their deadlines follow the new targets), agents keep their state, new agents
// start logged out, a removed agent on a call finishes it and is then gone, overflow settings
// return to the configured ones. Refused (invalid_state) while a specialty or team that would
// disappear still holds live calls.
struct Reconfigure {
    RoutingConfig config;

    bool operator==(const Reconfigure&) const = default;
};
// Supervisor: ends a call the telephony side can no longer end (admin-protocol.md v1.1
// call-end). Outcome abandoned, whatever the call's state; the reason goes to the audit record.
struct CallEnd {
    CallSelector call;
    std::string reason;

    bool operator==(const CallEnd&) const = default;
};
// The connection of gateway `gateway` was lost (routing.md v1.1, "While a call's gateway is
// disconnected"): its calls keep their places and are not routed; the ring timeouts of its offers
// stop; after `orphan_timeout` its calls end as abandoned (cause gateway_lost).
struct GatewayDisconnected {
    std::string gateway;

    bool operator==(const GatewayDisconnected&) const = default;
};
// Gateway `gateway` is back (its welcome was sent): its calls are routed again, and the ring
// timeouts of its offers run from now (the shell re-sends offering_routes()). Any event from a
// gateway also counts as its return.
struct GatewayConnected {
    std::string gateway;

    bool operator==(const GatewayConnected&) const = default;
};
// Only lets time pass, so that due timers fire.
struct Tick {
    bool operator==(const Tick&) const = default;
};

}  // namespace input

using Input = std::variant<input::GatewayEvent, input::AgentLogin, input::AgentLogout,
                           input::AgentPause, input::AgentReady, input::CallReclassify,
                           input::CallTransfer, input::OverflowSet, input::Reconfigure, input::Tick,
                           input::CallEnd, input::GatewayDisconnected, input::GatewayConnected>;

// ---------------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------------

// Commands to gateways (docs/spec/gateway-protocol.md, "Commands: acdd -> gateway").
struct CallQueuedCommand {
    std::string specialty;
    CallClass call_class;
    std::int64_t position;                        // 1-based, in dispatch order
    std::optional<std::int64_t> expected_wait_s;  // null when there is no estimate

    bool operator==(const CallQueuedCommand&) const = default;
};
struct CallRouteCommand {
    std::string to;  // SIP URI
    std::int64_t ring_timeout_s;
    std::string agent;  // exactly one of agent and team is set
    std::string team;
    bool record = false;  // to an agent, for a call of the quality sample: record it

    bool operator==(const CallRouteCommand&) const = default;
};
struct CallRejectCommand {
    std::string reason;  // "no_route", or "closed" (the specialty is closed)

    bool operator==(const CallRejectCommand&) const = default;
};
struct Command {
    std::string gateway;
    std::string call_id;
    std::variant<CallQueuedCommand, CallRouteCommand, CallRejectCommand> body;

    bool operator==(const Command&) const = default;
};

// A call as it stands. Also the record of a finished call (state ended, outcome set).
struct CallSnapshot {
    std::string gateway;
    std::string call_id;
    std::string caller;
    std::string specialty;  // empty for a call rejected for want of a specialty
    CallClass call_class = CallClass::appointment;
    CallState state = CallState::queued;
    Time enqueued_at{};
    Time deadline{};
    std::optional<Time> answered_at;
    std::optional<Time> ended_at;
    std::optional<Outcome> outcome;
    // The target of the last call.route: an agent or a team, never both (empty when never
    // routed). While the call is offering or connected, that is who it rings or talks to.
    std::string agent;
    std::string team;
    bool overflowed = false;  // routed to a team at least once
    std::uint64_t arrival = 0;
    bool quality_sample = false;  // selected for quality listening (routed to agents with record)

    bool operator==(const CallSnapshot&) const = default;
};

// Why a call or an agent changed. The names are stable: audit records and subscriptions carry
// them (see to_string).
enum class Cause : std::uint8_t {
    offered,              // call.offered
    routed,               // call.route sent to an agent
    overflow_threshold,   // call.route sent to a team because the queue exceeds its threshold
    overflow_deadline,    // call.route sent to a team because the call's deadline passed
    queued,               // the call entered its queue
    answered,             // call.answered
    no_answer,            // call.no_answer
    ring_timeout,         // no answer within ring_timeout_s + 5 s
    ended,                // call.ended
    rejected,             // no specialty for the call
    reclassified,         // supervisor: class changed
    transferred,          // supervisor: moved to another specialty
    deadline_passed,      // the call waits past its deadline
    login,                // agent: login
    logout,               // agent: logout
    pause,                // agent: pause
    ready,                // agent: ready
    wrap_up_end,          // agent: end of wrap-up
    overflow_set,         // supervisor: overflow setting changed
    removed,              // agent: removed from the configuration
    closed,               // rejected: the specialty is closed and its rule for the class is reject
    overflow_closed,      // call.route sent to a team because the specialty was closed (rule team)
    gateway_lost,         // ended: its gateway stayed away orphan_timeout
    ended_by_supervisor,  // ended by call-end
};
std::string_view to_string(Cause c);

struct CallChange {
    Time at{};
    Cause cause = Cause::offered;
    CallSnapshot call;  // after the change

    bool operator==(const CallChange&) const = default;
};

struct AgentChange {
    Time at{};
    Cause cause = Cause::login;
    std::string agent;
    AgentState state = AgentState::logged_out;
    std::string reason;   // the pause reason, else empty
    std::string gateway;  // the call the agent is reserved for or busy with, else empty
    std::string call_id;

    bool operator==(const AgentChange&) const = default;
};

struct OverflowSetting {
    std::string specialty;
    int threshold = 0;
    bool enabled = true;

    bool operator==(const OverflowSetting&) const = default;
};

struct SettingChange {
    Time at{};
    OverflowSetting overflow;

    bool operator==(const SettingChange&) const = default;
};

// Alerts (routing.md v1.1 "Alerts"): a caller at risk, for a person to act on. They change no call.
enum class AlertKind : std::uint8_t { call_late, queue_unstaffed };
std::string_view to_string(AlertKind k);  // "call_late", "queue_unstaffed"

struct Alert {
    AlertKind kind = AlertKind::call_late;
    std::string specialty;
    std::string gateway;  // call_late: the call; empty for queue_unstaffed
    std::string call_id;
    Time raised_at{};

    bool operator==(const Alert&) const = default;
};

// An alert raised or cleared (at: when).
struct AlertChange {
    Time at{};
    bool raised = true;
    Alert alert;

    bool operator==(const AlertChange&) const = default;
};

using Change = std::variant<CallChange, AgentChange, SettingChange, AlertChange>;

// The answer to the input itself: ok, or an error with its stable code and a message for people.
struct Reply {
    ErrorCode code = ErrorCode::none;
    std::string message;
    bool ok() const { return code == ErrorCode::none; }

    bool operator==(const Reply&) const = default;
};

struct Output {
    Reply reply;
    bool duplicate = false;  // a gateway event at or below the gateway's last seq: nothing applied
    std::vector<Command> commands;
    std::vector<Change> changes;

    bool operator==(const Output&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Views (for the admin protocol and tests). Computed on demand; O(n) in what they list.
// ---------------------------------------------------------------------------------------------
struct AgentView {
    std::string id;
    AgentState state = AgentState::logged_out;
    std::string reason;
    std::vector<std::string> skills;
    std::string gateway;  // the call held, else empty
    std::string call_id;
    Time state_since{};
    Time ready_since{};

    bool operator==(const AgentView&) const = default;
};

struct QueueView {
    std::string specialty;
    std::int64_t queued = 0;
    std::optional<Time> oldest_enqueued_at;
    std::int64_t agents_ready = 0;
    std::int64_t agents_busy = 0;  // reserved, busy or in wrap-up
    bool exceeds_threshold = false;
    bool open = true;  // by its hours (always, without)

    bool operator==(const QueueView&) const = default;
};

struct TeamView {
    std::string id;
    int active = 0;
    int max_concurrent = 0;
    bool open = true;  // by its hours: offered calls only while open

    bool operator==(const TeamView&) const = default;
};

struct GatewayView {
    std::string id;
    std::uint64_t last_seq = 0;
    std::optional<Time> away_since;  // disconnected since then

    bool operator==(const GatewayView&) const = default;
};

// The engine's whole state as plain values: what a snapshot holds (include/acd/snapshot.hpp).
// Between two inputs nothing else is needed to carry on exactly.
struct EngineImage {
    struct Gateway {
        std::string id;
        std::uint64_t last_seq = 0;
        std::optional<Time> away_since{};  // disconnected
        bool operator==(const Gateway&) const = default;
    };
    struct Specialty {
        std::string id;
        int threshold = 0;
        bool overflow_enabled = true;
        std::int64_t mean_handle_ms = 0;
        std::optional<Time> unstaffed_since{};  // the queue_unstaffed alert is active
        bool operator==(const Specialty&) const = default;
    };
    // A team did not answer the call; it may be offered it again from `until` on.
    struct Refusal {
        std::string team;
        Time until{};
        bool operator==(const Refusal&) const = default;
    };
    struct Agent {
        AgentConfig config;  // for a retired agent (no longer configured, finishing a call)
        bool retired = false;
        AgentState state = AgentState::logged_out;
        std::string reason;
        Time state_since{};
        Time ready_since{};
        std::optional<Time> wrap_up_until;  // in wrap_up
        bool operator==(const Agent&) const = default;
    };
    struct Call {
        std::string gateway;
        std::string call_id;
        std::string caller;
        std::string specialty;
        CallClass call_class = CallClass::appointment;
        CallState state = CallState::queued;
        Time enqueued_at{};
        std::optional<Time> answered_at;
        std::string agent;  // target of the last call.route (see CallSnapshot)
        std::string team;
        std::vector<Refusal> refused;  // teams that did not answer, still waiting to retry
        bool overflowed = false;
        std::uint64_t arrival = 0;
        std::optional<Time> ring_until;  // offering: when the offer counts as not answered
        bool closed_team = false;        // came in closed under the rule `team`: goes to a team
        bool quality_sample = false;
        bool late_raised = false;          // call_late was raised for it (once per call)
        std::optional<Time> late_since{};  // call_late is active
        bool operator==(const Call&) const = default;
    };

    RoutingConfig config;
    Time now{};
    std::uint64_t arrivals = 0;
    std::vector<Gateway> gateways;  // in the order the engine first saw them
    std::vector<Specialty> specialties;
    std::vector<Agent> agents;  // configured agents, then retired ones
    std::vector<Call> calls;    // in arrival order

    bool operator==(const EngineImage&) const = default;
};

// ---------------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------------
class Engine {
  public:
    // `config` must have passed parse_config(). All agents start logged_out.
    explicit Engine(const RoutingConfig& config);
    // An engine in the state of `image` (from image()), or invalid_state when the image does not
    // hold together (names an unknown specialty, agent or team).
    static Result<std::unique_ptr<Engine>> from_image(const EngineImage& image);
    EngineImage image() const;
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // Fires the timers due by `now`, then applies `input` at `now`.
    const Output& handle(const Input& input, Time now);

    // The due time of the earliest pending timer, if any; never one that was cancelled (a call
    // answered before its ring timeout, ...). Feed input::Tick at that time.
    std::optional<Time> next_timer() const;

    // The last seq taken from `gateway` (0 when none).
    std::uint64_t last_seq(std::string_view gateway) const;

    // The call.route commands of every call of `gateway` now offering, in arrival order (resent
    // after a gateway's welcome).
    std::vector<Command> offering_routes(std::string_view gateway) const;

    std::vector<CallSnapshot> calls() const;  // live calls, in arrival order
    std::optional<CallSnapshot> find_call(const input::CallSelector& selector) const;
    std::vector<AgentView> agents() const;  // in configuration order
    // One agent of agents(), found by its id without building the others' views.
    std::optional<AgentView> agent(std::string_view id) const;
    std::vector<QueueView> queues() const;  // in configuration order
    // Queued calls of a specialty in dispatch order; nullopt for an unknown specialty.
    std::optional<std::vector<CallSnapshot>> queue(std::string_view specialty) const;
    std::vector<OverflowSetting> overflow_settings() const;
    std::vector<TeamView> teams() const;
    std::vector<GatewayView> gateways() const;  // in the order the engine first saw them
    // The active alerts, in the order they were raised.
    std::vector<Alert> alerts() const;
    const RoutingConfig& config() const;
    Time now() const;

  private:
    const Output& reconfigure_swap();

    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace acd
