// Replica: creation, the engine's action contract, block building and checking, commits and
// the lazy start of heights.
#include "node/replica/replica.h"

#include <limits>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/proto_parse.h"

namespace lotchain::node {

#ifdef LOTCHAIN_REPLICA_BREAK_EARLY_ACTIVATION
namespace {
// Planted bug for the simulator's bite test (tests/sim/CMakeLists.txt): on the first genesis
// validator only, every scheduled validator set takes effect one height early.
class EarlySchedule final : public core::ValidatorSchedule {
 public:
  explicit EarlySchedule(const core::ValidatorSchedule& inner) : inner_(inner) {}
  const core::ValidatorSet& At(uint64_t height) const override { return inner_.At(height + 1); }
  const std::vector<core::GenesisValidator>& EntriesAt(uint64_t height) const override {
    return inner_.EntriesAt(height + 1);
  }

 private:
  const core::ValidatorSchedule& inner_;
};
}  // namespace
#endif

core::Result<std::unique_ptr<Replica>> Replica::Create(ReplicaConfig config, ReplicaPorts ports,
                                                       bft::ChainTip tip,
                                                       std::optional<v1::SignState> restored) {
  LOTCHAIN_ASSERT(config.genesis != nullptr && config.schedule != nullptr);
  LOTCHAIN_ASSERT(ports.signer && ports.verifier && ports.verified && ports.store);
  if (restored.has_value() && restored->height() > tip.height + 1) {
    return core::Status("STATE_AHEAD",
                        "the consensus sign-state is for height " +
                            std::to_string(restored->height()) + " but the store ends at " +
                            std::to_string(tip.height) +
                            ": blocks this validator decided are missing from its store; "
                            "restore the store from a backup rather than risk signing twice");
  }
  return std::unique_ptr<Replica>(
      new Replica(std::move(config), ports, std::move(tip), std::move(restored)));
}

Replica::Replica(ReplicaConfig config, ReplicaPorts ports, bft::ChainTip tip,
                 std::optional<v1::SignState> restored)
    : config_(std::move(config)),
      ports_(ports),
      tip_(std::move(tip)),
      restored_(std::move(restored)),
      mempool_(config_.mempool) {
  limits_.tx_count_max = config_.genesis->policy.block_max_txs;
  limits_.bytes_max = config_.genesis->policy.block_max_bytes;
  ReadValidatorHashes();
}

void Replica::ReadValidatorHashes() {
  validators_hash_ = config_.schedule->At(tip_.height + 1).Hash();
  next_validators_hash_ = config_.schedule->At(tip_.height + 2).Hash();
}

void Replica::Boot(int64_t now_ms) {
  now_ms_ = now_ms;
  if (restored_.has_value() && restored_->height() == tip_.height + 1) StartNextHeightNow();
}

Outputs Replica::TakeOutputs() {
  FlushGossip();
  Outputs out = std::move(out_);
  out_ = Outputs{};
  if (out.fatal.has_value()) out_.fatal = out.fatal;  // stays stopped
  return out;
}

void Replica::Fatal(std::string what) {
  if (!out_.fatal.has_value()) out_.fatal = std::move(what);
}

bft::BlockEnv Replica::Env() const {
  bft::BlockEnv env;
  env.genesis = config_.genesis;
  env.state = &ports_.store->state();
  env.tree = ports_.store->tree();
  env.tip = tip_;
  env.validators_hash = validators_hash_;
  env.next_validators_hash = next_validators_hash_;
  env.limits = limits_;
  return env;
}

v1::Block Replica::BuildBlock(uint64_t height, uint32_t /*round*/) {
  LOTCHAIN_ASSERT(height == tip_.height + 1);
  std::vector<std::string> candidates;
  for (const MempoolEntry* entry : mempool_.Reap(limits_.tx_count_max, limits_.bytes_max)) {
    candidates.push_back(entry->signed_tx);
  }
  bft::BuiltBlock built =
      bft::BuildBlock(Env(), candidates, ports_.signer->PublicKey(), now_ms_, this);
  executed_[core::BlockHash(built.block)] = std::move(built.executed);
  return built.block;
}

bool Replica::ValidateBlock(uint64_t height, const v1::Block& block) {
  if (height != tip_.height + 1) return false;
  std::string hash = core::BlockHash(block);
  if (executed_.count(hash) != 0) return true;
  auto checked =
      bft::CheckBlock(Env(), block, *this, *this, now_ms_ + config_.clock_skew_allowed_ms);
  if (!checked.ok()) {
    out_.rejected_blocks.push_back({height, hash, checked.status()});
    return false;
  }
  // Every tx of the block is in the driver's verified set now (SignaturePassed marks each as
  // CheckBlock goes), so gossip of them arriving later is admitted without a second check.
  executed_[hash] = std::move(checked).value();
  return true;
}

// The mempool never holds a committed tx (admission takes only nonces above the committed
// one, and each commit removes the block's txs before anything else runs), so a mempool hit
// answers without a tx-index read.
bool Replica::IsCommitted(std::string_view tx_hash) const {
  if (mempool_.Contains(tx_hash)) return false;
  return ports_.store->CommittedStatus(tx_hash).has_value();
}

bool Replica::SignatureChecked(std::string_view tx_hash) const {
  return mempool_.Contains(tx_hash) || ports_.verified->SignatureChecked(tx_hash);
}

void Replica::SignaturePassed(std::string_view tx_hash) const {
  ports_.verified->SignaturePassed(tx_hash);
}

// Carries out engine outputs in the contract's order. Outputs produced while handling outputs
// (StartNextHeight after a decision) are queued, not handled recursively.
void Replica::Drive(bft::Actions actions) {
  pending_actions_.push_back(std::move(actions));
  if (driving_) return;
  driving_ = true;
  while (!pending_actions_.empty() && !stopped()) {
    bft::Actions next = std::move(pending_actions_.front());
    pending_actions_.pop_front();
    DriveOne(next);
  }
  pending_actions_.clear();
  driving_ = false;
}

void Replica::DriveOne(bft::Actions& actions) {
  // The latest sign-state covers every vote signed so far; the driver writes it before any
  // message of these Outputs leaves.
  if (actions.persist.has_value()) out_.persist = std::move(actions.persist);
  for (auto& proposal : actions.proposals) {
    v1::P2pMessage message;
    *message.mutable_proposal() = std::move(proposal);
    Send("", std::move(message));
  }
  for (auto& vote : actions.votes) {
    v1::P2pMessage message;
    *message.mutable_vote() = std::move(vote);
    Send("", std::move(message));
  }
  for (const auto& timer : actions.timers) {
    const uint64_t id = next_timer_id_++;
    engine_timers_.emplace(id, timer.timeout);
    out_.timers.push_back({id, static_cast<int64_t>(timer.delay_ticks)});
  }
  for (auto& evidence : actions.evidence) out_.evidence.push_back(std::move(evidence));
  for (const auto& decision : actions.decisions) {
    CommitDecision(decision);
    if (stopped()) return;
  }
  if (actions.sync_hint.has_value()) RequestFromBestPeer();
}

void Replica::OnTimer(uint64_t id, int64_t now_ms) {
  if (stopped()) return;
  now_ms_ = now_ms;
  if (start_timer_ == id) {
    start_timer_.reset();
    if (phase_ != HeightPhase::kRunning) StartNextHeightNow();
    return;
  }
  auto it = engine_timers_.find(id);
  if (it == engine_timers_.end()) return;
  const bft::Timeout timeout = it->second;
  engine_timers_.erase(it);
  if (phase_ != HeightPhase::kRunning || timeout.height != engine_->height()) return;
  Drive(engine_->OnTimeout(timeout));
}

void Replica::OnTick(int64_t now_ms) {
  if (stopped()) return;
  now_ms_ = now_ms;
  BroadcastStatus();
  RelayIfNotValidator();
  MaybeStartNextHeight();
}

void Replica::CommitDecision(const bft::Decision& decision) {
  const std::string hash = core::BlockHash(decision.block);
  LOTCHAIN_ASSERT(decision.height == tip_.height + 1);
  auto cached = executed_.find(hash);
  core::ExecutedBlock executed;
  if (cached != executed_.end()) {
    executed = std::move(cached->second);
  } else {
    // Decided through catch-up without having validated it: execute now. A certified block
    // that does not execute to its header means this node diverged: stop rather than fork.
    auto checked = bft::CheckBlock(Env(), decision.block, *this, *this,
                                   std::numeric_limits<int64_t>::max());
    if (!checked.ok()) {
      return Fatal("certified block " + core::ToHex(hash) + " at height " +
                   std::to_string(decision.height) + " does not execute here: " +
                   checked.status().ToString());
    }
    executed = std::move(checked).value();
  }
  core::Status stored = ports_.store->CommitBlock(decision.block, decision.certificate, executed);
  if (!stored.ok()) return Fatal("cannot store block: " + stored.ToString());
  executed_.clear();
  v1::BlockHeader header;
  core::ParseOwnOrDie(header, decision.block.header());
  tip_ = {decision.height, hash, executed.state_root, header.time_unix_ms()};
  // Governance may have scheduled a set for tip + 2: known before that height starts.
  auto added = config_.schedule->Refresh(ports_.store->state());
  if (!added.ok()) return Fatal("the committed validator schedule is unusable: " + added.status().ToString());
  if (*added > 0) out_.validator_sets_changed = true;
  ReadValidatorHashes();
  phase_ = HeightPhase::kIdle;
  behind_since_ms_.reset();

  std::vector<std::string> hashes;
  hashes.reserve(executed.results.size());
  for (const auto& result : executed.results) hashes.push_back(result.tx_hash());
  mempool_.RemoveCommitted(hashes,
                           [this](const std::string& signer) { return CommittedNonce(signer); });
  out_.commits.push_back({decision.height, hash, executed.state_root, header.time_unix_ms(),
                            decision.block, decision.certificate, std::move(executed.results)});
  BroadcastStatus();
  MaybeStartNextHeight();
}

// Begins the next height when there is something to order: right away when a block's worth of
// transactions waits or a peer is ahead, after block_delay_ms when fewer wait, and not at all
// on an idle network (no empty blocks). A peer's message for the next height also starts it
// (OnConsensusInput).
void Replica::MaybeStartNextHeight() {
  if (phase_ == HeightPhase::kRunning || stopped()) return;
  const bool behind = best_peer_height_ > tip_.height;
  if (behind || mempool_.size() >= limits_.tx_count_max) return StartNextHeightNow();
  if (mempool_.size() == 0 || start_timer_.has_value()) return;
  start_timer_ = next_timer_id_++;
  out_.timers.push_back({*start_timer_, config_.block_delay_ms});
}

void Replica::StartNextHeightNow() {
  if (phase_ == HeightPhase::kRunning || stopped()) return;
  const bool first = phase_ == HeightPhase::kNotStarted;
  phase_ = HeightPhase::kRunning;
  start_timer_.reset();  // if armed, its firing is now ignored
  if (first) {
    bft::EngineConfig engine_config = config_.engine;
    engine_config.schedule = config_.schedule;  // the set of every height it runs
#ifdef LOTCHAIN_REPLICA_BREAK_EARLY_ACTIVATION
    static thread_local std::vector<std::unique_ptr<EarlySchedule>> early;  // bug, see top
    if (ports_.signer->PublicKey() == config_.genesis->validators.front().public_key) {
      early.push_back(std::make_unique<EarlySchedule>(*config_.schedule));
      engine_config.schedule = early.back().get();
    }
#endif
    bft::BlockApp& app = *this;
    engine_ = std::make_unique<bft::Engine>(engine_config, *ports_.signer, *ports_.verifier, app);
    auto started = engine_->Start(tip_.height + 1, restored_ ? &*restored_ : nullptr);
    restored_.reset();
    if (!started.ok()) return Fatal("consensus engine refused to start: " + started.status().ToString());
    return Drive(std::move(started).value());
  }
  if (engine_->height() == tip_.height + 1 && !engine_->decided()) return;  // already running
  Drive(engine_->StartNextHeight());
}

}  // namespace lotchain::node
