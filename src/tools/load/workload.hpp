// What acd-load offers and how its agents and callers behave, drawn from the configuration the
// daemon runs with. Pure: every draw comes from the random generator passed in.
//
// The mix:
// - specialty: weighted by the agents who serve it (an agent with k skills counts 1/k for each),
//   so that the offered load follows the staffing; a specialty nobody serves gets the weight of
//   half an agent (its calls queue or overflow). The call dials one of the specialty's numbers,
//   or names it in `specialty` when it has none.
// - class: 70 % the specialty's default (no `class` field), 15 % urgent, 10 % appointment,
//   5 % admin.
// - caller: 10 % anonymous, else one of 100,000 numbers, so that callers come back.
// - delays: exponential with the configured means.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "acd/routing_config.hpp"
#include "load/options.hpp"

namespace acd::load {

using Rng = std::mt19937_64;

// One call to offer; the strings are JSON-encoded already (quotes included).
struct Offer {
    const std::string* dialed = nullptr;
    const std::string* specialty = nullptr;  // nullptr: not sent
    const char* call_class = nullptr;        // nullptr: not sent (the specialty's default)
    std::string caller;
};

// What a caller whose call is routed does.
enum class Pickup { answer, no_answer };

class Workload {
  public:
    // `config` must have passed acd::load_config().
    Workload(const RoutingConfig& config, const Options& options);

    Offer next_offer(Rng& rng) const;
    Pickup pickup(Rng& rng) const;
    std::chrono::nanoseconds answer_delay(Rng& rng) const;
    std::chrono::nanoseconds handle_time(Rng& rng) const;
    // For the callers who hang up early (--abandon), how long they wait; nullopt for the others,
    // who wait up to patience().
    std::optional<std::chrono::nanoseconds> early_hangup(Rng& rng) const;
    std::chrono::nanoseconds patience() const;
    // How long a paused agent (after not answering) takes to be ready again.
    std::chrono::nanoseconds back_to_ready(Rng& rng) const;

    const std::vector<std::string>& agents() const { return agents_; }  // ids, not quoted
    std::size_t specialty_count() const { return targets_.size(); }

  private:
    struct Target {
        std::vector<std::string> numbers;  // JSON strings; empty: dial kSwitchboard
        std::string specialty;             // JSON string, sent when numbers is empty
    };
    std::chrono::nanoseconds exponential(Rng& rng, double mean_ms) const;

    std::vector<Target> targets_;  // one per specialty
    std::string switchboard_;
    mutable std::discrete_distribution<std::size_t> pick_specialty_;
    std::vector<std::string> agents_;
    Options options_;
};

}  // namespace acd::load
