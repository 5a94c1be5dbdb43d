// Exact integer arithmetic for splitting footprints and masses. Pure; no overflow for inputs
// below 2^64 (products are taken in 128 bits).
#pragma once

#include <cstdint>
#include <vector>

namespace lotchain::core {

// floor(amount * part / whole). Requires whole > 0 and part <= whole.
uint64_t ProportionalFloor(uint64_t amount, uint64_t part, uint64_t whole);

// The share of `amount` that stays with a lot of `total_mass` when `consumed_mass` leaves it:
// floor(amount * (total - consumed) / total). The consumed share is amount minus this, so the
// two always add up to `amount` exactly, and the remaining share of a sub-quantity never
// exceeds the remaining share of a larger one (floor is monotone).
uint64_t RemainingShare(uint64_t amount, uint64_t consumed_mass, uint64_t total_mass);

// Splits `total` over `weights` in proportion (largest-remainder method): each part gets
// floor(total * w / sum w); the leftover units go one each to the parts with the largest
// remainders, ties to the lower index. The parts sum to `total` exactly. Requires sum w > 0.
std::vector<uint64_t> AllocateByWeight(uint64_t total, const std::vector<uint64_t>& weights);

}  // namespace lotchain::core
