// ChainStore: what the replica core needs from durable storage. lotchaind implements it over
// RocksDB (node/app/block_store_chain.h); the simulator over memory (tests/sim/sim_store.h).
// Blocks are committed through this port, synchronously, rather than handed out as an action:
// the next height is built and checked on the state the commit wrote, so the core cannot go on
// before it is written. The consensus sign-state, which must be written before votes leave, is
// an output (Outputs::persist) instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/executor.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/block.pb.h"
#include "lotchain/v1/p2p.pb.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::node {

class ChainStore {
 public:
  virtual ~ChainStore() = default;
  // The state after the last committed block, and its tree (Root() = that block's state root).
  virtual const core::StateReader& state() const = 0;
  virtual core::StateTree tree() const = 0;
  // The status of a committed transaction (APPLIED or REJECTED, with its height and result);
  // nullopt when no committed block holds it.
  virtual std::optional<v1::TxStatus> CommittedStatus(std::string_view tx_hash) const = 0;
  // Block and certificate of a committed height, for a peer catching up; false past the tip.
  virtual bool GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const = 0;
  // Writes a decided block atomically with its execution (state, tx index, certificate).
  virtual core::Status CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                                   const core::ExecutedBlock& executed) = 0;
};

}  // namespace lotchain::node
