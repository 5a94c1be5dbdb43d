// One simulated validator: the node's own replica core (node/replica/replica.h) over an
// in-memory store. Durable members (the store, the persisted sign-state) survive Crash(); the
// replica, with its engine, mempool and caches, does not.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "node/replica/replica.h"
#include "tests/support/mem_chain_store.h"
#include "tests/sim/world.h"

namespace lotchain::sim {

class SimNode final : public bft::Signer, public bft::SignatureCache {
 public:
  SimNode(World& world, size_t validator_index, node::ReplicaConfig config);

  std::string PublicKey() const override;
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override;
  // Every submitted transaction was verified when it entered the world's pool.
  bool SignatureChecked(std::string_view tx_hash) const override;

  // (Re)creates the replica from durable state: the store and the persisted sign-state.
  void Boot(int64_t now_ms);
  void Crash();
  // Byzantine helper: another block for the same height (different time; maybe a garbage tx).
  v1::Block BuildAlternative(uint64_t height, bool with_garbage_tx, int64_t now_ms);

  node::Replica& replica() { return *replica_; }
  bool up() const { return replica_ != nullptr; }
  uint64_t incarnation() const { return incarnation_; }
  size_t validator_index() const { return index_; }
  uint64_t chain_height() const { return store_.tip().height; }
  const testing::MemChainStore& store() const { return store_; }

  std::optional<v1::SignState> disk_sign_state;  // durable

 private:
  World& world_;
  size_t index_;
  node::ReplicaConfig config_;
  testing::MemChainStore store_;  // durable
  // Read from the store at each boot, as lotchaind does, then refreshed by the replica.
  std::optional<core::ChainValidatorSchedule> schedule_;
  std::unique_ptr<node::Replica> replica_;
  uint64_t incarnation_ = 0;
};

}  // namespace lotchain::sim
