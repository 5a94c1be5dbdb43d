// A token bucket for inbound frame rate limits. The caller passes the time, so the bucket is a
// pure value (tests drive it with fabricated time points). Integer arithmetic only.
#pragma once

#include <chrono>
#include <cstdint>

#include "consensus/core/assert.h"

namespace lotchain::node {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  // Holds at most `rate_per_second` tokens (a one-second burst) and starts full.
  TokenBucket(uint32_t rate_per_second, Clock::time_point now)
      : rate_per_second_(rate_per_second), tokens_(rate_per_second), refilled_at_(now) {
    LOTCHAIN_ASSERT(rate_per_second_ > 0);
  }

  // Takes one token if there is one; false means the caller is over the rate.
  bool Take(Clock::time_point now) {
    Refill(now);
    LOTCHAIN_ASSERT(tokens_ <= rate_per_second_);
    if (tokens_ == 0) return false;
    --tokens_;
    return true;
  }

 private:
  static constexpr int64_t kNanosPerSecond = 1'000'000'000;

  void Refill(Clock::time_point now) {
    const int64_t elapsed_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(now - refilled_at_).count();
    if (elapsed_ns <= 0) return;
    if (elapsed_ns >= kNanosPerSecond) {
      tokens_ = rate_per_second_;
      refilled_at_ = now;
      return;
    }
    // elapsed_ns < 1e9 and rate < 2^32, so the product stays below 2^62.
    const uint64_t earned =
        static_cast<uint64_t>(elapsed_ns) * rate_per_second_ / uint64_t{kNanosPerSecond};
    if (earned == 0) return;
    // Advance the refill time only by the time the earned tokens cost, keeping the remainder.
    refilled_at_ += std::chrono::nanoseconds(
        static_cast<int64_t>(earned * uint64_t{kNanosPerSecond} / rate_per_second_));
    const uint64_t sum = uint64_t{tokens_} + earned;
    tokens_ = sum > rate_per_second_ ? rate_per_second_ : static_cast<uint32_t>(sum);
  }

  uint32_t rate_per_second_;
  uint32_t tokens_;
  Clock::time_point refilled_at_;
};

}  // namespace lotchain::node
