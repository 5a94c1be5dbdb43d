// VerifyProofBundle: the auditor's offline check of a lot's proof bundle (issue #5;
// docs/PROOF-VERIFY.md "Verification" lists every check, its order and its stable name).
//
// Given only the genesis (which the auditor holds as a file) and a format-2 ProofBundle (a block
// table `blocks` of (height, header, certificate) and entries naming their block by height), it
//   1. checks each table block once: the header parses, belongs to this chain and has the row's
//      height, the commit certificate is a quorum of genesis validators for SHA-256(header); rows
//      strictly ascend by height (one per height) with increasing block times;
//   2. checks each TxInclusion: its height is a row of the table, the SignedTx is the leaf at
//      `index` under that header's tx_root, the TxResult the leaf at `index` under results_root,
//      and that result says "applied" for exactly this transaction; entries are sorted by
//      (height, index) and distinct, and every table block is used by an entry;
//   3. replays every transaction that passed (1), in (height, index) order, through the real
//      custody rules (core::ApplyTx) from the genesis state, so every signature, signer role,
//      custody, hash link, mass and element balance and footprint allocation is re-derived by
//      the same code the validators ran. A certified, applied transaction that does not apply in
//      the replay is a failure named after its rejection code.
//   4. recomputes the lot and its upstream trace and roll-up (queries.h) on the replayed state;
//   5. checks the anchor (proof_completeness.h): state proofs at a certified height H show that
//      the bundle holds everything the lot's figures depend on as of H and nothing else.
//
// Replay rule for nonces: the bundle holds only the transactions that touch the lot's ancestry,
// so a signer's other transactions are missing and its last committed nonce is unknown. The
// replay reads every signer's last nonce as 0 (the n/ keys are hidden from the rules), so nonce
// freshness is NOT re-checked; it is already proven by the certified result "applied" (the
// validators checked it against the full state). Everything else of authentication (envelope,
// chain id, Ed25519 signature over the exact body bytes, signer is a genesis member key) is
// re-checked.
//
// What a passing bundle proves: every transaction in it was committed and applied by a quorum
// of the genesis validators, the lot's figures follow from them by the custody rules, and as of
// the anchor height (ProofReport.anchor_height) no event, audit or open risk flag they depend on
// was left out. An honest bundle of an older height passes too; ProofVerifyOptions.min_height
// refuses it ("stale") when the auditor needs a newer one.
//
// Pure, deterministic and thread-compatible: no I/O, clock or randomness; never aborts on bundle
// bytes (every field is validated; failures are reported, not asserted). Bounded by
// kProofBundleTxsMax entries and kProofFailuresMax reported failures.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/genesis.h"
#include "lotchain/v1/api.pb.h"
#include "lotchain/v1/state.pb.h"

namespace lotchain::core {

// A 100,000-event pack (tests/bench/scale) is 75,019 entries and 49.7 MB; `lotchain proof
// verify` peaked at 331 MB of RSS on it (docs/PROOF-VERIFY.md "Resources").
inline constexpr size_t kProofBundleTxsMax = 160'000;
inline constexpr size_t kProofBundleBytesMax = 160u << 20;
// Every table block must be used by an entry, so there are never more blocks than entries.
inline constexpr size_t kProofBundleBlocksMax = kProofBundleTxsMax;
inline constexpr size_t kProofFailuresMax = 1'000;
inline constexpr size_t kProofHeaderBytesMax = 4u << 10;
inline constexpr size_t kProofPathNodesMax = 64;  // a tree of 2^64 leaves
inline constexpr size_t kProofResultBytesMax = 4u << 10;

// Stable names of the checks (ProofFailure.check). Scripts match on these; never rename one.
namespace proof_checks {
inline constexpr std::string_view kBundle = "bundle";          // malformed or oversized bundle
inline constexpr std::string_view kGenesis = "genesis";        // bundle/header not of this genesis
inline constexpr std::string_view kHeader = "header";          // header bytes malformed
inline constexpr std::string_view kValidators = "validators";  // header.validators_hash wrong
inline constexpr std::string_view kCertificate = "certificate";
inline constexpr std::string_view kTxInclusion = "tx_inclusion";
inline constexpr std::string_view kResultInclusion = "result_inclusion";
inline constexpr std::string_view kResultOk = "result_ok";  // not applied, or not this tx
inline constexpr std::string_view kOrder = "order";         // not sorted or duplicated
inline constexpr std::string_view kBlockConflict = "block_conflict";  // a height twice in table
inline constexpr std::string_view kBlockMissing = "block_missing";  // entry's height not in table
inline constexpr std::string_view kBlockUnused = "block_unused";    // table block no entry uses
inline constexpr std::string_view kBlockTime = "block_time";  // time not increasing with height
// Replay (the custody rules' rejection code is in the message):
inline constexpr std::string_view kTxDecode = "tx_decode";  // MALFORMED_TX, WRONG_CHAIN, ...
inline constexpr std::string_view kSignature = "signature";  // BAD_SIGNATURE
inline constexpr std::string_view kSignerRole = "signer_role";  // UNKNOWN_SIGNER, ROLE_FORBIDDEN
inline constexpr std::string_view kCustody = "custody";  // NOT_CUSTODIAN, NOT_IN_TRANSIT, ...
inline constexpr std::string_view kHashLink = "hash_link";        // STALE_EVENT
inline constexpr std::string_view kMassBalance = "mass_balance";  // INSUFFICIENT_MASS, ...
inline constexpr std::string_view kLotMissing = "lot_missing";    // UNKNOWN_LOT, or no such lot
inline constexpr std::string_view kFacilityMissing = "facility_missing";  // UNKNOWN_FACILITY
inline constexpr std::string_view kReplay = "replay";  // any other rejection by the rules
inline constexpr std::string_view kTrace = "trace";    // upstream trace too large
inline constexpr std::string_view kTruncated = "truncated";  // more than kProofFailuresMax
// Completeness (proof_completeness.h):
inline constexpr std::string_view kAnchor = "anchor";  // no anchor, its block missing, entry above it
inline constexpr std::string_view kStateProof = "state_proof";  // a proof does not verify
inline constexpr std::string_view kIncomplete = "incomplete";  // something the figures need is missing
inline constexpr std::string_view kExtraneous = "extraneous";  // an entry outside the lot's scope
inline constexpr std::string_view kStale = "stale";  // anchor below the height the auditor requires
}  // namespace proof_checks

struct ProofFailure {
  int tx_index = -1;        // position in bundle.txs; -1 for a bundle- or block-level failure
  std::string tx_hash_hex;  // SHA-256 of the entry's signed_tx bytes; empty when not an entry
  std::string check;        // a proof_checks name
  std::string message;      // for a person: what was expected and what was found
  int block_index = -1;     // position in bundle.blocks for a block-level failure, else -1
};

struct ProofReport {
  bool ok = false;  // true iff `failures` is empty
  std::vector<ProofFailure> failures;  // in check order; at most kProofFailuresMax + 1
  v1::Lot lot;          // recomputed by the replay (empty if the lot is missing)
  v1::Trace trace;      // recomputed upstream trace (nodes, edges, roll_up)
  v1::RollUp roll_up;   // = trace.roll_up
  size_t txs_checked = 0;   // entries whose inclusion checks (step 1) all passed
  size_t txs_replayed = 0;  // entries applied by the replay
  size_t blocks = 0;        // table blocks accepted (well-formed, of this chain, in order)
  uint64_t height_max = 0;  // highest certified height in the bundle
  // The height the verdict holds as of: the anchor block (0 when the anchor is unusable).
  uint64_t anchor_height = 0;
  int64_t anchor_time_unix_ms = 0;
};

struct ProofVerifyOptions {
  // Fail (check "stale") when the bundle's anchor is below this height: an auditor who knows
  // the chain has reached height N refuses an older proof presented as current.
  uint64_t min_height = 0;
  // Called as verification advances (stage name, items done, items in the stage), at most every
  // kProgressEvery items and at each stage's start: a terminal shows progress on big bundles.
  std::function<void(std::string_view stage, size_t done, size_t total)> progress;
};
inline constexpr size_t kProgressEvery = 1024;

ProofReport VerifyProofBundle(const Genesis& genesis, const v1::ProofBundle& bundle,
                              const ProofVerifyOptions& options = {});

// Parses `bundle_bytes` (a ProofBundle encoding, at most kProofBundleBytesMax) and verifies it;
// undecodable bytes are a "bundle" failure.
ProofReport VerifyProofBundleBytes(const Genesis& genesis, std::string_view bundle_bytes,
                                   const ProofVerifyOptions& options = {});

// The check name for a custody rejection code (custody_codes.h) met during the replay.
std::string_view ProofCheckForCode(std::string_view code);

}  // namespace lotchain::core
