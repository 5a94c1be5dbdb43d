// MemChainStore: the replica's ChainStore over memory, standing in for RocksDB in the
// simulator and the replica tests. It survives a simulated crash (the replica above it does
// not). Besides storing, it checks what a decided block must satisfy whoever drives the
// replica: the header's state root equals the execution, and no transaction is committed
// twice.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "consensus/bft/block_builder.h"
#include "consensus/core/genesis.h"
#include "node/replica/chain_store.h"

namespace lotchain::testing {

struct ChainEntry {
  v1::Block block;
  v1::CommitCertificate certificate;
  std::string state_root;  // this node's own execution
};

class MemChainStore final : public node::ChainStore {
 public:
  explicit MemChainStore(const core::Genesis& genesis);

  const core::StateReader& state() const override { return state_; }
  core::StateTree tree() const override { return tree_; }
  std::optional<v1::TxStatus> CommittedStatus(std::string_view tx_hash) const override;
  bool GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const override;
  // Errors STATE_ROOT_MISMATCH and INTERNAL ("no-double-commit") are the simulator's own
  // invariants.
  core::Status CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                           const core::ExecutedBlock& executed) override;

  const bft::ChainTip& tip() const { return tip_; }
  const std::vector<ChainEntry>& chain() const { return chain_; }

 private:
  core::MemState state_;
  core::StateTree tree_;  // commits to state_
  bft::ChainTip tip_;
  std::vector<ChainEntry> chain_;
  std::map<std::string, v1::TxStatus, std::less<>> txs_;
};

}  // namespace lotchain::testing
