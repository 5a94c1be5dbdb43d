// Exact integer allocation (allocation.h): AllocateByWeight, RemainingShare, ProportionalFloor,
// checked against their definitions over many seeded random inputs, including values near the
// 1e15 g mass limit and near 2^63 / 2^64.
#include "consensus/core/allocation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "tests/support/random_workload.h"

namespace lotchain::core {
namespace {

__extension__ using Uint128 = unsigned __int128;

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
constexpr uint64_t k1e15 = 1'000'000'000'000'000;
constexpr uint64_t k2Pow63 = uint64_t{1} << 63;

// A value from one of several magnitudes: tiny, around 1e15, around 2^63, near 2^64.
uint64_t Interesting(testing::Prng& prng) {
  switch (prng.Below(6)) {
    case 0: return prng.Below(10);
    case 1: return prng.Below(1'000'000);
    case 2: return k1e15 - prng.Below(1000) + prng.Below(1000);
    case 3: return k2Pow63 - prng.Below(1000) + prng.Below(1000);
    case 4: return kMax - prng.Below(1000);
    default: return prng.Next();
  }
}

// Reference: the largest-remainder allocation computed directly from its definition.
std::vector<uint64_t> ReferenceAllocation(uint64_t total, const std::vector<uint64_t>& weights) {
  Uint128 sum = 0;
  for (uint64_t w : weights) sum += w;
  std::vector<uint64_t> parts(weights.size());
  std::vector<Uint128> rem(weights.size());
  Uint128 allocated = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    Uint128 product = static_cast<Uint128>(total) * weights[i];
    parts[i] = static_cast<uint64_t>(product / sum);
    rem[i] = product % sum;
    allocated += parts[i];
  }
  std::vector<bool> bumped(weights.size(), false);
  for (Uint128 left = total - allocated; left > 0; --left) {
    size_t best = weights.size();
    for (size_t i = 0; i < weights.size(); ++i) {
      if (bumped[i]) continue;
      if (best == weights.size() || rem[i] > rem[best]) best = i;  // ties keep the lower index
    }
    bumped[best] = true;
    parts[best] += 1;
  }
  return parts;
}

// AllocateByWeight: parts sum to the total exactly, match the largest-remainder definition
// (ties to the lower index), never differ from the exact share by a unit or more, and the same
// input always gives the same output. 20,000 random cases of 1..64 weights.
TEST(AllocationTest, AllocateByWeightSumsExactlyAndIsDeterministic) {
  testing::Prng prng(1);
  for (int round = 0; round < 20'000; ++round) {
    uint64_t total = Interesting(prng);
    std::vector<uint64_t> weights(static_cast<size_t>(prng.Between(1, 64)));
    for (auto& w : weights) w = prng.Percent(20) ? 0 : Interesting(prng);
    if (prng.Percent(50)) weights[0] = std::max<uint64_t>(weights[0], 1);
    Uint128 weight_sum = 0;
    for (uint64_t w : weights) weight_sum += w;
    if (weight_sum == 0) continue;
    std::vector<uint64_t> parts = AllocateByWeight(total, weights);
    ASSERT_EQ(parts.size(), weights.size());
    Uint128 sum = 0;
    for (uint64_t p : parts) sum += p;
    ASSERT_TRUE(sum == total) << "round " << round;
    ASSERT_EQ(parts, ReferenceAllocation(total, weights)) << "round " << round;
    ASSERT_EQ(parts, AllocateByWeight(total, weights)) << "round " << round;
    for (size_t i = 0; i < parts.size(); ++i) {
      Uint128 exact_floor = static_cast<Uint128>(total) * weights[i] / weight_sum;
      ASSERT_TRUE(parts[i] == exact_floor || parts[i] == exact_floor + 1) << "round " << round;
      if (weights[i] == 0) {
        ASSERT_EQ(parts[i], 0u);
      }
    }
  }
}

// Equal weights with a leftover: the extra units go to the lowest indices.
TEST(AllocationTest, TiesGoToLowerIndex) {
  EXPECT_EQ(AllocateByWeight(2, {1, 1, 1}), (std::vector<uint64_t>{1, 1, 0}));
  EXPECT_EQ(AllocateByWeight(1, {5, 5}), (std::vector<uint64_t>{1, 0}));
  EXPECT_EQ(AllocateByWeight(3, {7, 7, 7, 7}), (std::vector<uint64_t>{1, 1, 1, 0}));
  EXPECT_EQ(AllocateByWeight(kMax, {kMax, kMax}), (std::vector<uint64_t>{k2Pow63, k2Pow63 - 1}));
  // Remainders decide before index: 10 over {1, 2} -> 3.33 / 6.67 -> {3, 7}.
  EXPECT_EQ(AllocateByWeight(10, {1, 2}), (std::vector<uint64_t>{3, 7}));
  EXPECT_EQ(AllocateByWeight(0, {1, 2}), (std::vector<uint64_t>{0, 0}));
  EXPECT_EQ(AllocateByWeight(kMax, {0, 1}), (std::vector<uint64_t>{0, kMax}));
}

// RemainingShare: equals floor(amount * (total - consumed) / total); kept + consumed share
// add up to the amount; monotone in the amount (a <= b gives RemainingShare(a) <=
// RemainingShare(b)) and, for a fixed amount, non-increasing in the consumed mass.
TEST(AllocationTest, RemainingShareIsExactAndMonotone) {
  testing::Prng prng(2);
  for (int round = 0; round < 100'000; ++round) {
    uint64_t total = std::max<uint64_t>(1, Interesting(prng));
    uint64_t consumed = prng.Percent(10) ? total : prng.Between(0, total);
    uint64_t a = Interesting(prng);
    uint64_t b = Interesting(prng);
    if (a > b) std::swap(a, b);
    uint64_t ra = RemainingShare(a, consumed, total);
    uint64_t rb = RemainingShare(b, consumed, total);
    ASSERT_TRUE(ra == static_cast<Uint128>(a) * (total - consumed) / total) << "round " << round;
    ASSERT_LE(ra, a);
    ASSERT_LE(ra, rb) << "a=" << a << " b=" << b << " consumed=" << consumed << " total=" << total;
    // A larger consumption never leaves more behind.
    uint64_t more = consumed == total ? total : prng.Between(consumed, total);
    ASSERT_LE(RemainingShare(a, more, total), ra);
    if (consumed == 0) {
      ASSERT_EQ(ra, a);
    }
    if (consumed == total) {
      ASSERT_EQ(ra, 0u);
    }
    // The recycled-split used by the transform rules: shares of nested quantities stay nested.
    uint64_t part = a == 0 ? 0 : prng.Between(0, a);
    uint64_t rp = RemainingShare(part, consumed, total);
    ASSERT_LE(rp, ra);
    ASSERT_LE(part - rp, a - ra);  // consumed share of the part <= consumed share of the whole
    ASSERT_LE(ra - rp, a - part);  // kept share of the rest <= the rest
  }
}

// ProportionalFloor at the extremes of the 128-bit product.
TEST(AllocationTest, ProportionalFloorExtremes) {
  EXPECT_EQ(ProportionalFloor(kMax, kMax, kMax), kMax);
  EXPECT_EQ(ProportionalFloor(kMax, 1, kMax), 1u);
  EXPECT_EQ(ProportionalFloor(kMax, k2Pow63, kMax), k2Pow63);
  EXPECT_EQ(ProportionalFloor(k1e15, k1e15 - 1, k1e15), k1e15 - 1);
  EXPECT_EQ(ProportionalFloor(0, 5, 7), 0u);
  EXPECT_EQ(ProportionalFloor(10, 0, 7), 0u);
  EXPECT_EQ(RemainingShare(kMax, 1, kMax), kMax - 1);
}

}  // namespace
}  // namespace lotchain::core
