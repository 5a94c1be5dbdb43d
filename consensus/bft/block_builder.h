// Building and checking blocks (execute-then-vote). The proposer fills a block from candidate
// transactions up to count and byte limits and executes it with core::ExecuteBlock, so the
// header commits to tx_root, results_root and the post-state root. A validator re-executes a
// proposed block and accepts it only if every header field matches its own execution.
// Pure functions over the given state; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::bft {

inline constexpr uint64_t kHeaderBytesMax = 1024;
inline constexpr uint64_t kTxFramingBytes = 8;  // protobuf tag + length of one tx in a Block

struct BlockLimits {
  uint32_t tx_count_max = 2000;
  uint64_t bytes_max = 4u << 20;  // serialized Block, header included
};

// The last decided block (or genesis, height 0).
struct ChainTip {
  uint64_t height = 0;
  std::string block_hash;  // genesis hash at height 0
  std::string state_root;
  int64_t time_unix_ms = 0;
};

// The node's committed-transaction index: a block may not repeat a committed transaction.
class TxIndex {
 public:
  virtual ~TxIndex() = default;
  virtual bool IsCommitted(std::string_view tx_hash) const = 0;
};

// Which exact transactions this node already verified (mempool admission, gossip): their
// signatures are not checked a second time.
class SignatureCache {
 public:
  virtual ~SignatureCache() = default;
  virtual bool SignatureChecked(std::string_view tx_hash) const = 0;
  // CheckBlock has just verified this tx's signature (called per tx, as soon as it passes, so
  // that other threads verifying the same tx from gossip can skip it).
  virtual void SignaturePassed(std::string_view tx_hash) const {}
};

struct BlockEnv {
  const core::Genesis* genesis = nullptr;
  const core::StateReader* state = nullptr;  // state after `tip`
  core::StateTree tree;                      // its state tree (Root() = tip.state_root)
  ChainTip tip;
  std::string validators_hash;       // of the set certifying tip.height + 1
  std::string next_validators_hash;  // of the set certifying tip.height + 2
  BlockLimits limits;
};

struct BuiltBlock {
  v1::Block block;
  core::ExecutedBlock executed;
};

// Takes candidates in order (skipping duplicates) until the next one would exceed a limit.
// The block time is max(now, tip time + 1). Execution verifies each candidate's signature
// unless `verified` (the node's mempool) reports it already checked: a proposer verifies each
// transaction once, on admission, not again when it builds the block.
BuiltBlock BuildBlock(const BlockEnv& env, const std::vector<std::string>& candidates,
                      std::string_view proposer, int64_t now_unix_ms,
                      const SignatureCache* verified = nullptr);

// Accepts `block` as the next block iff the header links to the tip, its time is in
// (tip time, time_max_unix_ms], limits hold, every transaction passes the stateless checks and
// is new to `committed` and to the block, and the roots equal this node's execution.
// Error code BAD_BLOCK names the first mismatch.
core::Result<core::ExecutedBlock> CheckBlock(const BlockEnv& env, const v1::Block& block,
                                             const TxIndex& committed,
                                             const SignatureCache& signatures,
                                             int64_t time_max_unix_ms);

}  // namespace lotchain::bft
