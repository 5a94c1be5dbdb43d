// BlockStoreChain: the replica's ChainStore port over lotchaind's RocksDB BlockStore.
#pragma once

#include "node/replica/chain_store.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

class BlockStoreChain final : public ChainStore {
 public:
  explicit BlockStoreChain(BlockStore& store) : store_(store) {}

  const core::StateReader& state() const override { return store_.state(); }
  core::StateTree tree() const override { return store_.tree(); }
  std::optional<v1::TxStatus> CommittedStatus(std::string_view tx_hash) const override;
  bool GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const override;
  core::Status CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                           const core::ExecutedBlock& executed) override {
    return store_.CommitBlock(block, certificate, executed);
  }

 private:
  BlockStore& store_;
};

}  // namespace lotchain::node
