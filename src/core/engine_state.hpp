// Internal state of acd::Engine (include/acd/engine.hpp). Not a public header.
//
// Layout, after ARCHITECTURE.md "Data structures that keep it fast":
// - calls live in a slab (vector + free list) and are named by slot; a slot is reused, so every
//   reference kept across inputs (timers, pending notices) also keeps the call's arrival number,
//   which is unique, and is checked before use;
// - each specialty keeps its queued calls ordered by the dispatch key in an order-statistic tree
//   (position of a call in O(log n)), plus the subsets that overflow rules look at;
// - each specialty keeps its ready agents ordered by (ready_since, id);
// - timers come due in (due, seq) order from a TimerQueue and are cancelled lazily by
//   generation numbers.
#pragma once

#include <deque>
#include <ext/pb_ds/assoc_container.hpp>
#include <ext/pb_ds/tree_policy.hpp>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "acd/engine.hpp"

namespace acd::core {

using Index = std::uint32_t;
inline constexpr Index kNone = std::numeric_limits<Index>::max();

// An offer not answered within ring_timeout_s + 5 s is treated as not answered (routing.md).
inline constexpr Duration kRingGrace = seconds(5);
// "Within" includes the limit: a timer fires 1 ms after it. Likewise a call's deadline "has
// passed" once the wait exceeds target_s, as answered_within_target counts wait == target in.
inline constexpr Duration kJustAfter{1};

// The dispatch order of routing.md: tier, deadline, enqueued_at, arrival. enqueued_at is left
// out of the key because arrival numbers are given at call.offered, in time order, and enqueued_at
// is the (never changing) time of that call.offered: a.arrival < b.arrival implies
// a.enqueued_at <= b.enqueued_at, so comparing (enqueued_at, arrival) is comparing arrival. A key
// of 24 bytes instead of 40 keeps the nodes of the three trees per queue small.
struct QueueKey {
    Time deadline{};
    std::uint64_t arrival = 0;  // unique per call: the key is unique
    int tier = 0;
    Index slot = kNone;

    friend bool operator<(const QueueKey& a, const QueueKey& b) {
        return std::tie(a.tier, a.deadline, a.arrival) < std::tie(b.tier, b.deadline, b.arrival);
    }
};

using OrderedQueue =
    __gnu_pbds::tree<QueueKey, __gnu_pbds::null_type, std::less<QueueKey>, __gnu_pbds::rb_tree_tag,
                     __gnu_pbds::tree_order_statistics_node_update>;
using KeySet = std::set<QueueKey>;

struct ReadyKey {
    Time ready_since{};
    Index rank = 0;  // rank of the agent id in byte-wise order: ties go to the smaller id
    Index agent = kNone;

    friend bool operator<(const ReadyKey& a, const ReadyKey& b) {
        return std::tie(a.ready_since, a.rank) < std::tie(b.ready_since, b.rank);
    }
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// The nodes a std::map gave back (extract), kept to hold its next entries: an entry that comes and
// goes costs no allocation. They hold no state: a copy starts with none.
template <typename Map>
class SpareNodes {
  public:
    SpareNodes() = default;
    SpareNodes(const SpareNodes&) {}
    SpareNodes& operator=(const SpareNodes&) {
        nodes_.clear();
        return *this;
    }
    SpareNodes(SpareNodes&&) noexcept = default;
    SpareNodes& operator=(SpareNodes&&) noexcept = default;
    ~SpareNodes() = default;

    void erase(Map& map, const typename Map::key_type& key) {
        if (auto node = map.extract(key)) nodes_.push_back(std::move(node));
    }
    // Inserts at the end's hint: O(1) when `key` is the largest.
    void insert_last(Map& map, const typename Map::key_type& key,
                     const typename Map::mapped_type& value) {
        if (nodes_.empty()) {
            map.emplace_hint(map.end(), key, value);
            return;
        }
        auto node = std::move(nodes_.back());
        nodes_.pop_back();
        node.key() = key;
        node.mapped() = value;
        map.insert(map.end(), std::move(node));
    }

  private:
    std::vector<typename Map::node_type> nodes_;
};

struct Specialty {
    SpecialtyConfig config;
    int threshold = 3;
    bool overflow_enabled = true;
    Index schedule = kNone;  // its hours; kNone: always open
    bool open = true;        // by its hours
    OrderedQueue queue;      // queued calls, dispatch order
    // The queued calls by arrival (slot by arrival number): the first waits the longest (arrival
    // order is enqueued_at order, see QueueKey), found without walking the queue.
    std::map<std::uint64_t, Index> by_arrival;
    SpareNodes<std::map<std::uint64_t, Index>> spare_arrivals;  // by_arrival's, for reuse
    KeySet overflowable;                  // queued calls whose class may overflow
    KeySet overflow_due;                  // overflowable calls less than their class's lead from
                                          // their deadline (or past it)
    KeySet to_team;                       // queued calls that came in closed under the rule `team`
    std::set<ReadyKey> ready;             // ready agents with this skill
    std::vector<Index> teams;             // teams that serve this specialty
    int staffed = 0;                      // logged-in agents with this skill
    int away = 0;                         // queued calls whose gateway is away (not routed)
    std::int64_t mean_handle_ms = 0;      // moving mean of talk + wrap-up time, 0 when unknown
    std::optional<Time> unstaffed_since;  // the queue_unstaffed alert is active
    bool dirty = false;
};

struct Agent {
    AgentConfig config;
    std::vector<Index> skills;
    Index rank = 0;
    AgentState state = AgentState::logged_out;
    std::string reason;
    Time state_since{};
    Time ready_since{};
    Index call = kNone;  // slot of the call reserved for or held
    std::uint32_t wrap_gen = 0;
    Time wrap_until{};     // in wrap_up: when it ends
    bool retired = false;  // removed from the configuration while on a call
};

struct Team {
    TeamConfig config;
    Index rank = 0;
    int active = 0;  // calls offering or connected to the team
    Index schedule = kNone;
    bool open = true;  // by its hours
};

// A schedule in use, its state, and what follows it. Its timer fires when the state changes.
struct ScheduleState {
    bool open = true;
    std::uint32_t gen = 0;
    std::vector<Index> specialties;
    std::vector<Index> teams;
};

struct Refusal {
    Index team = kNone;
    Time until{};  // the team may be offered the call again from then on
};

struct Call {
    std::uint64_t arrival = 0;  // 0 marks a free slot
    Index gateway = kNone;
    std::string call_id;
    std::string caller;
    Index specialty = kNone;
    CallClass call_class = CallClass::appointment;
    CallState state = CallState::queued;
    Time enqueued_at{};
    Time deadline{};
    std::optional<Time> answered_at;
    // The target of the last call.route: an agent or a team, never both. While the call is
    // offering or connected, that is its current target.
    Index agent = kNone;
    Index team = kNone;
    std::vector<Refusal> refused;  // teams that did not answer this call
    bool overflowed = false;
    bool closed_team = false;        // came in closed under the rule `team`: goes to a team
    bool quality_sample = false;     // routed to agents with record
    bool end_abandoned = false;      // ended by call-end or gateway_lost: abandoned in any state
    bool passed_noted = false;       // queued: its deadline passed during this stay (or before it)
    bool late_raised = false;        // call_late was raised (once per call)
    std::optional<Time> late_since;  // call_late is active
    bool notice_pending = false;
    std::uint32_t offer_gen = 0;
    std::uint32_t deadline_gen = 0;
    std::uint32_t retry_gen = 0;  // the retry timers of this stay in the queue
    Time ring_until{};            // offering: when the offer counts as not answered
    // Where a queued call sits in its specialty's sets, so that leaving them needs no search
    // (node-based containers: the iterators stay valid while the element is in).
    bool in_overflowable = false;
    bool in_overflow_due = false;
    bool in_to_team = false;
    OrderedQueue::iterator queue_pos;
    KeySet::iterator overflowable_pos;
    KeySet::iterator overflow_due_pos;
    KeySet::iterator to_team_pos;
};

// The live calls of one gateway by call_id: open addressing with linear probing over 8-byte
// entries (slot, 32 bits of the hash). The key is the call's own call_id in the slab, so it is
// neither copied nor allocated; a lookup reads one entry and then the call it needs anyway.
class CallIndex {
  public:
    // The slot of the live call `id`, or kNone.
    Index find(std::string_view id, const std::vector<Call>& calls) const;
    // `calls[slot].call_id` must be set and not yet in the index.
    void insert(Index slot, const std::vector<Call>& calls);
    // `calls[slot]` must be in the index.
    void erase(Index slot, const std::vector<Call>& calls);
    std::size_t size() const { return size_; }
    template <typename F>
    void for_each_slot(F f) const {
        for (const Entry& e : table_) {
            if (e.slot != kNone) f(e.slot);
        }
    }

  private:
    struct Entry {
        Index slot = kNone;
        std::uint32_t hash = 0;
    };
    static std::uint32_t hash_of(std::string_view id);
    void grow();

    std::vector<Entry> table_;  // size: 0 or a power of two, at most half full
    std::size_t size_ = 0;
};

struct Gateway {
    std::string id;
    std::uint64_t last_seq = 0;
    CallIndex calls;                 // live calls by call_id
    std::optional<Time> away_since;  // disconnected: its calls are not routed
    std::uint32_t away_gen = 0;      // bumped at each disconnect and return
};

// ring: an offer's ring timeout; deadline: the next deadline stage of a queued call (due for a
// team, deadline passed, late); wrap_up: an agent's end of wrap-up; hours: a schedule changes
// state; retry: a team's refusal of a call runs out; orphan: a gateway away too long.
enum class TimerKind : std::uint8_t { ring, deadline, wrap_up, hours, retry, orphan };

struct Timer {
    Time due{};
    std::uint64_t seq = 0;
    TimerKind kind = TimerKind::ring;
    Index index = kNone;      // call slot, agent, schedule or gateway index
    std::uint64_t owner = 0;  // call arrival (0 for agents)
    std::uint32_t gen = 0;
};

struct TimerLater {
    bool operator()(const Timer& a, const Timer& b) const {
        return std::tie(a.due, a.seq) > std::tie(b.due, b.seq);
    }
};

// Pending timers, taken in (due, seq) order. Most timers are armed a fixed delay after the step
// that arms them (ring timeouts, deadlines of new calls, ends of wrap-up), and as the clock never
// goes back, the timers of one delay come due in the order they were armed: each such delay has a
// FIFO lane. Any other timer goes to a min-heap. The next timer is the smallest (due, seq) among
// the lane fronts and the heap top, so the order is exactly that of a single heap, but the common
// timers cost O(1) with sequential memory access instead of log n scattered swaps.
class TimerQueue {
  public:
    static constexpr std::size_t kMaxLanes = 16;  // more distinct delays go to the heap

    // A lane for timers armed `delay` after the arming step (duplicates are ignored).
    void add_lane(Duration delay);
    // `delay` is `timer.due` minus the time of the arming step.
    void push(const Timer& timer, Duration delay);
    bool empty() const { return size_ == 0; }
    // The next timer; the queue must not be empty.
    const Timer& top() const {
        return next_ == lanes_.size() ? heap_.front() : lanes_[next_].timers.front();
    }
    void pop();

  private:
    struct Lane {
        Duration delay;
        std::deque<Timer> timers;
    };
    // The lane holding the next timer, or lanes_.size() for the heap.
    std::size_t next_source() const;

    std::vector<Lane> lanes_;
    std::vector<Timer> heap_;  // min-heap by (due, seq)
    std::size_t size_ = 0;
    std::size_t next_ = 0;  // next_source(), kept up to date while not empty
};

struct SlotRef {
    Index slot;
    std::uint64_t arrival;
};

// The changes and commands of the last Output, kept for reuse: the next Output fills them in
// again, and their strings keep their buffers, so that the steady state does not allocate for
// the ids and URIs it copies into every change and command.
struct OutputPool {
    static constexpr std::size_t kMax = 256;  // per kind: bounds what a burst leaves behind
    std::vector<CallChange> call_changes;
    std::vector<AgentChange> agent_changes;
    std::vector<AlertChange> alert_changes;
    std::vector<Command> routes;  // body: CallRouteCommand
    std::vector<Command> queued;  // body: CallQueuedCommand

    // Empties `out`, keeping what can be reused.
    void reclaim(Output& out);
};

}  // namespace acd::core

namespace acd {

struct Engine::State {
    explicit State(const RoutingConfig& config);

    RoutingConfig config;
    std::vector<core::Specialty> specialties;
    std::vector<core::Agent> agents;
    std::vector<core::Team> teams;
    std::vector<core::Gateway> gateways;
    std::vector<core::ScheduleState> schedules;  // parallel to config.schedules
    bool hours_started = false;                  // schedules' state computed (first input on)
    core::StringMap<core::Index> specialty_by_id;
    core::StringMap<core::Index> specialty_by_number;
    core::StringMap<core::Index> agent_by_id;
    core::StringMap<core::Index> gateway_by_id;

    std::vector<core::Call> calls;        // slab
    std::vector<core::Index> free_slots;  // of `calls`
    std::uint64_t arrivals = 0;

    core::TimerQueue timers;
    std::uint64_t timer_seq = 0;

    Time now{};    // the latest time seen
    Time clock{};  // the time of the step being applied (a timer's due time, or now)
    Output out;
    core::OutputPool pool;
    std::unique_ptr<State> next;  // set by reconfigure(): the state that replaces this one

    // Work for the settle step after the current input or timer.
    std::vector<core::Index> dirty;              // specialties whose queue or agents changed
    std::vector<core::SlotRef> pending_notices;  // calls that entered a queue
    bool deadline_work = false;                  // overflow_due() may have work

    // engine.cpp
    struct Applier;  // applies one input
    void apply(const Input& input);
    void fire_due_timers(Time until);
    void reconfigure(const RoutingConfig& config);  // image.cpp
    void fire(const core::Timer& timer);
    void start_hours();  // the schedules' state at `clock`, and their timers
    void on_hours(core::Index schedule);
    void set_open(core::Index schedule, bool open);
    void arm_hours(core::Index schedule);
    // A timer whose owner changed since it was armed: it would do nothing, now or later.
    bool stale(const core::Timer& timer) const;
    void drop_stale_timers();
    std::uint64_t owner_key(const core::Timer& timer) const;
    void reply_error(ErrorCode code, std::string message);

    // calls.cpp: call lifecycle
    core::Index new_call(core::Index gateway, const input::CallOffered& offered,
                         core::Index specialty, CallClass call_class);
    void free_call(core::Index slot);
    bool live(core::SlotRef ref) const;
    void enqueue(core::Index slot, bool notice);
    void dequeue(core::Index slot);
    void leave_queue(core::Index slot);  // dequeue, and clear its call_late alert
    void offer_to_agent(core::Index slot, core::Index agent);
    void offer_to_team(core::Index slot, core::Index team, Cause cause);
    void connect(core::Index slot);
    void return_to_queue(core::Index slot, Cause cause);
    void end_call(core::Index slot, Cause cause = Cause::ended);
    void set_class(core::Index slot, CallClass call_class);
    void on_ring_timeout(core::Index slot);
    void on_deadline(core::Index slot);
    void deadline_stages(core::Index slot);  // what is due of a queued call's deadline stages
    void on_retry(core::Index slot);
    void gateway_away(core::Index gateway);
    void gateway_back(core::Index gateway);
    void on_orphan(core::Index gateway);
    std::vector<core::Index> gateway_calls(core::Index gateway) const;  // in arrival order
    bool routable(const core::Call& call) const { return !gateways[call.gateway].away_since; }
    void raise_late(core::Index slot);
    void clear_late(core::Index slot);
    Alert late_alert(core::Index slot) const;
    Alert unstaffed_alert(core::Index specialty) const;
    void check_unstaffed(core::Index specialty);
    core::QueueKey key_of(core::Index slot) const;
    CallSnapshot snapshot(core::Index slot) const;
    void fill_snapshot(core::Index slot, CallSnapshot& s) const;
    void emit_call(core::Index slot, Cause cause);
    // A new change or command at the end of `out`, reused from `pool` when there is one. Every
    // field is to be set by the caller.
    CallChange& push_call_change();
    AgentChange& push_agent_change();
    AlertChange& push_alert_change();
    CallRouteCommand& push_route(core::Index slot);
    CallQueuedCommand& push_queued(core::Index slot);
    void arm(core::TimerKind kind, Time due, core::Index index, std::uint64_t owner,
             std::uint32_t gen);

    // agents.cpp: agent lifecycle
    void set_agent_state(core::Index agent, AgentState state, std::string reason, Cause cause);
    void on_wrap_up_end(core::Index agent);

    // image.cpp: the state as plain values, and back
    EngineImage image() const;
    bool load(const EngineImage& image, std::string* error);
    void rebuild_indexes();
    void rank_agents();

    // settle.cpp: work conservation and overflow
    void settle();
    void mark_dirty(core::Index specialty);
    void mark_team_freed(core::Index team);
    void dispatch();
    void send_queued_notices();
    void overflow_due();
    void overflow_over_threshold();
    core::Index team_for(const core::Call& call) const;
    bool team_room_for(core::Index specialty) const;      // an open team with room serves it
    bool team_capacity_for(core::Index specialty) const;  // the same, and overflow enabled
    const core::QueueKey* first_routable(const core::Specialty& spec) const;
    std::optional<std::int64_t> expected_wait_s(core::Index specialty, std::int64_t position) const;
};

}  // namespace acd
