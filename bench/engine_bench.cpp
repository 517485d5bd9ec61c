// Throughput of the routing engine (acd::Engine::handle) in a loaded steady state.
//
// Two sizes: 1,000 agents with about 10,000 queued calls, and 10,000 agents with about 100,000
// queued calls; 20 specialties in both. Run by hand (not a test): see docs/performance.md.
//
// The mix is a discrete-event model of a saturated hospital call center:
// - agents: 1 to 3 skills each (40% one, 40% two, 20% three), skills drawn with uneven weights so
//   that specialties differ in size; wrap-up 0 s (10% of agents), 10, 15, 20 or 30 s;
// - calls: the class comes from the IVR for 70% of calls (urgent 15%, appointment 60%, admin
//   25%), else it is the specialty's default; the specialty is chosen by the dialed number, or
//   (20%) by the IVR's `specialty` field; the demand of each specialty follows the agents who
//   serve it, with a feedback that holds every queue near its share of the target size, so
//   arrivals match departures and the total queue stays near 10,000 (resp. 100,000);
// - an agent answers 97.7% of the offers after 2 to 8 s, does not answer 2% (call.no_answer: the
//   agent is paused by the engine and comes back ready 5 to 30 s later), and lets 0.3% ring out
//   (the ring timeout of the engine fires); talk time 60 to 300 s;
// - 25% of callers have a patience of 1 to 40 minutes and hang up (call.ended on a queued call:
//   an abandon) when it runs out before an agent picks up;
// - 5% of the agents take a break at a time (pause during wrap-up, ready 1 to 9 minutes later),
//   half through the admin protocol and half through the phone (agent.state);
// - two overflow teams with small capacity (5 calls for ten specialties, 3 calls for all) take
//   calls over the threshold and past their deadline; they answer 90% of offers; admin calls may
//   not overflow, nor calls of two specialties whose overflow is disabled;
// - the engine's timers (ring timeouts, deadlines, ends of wrap-up) are fed as input::Tick at
//   Engine::next_timer(), as the daemon does, whenever that comes before the next event;
// - ids are realistic in length: SIP Call-IDs of about 25 bytes, callers as 64-hex-digit
//   pseudonyms (docs/spec/agenda.md), SIP URIs for agents and teams; two gateways.
//
// Only the engine is timed. A driver runs the model against a first engine and records the
// inputs it sends in chunks; the timed loop replays each chunk on a second engine, which goes
// through exactly the same states (the engine is deterministic; checked between chunks, outside
// the timing). Each benchmark iteration is one input, so the "Time" column is ns per input and
// items_per_second is inputs per second. The state is built (logins, then queues filled to the
// target, then one more hour of virtual time) before the first timed run and carried over from
// run to run, so every run measures the steady state.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "acd/engine.hpp"

namespace {

using acd::AgentState;
using acd::CallClass;
using acd::CallState;
using acd::Duration;
using acd::Engine;
using acd::Input;
using acd::Output;
using acd::Time;

// --- deterministic randomness (the generator's own, so figures do not depend on libstdc++'s
// distributions) ---
struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    bool chance(double p) { return uniform() < p; }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    // Uniform in [lo, hi] seconds, at millisecond resolution.
    Duration seconds_between(double lo, double hi) {
        return Duration(static_cast<std::int64_t>((lo + (hi - lo) * uniform()) * 1000.0));
    }
};

constexpr std::array<const char*, 20> kSpecialties = {
    "cardiology",    "neurology",      "radiology",        "oncology",      "pediatrics",
    "orthopedics",   "dermatology",    "gastroenterology", "urology",       "gynecology",
    "ophthalmology", "otolaryngology", "psychiatry",       "endocrinology", "nephrology",
    "pulmonology",   "rheumatology",   "hematology",       "geriatrics",    "general-surgery"};
constexpr int kSpecialtyCount = static_cast<int>(kSpecialties.size());
constexpr std::array<const char*, 2> kGateways = {"sbc-1", "sbc-2"};

std::string dialed_number(int sp) {
    return "+3524411" + std::to_string(1000 + sp);
}

std::string agent_id(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "agent-%05d", i);
    return buf;
}

// Specialty sizes: the first ones are the big services.
double specialty_weight(int sp) {
    return 1.0 / (1.0 + 0.15 * sp);
}

acd::RoutingConfig make_config(int n_agents, Rng& rng) {
    acd::RoutingConfig c;
    c.classes[acd::index_of(CallClass::admin)].overflow = false;
    for (int sp = 0; sp < kSpecialtyCount; ++sp) {
        acd::SpecialtyConfig s;
        s.id = kSpecialties[sp];
        s.name = s.id;
        s.numbers = {dialed_number(sp)};
        s.default_class = sp % 5 == 4 ? CallClass::admin : CallClass::appointment;
        s.overflow_threshold = sp % 2 == 0 ? 3 : 10;
        s.overflow_enabled = sp != 7 && sp != 13;
        c.specialties.push_back(std::move(s));
    }
    double total_weight = 0;
    for (int sp = 0; sp < kSpecialtyCount; ++sp)
        total_weight += specialty_weight(sp);
    const auto weighted_specialty = [&] {
        double x = rng.uniform() * total_weight;
        for (int sp = 0; sp < kSpecialtyCount; ++sp) {
            x -= specialty_weight(sp);
            if (x < 0) return sp;
        }
        return kSpecialtyCount - 1;
    };
    constexpr std::array<int, 5> kWrapUp = {10, 15, 20, 30, 15};
    for (int i = 0; i < n_agents; ++i) {
        acd::AgentConfig a;
        a.id = agent_id(i);
        a.name = a.id;
        a.uri = "sip:" + a.id + "@pbx.hospital.example";
        const double r = rng.uniform();
        const int n_skills = r < 0.4 ? 1 : r < 0.8 ? 2 : 3;
        while (static_cast<int>(a.skills.size()) < n_skills) {
            const std::string skill = kSpecialties[weighted_specialty()];
            if (std::find(a.skills.begin(), a.skills.end(), skill) == a.skills.end()) {
                a.skills.push_back(skill);
            }
        }
        a.wrap_up = rng.chance(0.1) ? Duration(0) : acd::seconds(kWrapUp[rng.below(5)]);
        c.agents.push_back(std::move(a));
    }
    acd::TeamConfig a;
    a.id = "secretariat-a";
    a.uri = "sip:overflow@secretariat-a.example";
    a.max_concurrent = 5;
    for (int sp = 0; sp < 10; ++sp)
        a.specialties.push_back(kSpecialties[sp]);
    c.teams.push_back(std::move(a));
    acd::TeamConfig b;
    b.id = "secretariat-b";
    b.uri = "sip:overflow@secretariat-b.example";
    b.max_concurrent = 3;
    b.all_specialties = true;
    c.teams.push_back(std::move(b));
    return c;
}

enum class Kind : std::uint8_t {
    offered,
    answered,
    no_answer,
    ended_connected,
    abandoned,
    pause,
    ready,
    tick,
    count
};
constexpr std::array<const char*, static_cast<int>(Kind::count)> kKindNames = {
    "call.offered",         "call.answered", "call.no_answer", "call.ended (connected)",
    "call.ended (abandon)", "agent pause",   "agent ready",    "Tick"};

struct Step {
    Input input;
    Time at;
};

// The call-center model. It sends inputs to its own engine and reads the outputs to learn where
// calls went and what agents do.
class Driver {
  public:
    Driver(const acd::RoutingConfig& config, int target_queued, std::uint64_t seed)
        : config_(config), engine_(config), rng_{seed}, target_(target_queued) {
        now_ = Time{} + std::chrono::hours(24 * 20600);
        agents_.resize(config.agents.size());
        for (const auto& a : config.agents) {
            for (const auto& skill : a.skills)
                coverage_[specialty_index(skill)] += 1.0 / static_cast<double>(a.skills.size());
        }
        double total = 0;
        for (double w : coverage_)
            total += w;
        for (int sp = 0; sp < kSpecialtyCount; ++sp)
            share_[sp] = coverage_[sp] / total;
        // Departures per second when every agent works: one call per ring + talk + wrap-up.
        double cycle_s = 0;
        for (const auto& a : config.agents)
            cycle_s += 5.0 + 180.0 + static_cast<double>(a.wrap_up.count()) / 1000.0;
        cycle_s /= static_cast<double>(config.agents.size());
        base_rate_ = 0.95 * static_cast<double>(config.agents.size()) / cycle_s;
        schedule(now_, Ev::arrival, 0);
        schedule(now_ + Duration(1000), Ev::pause_someone, 0);
        for (std::size_t i = 0; i < config.agents.size(); ++i) {
            Input login = acd::input::AgentLogin{config.agents[i].id, false};
            send(std::move(login), now_);
        }
    }

    const Engine& engine() const { return engine_; }
    std::int64_t queued() const { return queued_total_; }
    const std::array<std::uint64_t, static_cast<int>(Kind::count)>& kinds() const { return kinds_; }
    std::vector<Step>& log() { return log_; }
    std::uint64_t digest() const { return digest_; }

    // Sends the next input of the model to the driver's engine and records it.
    void step() {
        for (;;) {
            const Pending ev = events_.top();
            if (const auto due = engine_.next_timer(); due && *due < ev.at) {
                count(Kind::tick);
                send(acd::input::Tick{}, *due);
                return;
            }
            events_.pop();
            if (handle(ev)) return;
        }
    }

  private:
    enum class Ev : std::uint8_t { arrival, answer, no_answer, end, abandon, ready, pause_someone };
    struct Pending {
        Time at;
        std::uint64_t seq;
        Ev kind;
        std::uint64_t id;   // call number or agent index
        std::uint32_t gen;  // the call's route count when scheduled
        bool operator>(const Pending& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
    };
    struct SimCall {
        std::string id;
        int gateway = 0;
        int specialty = 0;
        CallState state = CallState::ended;  // not yet known to the engine
        std::uint32_t routes = 0;
        bool to_agent = false;
        std::string agent;
    };
    struct SimAgent {
        AgentState state = AgentState::logged_out;
        std::uint32_t breaks = 0;
    };

    static int specialty_index(std::string_view id) {
        for (int sp = 0; sp < kSpecialtyCount; ++sp) {
            if (id == kSpecialties[sp]) return sp;
        }
        throw std::logic_error("unknown specialty");
    }

    void schedule(Time at, Ev kind, std::uint64_t id, std::uint32_t gen = 0) {
        events_.push(Pending{at, ++seq_, kind, id, gen});
    }

    void count(Kind k) { ++kinds_[static_cast<int>(k)]; }

    void send(Input input, Time at) {
        now_ = std::max(now_, at);
        const Output& out = engine_.handle(input, now_);
        log_.push_back(Step{std::move(input), now_});
        observe(out);
    }

    void send_event(int gateway, acd::input::GatewayEventBody body, Time at) {
        send(acd::input::GatewayEvent{kGateways[gateway], ++seqs_[gateway], std::move(body)}, at);
    }

    static std::uint64_t call_number(std::string_view call_id) {
        std::uint64_t n = 0;
        std::from_chars(call_id.data(), call_id.data() + call_id.size(), n, 16);
        return n;
    }

    double feedback(double want, double have) const {
        return std::clamp(1.0 + 20.0 * (want - have) / want, 0.1, 3.0);
    }

    int pick_specialty() {
        std::array<double, kSpecialtyCount> w{};
        double total = 0;
        for (int sp = 0; sp < kSpecialtyCount; ++sp) {
            const double want = std::max(1.0, share_[sp] * target_);
            w[sp] = coverage_[sp] * feedback(want, static_cast<double>(queued_[sp]));
            total += w[sp];
        }
        double x = rng_.uniform() * total;
        for (int sp = 0; sp < kSpecialtyCount; ++sp) {
            x -= w[sp];
            if (x < 0) return sp;
        }
        return kSpecialtyCount - 1;
    }

    std::string pseudonym() {
        char buf[65];
        for (int i = 0; i < 4; ++i)
            std::snprintf(buf + 16 * i, 17, "%016" PRIx64, rng_.next());
        return std::string(buf, 64);
    }

    bool offer_call() {
        const double rate =
            base_rate_ * feedback(static_cast<double>(target_), static_cast<double>(queued_total_));
        schedule(now_ + Duration(static_cast<std::int64_t>(1000.0 *
                                                           -std::log(1.0 - rng_.uniform()) / rate)),
                 Ev::arrival, 0);
        const std::uint64_t number = ++calls_made_;
        const int sp = pick_specialty();
        const int gw = static_cast<int>(number % 2);
        char id[64];
        std::snprintf(id, sizeof id, "%08" PRIx64 "@%s.hospital.example", number, kGateways[gw]);
        SimCall& call = calls_[number];
        call.id = id;
        call.gateway = gw;
        call.specialty = sp;
        acd::input::CallOffered o;
        o.call_id = call.id;
        o.caller = pseudonym();
        o.dialed = dialed_number(sp);
        if (rng_.chance(0.2)) o.specialty = kSpecialties[sp];
        if (rng_.chance(0.7)) {
            const double r = rng_.uniform();
            o.call_class = r < 0.15   ? CallClass::urgent
                           : r < 0.75 ? CallClass::appointment
                                      : CallClass::admin;
        }
        if (rng_.chance(0.25)) schedule(now_ + rng_.seconds_between(60, 2400), Ev::abandon, number);
        count(Kind::offered);
        send_event(gw, std::move(o), now_);
        return true;
    }

    SimCall* live_call(std::uint64_t number) {
        const auto it = calls_.find(number);
        return it == calls_.end() ? nullptr : &it->second;
    }

    // Turns one model event into an input; false when the event has become moot.
    bool handle(const Pending& ev) {
        now_ = std::max(now_, ev.at);
        switch (ev.kind) {
            case Ev::arrival:
                return offer_call();
            case Ev::answer: {
                SimCall* call = live_call(ev.id);
                if (!call || call->state != CallState::offering || call->routes != ev.gen) {
                    return false;
                }
                std::optional<std::string> agent;
                if (call->to_agent && rng_.chance(0.5)) agent = call->agent;
                count(Kind::answered);
                send_event(call->gateway, acd::input::CallAnswered{call->id, std::move(agent)},
                           now_);
                return true;
            }
            case Ev::no_answer: {
                SimCall* call = live_call(ev.id);
                if (!call || call->state != CallState::offering || call->routes != ev.gen) {
                    return false;
                }
                count(Kind::no_answer);
                send_event(call->gateway, acd::input::CallNoAnswer{call->id, std::nullopt}, now_);
                return true;
            }
            case Ev::end:
            case Ev::abandon: {
                SimCall* call = live_call(ev.id);
                const CallState want =
                    ev.kind == Ev::end ? CallState::connected : CallState::queued;
                if (!call || call->state != want) return false;
                count(ev.kind == Ev::end ? Kind::ended_connected : Kind::abandoned);
                send_event(call->gateway,
                           acd::input::CallEnded{call->id, ev.kind == Ev::end
                                                               ? std::optional<std::string>{}
                                                               : std::string("caller_hangup")},
                           now_);
                return true;
            }
            case Ev::ready: {
                const SimAgent& a = agents_[ev.id];
                if (a.state != AgentState::paused || a.breaks != ev.gen) return false;
                count(Kind::ready);
                const std::string& id = config_.agents[ev.id].id;
                if (rng_.chance(0.5)) {
                    send(acd::input::AgentReady{id}, now_);
                } else {
                    send_event(static_cast<int>(ev.id % 2),
                               acd::input::AgentReport{id, AgentState::ready, {}}, now_);
                }
                return true;
            }
            case Ev::pause_someone: {
                // About 5% of agents on a break of 1 to 9 minutes (mean 300 s).
                const double rate = 0.05 * static_cast<double>(agents_.size()) / 300.0;
                schedule(now_ + Duration(static_cast<std::int64_t>(
                                    1000.0 * -std::log(1.0 - rng_.uniform()) / rate)),
                         Ev::pause_someone, 0);
                for (int tries = 0; tries < 50; ++tries) {
                    const auto i = rng_.below(agents_.size());
                    SimAgent& a = agents_[i];
                    if (a.state != AgentState::wrap_up && a.state != AgentState::ready) continue;
                    count(Kind::pause);
                    const std::string& id = config_.agents[i].id;
                    if (rng_.chance(0.5)) {
                        send(acd::input::AgentPause{id, "break"}, now_);
                    } else {
                        send_event(static_cast<int>(i % 2),
                                   acd::input::AgentReport{id, AgentState::paused, "break"}, now_);
                    }
                    return true;
                }
                return false;
            }
        }
        return false;
    }

    void set_state(SimCall& call, CallState state) {
        const bool was = call.state == CallState::queued;
        const bool is = state == CallState::queued;
        if (was != is) {
            const int d = is ? 1 : -1;
            queued_[call.specialty] += d;
            queued_total_ += d;
        }
        call.state = state;
    }

    // A digest of everything the engine said, to check that an optimization changed nothing:
    // the same build options and iterations must print the same digest before and after.
    void mix(std::string_view s) {
        for (const char c : s)
            digest_ = (digest_ ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        digest_ = (digest_ ^ 0xff) * 0x100000001b3ULL;
    }
    void mix(std::int64_t v) { mix(std::string_view(reinterpret_cast<const char*>(&v), 8)); }

    void digest(const Output& out) {
        mix(static_cast<std::int64_t>(out.reply.code));
        for (const acd::Command& c : out.commands) {
            mix(c.call_id);
            if (const auto* r = std::get_if<acd::CallRouteCommand>(&c.body)) {
                mix(r->to);
            } else if (const auto* q = std::get_if<acd::CallQueuedCommand>(&c.body)) {
                mix(q->position);
                mix(q->expected_wait_s.value_or(-1));
            }
        }
        for (const acd::Change& change : out.changes) {
            if (const auto* c = std::get_if<acd::CallChange>(&change)) {
                mix(c->at.time_since_epoch().count());
                mix(static_cast<std::int64_t>(c->cause));
                mix(c->call.call_id);
                mix(static_cast<std::int64_t>(c->call.state));
                mix(c->call.agent);
                mix(c->call.team);
            } else if (const auto* a = std::get_if<acd::AgentChange>(&change)) {
                mix(a->at.time_since_epoch().count());
                mix(static_cast<std::int64_t>(a->cause));
                mix(a->agent);
                mix(static_cast<std::int64_t>(a->state));
            }
        }
    }

    void observe(const Output& out) {
        digest(out);
        for (const acd::Change& change : out.changes) {
            if (const auto* c = std::get_if<acd::CallChange>(&change)) {
                const std::uint64_t number = call_number(c->call.call_id);
                SimCall* call = live_call(number);
                if (!call) continue;
                switch (c->cause) {
                    case acd::Cause::offered:
                        set_state(*call, CallState::queued);
                        break;
                    case acd::Cause::routed:
                    case acd::Cause::overflow_threshold:
                    case acd::Cause::overflow_deadline:
                        set_state(*call, CallState::offering);
                        on_route(number, *call, c->call);
                        break;
                    case acd::Cause::answered:
                        set_state(*call, CallState::connected);
                        schedule(now_ + rng_.seconds_between(60, 300), Ev::end, number);
                        break;
                    case acd::Cause::ended:
                        set_state(*call, CallState::ended);
                        calls_.erase(number);
                        break;
                    default:
                        set_state(*call, c->call.state);
                        break;
                }
            } else if (const auto* a = std::get_if<acd::AgentChange>(&change)) {
                const auto index = static_cast<std::size_t>(
                    std::strtol(a->agent.c_str() + 6, nullptr, 10));  // "agent-%05d"
                SimAgent& agent = agents_[index];
                agent.state = a->state;
                if (a->state == AgentState::paused) {
                    ++agent.breaks;
                    const bool no_answer = a->reason == "no_answer";
                    schedule(now_ + (no_answer ? rng_.seconds_between(5, 30)
                                               : rng_.seconds_between(60, 540)),
                             Ev::ready, index, agent.breaks);
                }
            }
        }
    }

    void on_route(std::uint64_t number, SimCall& call, const acd::CallSnapshot& snap) {
        ++call.routes;
        call.to_agent = !snap.agent.empty() && snap.team.empty();
        call.agent = call.to_agent ? snap.agent : std::string();
        const double r = rng_.uniform();
        if (call.to_agent) {
            if (r < 0.977) {
                schedule(now_ + rng_.seconds_between(2, 8), Ev::answer, number, call.routes);
            } else if (r < 0.997) {
                schedule(now_ + rng_.seconds_between(4, 15), Ev::no_answer, number, call.routes);
            }  // else: nobody answers, the engine's ring timeout fires
        } else if (r < 0.9) {
            schedule(now_ + rng_.seconds_between(3, 10), Ev::answer, number, call.routes);
        } else {
            schedule(now_ + rng_.seconds_between(5, 15), Ev::no_answer, number, call.routes);
        }
    }

    const acd::RoutingConfig& config_;
    Engine engine_;
    Rng rng_;
    double target_;
    double base_rate_ = 1;
    Time now_{};
    std::priority_queue<Pending, std::vector<Pending>, std::greater<>> events_;
    std::uint64_t seq_ = 0;
    std::array<std::uint64_t, 2> seqs_{};
    std::uint64_t calls_made_ = 0;
    std::unordered_map<std::uint64_t, SimCall> calls_;
    std::vector<SimAgent> agents_;
    std::array<double, kSpecialtyCount> coverage_{};
    std::array<double, kSpecialtyCount> share_{};
    std::array<std::int64_t, kSpecialtyCount> queued_{};
    std::int64_t queued_total_ = 0;
    std::array<std::uint64_t, static_cast<int>(Kind::count)> kinds_{};
    std::vector<Step> log_;
    std::uint64_t digest_ = 0xcbf29ce484222325ULL;
};

// The driver's engine and the engine under measurement, kept in step chunk by chunk.
class World {
  public:
    static constexpr std::size_t kChunk = 1 << 16;

    World(int agents, int queued)
        : config_(make_config(agents, seed_rng_)),
          driver_(config_, queued, 2026),
          measured_(config_),
          target_(queued) {
        // Warm-up: fill the queues, then one more hour of virtual time.
        replay_log();
        const Time start = driver_.engine().now();
        while (driver_.queued() < static_cast<std::int64_t>(0.95 * target_)) {
            generate(kChunk / 16);
            if (driver_.engine().now() - start > std::chrono::hours(24)) {
                throw std::logic_error("the queues do not fill up");
            }
        }
        const Time until = driver_.engine().now() + std::chrono::hours(1);
        while (driver_.engine().now() < until)
            generate(kChunk / 16);
        check_in_step();
        std::fprintf(stderr, "warm-up at %d agents: %lld queued after %lld s of virtual time\n",
                     agents, static_cast<long long>(driver_.queued()),
                     static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(
                                                driver_.engine().now() - start)
                                                .count()));
        warm_kinds_ = driver_.kinds();
        next_chunk();
    }

    // The next input to time, with its time; refills outside the timing when a chunk runs out.
    const Step* next(benchmark::State& state) {
        if (pos_ == chunk_.size()) {
            state.PauseTiming();
            next_chunk();
            state.ResumeTiming();
        }
        return &chunk_[pos_++];
    }

    Engine& measured() { return measured_; }
    const Driver& driver() const { return driver_; }
    std::array<std::uint64_t, static_cast<int>(Kind::count)> timed_kinds() const {
        auto k = driver_.kinds();
        for (std::size_t i = 0; i < k.size(); ++i)
            k[i] -= warm_kinds_[i];
        return k;
    }

  private:
    void generate(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            driver_.step();
        replay_log();
    }

    // Untimed replay (warm-up).
    void replay_log() {
        for (const Step& s : driver_.log())
            measured_.handle(s.input, s.at);
        driver_.log().clear();
    }

    void next_chunk() {
        check_in_step();
        chunk_.clear();
        chunk_.swap(driver_.log());
        for (std::size_t i = 0; i < kChunk; ++i)
            driver_.step();
        chunk_.swap(driver_.log());
        pos_ = 0;
    }

    // Both engines have taken the same inputs so far: they must agree.
    void check_in_step() const {
        const Engine& a = driver_.engine();
        const Engine& b = measured_;
        if (a.now() != b.now() || a.next_timer() != b.next_timer() || a.teams() != b.teams() ||
            a.queues() != b.queues()) {
            throw std::logic_error("the measured engine left the driver's path");
        }
    }

    Rng seed_rng_{42};
    acd::RoutingConfig config_;
    Driver driver_;
    Engine measured_;
    double target_;
    std::vector<Step> chunk_;
    std::size_t pos_ = 0;
    std::array<std::uint64_t, static_cast<int>(Kind::count)> warm_kinds_{};
};

std::map<int, std::unique_ptr<World>>& worlds() {
    static std::map<int, std::unique_ptr<World>> w;
    return w;
}

World& world(int agents, int queued) {
    auto& w = worlds()[agents];
    if (!w) w = std::make_unique<World>(agents, queued);
    return *w;
}

// Out of line so that a profiler can be told to look at this function only (callgrind's
// --toggle-collect='*replay*'); the driver's engine is not reached from here.
[[gnu::noinline]] const Output& replay(Engine& engine, const Step& step) {
    return engine.handle(step.input, step.at);
}

void BM_EngineSteadyState(benchmark::State& state) {
    const int agents = static_cast<int>(state.range(0));
    const int queued = static_cast<int>(state.range(1));
    World& w = world(agents, queued);  // built once, before the timing starts
    Engine& engine = w.measured();
    std::size_t changes = 0;
    for (auto _ : state) {
        const Step* s = w.next(state);
        const Output& out = replay(engine, *s);
        benchmark::DoNotOptimize(&out);
        changes += out.changes.size();
    }
    // No DoNotOptimize(changes): on an lvalue, benchmark 1.7.1's "+m,r" asm constraint makes
    // GCC 12 produce a wrong value; the counter below uses `changes` anyway.
    std::int64_t in_queues = 0;
    for (const acd::QueueView& q : engine.queues())
        in_queues += q.queued;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    // Printed as a time per input ("1.05us"): the same as the Time column, named for readers.
    state.counters["per_input"] =
        benchmark::Counter(static_cast<double>(state.iterations()),
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["queued"] = static_cast<double>(in_queues);
    state.counters["changes/input"] =
        static_cast<double>(changes) / static_cast<double>(state.iterations());
}

void register_benchmarks() {
    auto* b = benchmark::RegisterBenchmark("BM_EngineSteadyState", BM_EngineSteadyState)
                  ->ArgNames({"agents", "queued"})
                  ->Args({1'000, 10'000})
                  ->Args({10'000, 100'000})
                  ->Unit(benchmark::kNanosecond);
    // A fixed number of inputs per run, for profilers (callgrind) that make the time meaningless.
    if (const char* n = std::getenv("ACD_BENCH_ITERATIONS")) b->Iterations(std::atoll(n));
}

}  // namespace

int main(int argc, char** argv) {
    register_benchmarks();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    // The mix actually timed, for docs/performance.md.
    for (const auto& [agents, w] : worlds()) {
        const auto kinds = w->timed_kinds();
        std::uint64_t total = 0;
        for (auto k : kinds)
            total += k;
        std::fprintf(stderr,
                     "mix at %d agents (%" PRIu64
                     " inputs generated after warm-up; digest of all outputs %016" PRIx64 "):\n",
                     agents, total, w->driver().digest());
        for (std::size_t i = 0; i < kinds.size(); ++i) {
            std::fprintf(
                stderr, "  %-24s %6.2f%%\n", kKindNames[i],
                total ? 100.0 * static_cast<double>(kinds[i]) / static_cast<double>(total) : 0.0);
        }
    }
    return 0;
}
