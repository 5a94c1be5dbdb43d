#include "tests/sim/cluster.h"

#include <cinttypes>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <queue>
#include <set>

#include "consensus/core/certificate.h"
#include "consensus/core/executor.h"
#include "tests/sim/prng.h"
#include "tests/sim/sim_node.h"
#include "tests/sim/world.h"

namespace lotchain::sim {
namespace {

constexpr size_t kTraceKept = 400;
constexpr uint64_t kSyncIntervalTicks = 300;
constexpr uint64_t kEventsMax = 5'000'000;
// The pause between a decision and the next height (CometBFT's timeout_commit), during which
// late precommits still arrive; it also keeps a run's height count realistic.
constexpr uint64_t kCommitWaitTicks = 250;

// Behaviours of a Byzantine validator, chosen per seed.
enum Byz : uint32_t {
  kByzEquivocate = 1u << 0,
  kByzDoubleVote = 1u << 1,
  kByzBadSignature = 1u << 2,
  kByzUnknownBlock = 1u << 3,
  kByzGarbage = 1u << 4,
  kByzTwin = 1u << 5,
};

struct Payload {
  enum class Kind : uint8_t { kProposal, kVote, kSyncRequest, kSyncResponse, kGarbage };
  Kind kind = Kind::kVote;
  v1::Proposal proposal;
  v1::Vote vote;
  uint64_t height = 0;  // summary (and the requested height for sync)
  uint32_t round = 0;
  int type = 0;  // vote type, or -1 for a proposal
  std::string hash;
  v1::Block block;
  v1::CommitCertificate certificate;
  uint64_t peer_height = 0;
  std::string garbage;
};
using PayloadPtr = std::shared_ptr<const Payload>;

enum class EventKind : uint8_t {
  kDeliver, kTimer, kSubmit, kCrash, kRestart, kPartition, kHeal, kNextHeight
};

struct Event {
  uint64_t time = 0;
  uint64_t seq = 0;
  EventKind kind = EventKind::kDeliver;
  size_t node = 0;
  size_t from = 0;
  uint64_t incarnation = 0;
  bft::Timeout timeout;
  PayloadPtr payload;
  uint64_t mask = 0;
  bool operator>(const Event& other) const {
    return time != other.time ? time > other.time : seq > other.seq;
  }
};

std::string Short(const std::string& hash) {
  if (hash.empty()) return "nil";
  return core::ToHex(hash.substr(0, 3));
}

PayloadPtr VotePayload(const v1::Vote& vote) {
  auto p = std::make_shared<Payload>();
  p->kind = Payload::Kind::kVote;
  p->vote = vote;
  v1::VoteBody body;
  if (body.ParseFromString(vote.body())) {
    p->height = body.height();
    p->round = body.round();
    p->type = static_cast<int>(body.type());
    p->hash = body.block_hash();
  }
  return p;
}

PayloadPtr ProposalPayload(const v1::Proposal& proposal) {
  auto p = std::make_shared<Payload>();
  p->kind = Payload::Kind::kProposal;
  p->proposal = proposal;
  p->type = -1;
  v1::ProposalBody body;
  if (body.ParseFromString(proposal.body())) {
    p->height = body.height();
    p->round = body.round();
    p->hash = body.block_hash();
  }
  return p;
}

class Cluster {
 public:
  explicit Cluster(const RunOptions& options);
  RunResult Run();

 private:
  bool Honest(size_t endpoint) const { return byz_[endpoint] == 0; }
  bool InFaultPhase() const { return now_ < options_.fault_phase_ticks; }
  void Push(Event event);
  void Handle(const Event& event);
  void Deliver(size_t to, size_t from, const Payload& payload);
  void Drive(size_t node, bft::Actions actions);
  void SendOut(size_t node, const bft::Actions& actions);
  void ByzantineExtras(size_t node, const v1::Vote& vote);
  void Broadcast(size_t from, const PayloadPtr& payload, uint64_t mask);
  void Send(size_t from, size_t to, const PayloadPtr& payload);
  void OnDecision(size_t node, const bft::Decision& decision);
  void Crash(size_t node, uint64_t restart_after);
  void Boot(size_t node);
  void Heal();
  void ScheduleFaults();
  void CheckLiveness();
  void Trace(const std::string& line);
  void Violation(const std::string& what);
  v1::Vote SignVote(size_t node, const v1::VoteBody& body, bool corrupt);
  uint64_t Drifted(size_t node, uint64_t ticks) const;

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
  std::map<uint64_t, std::string> decided_;      // height -> block hash (first honest decision)
  std::map<uint64_t, std::string> state_roots_;  // height -> state root (first honest)
  bool healed_ = false;
  uint64_t heal_height_ = 0;
  bool done_ = false;
  RunResult result_;
  std::deque<std::string> trace_;
};

Cluster::Cluster(const RunOptions& options)
    : options_(options),
      prng_(options.seed),
      world_(options.validators, {.tx_count_max = 6, .bytes_max = 4096}),
      workload_(world_.genesis, world_.miner_keys, world_.miner_orgs) {
  LOTCHAIN_ASSERT(options_.byzantine * 3 < options_.validators);
  bft::EngineConfig config;
  config.validators = world_.validators;
  config.timeout_propose_ticks = 800;
  config.timeout_prevote_ticks = 400;
  config.timeout_precommit_ticks = 400;
  config.timeout_delta_ticks = 200;
  config.timeout_max_ticks = 6000;
  config.resend_ticks = 700;
  const FaultSet& f = options_.faults;
  std::set<size_t> byzantine;
  while (byzantine.size() < options_.byzantine) byzantine.insert(prng_.Below(options_.validators));
  for (size_t i = 0; i < options_.validators; ++i) {
    nodes_.push_back(std::make_unique<SimNode>(world_, i, config));
    uint32_t behaviours = 0;
    if (byzantine.count(i) != 0) {
      behaviours = f.byzantine ? static_cast<uint32_t>(prng_.Between(1, 63)) : 0;
      if (behaviours == 0) behaviours = kByzGarbage;  // a Byzantine slot that only babbles
    }
    byz_.push_back(behaviours);
  }
  for (size_t i = 0; i < options_.validators; ++i) {
    if ((byz_[i] & kByzTwin) == 0) continue;
    nodes_.push_back(std::make_unique<SimNode>(world_, i, config));
    byz_.push_back(byz_[i]);
    ++result_.faults[kFaultTwin];
  }
  LOTCHAIN_ASSERT(nodes_.size() <= 64);
  for (size_t i = 0; i < nodes_.size(); ++i) {
    drift_ppm_.push_back(f.drift ? prng_.Between(900'000, 1'100'000) : 1'000'000);
    if (f.drift && drift_ppm_.back() != 1'000'000) ++result_.faults[kFaultDrift];
  }
  if (f.delay) {
    latency_min_ = prng_.Between(1, 10);
    latency_max_ = latency_min_ + prng_.Between(5, 200);
    tail_ppm_ = prng_.Between(0, 50'000);
  }
  const uint64_t loss_choices[] = {0, 10'000, 50'000, 200'000};
  if (f.loss) loss_ppm_ = loss_choices[prng_.Below(4)];
  if (f.duplicate) dup_ppm_ = prng_.Between(0, 100'000);
  if (f.crash) crash_persist_ppm_ = prng_.Between(0, 20'000);
}

uint64_t Cluster::Drifted(size_t node, uint64_t ticks) const {
  return ticks * drift_ppm_[node] / 1'000'000;
}

void Cluster::Push(Event event) {
  event.seq = seq_++;
  queue_.push(std::move(event));
}

void Cluster::Trace(const std::string& line) {
  std::string entry = std::to_string(now_) + " " + line;
  if (options_.trace_all) std::printf("%s\n", entry.c_str());
  trace_.push_back(std::move(entry));
  if (trace_.size() > kTraceKept) trace_.pop_front();
}

void Cluster::Violation(const std::string& what) {
  if (result_.violations.empty()) {
    for (const std::string& line : trace_) result_.trace += "  " + line + "\n";
  }
  result_.violations.push_back("t=" + std::to_string(now_) + " " + what);
  Trace("VIOLATION " + what);
  done_ = true;
}

void Cluster::ScheduleFaults() {
  const FaultSet& f = options_.faults;
  const uint64_t end = options_.fault_phase_ticks;
  if (f.partition) {
    for (uint64_t t = prng_.Between(0, 3000); t < end; t += prng_.Between(1000, 5000)) {
      uint64_t mask = 0;
      while (mask == 0 || mask == (1ULL << nodes_.size()) - 1) {
        mask = prng_.Below(1ULL << nodes_.size());
      }
      Event split{.time = t, .kind = EventKind::kPartition, .mask = mask};
      Push(split);
      Event heal{.time = std::min(end, t + prng_.Between(300, 4000)), .kind = EventKind::kHeal};
      Push(heal);
    }
  }
  if (f.crash) {
    for (uint64_t t = prng_.Between(0, 4000); t < end; t += prng_.Between(1500, 6000)) {
      size_t node = static_cast<size_t>(prng_.Below(nodes_.size()));
      Event crash{.time = t, .kind = EventKind::kCrash, .node = node,
                  .mask = prng_.Between(50, 4000)};
      Push(crash);
    }
  }
  Push({.time = end, .kind = EventKind::kHeal, .mask = 1});  // the last heal
  for (uint64_t t = 0; t < end + options_.liveness_bound_ticks; t += prng_.Between(30, 400)) {
    Push({.time = t, .kind = EventKind::kSubmit});
  }
}

RunResult Cluster::Run() {
  ScheduleFaults();
  for (size_t i = 0; i < nodes_.size(); ++i) Boot(i);
  const uint64_t deadline = options_.fault_phase_ticks + options_.liveness_bound_ticks;
  while (!queue_.empty() && !done_) {
    Event event = queue_.top();
    queue_.pop();
    if (event.time > deadline) break;
    LOTCHAIN_ASSERT(event.time >= now_);
    now_ = event.time;
    if (++result_.events > kEventsMax) {
      Violation("event budget exhausted (livelock?)");
      break;
    }
    Handle(event);
    if (healed_) CheckLiveness();
  }
  if (!done_) {
    Violation("liveness: not every honest validator decided a new height within " +
              std::to_string(options_.liveness_bound_ticks) + " ticks of the last heal");
  }
  uint64_t heights = UINT64_MAX;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Honest(i)) heights = std::min(heights, nodes_[i]->chain_height());
  }
  result_.heights = heights == UINT64_MAX ? 0 : heights;
  return result_;
}

void Cluster::CheckLiveness() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Honest(i) && nodes_[i]->chain_height() <= heal_height_) return;
  }
  if (result_.violations.empty()) {
    result_.liveness_delay_ticks = now_ - options_.fault_phase_ticks;
    done_ = true;
  }
}

void Cluster::Boot(size_t node) {
  SimNode& n = *nodes_[node];
  n.set_now_ms(static_cast<int64_t>(Drifted(node, now_)));
  Trace("boot n" + std::to_string(node) + " at height " + std::to_string(n.chain_height() + 1));
  Drive(node, n.Boot());
}

void Cluster::Crash(size_t node, uint64_t restart_after) {
  if (!nodes_[node]->up()) return;
  nodes_[node]->Crash();
  Trace("crash n" + std::to_string(node));
  Push({.time = now_ + restart_after, .kind = EventKind::kRestart, .node = node});
}

void Cluster::Heal() {
  Trace("last heal: faults stop");
  partition_mask_ = 0;
  loss_ppm_ = 0;
  crash_persist_ppm_ = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i]->up()) Boot(i);
  }
  healed_ = true;
  heal_height_ = 0;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Honest(i)) heal_height_ = std::max(heal_height_, nodes_[i]->chain_height());
  }
}

void Cluster::Handle(const Event& event) {
  switch (event.kind) {
    case EventKind::kDeliver:
      Deliver(event.node, event.from, *event.payload);
      break;
    case EventKind::kTimer: {
      SimNode& n = *nodes_[event.node];
      if (!n.up() || n.incarnation() != event.incarnation) break;
      n.set_now_ms(static_cast<int64_t>(Drifted(event.node, now_)));
      Drive(event.node, n.engine().OnTimeout(event.timeout));
      break;
    }
    case EventKind::kNextHeight: {
      SimNode& n = *nodes_[event.node];
      if (!n.up() || n.incarnation() != event.incarnation) break;
      n.set_now_ms(static_cast<int64_t>(Drifted(event.node, now_)));
      Drive(event.node, n.engine().StartNextHeight());
      break;
    }
    case EventKind::kSubmit:
      world_.Submit(workload_.Next(prng_));
      break;
    case EventKind::kCrash:
      if (InFaultPhase() && nodes_[event.node]->up()) {
        ++result_.faults[kFaultCrash];
        Crash(event.node, event.mask);
      }
      break;
    case EventKind::kRestart:
      if (!nodes_[event.node]->up()) Boot(event.node);
      break;
    case EventKind::kPartition:
      if (!InFaultPhase()) break;
      ++result_.faults[kFaultPartition];
      partition_mask_ = event.mask;
      Trace("partition mask=" + std::to_string(event.mask));
      break;
    case EventKind::kHeal:
      if (event.mask == 1) {
        Heal();
      } else if (partition_mask_ != 0) {
        partition_mask_ = 0;
        Trace("heal partition");
      }
      break;
  }
}

void Cluster::Send(size_t from, size_t to, const PayloadPtr& payload) {
  const bool side_from = (partition_mask_ >> from) & 1;
  const bool side_to = (partition_mask_ >> to) & 1;
  if (partition_mask_ != 0 && side_from != side_to) {
    ++result_.faults[kFaultPartitionDrop];
    return;
  }
  if (loss_ppm_ != 0 && prng_.ChancePpm(loss_ppm_)) {
    ++result_.faults[kFaultLoss];
    return;
  }
  const int copies = dup_ppm_ != 0 && prng_.ChancePpm(dup_ppm_) ? 2 : 1;
  if (copies == 2) ++result_.faults[kFaultDuplicate];
  for (int c = 0; c < copies; ++c) {
    uint64_t delay = prng_.Between(latency_min_, latency_max_);
    if (tail_ppm_ != 0 && prng_.ChancePpm(tail_ppm_)) {
      ++result_.faults[kFaultDelayTail];
      delay += prng_.Between(200, 3000);
    }
    Push({.time = now_ + delay, .kind = EventKind::kDeliver, .node = to, .from = from,
          .payload = payload});
  }
}

void Cluster::Broadcast(size_t from, const PayloadPtr& payload, uint64_t mask) {
  for (size_t to = 0; to < nodes_.size(); ++to) {
    if (to != from && ((mask >> to) & 1) != 0) Send(from, to, payload);
  }
}

void Cluster::Deliver(size_t to, size_t from, const Payload& payload) {
  SimNode& n = *nodes_[to];
  if (!n.up()) return;
  n.set_now_ms(static_cast<int64_t>(Drifted(to, now_)));
  switch (payload.kind) {
    case Payload::Kind::kProposal:
      Drive(to, n.engine().OnProposal(payload.proposal));
      return;
    case Payload::Kind::kVote:
      Drive(to, n.engine().OnVote(payload.vote));
      return;
    case Payload::Kind::kGarbage: {
      v1::Vote vote;
      v1::Proposal proposal;
      if (payload.garbage.size() % 2 == 0 && vote.ParseFromString(payload.garbage)) {
        Drive(to, n.engine().OnVote(vote));
      } else if (proposal.ParseFromString(payload.garbage)) {
        Drive(to, n.engine().OnProposal(proposal));
      }
      return;
    }
    case Payload::Kind::kSyncRequest: {
      if (n.chain_height() < payload.height || payload.height == 0) return;
      auto reply = std::make_shared<Payload>();
      reply->kind = Payload::Kind::kSyncResponse;
      const ChainEntry& entry = n.chain()[payload.height - 1];
      reply->block = entry.block;
      reply->certificate = entry.certificate;
      reply->height = payload.height;
      reply->peer_height = n.chain_height();
      Send(to, from, reply);
      return;
    }
    case Payload::Kind::kSyncResponse: {
      if (payload.height != n.chain_height() + 1) return;
      Trace("n" + std::to_string(to) + " catch-up h" + std::to_string(payload.height) +
            " from n" + std::to_string(from));
      Drive(to, n.engine().OnCommittedBlock(payload.block, payload.certificate));
      if (n.up() && payload.peer_height > n.chain_height()) {
        auto request = std::make_shared<Payload>();
        request->kind = Payload::Kind::kSyncRequest;
        request->height = n.chain_height() + 1;
        n.last_sync_request_time = now_;
        Send(to, from, request);
      }
      return;
    }
  }
}

// The driver contract of bft::Actions: persist, then send, then timers, then decisions.
void Cluster::Drive(size_t node, bft::Actions first) {
  std::deque<bft::Actions> work;
  work.push_back(std::move(first));
  while (!work.empty() && !done_) {
    bft::Actions actions = std::move(work.front());
    work.pop_front();
    SimNode& n = *nodes_[node];
    if (!n.up()) return;
    if (actions.persist.has_value()) {
      n.disk_sign_state = *actions.persist;
      if (crash_persist_ppm_ != 0 && InFaultPhase() && prng_.ChancePpm(crash_persist_ppm_)) {
        ++result_.faults[kFaultCrashAfterPersist];
        Trace("n" + std::to_string(node) + " crashes between persist and send");
        Crash(node, prng_.Between(50, 2000));
        return;
      }
    }
    SendOut(node, actions);
    for (const bft::TimerRequest& timer : actions.timers) {
      Push({.time = now_ + Drifted(node, timer.delay_ticks), .kind = EventKind::kTimer,
            .node = node, .incarnation = n.incarnation(), .timeout = timer.timeout});
    }
    if (Honest(node)) result_.evidence += actions.evidence.size();
    for (const bft::Decision& decision : actions.decisions) {
      OnDecision(node, decision);
      if (done_) return;
      Push({.time = now_ + Drifted(node, kCommitWaitTicks), .kind = EventKind::kNextHeight,
            .node = node, .incarnation = n.incarnation()});
    }
    if (actions.sync_hint.has_value() && now_ >= n.last_sync_request_time + kSyncIntervalTicks) {
      n.last_sync_request_time = now_;
      auto request = std::make_shared<Payload>();
      request->kind = Payload::Kind::kSyncRequest;
      request->height = *actions.sync_hint;
      size_t peer = static_cast<size_t>(prng_.Below(nodes_.size() - 1));
      if (peer >= node) ++peer;
      Send(node, peer, request);
    }
  }
}

void Cluster::SendOut(size_t node, const bft::Actions& actions) {
  const uint64_t all = (1ULL << nodes_.size()) - 1;
  const uint32_t byz = byz_[node];
  // An equivocating or double-voting node shows each half of the cluster a different message.
  const uint64_t half = prng_.Below(1ULL << nodes_.size());
  for (const v1::Proposal& proposal : actions.proposals) {
    PayloadPtr payload = ProposalPayload(proposal);
    Trace("n" + std::to_string(node) + " proposal h" + std::to_string(payload->height) + " r" +
          std::to_string(payload->round) + " " + Short(payload->hash));
    if ((byz & kByzEquivocate) == 0 || payload->height != nodes_[node]->chain_height() + 1) {
      Broadcast(node, payload, all);
      continue;
    }
    ++result_.faults[kFaultEquivocateProposal];
    v1::ProposalBody body;
    LOTCHAIN_ASSERT(body.ParseFromString(proposal.body()));
    v1::Proposal other = proposal;
    *other.mutable_block() = nodes_[node]->BuildAlternative(body.height(), prng_.Below(2) == 0);
    body.set_block_hash(core::BlockHash(other.block()));
    other.set_body(body.SerializeAsString());
    other.set_signature(world_.validator_keys[nodes_[node]->validator_index()].Sign(
        core::kProposalDomain, world_.genesis.chain_id, other.body()));
    Trace("n" + std::to_string(node) + " EQUIVOCATES with " + Short(body.block_hash()));
    Broadcast(node, payload, half);
    Broadcast(node, ProposalPayload(other), all & ~half);
  }
  for (const v1::Vote& vote : actions.votes) {
    PayloadPtr payload = VotePayload(vote);
    std::string who = "n" + std::to_string(node);
    if (vote.validator() != world_.validator_keys[nodes_[node]->validator_index()].PublicKey()) {
      // A relayed vote (proof of lock): name the validator that signed it.
      std::optional<size_t> signer = world_.validators.IndexOf(vote.validator());
      who += " relays v" + (signer ? std::to_string(*signer) : std::string("?")) + "'s";
    }
    Trace(who + (payload->type == 1 ? " prevote" : " precommit") + " h" +
          std::to_string(payload->height) + " r" + std::to_string(payload->round) + " " +
          Short(payload->hash));
    if ((byz & kByzDoubleVote) != 0) {
      ++result_.faults[kFaultDoubleVote];
      v1::VoteBody body;
      LOTCHAIN_ASSERT(body.ParseFromString(vote.body()));
      body.set_block_hash(body.block_hash().empty() ? prng_.Bytes(32) : "");
      Broadcast(node, payload, half);
      Broadcast(node, VotePayload(SignVote(node, body, false)), all & ~half);
    } else {
      Broadcast(node, payload, all);
    }
    if (byz != 0) ByzantineExtras(node, vote);
  }
}

v1::Vote Cluster::SignVote(size_t node, const v1::VoteBody& body, bool corrupt) {
  v1::Vote vote;
  vote.set_body(body.SerializeAsString());
  const core::SecretKey& key = world_.validator_keys[nodes_[node]->validator_index()];
  vote.set_validator(key.PublicKey());
  vote.set_signature(key.Sign(core::kVoteDomain, world_.genesis.chain_id, vote.body()));
  if (corrupt) vote.mutable_signature()->at(prng_.Below(64)) ^= 0x20;
  return vote;
}

void Cluster::ByzantineExtras(size_t node, const v1::Vote& vote) {
  const uint64_t all = (1ULL << nodes_.size()) - 1;
  const uint32_t byz = byz_[node];
  v1::VoteBody body;
  LOTCHAIN_ASSERT(body.ParseFromString(vote.body()));
  if ((byz & kByzBadSignature) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultBadSignature];
    v1::VoteBody forged = body;
    forged.set_block_hash(prng_.Bytes(32));
    v1::Vote bad = SignVote(node, forged, true);
    // Half the time, claim to be another validator (the signature then cannot verify).
    if (prng_.Below(2) == 0) {
      bad.set_validator(world_.validator_keys[prng_.Below(world_.validator_keys.size())]
                            .PublicKey());
    }
    Broadcast(node, VotePayload(bad), all);
  }
  if ((byz & kByzUnknownBlock) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultUnknownBlockVote];
    v1::VoteBody unknown = body;
    unknown.set_block_hash(prng_.Bytes(32));
    unknown.set_round(body.round() + static_cast<uint32_t>(prng_.Below(3)));
    Broadcast(node, VotePayload(SignVote(node, unknown, false)), all);
  }
  if ((byz & kByzGarbage) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultGarbage];
    auto garbage = std::make_shared<Payload>();
    garbage->kind = Payload::Kind::kGarbage;
    garbage->garbage = prng_.Bytes(static_cast<size_t>(prng_.Between(0, 200)));
    if (prng_.Below(2) == 0) {
      // Mutated real bytes get further into the decoder than pure noise.
      garbage->garbage = vote.SerializeAsString();
      garbage->garbage[prng_.Below(garbage->garbage.size())] ^=
          static_cast<char>(1u << prng_.Below(8));
    }
    Broadcast(node, garbage, all);
  }
}

void Cluster::OnDecision(size_t node, const bft::Decision& decision) {
  SimNode& n = *nodes_[node];
  const std::string hash = core::BlockHash(decision.block);
  const std::string who = "n" + std::to_string(node);
  Trace(who + " DECIDES h" + std::to_string(decision.height) + " " + Short(hash) + " (round " +
        std::to_string(decision.certificate.round()) + ", " +
        std::to_string(decision.certificate.precommits_size()) + " precommits)");
  const bool honest = Honest(node);
  if (honest) {
    core::Status cert = core::VerifyCommitCertificate(world_.validators, decision.certificate,
                                                      {decision.height, hash});
    if (!cert.ok()) return Violation(who + " decided with a bad certificate: " + cert.ToString());
    auto [it, fresh] = decided_.emplace(decision.height, hash);
    if (!fresh && it->second != hash) {
      return Violation("agreement: " + who + " decided " + Short(hash) + " at height " +
                       std::to_string(decision.height) + " but another honest validator decided " +
                       Short(it->second));
    }
    for (const std::string& tx : decision.block.txs()) {
      const std::string tx_hash = core::TxHash(tx);
      if (world_.pool_hashes.count(tx_hash) == 0) {
        return Violation("validity: " + who + " committed a transaction nobody submitted");
      }
      if (n.IsCommitted(tx_hash)) {
        return Violation("no-double-commit: " + who + " committed a transaction twice");
      }
    }
  }
  core::Result<std::string> root = n.Commit(decision);
  if (!root.ok()) {
    if (honest) Violation(who + " cannot execute a decided block: " + root.status().ToString());
    return;
  }
  if (!honest) return;
  result_.txs_committed += static_cast<uint64_t>(decision.block.txs_size());
  auto [it, fresh] = state_roots_.emplace(decision.height, *root);
  if (!fresh && it->second != *root) {
    Violation("state roots differ at height " + std::to_string(decision.height));
  }
}

}  // namespace

const char* FaultName(size_t fault) {
  static const char* const kNames[kFaultCount] = {
      "delay_tail", "loss",      "duplicate",  "partition",     "partition_drop",
      "crash",      "crash_persist_send", "drift", "equivocate_proposal", "double_vote",
      "bad_signature", "unknown_block_vote", "garbage", "twin"};
  LOTCHAIN_ASSERT(fault < kFaultCount);
  return kNames[fault];
}

bool FaultSet::Parse(const std::string& text, FaultSet* out) {
  FaultSet set;
  if (text == "all") {
    set = {true, true, true, true, true, true, true};
  } else if (text != "none") {
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find(',', start);
      if (end == std::string::npos) end = text.size();
      const std::string name = text.substr(start, end - start);
      if (name == "delay") set.delay = true;
      else if (name == "loss") set.loss = true;
      else if (name == "dup") set.duplicate = true;
      else if (name == "partition") set.partition = true;
      else if (name == "crash") set.crash = true;
      else if (name == "drift") set.drift = true;
      else if (name == "byzantine") set.byzantine = true;
      else return false;
      start = end + 1;
    }
  }
  *out = set;
  return true;
}

RunResult RunSeed(const RunOptions& options) {
  Cluster cluster(options);
  return cluster.Run();
}

}  // namespace lotchain::sim
