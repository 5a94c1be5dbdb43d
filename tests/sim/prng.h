// The simulator's only source of randomness: xoshiro256** seeded through splitmix64, so one
// 64-bit seed determines a whole run (https://prng.di.unimi.it/).
#pragma once

#include <cstdint>
#include <string>

#include "consensus/core/assert.h"

namespace lotchain::sim {

class Prng {
 public:
  explicit Prng(uint64_t seed) {
    for (uint64_t& word : state_) word = SplitMix(seed);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, bound).
  uint64_t Below(uint64_t bound) {
    LOTCHAIN_ASSERT(bound > 0);
    return Next() % bound;
  }
  // Uniform in [low, high].
  uint64_t Between(uint64_t low, uint64_t high) {
    LOTCHAIN_ASSERT(low <= high);
    return low + Below(high - low + 1);
  }
  bool ChancePpm(uint64_t ppm) { return Below(1'000'000) < ppm; }
  std::string Bytes(size_t count) {
    std::string out(count, '\0');
    for (char& c : out) c = static_cast<char>(Below(256));
    return out;
  }
  // An independent stream for a sub-component.
  Prng Fork() { return Prng(Next()); }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state_[4] = {};
};

}  // namespace lotchain::sim
