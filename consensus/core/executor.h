// Block execution: applies a block's transactions in order on top of a state and returns every
// transaction's result, the block's state delta and the new state root. Pure and deterministic:
// the same genesis, state, context and transactions give byte-identical output on every node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "consensus/core/custody.h"
#include "consensus/core/genesis.h"
#include "consensus/core/state.h"
#include "consensus/core/state_tree.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::core {

struct BlockContext {
  uint64_t height = 0;
  int64_t time_unix_ms = 0;
};

struct ExecutedBlock {
  std::vector<v1::TxResult> results;  // one per transaction, same order
  StateDelta delta;                   // everything the block writes
  StateTree tree;                     // the state tree after the block: prev tree + delta
  std::string state_root;             // tree.Root()
  std::string prev_state_root;        // the root of the tree the block was executed on
  std::string results_root;           // RFC 6962 root over the TxResult encodings
  std::string tx_root;                // RFC 6962 root over the SignedTx encodings
};

struct ExecuteOptions {
  // Per transaction: true when the caller already checked this exact SignedTx's signature
  // (e.g. at mempool admission), so it is not verified twice. Empty = verify all.
  std::vector<bool> signature_verified;
};

// A transaction the rules reject is recorded as TX_CODE_REJECTED with its reason; if it was
// authentic (valid signature by a known key, fresh nonce) its nonce is still consumed so the
// same signed bytes can never apply later. Nothing else of a rejected transaction is written.
ExecutedBlock ExecuteBlock(const Genesis& genesis, const StateReader& state,
                           const StateTree& tree, const BlockContext& block,
                           const std::vector<std::string>& signed_txs,
                           const ExecuteOptions& options = {});

// SHA-256 of a SignedTx encoding: the transaction's id everywhere.
std::string TxHash(std::string_view signed_tx_bytes);

}  // namespace lotchain::core
