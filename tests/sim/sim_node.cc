#include "tests/sim/sim_node.h"

#include "consensus/core/executor.h"

namespace lotchain::sim {

SimNode::SimNode(World& world, size_t validator_index, node::ReplicaConfig config)
    : world_(world), index_(validator_index), config_(std::move(config)), store_(world.genesis) {
  LOTCHAIN_ASSERT(index_ < world_.validator_keys.size());
}

std::string SimNode::PublicKey() const { return world_.validator_keys[index_].PublicKey(); }

std::string SimNode::Sign(std::string_view domain, std::string_view chain_id,
                          std::string_view bytes) const {
  return world_.validator_keys[index_].Sign(domain, chain_id, bytes);
}

bool SimNode::SignatureChecked(std::string_view tx_hash) const {
  return world_.pool_hashes.count(std::string(tx_hash)) != 0;
}

void SimNode::Boot(int64_t now_ms) {
  LOTCHAIN_ASSERT(replica_ == nullptr);
  ++incarnation_;
  node::ReplicaPorts ports{.signer = this, .verifier = &world_.verifier, .verified = this,
                           .store = &store_};
  schedule_.emplace(core::ChainValidatorSchedule::Load(world_.genesis, store_.state()).value());
  config_.schedule = &*schedule_;
  auto created = node::Replica::Create(config_, ports, store_.tip(), disk_sign_state);
  LOTCHAIN_ASSERT(created.ok());
  replica_ = std::move(created).value();
  replica_->Boot(now_ms);
}

void SimNode::Crash() { replica_.reset(); }

v1::Block SimNode::BuildAlternative(uint64_t height, bool with_garbage_tx, int64_t now_ms) {
  LOTCHAIN_ASSERT(height == chain_height() + 1);
  std::vector<std::string> candidates;
  for (const PoolTx& tx : world_.pool) {
    if (candidates.size() + 1 >= world_.limits.tx_count_max) break;
    if (!store_.CommittedStatus(tx.hash).has_value()) candidates.push_back(tx.bytes);
  }
  if (!candidates.empty()) candidates.pop_back();
  if (with_garbage_tx) candidates.push_back(std::string("\x0a\x03xyz\x12\x01q", 9));
  bft::BlockEnv env;
  env.genesis = &world_.genesis;
  env.state = &store_.state();
  env.tree = store_.tree();
  env.tip = store_.tip();
  env.validators_hash = world_.validators_hash;
  env.next_validators_hash = world_.validators_hash;  // the simulator's set does not change
  env.limits = world_.limits;
  return bft::BuildBlock(env, candidates, PublicKey(), now_ms + 7).block;
}

}  // namespace lotchain::sim
