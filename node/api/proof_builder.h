// BuildLotProof: the auditor's proof bundle for one lot (docs/PROOFS.md says what a verifier
// checks and why that is enough).
//
// The bundle holds the lot's scope (core::ComputeProofScope, consensus/core/proof_scope.h, the
// function the verifier runs on its replay): the committed transaction behind every LotEvent of
// every lot in L (the lot, the parents of its members, the co-inputs of every transform or
// recovery that consumed a member); for every facility they name, its registration, each of its
// audits and the raising of its still-open risk flags; the raising of open flags on lots of L.
// Format 2 (docs/PROOFS.md "Bundle format"): each block once in `blocks` (height, exact header
// bytes, commit certificate), ascending height; each transaction a TxInclusion naming its block
// by height, with the exact SignedTx bytes, RFC 6962 audit paths to the header's tx_root and
// results_root and the stored TxResult encoding. Entries are distinct and sorted by (height,
// index); every table block is used by an entry or is the anchor's. The anchor: the snapshot's
// tip height and state proofs of the scope's anchor keys from the snapshot's state tree, so the
// verifier can tell that nothing was left out as of that height.
//
// Nothing is truncated: a DAG or bundle beyond the limits is an error, never a partial proof.
// StreamLotProof hands the bundle out in fragments (one block in memory at a time); the bytes
// limit may therefore fail after fragments were emitted, and the caller must then discard them.
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
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/api.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

// Limits of one proof (docs/PROOFS.md "Limits"). A 100,000-event pack of the scale generator
// (tests/bench/scale) needs 25,004 lots, 75,019 entries and 49.7 MB; these leave 2-3x headroom
// while bounding what one request can make the node read and the verifier hold.
inline constexpr uint32_t kProofLotsMax = 64'000;         // lots in L (ancestors, co-inputs)
inline constexpr size_t kProofChildrenMax = 10'000;       // children of one lot of L
inline constexpr size_t kProofTxsMax = 160'000;           // TxInclusion entries
inline constexpr size_t kProofBytesMax = 160u << 20;      // encoded ProofBundle (streamed)
// GetLotProof sends the bundle in one response, which the node holds whole (message and its
// encoding); StreamLotProof holds one fragment. The unary form keeps the old 48 MiB bound.
inline constexpr size_t kProofUnaryBytesMax = 48u << 20;
inline constexpr size_t kProofFragmentBytes = 1u << 20;   // target size of a streamed fragment
inline constexpr size_t kProofAuditsPerFacilityMax = 1'000;
inline constexpr size_t kProofFlagsPerTargetMax = 1'000;

struct ProofLimits {
  uint32_t lots_max = kProofLotsMax;
  size_t txs_max = kProofTxsMax;
  size_t bytes_max = kProofBytesMax;
};

// The bundle in one message (limits.bytes_max applies to its encoding).
core::Result<v1::ProofBundle> BuildLotProof(const BlockStore& store,
                                            const StateSnapshot& snapshot,
                                            std::string_view lot_id,
                                            const ProofLimits& limits = {});

// Receives one fragment; a non-OK status stops the build and is returned by StreamLotProof.
using ProofFragmentSink = std::function<core::Status(v1::ProofBundle& fragment)>;

// The bundle as fragments of about `fragment_bytes` each, in order: the first carries chain_id,
// genesis_hash, lot_id and format; each carries whole entries and the table rows of the blocks
// whose first entry it holds. Concatenating the fragments' encodings gives an encoding of
// BuildLotProof's bundle (the same message; fields interleaved by fragment). All planning errors (NOT_FOUND, lots, entries) come before the first fragment;
// PROOF_TOO_LARGE for bytes and STORE_CORRUPT can come after some.
core::Status StreamLotProof(const BlockStore& store, const StateSnapshot& snapshot,
                            std::string_view lot_id, const ProofLimits& limits,
                            size_t fragment_bytes, const ProofFragmentSink& sink);

}  // namespace lotchain::node
