#include "tests/sim/cluster.h"

#include <cinttypes>
#include <cstdio>

#include "consensus/core/certificate.h"
#include "consensus/core/custody.h"
#include "consensus/core/executor.h"
#include "tests/sim/cluster_impl.h"

namespace lotchain::sim {

std::string Short(const std::string& hash) {
  if (hash.empty()) return "nil";
  return core::ToHex(hash.substr(0, 3));
}

PayloadPtr MessagePayload(v1::P2pMessage message) {
  auto p = std::make_shared<Payload>();
  if (message.has_vote()) {
    v1::VoteBody body;
    if (body.ParseFromString(message.vote().body())) {
      p->height = body.height();
      p->round = body.round();
      p->type = static_cast<int>(body.type());
      p->hash = body.block_hash();
    }
  } else if (message.has_proposal()) {
    p->type = -1;
    v1::ProposalBody body;
    if (body.ParseFromString(message.proposal().body())) {
      p->height = body.height();
      p->round = body.round();
      p->hash = body.block_hash();
    }
  }
  p->message = std::move(message);
  return p;
}

Cluster::Cluster(const RunOptions& options)
    : options_(options),
      prng_(options.seed),
      world_(options.validators, options.governance),
      workload_(world_.genesis, world_.miner_keys, world_.miner_orgs) {
  LOTCHAIN_ASSERT(options_.byzantine * 3 < options_.validators);
  node::ReplicaConfig config;
  config.genesis = &world_.genesis;
  config.schedule = &*world_.schedule;
  config.engine.timeout_propose_ticks = 800;
  config.engine.timeout_prevote_ticks = 400;
  config.engine.timeout_precommit_ticks = 400;
  config.engine.timeout_delta_ticks = 200;
  config.engine.timeout_max_ticks = 6000;
  config.engine.resend_ticks = 700;
  config.block_delay_ms = kBlockDelayTicks;
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
  if (options_.governance) {  // the standby: honest, outside the genesis set
    nodes_.push_back(std::make_unique<SimNode>(world_, options_.validators, config));
    byz_.push_back(0);
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
  if (prng_.Below(2) == 0) gateway_ = static_cast<size_t>(prng_.Below(nodes_.size()));
  bursty_ = prng_.Below(2) == 0;
}

int64_t Cluster::LocalMs(size_t node) const {
  return world_.genesis.genesis_time_unix_ms + static_cast<int64_t>(Drifted(node, now_));
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
  if (options_.governance) {  // mask 0: vote the standby in; 1: vote it out
    Push({.time = prng_.Between(200, end / 2), .kind = EventKind::kGovern, .mask = 0});
    Push({.time = prng_.Between(end / 2, end - 200), .kind = EventKind::kGovern, .mask = 1});
  }
  Push({.time = end, .kind = EventKind::kHeal, .mask = 1});  // the last heal
  // Bursty seeds leave the network idle between bursts, so heights start from cold.
  for (uint64_t t = 0; t < end + options_.liveness_bound_ticks;
       t += bursty_ && prng_.Below(8) == 0 ? prng_.Between(1000, 3000) : prng_.Between(30, 400)) {
    Push({.time = t, .kind = EventKind::kSubmit});
  }
}

RunResult Cluster::Run() {
  ScheduleFaults();
  for (size_t i = 0; i < nodes_.size(); ++i) Boot(i);
  const uint64_t deadline =
      options_.fault_phase_ticks + options_.liveness_bound_ticks + kQuiescenceDeadlineTicks;
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
    if (healed_ && !live_) CheckLiveness();
    if (live_ && !done_) CheckQuiescence();
  }
  if (!live_) {
    Violation("liveness: not every honest validator decided a new height within " +
              std::to_string(options_.liveness_bound_ticks) + " ticks of the last heal");
  } else if (!done_) {
    Violation("quiescence: honest mempools did not drain within " +
              std::to_string(kQuiescenceDeadlineTicks) + " ticks of clients stopping");
  }
  uint64_t heights = UINT64_MAX;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (Honest(i)) heights = std::min(heights, nodes_[i]->chain_height());
  }
  result_.heights = heights == UINT64_MAX ? 0 : heights;
  return result_;
}

void Cluster::Boot(size_t node) {
  SimNode& n = *nodes_[node];
  Trace("boot n" + std::to_string(node) + " at height " + std::to_string(n.chain_height() + 1));
  n.Boot(LocalMs(node));
  Push({.time = now_ + Drifted(node, kTickTicks), .kind = EventKind::kTick, .node = node,
        .incarnation = n.incarnation()});
  Process(node);
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
      n.replica().OnTimer(event.timer_id, LocalMs(event.node));
      Process(event.node);
      break;
    }
    case EventKind::kTick: {
      SimNode& n = *nodes_[event.node];
      if (!n.up() || n.incarnation() != event.incarnation) break;
      n.replica().OnTick(LocalMs(event.node));
      Push({.time = now_ + Drifted(event.node, kTickTicks), .kind = EventKind::kTick,
            .node = event.node, .incarnation = n.incarnation()});
      Process(event.node);
      break;
    }
    case EventKind::kSubmit:
      Submit();
      break;
    case EventKind::kGovern:
      Govern(event.mask);
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

// A client hands a new transaction to one validator, which checks its signature and admits
// it; gossip carries it to the rest. On gateway seeds every client uses one node (failing
// over to the next one up, as `lotchain --node a,b` does), so the others learn of
// transactions only through gossip and proposals; otherwise each picks any node.
void Cluster::Submit() {
  if (live_) return;  // clients have stopped: the quiescence check runs
  std::string bytes = workload_.Next(prng_);
  world_.Submit(bytes);
  size_t to = static_cast<size_t>(prng_.Below(nodes_.size()));
  if (gateway_.has_value()) {
    to = *gateway_;
    for (size_t tries = 0; tries < nodes_.size() && !nodes_[to]->up(); ++tries) {
      to = (to + 1) % nodes_.size();
    }
  }
  SimNode& n = *nodes_[to];
  if (!n.up()) return;  // that client's node is down: the transaction is lost
  v1::SignedTx envelope;
  auto body = core::CheckTxStateless(world_.genesis, bytes, true, &envelope);
  LOTCHAIN_ASSERT(body.ok());
  (void)n.replica().SubmitTx({core::TxHash(bytes), std::move(bytes), envelope.signer(),
                              body->nonce()},
                             LocalMs(to));
  Process(to);
}

void Cluster::Deliver(size_t to, size_t from, const Payload& payload) {
  SimNode& n = *nodes_[to];
  if (!n.up()) return;
  v1::P2pMessage decoded;
  const v1::P2pMessage* message = &payload.message;
  if (payload.garbage) {
    if (!decoded.ParseFromString(payload.bytes)) return;  // lotchaind drops undecodable frames
    message = &decoded;
  }
  if (message->has_txs()) {
    // lotchaind's verify pool: the stateless checks and the signature, then admission.
    std::vector<node::VerifiedTx> verified;
    for (const std::string& tx : message->txs().txs()) {
      const std::string hash = core::TxHash(tx);
      v1::SignedTx envelope;
      auto body = core::CheckTxStateless(world_.genesis, tx, world_.pool_hashes.count(hash) != 0,
                                         &envelope);
      if (body.ok()) verified.push_back({hash, tx, envelope.signer(), body->nonce()});
    }
    n.replica().AdmitGossiped(std::move(verified), LocalMs(to));
    return Process(to);
  }
  if (message->has_block_response() && message->block_response().blocks_size() > 0) {
    const auto& blocks = message->block_response().blocks();
    Trace("n" + std::to_string(to) + " catch-up h" +
          std::to_string(blocks[0].certificate().height()) + "..h" +
          std::to_string(blocks[blocks.size() - 1].certificate().height()) + " from n" +
          std::to_string(from));
  }
  n.replica().OnPeerMessage(std::to_string(from), *message, LocalMs(to));
  Process(to);
}

// The driver contract of node::Replica (replica.h): persist, then send, then timers, then
// report; what lotchaind's shell does with real disks, sockets and timers.
void Cluster::Process(size_t node) {
  SimNode& n = *nodes_[node];
  if (!n.up() || done_) return;
  node::Outputs out = n.replica().TakeOutputs();
  if (out.persist.has_value()) {
    n.disk_sign_state = *out.persist;
    if (crash_persist_ppm_ != 0 && InFaultPhase() && prng_.ChancePpm(crash_persist_ppm_)) {
      ++result_.faults[kFaultCrashAfterPersist];
      Trace("n" + std::to_string(node) + " crashes between persist and send");
      return Crash(node, prng_.Between(50, 2000));
    }
  }
  SendOut(node, out.messages);
  for (const node::TimerSet& timer : out.timers) {
    Push({.time = now_ + Drifted(node, static_cast<uint64_t>(timer.delay_ms)),
          .kind = EventKind::kTimer, .node = node, .incarnation = n.incarnation(),
          .timer_id = timer.id});
  }
  if (Honest(node)) result_.evidence += out.evidence.size();
  for (const node::CommittedBlock& commit : out.commits) {
    OnCommit(node, commit);
    if (done_) return;
  }
  if (out.fatal.has_value()) {
    const std::string who = "n" + std::to_string(node);
    if (Honest(node)) return Violation(who + " stopped: " + *out.fatal);
    Trace(who + " (Byzantine) stopped: " + *out.fatal);
    Crash(node, prng_.Between(50, 2000));
  }
}

const char* FaultName(size_t fault) {
  static const char* const kNames[kFaultCount] = {
      "delay_tail", "loss",      "duplicate",  "partition",     "partition_drop",
      "crash",      "crash_persist_send", "drift", "equivocate_proposal", "double_vote",
      "bad_signature", "unknown_block_vote", "garbage", "twin", "validator_change",
      "change_in_partition"};
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
