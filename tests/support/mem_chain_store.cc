#include "tests/support/mem_chain_store.h"

#include "consensus/core/certificate.h"
#include "consensus/core/executor.h"

namespace lotchain::testing {

MemChainStore::MemChainStore(const core::Genesis& genesis) {
  state_.Apply(core::GenesisDelta(genesis));
  tree_ = core::StateTree().Apply(core::GenesisDelta(genesis));
  tip_ = {0, genesis.hash, core::GenesisStateRoot(genesis), genesis.genesis_time_unix_ms};
}

std::optional<v1::TxStatus> MemChainStore::CommittedStatus(std::string_view tx_hash) const {
  auto it = txs_.find(tx_hash);
  if (it == txs_.end()) return std::nullopt;
  return it->second;
}

bool MemChainStore::GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const {
  if (height == 0 || height > chain_.size()) return false;
  *out->mutable_block() = chain_[height - 1].block;
  *out->mutable_certificate() = chain_[height - 1].certificate;
  return true;
}

core::Status MemChainStore::CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                                   const core::ExecutedBlock& executed) {
  v1::BlockHeader header;
  if (!header.ParseFromString(block.header())) {
    return core::Status("BAD_BLOCK", "the decided block's header does not parse");
  }
  if (header.state_root() != executed.state_root) {
    return core::Status("STATE_ROOT_MISMATCH", "decided header's state root differs from execution");
  }
  for (const std::string& tx : block.txs()) {
    if (txs_.count(core::TxHash(tx)) != 0) {
      return core::Status("INTERNAL", "no-double-commit: a transaction of this block is already committed");
    }
  }
  state_.Apply(executed.delta);
  tree_ = executed.tree;
  tip_ = {tip_.height + 1, core::BlockHash(block), executed.state_root, header.time_unix_ms()};
  chain_.push_back({block, certificate, executed.state_root});
  for (size_t i = 0; i < executed.results.size(); ++i) {
    v1::TxStatus status;
    status.set_tx_hash(executed.results[i].tx_hash());
    status.set_status(executed.results[i].code() == v1::TX_CODE_OK ? v1::TX_STATUS_APPLIED
                                                                   : v1::TX_STATUS_REJECTED);
    status.set_height(tip_.height);
    status.set_index(static_cast<uint32_t>(i));
    *status.mutable_result() = executed.results[i];
    txs_.emplace(executed.results[i].tx_hash(), std::move(status));
  }
  return core::Status::Ok();
}

}  // namespace lotchain::testing
