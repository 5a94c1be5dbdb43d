// One simulated validator: the production engine plus an application over in-memory state that
// builds and checks blocks with the real custody executor (bft::BuildBlock / bft::CheckBlock).
// "Durable" members survive Crash() (they model RocksDB); the engine and caches do not.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/bft/block_builder.h"
#include "consensus/bft/engine.h"
#include "tests/sim/world.h"

namespace lotchain::sim {

struct ChainEntry {
  v1::Block block;
  v1::CommitCertificate certificate;
  std::string state_root;  // this node's own execution
};

class SimNode final : public bft::BlockApp,
                      public bft::Signer,
                      public bft::TxIndex,
                      public bft::SignatureCache {
 public:
  SimNode(World& world, size_t validator_index, bft::EngineConfig config);

  std::string PublicKey() const override;
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override;
  v1::Block BuildBlock(uint64_t height, uint32_t round) override;
  bool ValidateBlock(uint64_t height, const v1::Block& block) override;
  bool IsCommitted(std::string_view tx_hash) const override;
  bool SignatureChecked(std::string_view tx_hash) const override;

  // (Re)creates the engine from durable state: chain height and the persisted sign-state.
  bft::Actions Boot();
  void Crash();
  // Executes and stores a decided block; returns this node's state root, or an error when the
  // block does not execute to its header (a certified block that fails locally is a bug).
  core::Result<std::string> Commit(const bft::Decision& decision);
  // Byzantine helper: another block for the same height (different time; maybe a garbage tx).
  v1::Block BuildAlternative(uint64_t height, bool with_garbage_tx);

  bft::Engine& engine() { return *engine_; }
  bool up() const { return engine_ != nullptr; }
  uint64_t incarnation() const { return incarnation_; }
  size_t validator_index() const { return index_; }
  uint64_t chain_height() const { return tip_.height; }
  const std::vector<ChainEntry>& chain() const { return chain_; }
  void set_now_ms(int64_t local_ms) { now_ms_ = local_ms; }

  std::optional<v1::SignState> disk_sign_state;  // durable
  uint64_t last_sync_request_time = 0;             // volatile, reset on Boot

 private:
  bft::BlockEnv Env() const;

  World& world_;
  size_t index_;
  bft::EngineConfig config_;
  // Durable.
  core::MemState state_;
  core::StateTree tree_;  // commits to state_
  bft::ChainTip tip_;
  std::vector<ChainEntry> chain_;
  std::set<std::string, std::less<>> committed_;
  // Volatile.
  std::unique_ptr<bft::Engine> engine_;
  uint64_t incarnation_ = 0;
  std::map<std::string, core::ExecutedBlock> executed_;  // by block hash, this height
  int64_t now_ms_ = 0;
};

}  // namespace lotchain::sim
