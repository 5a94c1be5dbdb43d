// The simulator's Cluster (cluster.h's RunSeed): shared by cluster.cc (events, network,
// faults), cluster_byzantine.cc (what a Byzantine validator sends) and cluster_checks.cc (the
// invariants). Each simulated validator runs the node's own replica core (sim_node.h).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "tests/sim/cluster.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/world.h"

namespace lotchain::sim {

inline constexpr size_t kTraceKept = 400;
inline constexpr uint64_t kEventsMax = 5'000'000;
inline constexpr uint64_t kTickTicks = 1000;  // lotchaind's status ticker: once a second
// How long a height waits for more transactions when fewer than a block's worth are pending
// (lotchaind's block_delay_ms); it also keeps a run's height count realistic.
inline constexpr int64_t kBlockDelayTicks = 250;
// After liveness holds, clients stop; honest mempools must then drain without a stall this
// long, and within kQuiescenceDeadlineTicks in all.
inline constexpr uint64_t kQuiescenceBoundTicks = 10'000;
inline constexpr uint64_t kQuiescenceDeadlineTicks = 60'000;

// Behaviours of a Byzantine validator, chosen per seed.
enum Byz : uint32_t {
  kByzEquivocate = 1u << 0,
  kByzDoubleVote = 1u << 1,
  kByzBadSignature = 1u << 2,
  kByzUnknownBlock = 1u << 3,
  kByzGarbage = 1u << 4,
  kByzTwin = 1u << 5,
};

// A message in flight: what the transport would carry, plus a summary for the trace.
struct Payload {
  v1::P2pMessage message;
  bool garbage = false;  // `bytes` is a frame that may not decode
  std::string bytes;
  uint64_t height = 0;
  uint32_t round = 0;
  int type = 0;  // vote type, or -1 for a proposal
  std::string hash;
};
using PayloadPtr = std::shared_ptr<const Payload>;

PayloadPtr MessagePayload(v1::P2pMessage message);
std::string Short(const std::string& hash);

enum class EventKind : uint8_t {
  kDeliver, kTimer, kTick, kSubmit, kCrash, kRestart, kPartition, kHeal, kGovern
};

struct Event {
  uint64_t time = 0;
  uint64_t seq = 0;
  EventKind kind = EventKind::kDeliver;
  size_t node = 0;
  size_t from = 0;
  uint64_t incarnation = 0;
  uint64_t timer_id = 0;
  PayloadPtr payload;
  uint64_t mask = 0;
  bool operator>(const Event& other) const {
    return time != other.time ? time > other.time : seq > other.seq;
  }
};

class Cluster {
 public:
  explicit Cluster(const RunOptions& options);
  RunResult Run();

 private:
  bool Honest(size_t endpoint) const { return byz_[endpoint] == 0; }
  bool InFaultPhase() const { return now_ < options_.fault_phase_ticks; }
  int64_t LocalMs(size_t node) const;
  void Push(Event event);
  void Handle(const Event& event);
  void Submit();
  // Governance (cluster_governance.cc): submits the change `kind` (0 add, 1 remove the standby).
  void Govern(uint64_t kind);
  // The set that certifies `height` by the rule itself, read from `node`'s committed records.
  core::ValidatorSet ReferenceSet(size_t node, uint64_t height) const;
  void Deliver(size_t to, size_t from, const Payload& payload);
  void Process(size_t node);
  void Broadcast(size_t from, const PayloadPtr& payload, uint64_t mask);
  void Send(size_t from, size_t to, const PayloadPtr& payload);
  void Crash(size_t node, uint64_t restart_after);
  void Boot(size_t node);
  void Heal();
  void ScheduleFaults();
  void Trace(const std::string& line);
  void Violation(const std::string& what);
  uint64_t Drifted(size_t node, uint64_t ticks) const;
  uint64_t AllEndpoints() const { return (1ULL << nodes_.size()) - 1; }

  // cluster_byzantine.cc
  void SendOut(size_t node, std::vector<node::Outbound>& messages);
  void SendProposal(size_t node, v1::P2pMessage message);
  void SendVote(size_t node, v1::P2pMessage message);
  void ByzantineExtras(size_t node, const v1::Vote& vote);
  v1::Vote SignVote(size_t node, const v1::VoteBody& body, bool corrupt);

  // cluster_checks.cc
  void OnCommit(size_t node, const node::CommittedBlock& commit);
  void CheckLiveness();
  void CheckQuiescence();

  RunOptions options_;
  Prng prng_;
  World world_;
  Workload workload_;
  std::vector<std::unique_ptr<SimNode>> nodes_;  // endpoints (a twin is an extra endpoint)
  std::vector<uint32_t> byz_;
  std::vector<uint64_t> drift_ppm_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  uint64_t now_ = 0;
  uint64_t seq_ = 0;
  uint64_t partition_mask_ = 0;  // endpoints on side A; 0 = no partition
  uint64_t loss_ppm_ = 0, dup_ppm_ = 0, tail_ppm_ = 0, crash_persist_ppm_ = 0;
  uint64_t latency_min_ = 1, latency_max_ = 20;
  std::optional<size_t> gateway_;  // the node every client submits to, on gateway seeds
  bool bursty_ = false;            // submissions in bursts with idle gaps
  uint64_t half_ = 0;  // the endpoints an equivocating node shows its first version to
  std::map<uint64_t, std::string> decided_;      // height -> block hash (first honest decision)
  std::map<uint64_t, std::string> state_roots_;  // height -> state root (first honest)
  bool healed_ = false;
  bool live_ = false;        // liveness held; clients stopped submitting
  uint64_t live_since_ = 0;
  uint64_t last_honest_commit_ = 0;
  uint64_t heal_height_ = 0;
  bool done_ = false;
  RunResult result_;
  std::deque<std::string> trace_;
};

}  // namespace lotchain::sim
