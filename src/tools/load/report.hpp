// What acd-load measured, printed for people or as JSON.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "load/histogram.hpp"

namespace acd::load {

struct CallCounts {
    std::uint64_t offered = 0;
    std::uint64_t routed_at_once = 0;  // the first command for the call was its call.route
    std::uint64_t queued = 0;          // got a call.queued first
    std::uint64_t routes = 0;          // call.route commands acted on (first or later)
    std::uint64_t routes_to_team = 0;
    std::uint64_t answered = 0;
    std::uint64_t no_answer = 0;
    std::uint64_t completed = 0;     // hung up after the handle time
    std::uint64_t abandoned = 0;     // the caller hung up before an answer
    std::uint64_t rejected = 0;      // call.reject
    std::uint64_t ended_at_end = 0;  // still live when the run ended: hung up then
};

struct Report {
    std::string server;  // "acdd" or "echo"
    int gateways = 0;
    bool tls = false;
    std::optional<double> rate;  // calls per second asked for; nullopt: max
    double duration_s = 0;       // the offering period, measured

    std::uint64_t events_sent = 0;  // first transmissions
    std::uint64_t events_resent = 0;
    std::uint64_t events_acked = 0;  // by an ack or a welcome's last_seq
    std::uint64_t events_acked_by_welcome = 0;
    std::uint64_t events_acked_in_period = 0;  // acks that arrived during the offering period
    double events_per_s = 0;                   // events_acked_in_period / duration_s

    Histogram ack_latency;    // from writing an event to its ack
    Histogram route_latency;  // from writing call.offered to receiving its first call.route

    CallCounts calls;
    std::uint64_t offers_skipped = 0;   // the gateway's window was full when a call was due
    std::uint64_t stale_commands = 0;   // commands for calls acd-load no longer has
    std::uint64_t repeated_routes = 0;  // a call.route identical to the last one: a no-op
    // Error lines by event type and code ("agent.state invalid_state").
    std::map<std::string, std::uint64_t> errors;
    std::uint64_t reconnects = 0;
    std::uint64_t lost_acked = 0;  // acknowledged events a later welcome did not cover
    std::uint64_t unacked_at_end = 0;
    // The configuration's agents acd-load played, those it left alone (on a call when it
    // started), and those not found afterwards in the state they had before ("a3 is paused
    // (no_answer), was ready"; agent_states.hpp). restore_checked: the states were compared.
    std::vector<std::string> agents_played;
    std::vector<std::string> agents_left_alone;
    std::vector<std::string> agents_not_restored;
    bool restore_checked = false;
    std::string failure;  // why the run failed; empty when it did not
};

std::string to_text(const Report& report);
nlohmann::json to_json(const Report& report);

}  // namespace acd::load
