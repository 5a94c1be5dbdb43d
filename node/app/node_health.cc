// Health and readiness (/healthz, /readyz) and the operator's log lines about connectivity:
// a warning when the node loses or regains a quorum of connected validators, when it cannot
// reach one at all for a while, and when it stays behind its peers.
#include <spdlog/spdlog.h>

#include "node/app/logging.h"
#include "node/app/node.h"

namespace lotchain::node {

namespace {

constexpr int64_t kNoQuorumWarnAfterMs = 10'000;  // a starting network takes a few seconds
constexpr int64_t kRepeatWarnEveryMs = 60'000;
constexpr int64_t kBehindWarnAfterMs = 10'000;

LogFields Counts(uint64_t peers, uint64_t others, uint64_t needed) {
  return LogFields().Add("validators_connected", peers).Add("validators_other", others)
      .Add("quorum_needs", needed);
}

}  // namespace

bool Node::Healthy() { return OnLoop([] { return true; }, 2000).value_or(false); }

bool Node::Ready() {
  for (const HealthCheck& check : ReadinessChecks()) {
    if (!check.ok) return false;
  }
  return true;
}

std::vector<HealthCheck> Node::ReadinessChecks() {
  const bool loop = Healthy();
  const size_t others = validator_count_.load() - 1;
  const size_t needed = validator_quorum_.load() - 1;  // peers besides ourselves
  const uint32_t peers = peers_connected_;
  const uint64_t height = height_;
  const uint64_t best = best_peer_height_;
  return {
      {"event_loop", loop, loop ? "" : "the node's event loop did not answer within 2 s"},
      {"quorum", peers >= needed,
       "connected to " + std::to_string(peers) + " of " + std::to_string(others) +
           " other validators; a quorum needs " + std::to_string(needed)},
      {"caught_up", best <= height + 1,
       "height " + std::to_string(height) + ", best peer height " + std::to_string(best)},
  };
}

void Node::WatchConnectivity(int64_t now_ms) {
  const size_t others = validator_count_.load() - 1;
  const size_t needed = validator_quorum_.load() - 1;
  const uint32_t peers = peers_connected_;
  const bool quorum = peers >= needed;
  if (watch_.since_ms == 0) {  // the first tick: the no-quorum clock starts now
    watch_.since_ms = now_ms;
    watch_.changed_ms = now_ms;
    watch_.warned_ms = now_ms - kRepeatWarnEveryMs;
  }
  if (quorum != watch_.quorum) {
    const LogFields fields = Counts(peers, others, needed);
    if (quorum) {
      LogEvent(spdlog::level::warn,
               fmt::format("{} a quorum of validators: connected to {} of {} others (a quorum "
                           "needs {})",
                           watch_.had_quorum ? "regained" : "reached", peers, others, needed),
               LogFields(fields).Add("event", watch_.had_quorum ? "quorum_regained" : "quorum_reached"));
    } else {
      LogEvent(spdlog::level::warn,
               fmt::format("lost the quorum of validators: connected to {} of {} others, a "
                           "quorum needs {}; nothing commits until more are reachable",
                           peers, others, needed),
               LogFields(fields).Add("event", "quorum_lost"));
    }
    watch_.quorum = quorum;
    watch_.had_quorum = watch_.had_quorum || quorum;
    watch_.changed_ms = now_ms;
    watch_.warned_ms = now_ms;
  } else if (!quorum && now_ms - watch_.changed_ms >= kNoQuorumWarnAfterMs &&
             now_ms - watch_.warned_ms >= kRepeatWarnEveryMs) {
    const uint64_t seconds = static_cast<uint64_t>((now_ms - watch_.changed_ms) / 1000);
    LogEvent(spdlog::level::warn,
             fmt::format("no quorum for {} s: connected to {} of {} other validators (a quorum "
                         "needs {}); check that they run and that their addresses ([p2p] "
                         "peers in config.toml, else the genesis) reach them from here",
                         seconds, peers, others, needed),
             Counts(peers, others, needed).Add("event", "no_quorum").Add("seconds", seconds));
    watch_.warned_ms = now_ms;
  }
  const uint64_t height = height_;
  const uint64_t best = best_peer_height_;
  if (best <= height + 1) {
    watch_.behind_since_ms = 0;
  } else if (watch_.behind_since_ms == 0) {
    watch_.behind_since_ms = now_ms;
  } else if (now_ms - watch_.behind_since_ms >= kBehindWarnAfterMs &&
             now_ms - watch_.behind_warned_ms >= kRepeatWarnEveryMs) {
    const uint64_t seconds = static_cast<uint64_t>((now_ms - watch_.behind_since_ms) / 1000);
    LogEvent(spdlog::level::warn,
             fmt::format("behind for {} s: at height {}, peers at {}; catching up", seconds,
                         height, best),
             LogFields().Add("event", "behind").Add("seconds", seconds).Add("height", height)
                 .Add("best_peer_height", best));
    watch_.behind_warned_ms = now_ms;
  }
}

}  // namespace lotchain::node
