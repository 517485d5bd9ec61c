#include "load/driver.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iterator>
#include <nlohmann/json.hpp>

namespace acd::load {
namespace {

using Json = nlohmann::json;

// In max mode, at most this many offers go out before reads get a turn.
constexpr int kOffersPerPump = 256;

std::chrono::nanoseconds seconds_d(double s) {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
}

// acd-load's timer fires on this grid (Driver::arm).
constexpr auto kTimerGrain = std::chrono::milliseconds(1);

// SplitMix64's finalizer: call ids that begin with it spread over the key space as SIP Call-IDs
// do, so that acdd's indexes by call id are written at random places, as a PBX's calls write them
// (call ids counting up would all go to the last page).
std::uint64_t spread(std::uint64_t n) {
    n = (n ^ (n >> 30)) * 0xbf58476d1ce4e5b9ULL;
    n = (n ^ (n >> 27)) * 0x94d049bb133111ebULL;
    return n ^ (n >> 31);
}

}  // namespace

Driver::Driver(asio::io_context& io, const Options& options, const RoutingConfig& config,
               asio::ssl::context* tls, std::FILE* acked_out, const AgentStates* before)
    : io_(io),
      options_(options),
      workload_(config, options),
      acked_out_(acked_out),
      rng_(options.seed),
      timer_(io),
      end_timer_(io),
      progress_timer_(io) {
    run_tag_ = fmt::format("{:08x}", std::random_device{}());
    for (const std::string& a : workload_.agents()) {
        std::optional<StateEvent> back;
        if (before != nullptr) {
            const auto found = before->find(a);
            if (found != before->end()) {
                back = restoring_event(found->second);
                if (!back) {  // on a call: not ours to play
                    report_.agents_left_alone.push_back(a);
                    continue;
                }
            }
        }
        agent_index_.emplace(a, agent_json_.size());
        agent_json_.push_back(Json(a).dump());
        restore_.push_back(std::move(back));
        report_.agents_played.push_back(a);
    }
    ClientSettings settings;
    settings.endpoint = options.connect;
    settings.tls = tls;
    settings.token = options.token;
    settings.echo = options.echo;
    settings.reconnect_timeout = seconds_d(options.reconnect_timeout_s);
    for (int i = 0; i < options.gateways; ++i) {
        clients_.push_back(std::make_unique<GatewayClient>(
            io, settings, fmt::format("{}{}", options.gateway_prefix, i + 1),
            static_cast<std::size_t>(i), *this));
    }
    max_waiting_ = options.max_waiting > 0 ? options.max_waiting
                                           : std::max<std::size_t>(1, agent_json_.size());
    report_.server = options.echo ? "echo" : "acdd";
    report_.gateways = options.gateways;
    report_.tls = tls != nullptr;
    report_.rate = options.rate;
}

Driver::~Driver() = default;

std::vector<std::string> Driver::played() const {
    return report_.agents_played;
}

void Driver::interrupt() {
    if (phase_ == Phase::running) {
        ending_ = "interrupted";
        wind_down();
        return;
    }
    finish(phase_ == Phase::draining && !restored_ ? "interrupted again while ending the run: "
                                                     "the agents were not put back"
                                                   : "interrupted");
}

void Driver::start() {
    for (auto& c : clients_)
        c->start();
}

// ---------------------------------------------------------------------------------------------
// Phases
// ---------------------------------------------------------------------------------------------

void Driver::on_ready(GatewayClient& client, bool first) {
    if (!first) {
        std::fprintf(stderr, "acd-load.resumed gateway %s: resent %zu unacknowledged events\n",
                     client.gateway().c_str(), client.unacked());
        return;
    }
    if (++welcomed_ == clients_.size()) begin();
}

void Driver::begin() {
    phase_ = Phase::running;
    started_ = Clock::now();
    offers_end_ = started_ + seconds_d(options_.duration_s);
    if (!options_.echo) {
        for (std::size_t a = 0; a < agent_json_.size(); ++a)
            agent_state(a, "ready");
    }
    end_timer_.expires_at(offers_end_);
    end_timer_.async_wait([this](const std::error_code& ec) {
        if (!ec) wind_down();
    });
    if (options_.progress) print_progress();
    if (options_.rate) {
        next_offer_ = started_;
        arm();
    } else {
        pump();
    }
}

// The offers are over: every live call hangs up; once that is acknowledged the agents log out;
// once that is acknowledged the run is done.
void Driver::wind_down() {
    if (phase_ != Phase::running) return;
    offer_when_due();  // a late timer does not lower the count of offers the rate promised
    phase_ = Phase::draining;
    report_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
    for (auto& [number, call] : calls_) {
        ++report_.calls.ended_at_end;
        const std::string id = call_id(number);
        clients_[call.gateway]->send([&](std::string& out, std::uint64_t seq) {
            fmt::format_to(std::back_inserter(out),
                           R"({{"type":"call.ended","seq":{},"call_id":"{}","cause":"load_end"}})",
                           seq, id);
        });
        ++report_.events_sent;
    }
    calls_.clear();
    waiting_ = 0;
    timers_ = {};
    patience_.clear();
    end_timer_.expires_after(seconds_d(options_.drain_timeout_s));
    end_timer_.async_wait([this](const std::error_code& ec) {
        if (ec) return;
        std::uint64_t left = 0;
        for (const auto& c : clients_)
            left += c->unacked();
        finish(fmt::format("{} events still unacknowledged {} s after the end of the offers", left,
                           options_.drain_timeout_s));
    });
    check_drained();
}

void Driver::check_drained() {
    if (phase_ != Phase::draining) return;
    for (const auto& c : clients_) {
        if (c->unacked() > 0) return;
    }
    if (!options_.echo && !agent_json_.empty() && !restored_) {
        restore_agents();
        return;
    }
    finish(ending_);
}

void Driver::finish(const std::string& failure) {
    if (phase_ == Phase::done) return;
    if (phase_ == Phase::running) {
        report_.duration_s = std::chrono::duration<double>(Clock::now() - started_).count();
    }
    phase_ = Phase::done;
    report_.failure = failure;
    if (report_.duration_s > 0) {
        report_.events_per_s =
            static_cast<double>(report_.events_acked_in_period) / report_.duration_s;
    }
    for (const auto& c : clients_) {
        report_.events_resent += c->resent();
        report_.reconnects += c->reconnects();
        report_.lost_acked += c->lost_acked();
        report_.unacked_at_end += c->unacked();
        c->close();
    }
    if (report_.lost_acked > 0 && report_.failure.empty()) {
        report_.failure =
            fmt::format("{} acknowledged events were not covered by a later welcome's last_seq",
                        report_.lost_acked);
    }
    timer_.cancel();
    end_timer_.cancel();
    progress_timer_.cancel();
    io_.stop();
}

void Driver::on_failed(GatewayClient& client, const std::string& why) {
    finish(fmt::format("gateway {}: {}", client.gateway(), why));
}

void Driver::on_down(GatewayClient& client, const std::string& why) {
    std::fprintf(stderr, "acd-load.disconnected gateway %s: %s; reconnecting\n",
                 client.gateway().c_str(), why.c_str());
}

void Driver::print_progress() {
    const double t = std::chrono::duration<double>(Clock::now() - started_).count();
    std::size_t unacked = 0;
    for (const auto& c : clients_)
        unacked += c->unacked();
    std::fprintf(stderr,
                 "acd-load.progress t=%.1fs acked=%llu (%llu in the last second) unacked=%zu "
                 "live_calls=%zu\n",
                 t, static_cast<unsigned long long>(report_.events_acked),
                 static_cast<unsigned long long>(report_.events_acked - acked_at_last_progress_),
                 unacked, calls_.size());
    acked_at_last_progress_ = report_.events_acked;
    progress_timer_.expires_after(std::chrono::seconds(1));
    progress_timer_.async_wait([this](const std::error_code& ec) {
        if (!ec && phase_ != Phase::done) print_progress();
    });
}

// ---------------------------------------------------------------------------------------------
// Offers
// ---------------------------------------------------------------------------------------------

std::string Driver::call_id(std::uint64_t number) const {
    return fmt::format("{:016x}-{}-{}", spread(number), run_tag_, number);
}

void Driver::offer(GatewayClient& client) {
    const std::uint64_t number = next_call_++;
    const Offer o = workload_.next_offer(rng_);
    const auto now = Clock::now();
    client.send([&](std::string& out, std::uint64_t seq) {
        auto it = std::back_inserter(out);
        fmt::format_to(
            it,
            R"({{"type":"call.offered","seq":{},"call_id":"{:016x}-{}-{}","caller":"{}","dialed":{})",
            seq, spread(number), run_tag_, number, o.caller, *o.dialed);
        if (o.specialty != nullptr) fmt::format_to(it, R"(,"specialty":{})", *o.specialty);
        if (o.call_class != nullptr) fmt::format_to(it, R"(,"class":"{}")", o.call_class);
        out.push_back('}');
    });
    ++report_.events_sent;
    ++report_.calls.offered;
    if (options_.echo) return;  // an echo server routes nothing: no call to follow
    Call& call = calls_[number];
    ++waiting_;
    call.gateway = static_cast<std::uint32_t>(client.index());
    call.offered_at = now;
    if (const auto early = workload_.early_hangup(rng_)) {
        at(now + *early, Due::patience, number);
    } else {
        patience_.emplace_back(now + workload_.patience(), number);
        arm();
    }
}

// Rate mode: the offers due by now, each on the next gateway in turn.
void Driver::offer_when_due() {
    if (phase_ != Phase::running || !options_.rate) return;
    const auto now = Clock::now();
    const auto interval = seconds_d(1.0 / *options_.rate);
    while (next_offer_ <= now && next_offer_ < offers_end_) {
        GatewayClient& c = *clients_[next_gateway_++ % clients_.size()];
        if (c.unacked() >= options_.window) {
            ++report_.offers_skipped;
        } else {
            offer(c);
        }
        next_offer_ += interval;
    }
}

// Max mode: offers while some gateway has room in its window.
void Driver::pump() {
    if (phase_ != Phase::running || options_.rate) return;
    for (int budget = kOffersPerPump; budget > 0; --budget) {
        if (!options_.echo && waiting_ >= max_waiting_) return;  // routes will call again
        GatewayClient* room = nullptr;
        for (std::size_t tried = 0; tried < clients_.size() && room == nullptr; ++tried) {
            GatewayClient& c = *clients_[next_gateway_++ % clients_.size()];
            if (c.ready() && c.unacked() < options_.window) room = &c;
        }
        if (room == nullptr) return;  // every window is full: acks will call again
        offer(*room);
    }
    if (pump_posted_) return;
    pump_posted_ = true;
    asio::post(io_, [this] {
        pump_posted_ = false;
        pump();
    });
}

void Driver::on_input_done(GatewayClient&) {
    check_drained();
    pump();
}

// ---------------------------------------------------------------------------------------------
// Acks and commands
// ---------------------------------------------------------------------------------------------

void Driver::on_acked(GatewayClient& client, std::uint64_t seq, Clock::time_point sent_at,
                      bool by_welcome) {
    const auto now = Clock::now();
    ++report_.events_acked;
    if (by_welcome) {
        ++report_.events_acked_by_welcome;
    } else {
        report_.ack_latency.record(now - sent_at);
    }
    if (phase_ == Phase::running && now <= offers_end_) ++report_.events_acked_in_period;
    if (acked_out_ != nullptr) {
        std::fprintf(acked_out_, "%s %llu\n", client.gateway().c_str(),
                     static_cast<unsigned long long>(seq));
    }
}

Driver::Call* Driver::find_call(std::string_view id, std::uint64_t& number) {
    // "<16 hex digits>-<tag>-<n>" (call_id())
    constexpr std::size_t kSpread = 16;
    if (id.size() <= kSpread + run_tag_.size() + 2 || id[kSpread] != '-' ||
        id.substr(kSpread + 1, run_tag_.size()) != run_tag_ ||
        id[kSpread + 1 + run_tag_.size()] != '-') {
        return nullptr;
    }
    const char* begin = id.data() + kSpread + run_tag_.size() + 2;
    const auto [end, ec] = std::from_chars(begin, id.data() + id.size(), number);
    if (ec != std::errc() || end != id.data() + id.size()) return nullptr;
    const auto it = calls_.find(number);
    return it == calls_.end() ? nullptr : &it->second;
}

void Driver::on_message(GatewayClient& client, std::string_view line) {
    const Json j = Json::parse(line, nullptr, false);
    const Json no;
    if (!j.is_object() || !j.value("type", no).is_string()) {
        ++report_.errors["(unreadable line)"];
        return;
    }
    const std::string type = j["type"];
    if (type == "error") {
        // Which event got which error: "agent.state invalid_state" says what to look at.
        const Json seq = j.value("seq", no);
        std::string event =
            seq.is_number_unsigned() ? client.event_type(seq.get<std::uint64_t>()) : std::string();
        if (event.empty()) event = seq.is_null() ? "(no event)" : "(an event acknowledged)";
        ++report_.errors[event + " " + j.value("code", std::string("(no code)"))];
        return;
    }
    std::uint64_t number = 0;
    Call* call = find_call(j.value("call_id", std::string()), number);
    if (call == nullptr) {
        ++report_.stale_commands;  // a call that ended here, or one from an earlier run
        return;
    }
    if (type == "call.route") {
        on_route(*call, number, j.value("agent", std::string()), j.value("team", std::string()));
    } else if (type == "call.queued") {
        if (!call->routed && !call->queued_first) {
            call->queued_first = true;
            ++report_.calls.queued;
        }
        call->phase = CallPhase::waiting;
    } else if (type == "call.reject") {
        ++report_.calls.rejected;
        forget(number, *call);
    } else {
        ++report_.errors["(unknown command " + type + ")"];
    }
}

void Driver::on_route(Call& call, std::uint64_t number, const std::string& agent,
                      const std::string& team) {
    const bool to_team = !team.empty();
    const std::string& target = to_team ? team : agent;
    // The protocol: a call.route identical to the last one is a no-op (acdd resends the routes
    // of offering calls after a welcome).
    if (call.routed && call.phase != CallPhase::waiting && call.target == target &&
        call.to_team == to_team) {
        ++report_.repeated_routes;
        return;
    }
    const auto now = Clock::now();
    if (!call.routed) {
        call.routed = true;
        --waiting_;
        if (!call.queued_first) {
            ++report_.calls.routed_at_once;
            report_.route_latency.record(now - call.offered_at);
        }
    }
    ++report_.calls.routes;
    if (to_team) ++report_.calls.routes_to_team;
    call.phase = CallPhase::ringing;
    call.target = target;
    call.to_team = to_team;
    ++call.generation;
    at(now + workload_.answer_delay(rng_), Due::pickup, number, call.generation);
}

// ---------------------------------------------------------------------------------------------
// The agents' and callers' part
// ---------------------------------------------------------------------------------------------

void Driver::agent_state(std::size_t agent, const char* state, const std::string& reason) {
    GatewayClient& c = *clients_[agent % clients_.size()];
    c.send([&](std::string& out, std::uint64_t seq) {
        auto it = std::back_inserter(out);
        fmt::format_to(it, R"({{"type":"agent.state","seq":{},"agent":{},"state":"{}")", seq,
                       agent_json_[agent], state);
        if (!reason.empty()) fmt::format_to(it, R"(,"reason":{})", Json(reason).dump());
        out.push_back('}');
    });
    ++report_.events_sent;
}

// Every call has ended: each agent goes back to the state it was found in (logged out when that
// is not known). From ready, wrap-up or paused, agent.state ready, paused and logged_out all apply.
void Driver::restore_agents() {
    restored_ = true;
    for (std::size_t a = 0; a < agent_json_.size(); ++a) {
        if (restore_[a]) {
            agent_state(a, restore_[a]->state.c_str(), restore_[a]->reason);
        } else {
            agent_state(a, "logged_out");
        }
    }
}

void Driver::pickup(std::uint64_t number, Call& call) {
    const bool answer = workload_.pickup(rng_) == Pickup::answer;
    const std::string id = call_id(number);
    clients_[call.gateway]->send([&](std::string& out, std::uint64_t seq) {
        auto it = std::back_inserter(out);
        fmt::format_to(it, R"({{"type":"{}","seq":{},"call_id":"{}")",
                       answer ? "call.answered" : "call.no_answer", seq, id);
        if (!call.to_team) fmt::format_to(it, R"(,"agent":"{}")", call.target);
        out.push_back('}');
    });
    ++report_.events_sent;
    const auto now = Clock::now();
    if (answer) {
        ++report_.calls.answered;
        call.phase = CallPhase::connected;
        at(now + workload_.handle_time(rng_), Due::hangup, number, call.generation);
        return;
    }
    ++report_.calls.no_answer;
    call.phase = CallPhase::waiting;
    if (call.to_team) return;
    // acdd paused the agent (reason no_answer): the agent makes itself ready again.
    const auto agent = agent_index_.find(call.target);
    if (agent != agent_index_.end()) {
        at(now + workload_.back_to_ready(rng_), Due::agent_ready, agent->second);
    }
}

void Driver::end_call(std::uint64_t number, Call& call, const char* cause) {
    const std::string id = call_id(number);
    clients_[call.gateway]->send([&](std::string& out, std::uint64_t seq) {
        fmt::format_to(std::back_inserter(out),
                       R"({{"type":"call.ended","seq":{},"call_id":"{}","cause":"{}"}})", seq, id,
                       cause);
    });
    ++report_.events_sent;
    forget(number, call);
}

void Driver::forget(std::uint64_t number, const Call& call) {
    if (!call.routed) --waiting_;
    calls_.erase(number);
}

void Driver::fire(const Timer& t) {
    if (t.what == Due::agent_ready) {
        if (phase_ == Phase::running) agent_state(t.key, "ready");
        return;
    }
    const auto it = calls_.find(t.key);
    if (it == calls_.end()) return;
    Call& call = it->second;
    switch (t.what) {
        case Due::pickup:
            if (call.generation == t.generation && call.phase == CallPhase::ringing) {
                pickup(t.key, call);
            }
            break;
        case Due::hangup:
            if (call.generation == t.generation && call.phase == CallPhase::connected) {
                ++report_.calls.completed;
                end_call(t.key, call, "completed");
            }
            break;
        case Due::patience:
            if (call.phase != CallPhase::connected) {
                ++report_.calls.abandoned;
                end_call(t.key, call, "abandoned");
            }
            break;
        case Due::agent_ready:
            break;
    }
}

// ---------------------------------------------------------------------------------------------
// Timers: one heap (and the patience FIFO) behind one Asio timer
// ---------------------------------------------------------------------------------------------

void Driver::at(Clock::time_point when, Due what, std::uint64_t key, std::uint32_t generation) {
    timers_.push({when, what, generation, key});
    arm();
}

void Driver::arm() {
    if (phase_ != Phase::running) return;
    auto next = Clock::time_point::max();
    if (!timers_.empty()) next = timers_.top().at;
    if (!patience_.empty()) next = std::min(next, patience_.front().first);
    if (options_.rate && next_offer_ < offers_end_) next = std::min(next, next_offer_);
    if (next == Clock::time_point::max()) return;
    // The timer fires on a grid of kTimerGrain, so that the deadlines due in one step are handled
    // by one wake-up: arming the timer costs a timerfd_settime system call, and at full speed,
    // with a deadline every few tens of microseconds, arming it for each one was a quarter of
    // acd-load's CPU. An answer or a hang-up is kTimerGrain late at most; an offer fired late is
    // still counted (offer_when_due).
    const Clock::duration grain = kTimerGrain;
    next =
        Clock::time_point((next.time_since_epoch() + grain - Clock::duration(1)) / grain * grain);
    if (next >= armed_for_) return;
    armed_for_ = next;
    timer_.expires_at(next);
    timer_.async_wait([this](const std::error_code& ec) {
        if (ec) return;  // re-armed earlier, or stopped
        armed_for_ = Clock::time_point::max();
        on_timer();
    });
}

void Driver::on_timer() {
    offer_when_due();
    const auto now = Clock::now();
    while (phase_ == Phase::running && !timers_.empty() && timers_.top().at <= now) {
        const Timer t = timers_.top();
        timers_.pop();
        fire(t);
    }
    while (phase_ == Phase::running && !patience_.empty() && patience_.front().first <= now) {
        const std::uint64_t number = patience_.front().second;
        patience_.pop_front();
        fire({now, Due::patience, 0, number});
    }
    arm();
    pump();  // hang-ups may have made room for offers
}

}  // namespace acd::load
