// The load itself: N gateway clients, the offers (at a rate, or as fast as each gateway's
// window of unacknowledged events allows), the agents' and callers' part, the measurements.
//
// A run: connect every gateway; log every configured agent in (agent.state ready, each agent on
// one gateway); offer calls for the duration; then hang up every live call, put every agent back
// in the state it was found in (agent_states.hpp; logged out when that is not known), wait for
// the last acks, stop the io_context. SIGINT and SIGTERM (interrupt()) end the run the same way
// before the duration; a second interrupt() stops at once. Single-threaded, on the io_context's
// thread.
#pragma once

#include <asio.hpp>
#include <asio/ssl.hpp>
#include <cstdio>
#include <deque>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "acd/routing_config.hpp"
#include "load/agent_states.hpp"
#include "load/gateway_client.hpp"
#include "load/options.hpp"
#include "load/report.hpp"
#include "load/workload.hpp"

namespace acd::load {

class Driver final : public ClientListener {
  public:
    // `tls`: nullptr for plain TCP. `acked_out`: where acknowledged events are listed, or null.
    // `before`: the agents' states before the run (agents on a call are not played), or null
    // when not known (every agent is played, and logged out at the end). Neither is owned.
    Driver(asio::io_context& io, const Options& options, const RoutingConfig& config,
           asio::ssl::context* tls, std::FILE* acked_out, const AgentStates* before);
    ~Driver() override;

    void start();
    // SIGINT, SIGTERM: the first ends the run as its end would (calls hung up, agents put
    // back), the report saying it was interrupted; the next stops at once.
    void interrupt();
    // The agents played, in the configuration's order.
    std::vector<std::string> played() const;
    // Valid once the io_context has stopped.
    const Report& report() const { return report_; }

    // ClientListener
    void on_ready(GatewayClient& client, bool first) override;
    void on_message(GatewayClient& client, std::string_view line) override;
    void on_acked(GatewayClient& client, std::uint64_t seq, Clock::time_point sent_at,
                  bool by_welcome) override;
    void on_down(GatewayClient& client, const std::string& why) override;
    void on_input_done(GatewayClient& client) override;
    void on_failed(GatewayClient& client, const std::string& why) override;

  private:
    enum class Phase { connecting, running, draining, done };
    enum class CallPhase : std::uint8_t { waiting, ringing, connected };
    struct Call {
        std::uint32_t gateway = 0;
        CallPhase phase = CallPhase::waiting;
        bool queued_first = false;  // a call.queued came before any call.route
        bool routed = false;
        bool to_team = false;
        std::uint32_t generation = 0;  // bumped by each new route: older timers are ignored
        std::string target;            // agent or team id of the last route
        Clock::time_point offered_at{};
    };
    enum class Due : std::uint8_t { pickup, hangup, patience, agent_ready };
    struct Timer {
        Clock::time_point at;
        Due what;
        std::uint32_t generation;
        std::uint64_t key;  // call number, or agent index
        bool operator>(const Timer& o) const { return at > o.at; }
    };

    void begin();
    void offer(GatewayClient& client);
    void pump();
    void offer_when_due();
    void handle_command(GatewayClient& client, std::string_view line);
    void on_route(Call& call, std::uint64_t number, const std::string& agent,
                  const std::string& team);
    void fire(const Timer& timer);
    void pickup(std::uint64_t number, Call& call);
    void end_call(std::uint64_t number, Call& call, const char* cause);
    void forget(std::uint64_t number, const Call& call);
    void agent_state(std::size_t agent, const char* state, const std::string& reason = "");
    void restore_agents();
    void at(Clock::time_point when, Due what, std::uint64_t key, std::uint32_t generation = 0);
    void arm();
    void on_timer();
    void wind_down();
    void check_drained();
    void finish(const std::string& failure);
    void print_progress();
    Call* find_call(std::string_view call_id, std::uint64_t& number);
    std::string call_id(std::uint64_t number) const;

    asio::io_context& io_;
    Options options_;
    Workload workload_;
    std::FILE* acked_out_;
    Rng rng_;
    std::vector<std::unique_ptr<GatewayClient>> clients_;
    Phase phase_ = Phase::connecting;
    std::size_t welcomed_ = 0;
    std::string run_tag_;  // call ids are "<spread(n)>-<tag>-<n>": unique across runs
    std::unordered_map<std::uint64_t, Call> calls_;
    std::uint64_t next_call_ = 1;
    std::size_t waiting_ = 0;  // calls not yet routed
    std::size_t max_waiting_ = 1;
    std::size_t next_gateway_ = 0;
    std::vector<std::string> agent_json_;  // quoted ids
    std::unordered_map<std::string, std::size_t> agent_index_;
    std::vector<std::optional<StateEvent>> restore_;  // per played agent; none: log out
    bool restored_ = false;
    std::string ending_;  // the failure the run ends with once drained ("interrupted")
    std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
    // Patience timers all have the same delay but for early hang-ups: a FIFO keeps them cheap.
    std::deque<std::pair<Clock::time_point, std::uint64_t>> patience_;
    asio::steady_timer timer_;
    Clock::time_point armed_for_ = Clock::time_point::max();
    Clock::time_point next_offer_{};
    Clock::time_point started_{};
    Clock::time_point offers_end_{};
    asio::steady_timer end_timer_;
    asio::steady_timer progress_timer_;
    std::uint64_t acked_at_last_progress_ = 0;
    bool pump_posted_ = false;
    Report report_;
};

}  // namespace acd::load
