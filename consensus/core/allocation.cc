#include "consensus/core/allocation.h"

#include <algorithm>
#include <numeric>

#include "consensus/core/assert.h"

namespace lotchain::core {

__extension__ using Uint128 = unsigned __int128;

uint64_t ProportionalFloor(uint64_t amount, uint64_t part, uint64_t whole) {
  LOTCHAIN_ASSERT(whole > 0);
  LOTCHAIN_ASSERT(part <= whole);
  Uint128 product = static_cast<Uint128>(amount) * part;
  return static_cast<uint64_t>(product / whole);
}

uint64_t RemainingShare(uint64_t amount, uint64_t consumed_mass, uint64_t total_mass) {
  LOTCHAIN_ASSERT(consumed_mass <= total_mass);
  uint64_t remaining = ProportionalFloor(amount, total_mass - consumed_mass, total_mass);
  LOTCHAIN_ASSERT(remaining <= amount);
  return remaining;
}

std::vector<uint64_t> AllocateByWeight(uint64_t total, const std::vector<uint64_t>& weights) {
  Uint128 weight_sum = 0;
  for (uint64_t w : weights) weight_sum += w;
  LOTCHAIN_ASSERT(weight_sum > 0);
  std::vector<uint64_t> parts(weights.size());
  std::vector<Uint128> remainders(weights.size());
  Uint128 allocated = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    Uint128 product = static_cast<Uint128>(total) * weights[i];
    parts[i] = static_cast<uint64_t>(product / weight_sum);
    remainders[i] = product % weight_sum;
    allocated += parts[i];
  }
  uint64_t leftover = static_cast<uint64_t>(total - allocated);
  LOTCHAIN_ASSERT(leftover < weights.size() || weights.empty());
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t k = 0; k < leftover; ++k) parts[order[k]] += 1;
  return parts;
}

}  // namespace lotchain::core
