// Random numbers for the simulator, the same on every platform.
//
// The standard library's distributions are implementation-defined (libstdc++ and libc++ draw
// differently), so a scenario's seed would not give the same day everywhere. These generators
// and samplers are written out here instead: xoshiro256** seeded through SplitMix64, and
// exponential and normal variates by inversion and Box-Muller.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>

namespace acd::sim {

// SplitMix64: a good mixer for turning (seed, stream number) into independent seeds.
inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A seed for stream `stream` of a run seeded with `seed`.
inline std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
    splitmix64(state);
    return splitmix64(state);
}

class Rng {
  public:
    explicit Rng(std::uint64_t seed) {
        for (std::uint64_t& word : s_)
            word = splitmix64(seed);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in (0, 1): never 0, so log() is always finite.
    double uniform() { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

    // Exponential with mean 1.
    double exponential() { return -std::log(uniform()); }

    // Standard normal (Box-Muller; the second variate is dropped to keep draws per call fixed).
    double normal() {
        const double r = std::sqrt(-2.0 * std::log(uniform()));
        return r * std::cos(2.0 * std::numbers::pi * uniform());
    }

  private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace acd::sim
