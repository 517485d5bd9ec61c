#include "sim/simulation.hpp"

#include <charconv>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>
#include <unordered_map>

#include "acd/engine.hpp"
#include "sim/models.hpp"
#include "sim/random.hpp"

namespace acd::sim {
namespace {

using Index = std::uint32_t;
constexpr Index kNone = std::numeric_limits<Index>::max();
const std::string kGateway = "sim";

enum class EventKind : std::uint8_t { arrival, answer, hang_up, talk_end, shift_start, shift_end };

struct Event {
    Time at{};
    std::uint64_t seq = 0;  // ties at one instant go in the order the events were scheduled
    EventKind kind = EventKind::arrival;
    Index index = kNone;       // stream, call slot or agent
    std::uint64_t serial = 0;  // the call's serial (a slot is reused), or the interval number
    std::uint32_t gen = 0;     // the offer an answer belongs to
};

struct EventLater {
    bool operator()(const Event& a, const Event& b) const {
        return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
};

// One (specialty, class) with calls: its arrival process and random stream.
struct Stream {
    Index specialty = 0;
    CallClass call_class = CallClass::appointment;
    const Demand* demand = nullptr;
    ArrivalProcess arrivals;
    Rng rng;
    double next_s = 0;  // the next arrival, exactly (events carry it rounded to the ms)
};

struct Call {
    std::uint64_t serial = 0;  // 0: free slot
    Index stream = 0;
    std::string id;
    std::uint32_t offer_gen = 0;
    Index agent = kNone;          // the agent it rings or talks to
    Index team = kNone;           // the team it rings or talks to
    bool waiting = false;         // queued or ringing: not answered, not ended
    Duration handle{};            // with an in-house agent
    std::uint64_t team_seed = 0;  // draws the team's handle time if a team answers
};

struct Agent {
    std::vector<Interval> shifts;
    bool logged_in = false;
    bool leaving = false;  // shift over, logs out when its call ends
    Index call = kNone;
};

Duration to_duration(double s) {
    return Duration(std::llround(s * 1000.0));
}

class Simulation {
  public:
    Simulation(const Scenario& scenario, Policy policy, const CallObserver& observer)
        : scenario_(scenario),
          engine_(routing_for(scenario, policy)),
          observer_(observer),
          start_(run_start(scenario)) {
        init_result(policy);
        init_streams();
        init_agents();
        for (const TeamConfig& t : scenario.routing.teams)
            team_index_.emplace(t.id, static_cast<Index>(team_index_.size()));
    }

    RunResult run() {
        for (;;) {
            const std::optional<Time> timer = engine_.next_timer();
            if (events_.empty() && !timer) break;
            // Opening hours keep a timer forever: once nothing else will happen, the run ends
            // when no call is left, or a week after the last day.
            if (events_.empty() &&
                (engine_.calls().empty() ||
                 *timer > start_ + std::chrono::days(scenario_.days + kDaysPerWeek))) {
                break;
            }
            if (timer && (events_.empty() || *timer <= events_.top().at)) {
                now_ = *timer;
                apply(input::Tick{});
                continue;
            }
            const Event ev = events_.top();
            events_.pop();
            now_ = ev.at;
            handle(ev);
        }
        finish();
        return std::move(result_);
    }

  private:
    // --- set-up ----------------------------------------------------------------------------
    void init_result(Policy policy) {
        result_.scenario = scenario_.name;
        result_.policy = policy;
        result_.seed = scenario_.seed;
        result_.days = scenario_.days;
        for (const SpecialtyConfig& s : scenario_.routing.specialties)
            result_.specialties.push_back(s.id);
        for (CallClass c : kCallClasses)
            result_.targets[index_of(c)] = scenario_.routing.policy(c).target;
        result_.by_specialty.resize(result_.specialties.size());
        result_.hours.resize(static_cast<std::size_t>(scenario_.days) * kHoursPerDay);
        for (HourFigures& h : result_.hours)
            h.by_specialty.resize(result_.specialties.size());
    }

    void init_streams() {
        for (Index sp = 0; sp < scenario_.demand.size(); ++sp) {
            for (CallClass c : kCallClasses) {
                const auto& demand = scenario_.demand[sp][index_of(c)];
                if (!demand) continue;
                const auto stream_no = sp * kCallClassCount + static_cast<Index>(index_of(c));
                streams_.push_back(Stream{sp, c, &*demand,
                                          ArrivalProcess(demand->per_hour, scenario_),
                                          Rng(derive_seed(scenario_.seed, stream_no))});
                schedule_arrival(static_cast<Index>(streams_.size() - 1), 0.0);
            }
        }
    }

    void init_agents() {
        agents_.resize(scenario_.routing.agents.size());
        for (Index a = 0; a < agents_.size(); ++a) {
            agent_index_.emplace(scenario_.routing.agents[a].id, a);
            agents_[a].shifts = work_intervals(scenario_.shifts[a], scenario_);
            for (std::uint64_t k = 0; k < agents_[a].shifts.size(); ++k) {
                const Interval& i = agents_[a].shifts[k];
                schedule(at_s(i.start_s), EventKind::shift_start, a, k);
                schedule(at_s(i.end_s), EventKind::shift_end, a, k);
            }
        }
    }

    // --- events ----------------------------------------------------------------------------
    Time at_s(double s) const { return start_ + to_duration(s); }
    double seconds_since_start(Time t) const {
        return static_cast<double>((t - start_).count()) / 1000.0;
    }

    void schedule(Time at, EventKind kind, Index index, std::uint64_t serial = 0,
                  std::uint32_t gen = 0) {
        events_.push(Event{at, ++event_seq_, kind, index, serial, gen});
    }

    void schedule_arrival(Index stream, double after_s) {
        Stream& s = streams_[stream];
        if (const auto t = s.arrivals.next(after_s, s.rng)) {
            s.next_s = *t;
            schedule(at_s(*t), EventKind::arrival, stream);
        }
    }

    void handle(const Event& ev) {
        switch (ev.kind) {
            case EventKind::arrival:
                return on_arrival(ev.index);
            case EventKind::answer:
                return on_answer(ev);
            case EventKind::hang_up:
                return on_hang_up(ev);
            case EventKind::talk_end:
                return on_talk_end(ev);
            case EventKind::shift_start:
                return on_shift_start(ev.index);
            case EventKind::shift_end:
                return on_shift_end(ev.index);
        }
    }

    void on_arrival(Index stream) {
        Stream& s = streams_[stream];
        const Index slot = new_call(stream);
        Call& call = calls_[slot];
        // Every draw for this call happens now, in a fixed number, whatever the policy.
        call.handle = to_duration(sample(s.demand->handle, s.rng));
        call.team_seed = s.rng.next();
        if (s.demand->patience) {
            schedule(now_ + to_duration(sample(*s.demand->patience, s.rng)), EventKind::hang_up,
                     slot, call.serial);
        }
        set_waiting(call, true);
        apply(input::GatewayEvent{
            kGateway, ++seq_,
            input::CallOffered{call.id, {}, {}, result_.specialties[s.specialty], s.call_class}});
        schedule_arrival(stream, s.next_s);
    }

    void on_answer(const Event& ev) {
        Call* call = live_call(ev);
        if (call == nullptr || call->offer_gen != ev.gen || !call->waiting) return;
        set_waiting(*call, false);
        Duration talk = call->handle;
        std::optional<std::string> agent;
        if (call->agent != kNone) {
            agent = scenario_.routing.agents[call->agent].id;
        } else {
            if (scenario_.team_handle) {
                Rng rng(call->team_seed);
                talk = to_duration(sample(*scenario_.team_handle, rng));
            }
        }
        schedule(now_ + talk, EventKind::talk_end, ev.index, call->serial);
        apply(input::GatewayEvent{kGateway, ++seq_, input::CallAnswered{call->id, agent}});
    }

    void on_hang_up(const Event& ev) {
        Call* call = live_call(ev);
        if (call == nullptr || !call->waiting) return;  // answered before patience ran out
        set_waiting(*call, false);
        end_call(*call);
    }

    void on_talk_end(const Event& ev) {
        if (Call* call = live_call(ev)) end_call(*call);
    }

    // The agent it rang or talked to is free from now on (the engine's view follows the input).
    void end_call(Call& call) {
        const Index agent = call.agent;
        if (agent != kNone) agents_[agent].call = kNone;
        apply(input::GatewayEvent{kGateway, ++seq_, input::CallEnded{call.id, std::nullopt}});
        if (agent != kNone && agents_[agent].leaving) logout(agent);
    }

    void on_shift_start(Index a) {
        Agent& agent = agents_[a];
        agent.leaving = false;  // still on the last call of the previous shift: stays
        if (agent.logged_in) return;
        agent.logged_in = true;
        result_.agents.change(seconds_since_start(now_), +1);
        apply(input::AgentLogin{scenario_.routing.agents[a].id, false});
    }

    void on_shift_end(Index a) {
        Agent& agent = agents_[a];
        if (agent.call != kNone) {
            agent.leaving = true;
        } else {
            logout(a);
        }
    }

    void logout(Index a) {
        Agent& agent = agents_[a];
        if (!agent.logged_in || agent.call != kNone) return;
        agent.logged_in = false;
        agent.leaving = false;
        result_.agents.change(seconds_since_start(now_), -1);
        apply(input::AgentLogout{scenario_.routing.agents[a].id});
    }

    // --- calls -----------------------------------------------------------------------------
    Index new_call(Index stream) {
        Index slot;
        if (free_slots_.empty()) {
            slot = static_cast<Index>(calls_.size());
            calls_.emplace_back().id = std::to_string(slot);
        } else {
            slot = free_slots_.back();
            free_slots_.pop_back();
        }
        Call& call = calls_[slot];
        call.serial = ++serials_;
        call.stream = stream;
        call.offer_gen = 0;
        call.agent = kNone;
        call.team = kNone;
        return slot;
    }

    Call* live_call(const Event& ev) {
        Call& call = calls_[ev.index];
        return call.serial == ev.serial ? &call : nullptr;
    }

    Index slot_of(const std::string& call_id) const {
        Index slot = kNone;
        std::from_chars(call_id.data(), call_id.data() + call_id.size(), slot);
        return slot;
    }

    void set_waiting(Call& call, bool waiting) {
        call.waiting = waiting;
        result_.waiting.change(seconds_since_start(now_), waiting ? +1 : -1);
    }

    // --- the engine --------------------------------------------------------------------------
    // Inputs that follow from an output (a phone that does not pick up) are applied after it, at
    // the same instant, in order.
    void apply(const Input& input) {
        if (applying_) {
            pending_.push_back(input);
            return;
        }
        applying_ = true;
        take(engine_.handle(input, now_));
        while (!pending_.empty()) {
            const Input next = std::move(pending_.front());
            pending_.pop_front();
            take(engine_.handle(next, now_));
        }
        applying_ = false;
    }

    void take(const Output& out) {
        ++result_.engine_inputs;
        if (!out.reply.ok()) {
            if (result_.engine_errors++ == 0) result_.first_engine_error = out.reply.message;
        }
        for (const Change& change : out.changes) {
            const auto* c = std::get_if<CallChange>(&change);
            if (c != nullptr && c->call.state == CallState::ended) on_call_record(c->call);
        }
        for (const Command& command : out.commands) {
            if (const auto* route = std::get_if<CallRouteCommand>(&command.body)) {
                on_route(command.call_id, *route);
            }
        }
    }

    void on_route(const std::string& call_id, const CallRouteCommand& route) {
        const Index slot = slot_of(call_id);
        Call& call = calls_[slot];
        ++call.offer_gen;
        call.agent = kNone;
        call.team = kNone;
        if (!route.agent.empty()) {
            const Index a = agent_index_.at(route.agent);
            if (agents_[a].leaving) return refuse_offer(call, a);
            call.agent = a;
            agents_[a].call = slot;
        } else {
            call.team = team_index_.at(route.team);
        }
        schedule(now_ + to_duration(scenario_.answer_delay_s), EventKind::answer, slot, call.serial,
                 call.offer_gen);
    }

    // An agent whose shift is over was offered a call in the instant it became free.
    void refuse_offer(Call& call, Index a) {
        const std::string& agent_id = scenario_.routing.agents[a].id;
        apply(input::GatewayEvent{kGateway, ++seq_, input::CallNoAnswer{call.id, agent_id}});
        logout(a);
    }

    void on_call_record(const CallSnapshot& snapshot) {
        const Index slot = slot_of(snapshot.call_id);
        if (calls_[slot].waiting) set_waiting(calls_[slot], false);  // turned away closed
        record(snapshot, streams_[calls_[slot].stream].specialty);
        calls_[slot].serial = 0;
        free_slots_.push_back(slot);
    }

    void record(const CallSnapshot& snapshot, Index specialty) {
        const Duration target = result_.targets[index_of(snapshot.call_class)];
        result_.by_specialty_class.add(snapshot, scenario_.routing, now_);
        result_.by_specialty[specialty].add(snapshot, target, now_);
        result_.by_class[index_of(snapshot.call_class)].add(snapshot, target, now_);
        result_.overall.add(snapshot, target, now_);
        const auto hour = static_cast<std::size_t>(
            std::chrono::floor<std::chrono::hours>(snapshot.enqueued_at - start_).count());
        if (hour < result_.hours.size()) {
            result_.hours[hour].all.add(snapshot, target, now_);
            result_.hours[hour].by_specialty[specialty].add(snapshot, target, now_);
        }
        if (observer_) observer_(snapshot);
    }

    // Calls nobody can answer any more (no agent on shift, no patience) count as they stand.
    void finish() {
        for (const CallSnapshot& live : engine_.calls()) {
            if (live.state == CallState::queued || live.state == CallState::offering) {
                ++result_.still_waiting_at_end;
            }
            record(live, streams_[calls_[slot_of(live.call_id)].stream].specialty);
        }
        result_.end_s = seconds_since_start(now_);
        result_.waiting.finish(std::max(result_.end_s, scenario_.days * 86400.0));
        result_.agents.finish(std::max(result_.end_s, scenario_.days * 86400.0));
    }

    const Scenario& scenario_;
    Engine engine_;
    const CallObserver& observer_;
    Time start_;
    Time now_{};
    RunResult result_;

    std::vector<Stream> streams_;
    std::vector<Call> calls_;
    std::vector<Index> free_slots_;
    std::uint64_t serials_ = 0;
    std::vector<Agent> agents_;
    std::unordered_map<std::string, Index> agent_index_;
    std::unordered_map<std::string, Index> team_index_;

    std::priority_queue<Event, std::vector<Event>, EventLater> events_;
    std::uint64_t event_seq_ = 0;
    std::uint64_t seq_ = 0;  // gateway event numbers
    std::deque<Input> pending_;
    bool applying_ = false;
};

}  // namespace

Time run_start(const Scenario& scenario) {
    return scenario.start_date;
}

RoutingConfig routing_for(const Scenario& scenario, Policy policy) {
    RoutingConfig config = scenario.routing;
    // The simulator's clock is site time: its days are 24 hours from the start date's midnight,
    // as are the traffic's hours and the shifts, so the schedules are read in the same clock.
    config.zone = ZoneRules{};
    if (policy == Policy::acdd) return config;
    for (ClassPolicy& c : config.classes)
        c = ClassPolicy{Duration{0}, 0, false};
    for (SpecialtyConfig& s : config.specialties)
        s.overflow_enabled = false;
    config.teams.clear();
    return config;
}

RunResult run(const Scenario& scenario, Policy policy, const CallObserver& observer) {
    return Simulation(scenario, policy, observer).run();
}

}  // namespace acd::sim
