#include "tests/sim/sim_node.h"

#include <limits>

#include "consensus/core/executor.h"

namespace lotchain::sim {

constexpr int64_t kClockSkewAllowedMs = 30'000;

SimNode::SimNode(World& world, size_t validator_index, bft::EngineConfig config)
    : world_(world), index_(validator_index), config_(std::move(config)) {
  LOTCHAIN_ASSERT(index_ < world_.validator_keys.size());
  state_.Apply(core::GenesisDelta(world_.genesis));
  tree_ = core::StateTree().Apply(core::GenesisDelta(world_.genesis));
  tip_ = {0, world_.genesis.hash, core::GenesisStateRoot(world_.genesis),
          world_.genesis.genesis_time_unix_ms};
}

std::string SimNode::PublicKey() const { return world_.validator_keys[index_].PublicKey(); }

std::string SimNode::Sign(std::string_view domain, std::string_view chain_id,
                          std::string_view bytes) const {
  return world_.validator_keys[index_].Sign(domain, chain_id, bytes);
}

bft::BlockEnv SimNode::Env() const {
  bft::BlockEnv env;
  env.genesis = &world_.genesis;
  env.state = &state_;
  env.tree = tree_;
  env.tip = tip_;
  env.validators_hash = world_.validators_hash;
  env.limits = world_.limits;
  return env;
}

v1::Block SimNode::BuildBlock(uint64_t height, uint32_t round) {
  LOTCHAIN_ASSERT(height == tip_.height + 1);
  std::vector<std::string> candidates;
  for (const PoolTx& tx : world_.pool) {
    if (candidates.size() >= world_.limits.tx_count_max) break;
    if (committed_.count(tx.hash) == 0) candidates.push_back(tx.bytes);
  }
  bft::BuiltBlock built = bft::BuildBlock(Env(), candidates, PublicKey(),
                                          world_.genesis.genesis_time_unix_ms + now_ms_);
  executed_[core::BlockHash(built.block)] = std::move(built.executed);
  return built.block;
}

v1::Block SimNode::BuildAlternative(uint64_t height, bool with_garbage_tx) {
  LOTCHAIN_ASSERT(height == tip_.height + 1);
  std::vector<std::string> candidates;
  for (const PoolTx& tx : world_.pool) {
    if (candidates.size() + 1 >= world_.limits.tx_count_max) break;
    if (committed_.count(tx.hash) == 0) candidates.push_back(tx.bytes);
  }
  if (!candidates.empty()) candidates.pop_back();
  if (with_garbage_tx) candidates.push_back(std::string("\x0a\x03xyz\x12\x01q", 9));
  bft::BuiltBlock built = bft::BuildBlock(Env(), candidates, PublicKey(),
                                          world_.genesis.genesis_time_unix_ms + now_ms_ + 7);
  return built.block;
}

bool SimNode::ValidateBlock(uint64_t height, const v1::Block& block) {
  if (height != tip_.height + 1) return false;
  const std::string hash = core::BlockHash(block);
  if (executed_.count(hash) != 0) return true;
  core::Result<core::ExecutedBlock> checked = bft::CheckBlock(
      Env(), block, *this, *this, world_.genesis.genesis_time_unix_ms + now_ms_ + kClockSkewAllowedMs);
  if (!checked.ok()) return false;
  executed_[hash] = std::move(checked).value();
  return true;
}

bool SimNode::IsCommitted(std::string_view tx_hash) const { return committed_.count(tx_hash) != 0; }

bool SimNode::SignatureChecked(std::string_view tx_hash) const {
  return world_.pool_hashes.count(std::string(tx_hash)) != 0;
}

bft::Actions SimNode::Boot() {
  LOTCHAIN_ASSERT(engine_ == nullptr);
  ++incarnation_;
  last_sync_request_time = 0;
  executed_.clear();
  engine_ = std::make_unique<bft::Engine>(config_, *this, world_.verifier, *this);
  const v1::SignState* restored = disk_sign_state ? &*disk_sign_state : nullptr;
  core::Result<bft::Actions> started = engine_->Start(tip_.height + 1, restored);
  LOTCHAIN_ASSERT(started.ok());
  return std::move(started).value();
}

void SimNode::Crash() {
  engine_.reset();
  executed_.clear();
}

core::Result<std::string> SimNode::Commit(const bft::Decision& decision) {
  LOTCHAIN_ASSERT(decision.height == tip_.height + 1);
  const std::string hash = core::BlockHash(decision.block);
  auto it = executed_.find(hash);
  if (it == executed_.end()) {
    // Catch-up: the block was fetched with its certificate; execute it now.
    core::Result<core::ExecutedBlock> checked =
        bft::CheckBlock(Env(), decision.block, *this, *this, std::numeric_limits<int64_t>::max());
    if (!checked.ok()) return checked.status();
    it = executed_.emplace(hash, std::move(checked).value()).first;
  }
  const core::ExecutedBlock& executed = it->second;
  v1::BlockHeader header;
  LOTCHAIN_ASSERT(header.ParseFromString(decision.block.header()));
  if (header.state_root() != executed.state_root) {
    return core::Status("STATE_ROOT_MISMATCH", "decided header's state root differs from execution");
  }
  state_.Apply(executed.delta);
  tree_ = executed.tree;
  tip_ = {decision.height, hash, executed.state_root, header.time_unix_ms()};
  chain_.push_back({decision.block, decision.certificate, executed.state_root});
  for (const std::string& tx : decision.block.txs()) committed_.insert(core::TxHash(tx));
  executed_.clear();
  return tip_.state_root;
}

}  // namespace lotchain::sim
