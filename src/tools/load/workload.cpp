#include "load/workload.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

namespace acd::load {
namespace {

constexpr std::uint64_t kCallerPool = 100'000;

std::string quoted(const std::string& s) {
    return nlohmann::json(s).dump();
}

// Agents' weight per specialty: an agent with k skills gives 1/k to each.
std::vector<double> staffing(const RoutingConfig& config) {
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < config.specialties.size(); ++i) {
        index[config.specialties[i].id] = i;
    }
    std::vector<double> weight(config.specialties.size(), 0.0);
    for (const AgentConfig& a : config.agents) {
        for (const std::string& skill : a.skills) {
            weight[index.at(skill)] += 1.0 / static_cast<double>(a.skills.size());
        }
    }
    for (double& w : weight) {
        if (w == 0) w = 0.5;
    }
    return weight;
}

}  // namespace

Workload::Workload(const RoutingConfig& config, const Options& options)
    : switchboard_(quoted("+35244110000")), options_(options) {
    for (const SpecialtyConfig& s : config.specialties) {
        Target t;
        for (const std::string& n : s.numbers)
            t.numbers.push_back(quoted(n));
        if (t.numbers.empty()) t.specialty = quoted(s.id);
        targets_.push_back(std::move(t));
    }
    const std::vector<double> weights = staffing(config);
    pick_specialty_ = std::discrete_distribution<std::size_t>(weights.begin(), weights.end());
    for (const AgentConfig& a : config.agents)
        agents_.push_back(a.id);
}

Offer Workload::next_offer(Rng& rng) const {
    Offer offer;
    const Target& t = targets_[pick_specialty_(rng)];
    if (t.numbers.empty()) {
        offer.dialed = &switchboard_;
        offer.specialty = &t.specialty;
    } else {
        offer.dialed = &t.numbers[rng() % t.numbers.size()];
    }
    const auto percent = rng() % 100;
    if (percent >= 95) {
        offer.call_class = "admin";
    } else if (percent >= 85) {
        offer.call_class = "appointment";
    } else if (percent >= 70) {
        offer.call_class = "urgent";
    }
    if (rng() % 10 == 0) {
        offer.caller = "anonymous";
    } else {
        offer.caller = fmt::format("+3526{:08}", rng() % kCallerPool);
    }
    return offer;
}

Pickup Workload::pickup(Rng& rng) const {
    std::uniform_real_distribution<double> pct(0, 100);
    return pct(rng) < options_.no_answer_pct ? Pickup::no_answer : Pickup::answer;
}

std::chrono::nanoseconds Workload::exponential(Rng& rng, double mean_ms) const {
    if (mean_ms <= 0) return std::chrono::nanoseconds(0);
    std::exponential_distribution<double> d(1.0 / mean_ms);
    return std::chrono::nanoseconds(static_cast<std::int64_t>(d(rng) * 1e6));
}

std::chrono::nanoseconds Workload::answer_delay(Rng& rng) const {
    return exponential(rng, options_.answer_ms);
}

std::chrono::nanoseconds Workload::handle_time(Rng& rng) const {
    return exponential(rng, options_.handle_ms);
}

std::optional<std::chrono::nanoseconds> Workload::early_hangup(Rng& rng) const {
    std::uniform_real_distribution<double> pct(0, 100);
    if (pct(rng) < options_.abandon_pct) return exponential(rng, options_.answer_ms);
    return std::nullopt;
}

std::chrono::nanoseconds Workload::patience() const {
    return std::chrono::nanoseconds(static_cast<std::int64_t>(options_.patience_ms * 1e6));
}

std::chrono::nanoseconds Workload::back_to_ready(Rng& rng) const {
    return exponential(rng, options_.answer_ms);
}

}  // namespace acd::load
