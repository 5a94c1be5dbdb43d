// The auditor's offline proof verifier (proof_verify.h; docs/PROOF-VERIFY.md "Verification").
#include "consensus/core/proof_verify.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/executor.h"
#include "consensus/core/governance.h"
#include "consensus/core/ids.h"
#include "consensus/core/merkle.h"
#include "consensus/core/proof_completeness.h"
#include "consensus/core/proof_verify_internal.h"
#include "consensus/core/queries.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core {

namespace checks = proof_checks;

std::string_view ProofCheckForCode(std::string_view code) {
  struct Mapping {
    std::string_view code;
    std::string_view check;
  };
  static constexpr Mapping kMappings[] = {
      {codes::kBadSignature, checks::kSignature},
      {codes::kMalformedTx, checks::kTxDecode},
      {codes::kTxTooLarge, checks::kTxDecode},
      {codes::kWrongChain, checks::kTxDecode},
      {codes::kEmptyEvent, checks::kTxDecode},
      {codes::kUnknownSigner, checks::kSignerRole},
      {codes::kRoleForbidden, checks::kSignerRole},
      {codes::kAuditorNotIndependent, checks::kSignerRole},
      {codes::kNotCustodian, checks::kCustody},
      {codes::kNotFacilityOwner, checks::kCustody},
      {codes::kNotOfferRecipient, checks::kCustody},
      {codes::kNotInTransit, checks::kCustody},
      {codes::kLotNotActive, checks::kCustody},
      {codes::kStaleEvent, checks::kHashLink},
      {codes::kInsufficientMass, checks::kMassBalance},
      {codes::kElementMassIncreases, checks::kMassBalance},
      {codes::kMassIncreases, checks::kMassBalance},
      {codes::kCompositionExceedsMass, checks::kMassBalance},
      {codes::kAmountOverflow, checks::kMassBalance},
      {codes::kUnknownLot, checks::kLotMissing},
      {codes::kUnknownFacility, checks::kFacilityMissing},
  };
  for (const Mapping& mapping : kMappings) {
    if (mapping.code == code) return mapping.check;
  }
  return checks::kReplay;
}

namespace {

using namespace proof_internal;  // the verifier's own types and row checks


// The genesis-derived state the rules read, with every signer's last nonce hidden (read as 0).
// Nonce freshness was checked by the validators against the full state and is proven by the
// certified "applied" result; the bundle cannot re-prove it because a signer's other
// transactions are not in it (proof_verify.h).
class NonceBlindState final : public StateReader {
 public:
  explicit NonceBlindState(const StateReader& base) : base_(base) {}
  std::optional<std::string> Get(std::string_view key) const override {
    if (IsNonceKey(key)) return std::nullopt;
    return base_.Get(key);
  }
  std::vector<KeyValue> Scan(std::string_view prefix, size_t limit_count) const override {
    std::vector<KeyValue> entries = base_.Scan(prefix, limit_count);
    std::erase_if(entries, [](const KeyValue& entry) { return IsNonceKey(entry.first); });
    return entries;
  }

 private:
  static bool IsNonceKey(std::string_view key) {
    return key.starts_with(keys::SignerNonce(""));
  }
  const StateReader& base_;
};

// Replays the usable entries through the custody rules, in order, from the genesis state.
void Progress(const ProofVerifyOptions& options, std::string_view stage, size_t done,
              size_t total) {
  if (options.progress && (done == 0 || done % kProgressEvery == 0 || done == total)) {
    options.progress(stage, done, total);
  }
}

MemState Replay(const Genesis& genesis, const v1::ProofBundle& bundle,
                const std::vector<const Entry*>& usable, FailureLog& log, ProofReport& report,
                std::vector<ReplayedEntry>& applied, const ProofVerifyOptions& options) {
  MemState state;
  state.Apply(GenesisDelta(genesis));
  NonceBlindState view(state);
  size_t done = 0;
  for (const Entry* entry : usable) {
    Progress(options, "replaying the custody rules", done++, usable.size());
    TxContext ctx;
    ctx.height = entry->block->header.height();
    ctx.time_unix_ms = entry->block->header.time_unix_ms();
    ctx.tx_index = entry->index;
    ctx.tx_hash = entry->tx_hash;
    const std::string& signed_tx = bundle.txs(entry->position).signed_tx();
    Result<StateDelta> delta = ApplyTx(genesis, view, ctx, signed_tx);
    if (!delta.ok()) {
      log.Add(entry->position, entry->tx_hash, ProofCheckForCode(delta.status().code()),
              "certified as applied at height " + std::to_string(ctx.height) + " index " +
                  std::to_string(ctx.tx_index) + ", but replaying it here breaks a custody "
                  "rule, so this history cannot be trusted (validators certified a forbidden "
                  "event, or the bundle does not match the chain). The rule, as its sender "
                  "would have been told: " + delta.status().ToString());
      continue;
    }
    state.Apply(*delta);
    report.txs_replayed += 1;
    applied.push_back({entry->position, entry->tx_hash});
  }
  LOTCHAIN_ASSERT(report.txs_replayed <= usable.size());
  return state;
}

// Recomputes the lot, its upstream trace and roll-up on the replayed state.
void Recompute(const MemState& state, std::string_view lot_id, FailureLog& log,
               ProofReport& report) {
  Result<v1::Trace> trace =
      QueryTrace(state, lot_id, v1::TRACE_DIRECTION_UPSTREAM, kTraceNodesMax);
  if (!trace.ok()) {
    log.AddBundle(checks::kLotMissing, "lot \"" + std::string(lot_id) +
                                           "\" does not exist after replaying the bundle: " +
                                           trace.status().ToString());
    return;
  }
  if (trace->truncated()) {
    log.AddBundle(checks::kTrace, "the upstream trace exceeds " +
                                      std::to_string(kTraceNodesMax) + " lots");
  }
  LOTCHAIN_ASSERT(trace->nodes_size() > 0);
  report.lot = trace->nodes(0).lot();
  report.roll_up = trace->roll_up();
  report.trace = std::move(trace).value();
}

// The anchor names a certified table block at or above every entry; then the bundle must hold
// all that the lot's figures need as of that block, and nothing else (proof_completeness.h).
void CheckAnchor(const v1::ProofBundle& bundle, const std::map<uint64_t, Block*>& by_height,
                 const std::vector<Entry>& entries, const MemState& state,
                 const std::vector<ReplayedEntry>& applied, const ProofVerifyOptions& options,
                 FailureLog& log, ProofReport& report) {
  if (!bundle.has_anchor()) {
    log.AddBundle(checks::kAnchor,
                  "the bundle has no anchor (state proofs at a certified height), so nothing "
                  "shows that it holds the lot's whole history; export it again from a node of "
                  "this version");
    return;
  }
  const uint64_t height = bundle.anchor().height();
  auto it = by_height.find(height);
  if (it == by_height.end() || !it->second->usable() || !it->second->certified) {
    log.AddBundle(checks::kAnchor, "the anchor names block " + std::to_string(height) +
                                       ", which is not a certified block of the table");
    return;
  }
  report.anchor_height = height;
  report.anchor_time_unix_ms = it->second->header.time_unix_ms();
  if (height < options.min_height) {
    log.AddBundle(checks::kStale, "the bundle speaks for height " + std::to_string(height) +
                                      ", below the height " + std::to_string(options.min_height) +
                                      " you asked for: fetch a fresh proof");
  }
  for (const Entry& entry : entries) {
    if (entry.block != nullptr && entry.block->height > height) {
      log.Add(entry.position, entry.tx_hash, checks::kAnchor,
              "the entry is in block " + std::to_string(entry.block->height) +
                  ", above the anchor height " + std::to_string(height));
    }
  }
  for (CompletenessFailure& failure :
       CheckCompleteness(bundle, it->second->header.state_root(), state, applied)) {
    log.Add(failure.tx_index, failure.tx_hash, failure.check, std::move(failure.message));
  }
}

// Bundle-level checks. Returns false when the bundle cannot be examined further.
bool CheckBundle(const Genesis& genesis, const v1::ProofBundle& bundle, FailureLog& log) {
  // The wrong genesis makes every later check fail for a reason that is not the bundle's fault;
  // one message and stop.
  if (bundle.genesis_hash() != genesis.hash || bundle.chain_id() != genesis.chain_id) {
    log.AddBundle(checks::kGenesis,
                  "this bundle is for chain \"" + bundle.chain_id().substr(0, 80) +
                      "\" with genesis hash " + HexOrEmpty(bundle.genesis_hash()) +
                      "; the genesis file you gave is for chain \"" + genesis.chain_id +
                      "\" and hashes to " + ToHex(genesis.hash) +
                      ": verify against that chain's genesis file (every member holds it; "
                      "`lotchain genesis hash FILE` prints a file's hash)");
    return false;
  }
  if (!IsValidId(bundle.lot_id())) {
    log.AddBundle(checks::kBundle, "lot id \"" + bundle.lot_id().substr(0, 80) + "\" " +
                                       std::string(kIdRule));
  }
  if (bundle.format() != v1::PROOF_FORMAT_BLOCK_TABLE) {
    log.AddBundle(checks::kBundle,
                  "bundle format " + std::to_string(static_cast<int>(bundle.format())) +
                      " is not supported: this verifier reads format 2 (headers and "
                      "certificates once per block, docs/PROOFS.md); a format-1 bundle (inline "
                      "headers) must be exported again from a node");
    return false;
  }
  if (bundle.txs_size() == 0) {
    log.AddBundle(checks::kBundle, "bundle holds no transactions");
    return false;
  }
  if (static_cast<size_t>(bundle.blocks_size()) > kProofBundleBlocksMax) {
    log.AddBundle(checks::kBundle, "bundle holds " + std::to_string(bundle.blocks_size()) +
                                       " blocks; the limit is " +
                                       std::to_string(kProofBundleBlocksMax));
    return false;
  }
  if (static_cast<size_t>(bundle.txs_size()) > kProofBundleTxsMax) {
    log.AddBundle(checks::kBundle, "bundle holds " + std::to_string(bundle.txs_size()) +
                                       " transactions; the limit is " +
                                       std::to_string(kProofBundleTxsMax));
    return false;
  }
  return IsValidId(bundle.lot_id());
}

// The validator sets the bundle's governance transactions schedule, replayed alone in the
// (height, index) order the entries claim, from the genesis state. Sound although the claims
// are checked only later: a set for height h comes from changes adopted at h - 2 or earlier,
// so by induction on height a change that is not genuine needs a certificate of its block by a
// set that does not hold its author's keys, and that row's certificate check fails.
Context MakeContext(const Genesis& genesis, const v1::ProofBundle& bundle, FailureLog& log) {
  Context cx{.genesis = genesis, .schedule = std::nullopt};
  std::map<std::pair<uint64_t, uint32_t>, int> order;
  for (int i = 0; i < bundle.txs_size(); ++i) {
    v1::SignedTx envelope;
    v1::TxBody body;
    if (envelope.ParseFromString(bundle.txs(i).signed_tx()) &&
        body.ParseFromString(envelope.body()) && IsGovernanceTx(body)) {
      order.emplace(std::make_pair(bundle.txs(i).height(), bundle.txs(i).index()), i);
    }
  }
  MemState state;
  state.Apply(GenesisDelta(genesis));
  NonceBlindState view(state);
  for (const auto& [at, position] : order) {
    TxContext ctx{.height = at.first, .time_unix_ms = 0, .tx_index = at.second,
                  .tx_hash = TxHash(bundle.txs(position).signed_tx())};
    Result<StateDelta> delta = ApplyTx(genesis, view, ctx, bundle.txs(position).signed_tx());
    if (delta.ok()) state.Apply(*delta);  // a failure is reported by the replay
  }
  Result<ChainValidatorSchedule> schedule = ChainValidatorSchedule::Load(genesis, state);
  if (schedule.ok()) {
    cx.schedule = std::move(schedule).value();
  } else {
    log.AddBundle(checks::kGenesis, "validator sets: " + schedule.status().ToString());
  }
  return cx;
}

}  // namespace

ProofReport VerifyProofBundle(const Genesis& genesis, const v1::ProofBundle& bundle,
                              const ProofVerifyOptions& options) {
  ProofReport report;
  FailureLog log(report.failures);
  if (CheckBundle(genesis, bundle, log)) {
    Context cx = MakeContext(genesis, bundle, log);
    std::vector<Block> blocks;
    const size_t txs = static_cast<size_t>(bundle.txs_size());
    Progress(options, "checking block certificates", 0, static_cast<size_t>(bundle.blocks_size()));
    std::map<uint64_t, Block*> by_height = CheckBlocks(cx, bundle, blocks, log, report);
    std::vector<Entry> entries;
    entries.reserve(txs);
    for (int i = 0; i < bundle.txs_size(); ++i) {
      Progress(options, "checking inclusion proofs", static_cast<size_t>(i), txs);
      entries.push_back(CheckInclusion(i, bundle.txs(i), by_height, log));
      if (entries.back().included) report.txs_checked += 1;
    }
    std::vector<const Entry*> usable =
        CheckOrder(entries, blocks, by_height, bundle.anchor().height(), log);
    std::vector<ReplayedEntry> applied;
    MemState state = Replay(genesis, bundle, usable, log, report, applied, options);
    Progress(options, "recomputing the figures", 0, 1);
    Recompute(state, bundle.lot_id(), log, report);
    Progress(options, "checking completeness", 0, 1);
    CheckAnchor(bundle, by_height, entries, state, applied, options, log, report);
  }
  report.ok = report.failures.empty();
  if (report.ok) LOTCHAIN_ASSERT(report.txs_replayed == static_cast<size_t>(bundle.txs_size()));
  return report;
}

ProofReport VerifyProofBundleBytes(const Genesis& genesis, std::string_view bundle_bytes,
                                   const ProofVerifyOptions& options) {
  v1::ProofBundle bundle;
  if (bundle_bytes.size() > kProofBundleBytesMax) {
    ProofReport report;
    report.failures.push_back(
        {-1, "", std::string(checks::kBundle),
         "the file is " + std::to_string(bundle_bytes.size()) + " bytes, more than the " +
             std::to_string(kProofBundleBytesMax) + " bytes a proof bundle may have"});
    return report;
  }
  if (!bundle.ParseFromArray(bundle_bytes.data(), static_cast<int>(bundle_bytes.size()))) {
    ProofReport report;
    report.failures.push_back(
        {-1, "", std::string(checks::kBundle),
         "the file is not a proof bundle, or one cut short (its " +
             std::to_string(bundle_bytes.size()) +
             " bytes do not decode as a ProofBundle); write one again with "
             "`lotchain proof export LOT -o FILE`"});
    return report;
  }
  return VerifyProofBundle(genesis, bundle, options);
}

}  // namespace lotchain::core
