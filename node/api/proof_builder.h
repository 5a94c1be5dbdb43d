// BuildLotProof: the auditor's proof bundle for one lot (docs/PROOFS.md says what a verifier
// checks and why that is enough).
//
// The bundle is complete enough for an offline verifier to REPLAY the custody rules from the
// genesis state (core::VerifyProofBundle, docs/PROOF-VERIFY.md). It holds the committed
// transaction behind every LotEvent of every lot in L, where L is the smallest set holding the
// lot, the parents of its members, and the co-inputs of every transform or recovery that
// consumed a member (the other lots it consumed in the same transaction); plus, for every
// facility named by a lot of L or one of its events, the transactions that registered it,
// recorded each of its audits and raised its still-open risk flags; plus the raising
// transactions of open flags on lots of L. Each is a TxInclusion: the exact SignedTx bytes, the
// exact header bytes of its block, RFC 6962 audit paths to the header's tx_root and
// results_root, the stored TxResult encoding and the block's commit certificate. Entries are
// distinct and sorted by (height, index).
//
// Nothing is truncated: a DAG or bundle beyond the limits is an error, never a partial proof.
//
// Errors: INVALID_ARGUMENT (malformed lot id), NOT_FOUND (no such lot in `snapshot`),
// PROOF_TOO_LARGE (a limit below is exceeded; the message names it), STORE_CORRUPT (the stored
// blocks disagree with the state, e.g. a tx hash mismatch), or a store read error.
//
// Thread-safety: a pure function of its arguments; BlockStore and StateSnapshot are
// thread-safe. `snapshot` must be a snapshot of `store` (store.Snapshot()), so every height it
// names is a committed block of `store`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/api.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

inline constexpr uint32_t kProofLotsMax = 10'000;         // lots in L (ancestors, co-inputs)
inline constexpr size_t kProofChildrenMax = 10'000;       // children of one lot of L
inline constexpr size_t kProofTxsMax = 50'000;            // TxInclusion entries
inline constexpr size_t kProofBytesMax = 48u << 20;       // encoded ProofBundle size
inline constexpr size_t kProofAuditsPerFacilityMax = 1'000;
inline constexpr size_t kProofFlagsPerTargetMax = 1'000;

struct ProofLimits {
  uint32_t lots_max = kProofLotsMax;
  size_t txs_max = kProofTxsMax;
  size_t bytes_max = kProofBytesMax;
};

// All levels of the RFC 6962 tree over `leaves` (core::MerkleRoot's construction), kept so
// that the audit path of every leaf a proof needs costs O(log n) instead of rebuilding the tree
// (core::MerkleAuditPath, O(n) per call: O(n^2) for a block whose txs are all in the proof).
// Path(i) equals core::MerkleAuditPath(leaves, i).
class MerkleLevels {
 public:
  explicit MerkleLevels(const std::vector<std::string>& leaves);
  std::vector<std::string> Path(uint64_t index) const;
  size_t size() const { return levels_.empty() ? 0 : levels_.front().size(); }

 private:
  std::vector<std::vector<std::string>> levels_;  // levels_[0] = leaf hashes; last = {root}
};

core::Result<v1::ProofBundle> BuildLotProof(const BlockStore& store,
                                            const core::StateReader& snapshot,
                                            std::string_view lot_id,
                                            const ProofLimits& limits = {});

}  // namespace lotchain::node
