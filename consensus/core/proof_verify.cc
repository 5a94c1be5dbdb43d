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
#include "consensus/core/ids.h"
#include "consensus/core/merkle.h"
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

class FailureLog {
 public:
  explicit FailureLog(std::vector<ProofFailure>& out) : out_(out) {}

  void Add(int tx_index, const std::string& tx_hash, std::string_view check,
           std::string message) {
    if (out_.size() > kProofFailuresMax) return;
    if (out_.size() == kProofFailuresMax) {
      out_.push_back({-1, "", std::string(checks::kTruncated),
                      "more than " + std::to_string(kProofFailuresMax) +
                          " failures; the rest are not listed"});
      return;
    }
    out_.push_back({tx_index, tx_hash.empty() ? std::string() : ToHex(tx_hash),
                    std::string(check), std::move(message)});
  }
  void AddBundle(std::string_view check, std::string message) {
    Add(-1, std::string(), check, std::move(message));
  }
  size_t size() const { return out_.size(); }

 private:
  std::vector<ProofFailure>& out_;
};

// What the per-entry checks learnt about one TxInclusion.
struct Entry {
  int position = 0;
  std::string tx_hash;  // SHA-256 of signed_tx
  uint32_t index = 0;   // leaf index in its block
  std::string block_hash;
  v1::BlockHeader header;
  bool header_ok = false;  // parsed, well-formed, of this chain
  bool included = false;   // every inclusion check passed: the replay may use it
};

struct Context {
  const Genesis& genesis;
  std::optional<ValidatorSet> validators;
  std::string validators_hash;
  // Certificate verdicts by block hash || certificate encoding: a block's certificate is
  // verified once however many bundle entries share it.
  std::map<std::string, Status, std::less<>> certificate_verdicts;
};

std::string HexOrEmpty(std::string_view bytes) {
  return bytes.empty() ? std::string("(empty)") : ToHex(bytes);
}

// Header parses, is of this chain and has well-formed fields.
bool CheckHeader(const Context& cx, const v1::TxInclusion& inclusion, Entry& entry,
                 FailureLog& log) {
  const int at = entry.position;
  if (inclusion.header().size() > kProofHeaderBytesMax ||
      !entry.header.ParseFromString(inclusion.header())) {
    log.Add(at, entry.tx_hash, checks::kHeader, "block header bytes are not a BlockHeader");
    return false;
  }
  const v1::BlockHeader& header = entry.header;
  if (header.chain_id() != cx.genesis.chain_id) {
    log.Add(at, entry.tx_hash, checks::kGenesis,
            "block header is for chain \"" + header.chain_id().substr(0, 80) +
                "\", the genesis for \"" + cx.genesis.chain_id + "\"");
    return false;
  }
  if (header.height() == 0 || header.tx_root().size() != kHashBytes ||
      header.results_root().size() != kHashBytes || header.tx_count() == 0) {
    log.Add(at, entry.tx_hash, checks::kHeader,
            "block header at height " + std::to_string(header.height()) +
                " lacks a height, 32-byte roots or a transaction count");
    return false;
  }
  if (header.height() == 1 && header.prev_block_hash() != cx.genesis.hash) {
    log.Add(at, entry.tx_hash, checks::kGenesis,
            "block 1 hangs from " + HexOrEmpty(header.prev_block_hash()) +
                ", not from the genesis hash " + ToHex(cx.genesis.hash));
    return false;
  }
  if (header.validators_hash() != cx.validators_hash) {
    log.Add(at, entry.tx_hash, checks::kValidators,
            "block " + std::to_string(header.height()) + " names validator set " +
                HexOrEmpty(header.validators_hash()) + ", the genesis set is " +
                ToHex(cx.validators_hash));
    return false;
  }
  return true;
}

bool CheckCertificate(Context& cx, const v1::TxInclusion& inclusion, const Entry& entry,
                      FailureLog& log) {
  if (!cx.validators.has_value()) {
    log.Add(entry.position, entry.tx_hash, checks::kCertificate,
            "the genesis validator set is unusable, so no certificate can be checked");
    return false;
  }
  std::string cache_key = entry.block_hash + inclusion.certificate().SerializeAsString();
  auto it = cx.certificate_verdicts.find(cache_key);
  if (it == cx.certificate_verdicts.end()) {
    Status verdict = VerifyCommitCertificate(
        *cx.validators, inclusion.certificate(),
        CertificateClaim{.height = entry.header.height(), .block_hash = entry.block_hash});
    it = cx.certificate_verdicts.emplace(std::move(cache_key), std::move(verdict)).first;
  }
  if (it->second.ok()) return true;
  log.Add(entry.position, entry.tx_hash, checks::kCertificate,
          "block " + std::to_string(entry.header.height()) + " (" + ToHex(entry.block_hash) +
              "): " + it->second.ToString());
  return false;
}

bool CheckLeaf(std::string_view leaf, const google::protobuf::RepeatedPtrField<std::string>& path,
               const Entry& entry, std::string_view root) {
  if (static_cast<size_t>(path.size()) > kProofPathNodesMax) return false;
  std::vector<std::string> nodes(path.begin(), path.end());
  return VerifyMerkleInclusion(MerkleLeafHash(leaf), entry.index, entry.header.tx_count(), nodes,
                               root);
}

// The transaction and its result are the leaves at `index` of the certified block, and the
// result says this exact transaction was applied.
bool CheckLeaves(const v1::TxInclusion& inclusion, const Entry& entry, FailureLog& log) {
  const std::string where = "leaf " + std::to_string(entry.index) + " of block " +
                            std::to_string(entry.header.height()) + " (" +
                            std::to_string(entry.header.tx_count()) + " txs)";
  bool ok = true;
  if (!CheckLeaf(inclusion.signed_tx(), inclusion.tx_path(), entry, entry.header.tx_root())) {
    log.Add(entry.position, entry.tx_hash, checks::kTxInclusion,
            "the signed transaction and its audit path do not lead to tx_root as " + where);
    ok = false;
  }
  if (inclusion.result().size() > kProofResultBytesMax ||
      !CheckLeaf(inclusion.result(), inclusion.result_path(), entry,
                 entry.header.results_root())) {
    log.Add(entry.position, entry.tx_hash, checks::kResultInclusion,
            "the result and its audit path do not lead to results_root as " + where);
    return false;
  }
  v1::TxResult result;
  if (!result.ParseFromString(inclusion.result())) {
    log.Add(entry.position, entry.tx_hash, checks::kResultOk, "the result is not a TxResult");
    return false;
  }
  if (result.code() != v1::TX_CODE_OK) {
    log.Add(entry.position, entry.tx_hash, checks::kResultOk,
            "the chain rejected this transaction (" + result.reason().substr(0, 64) + ": " +
                result.message().substr(0, 256) + "); a proof holds applied ones only");
    ok = false;
  }
  if (result.tx_hash() != entry.tx_hash) {
    log.Add(entry.position, entry.tx_hash, checks::kResultOk,
            "the result is for transaction " + HexOrEmpty(result.tx_hash()) + ", not this one");
    ok = false;
  }
  return ok;
}

Entry CheckInclusion(Context& cx, int position, const v1::TxInclusion& inclusion,
                     FailureLog& log) {
  Entry entry;
  entry.position = position;
  entry.index = inclusion.index();
  entry.tx_hash = TxHash(inclusion.signed_tx());
  entry.block_hash = Sha256(inclusion.header());
  entry.header_ok = CheckHeader(cx, inclusion, entry, log);
  if (!entry.header_ok) return entry;
  // Each check runs even when an earlier one failed, so a report names every broken part.
  const bool certified = CheckCertificate(cx, inclusion, entry, log);
  const bool leaves = CheckLeaves(inclusion, entry, log);
  entry.included = certified && leaves;
  return entry;
}

bool Precedes(const Entry& a, const Entry& b) {
  if (a.header.height() != b.header.height()) return a.header.height() < b.header.height();
  return a.index < b.index;
}

// Cross-entry checks over the entries whose header is usable: strictly ascending (height,
// index), one block per height, block time increasing with height. Returns the entries the
// replay may use, in replay order.
std::vector<const Entry*> CheckOrder(const std::vector<Entry>& entries, FailureLog& log,
                                     ProofReport& report) {
  std::vector<const Entry*> usable;
  const Entry* prev = nullptr;
  for (const Entry& entry : entries) {
    if (!entry.header_ok) continue;
    if (prev != nullptr && !Precedes(*prev, entry)) {
      log.Add(entry.position, entry.tx_hash, checks::kOrder,
              "entry (height " + std::to_string(entry.header.height()) + ", index " +
                  std::to_string(entry.index) + ") does not come after (height " +
                  std::to_string(prev->header.height()) + ", index " +
                  std::to_string(prev->index) + ")");
      continue;
    }
    if (prev != nullptr && prev->header.height() == entry.header.height() &&
        prev->block_hash != entry.block_hash) {
      log.Add(entry.position, entry.tx_hash, checks::kBlockConflict,
              "two different headers for height " + std::to_string(entry.header.height()));
      continue;
    }
    if (prev != nullptr && prev->header.height() < entry.header.height()) {
      if (prev->header.time_unix_ms() >= entry.header.time_unix_ms()) {
        log.Add(entry.position, entry.tx_hash, checks::kBlockTime,
                "block " + std::to_string(entry.header.height()) + " is not later than block " +
                    std::to_string(prev->header.height()));
        continue;
      }
    }
    if (prev == nullptr || prev->header.height() != entry.header.height()) report.blocks += 1;
    report.height_max = std::max(report.height_max, entry.header.height());
    prev = &entry;
    if (entry.included) usable.push_back(&entry);
  }
  return usable;
}

// Replays the usable entries through the custody rules, in order, from the genesis state.
MemState Replay(const Genesis& genesis, const v1::ProofBundle& bundle,
                const std::vector<const Entry*>& usable, FailureLog& log, ProofReport& report) {
  MemState state;
  state.Apply(GenesisDelta(genesis));
  NonceBlindState view(state);
  for (const Entry* entry : usable) {
    TxContext ctx;
    ctx.height = entry->header.height();
    ctx.time_unix_ms = entry->header.time_unix_ms();
    ctx.tx_index = entry->index;
    ctx.tx_hash = entry->tx_hash;
    const std::string& signed_tx = bundle.txs(entry->position).signed_tx();
    Result<StateDelta> delta = ApplyTx(genesis, view, ctx, signed_tx);
    if (!delta.ok()) {
      log.Add(entry->position, entry->tx_hash, ProofCheckForCode(delta.status().code()),
              "certified as applied at height " + std::to_string(ctx.height) + " index " +
                  std::to_string(ctx.tx_index) + ", but the custody rules refuse it: " +
                  delta.status().ToString());
      continue;
    }
    state.Apply(*delta);
    report.txs_replayed += 1;
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

// Bundle-level checks. Returns false when the bundle cannot be examined further.
bool CheckBundle(const Genesis& genesis, const v1::ProofBundle& bundle, FailureLog& log) {
  if (bundle.genesis_hash() != genesis.hash) {
    log.AddBundle(checks::kGenesis, "bundle hangs from genesis " +
                                        HexOrEmpty(bundle.genesis_hash()) +
                                        ", the given genesis file hashes to " +
                                        ToHex(genesis.hash));
  }
  if (bundle.chain_id() != genesis.chain_id) {
    log.AddBundle(checks::kGenesis, "bundle is for chain \"" + bundle.chain_id().substr(0, 80) +
                                        "\", the genesis for \"" + genesis.chain_id + "\"");
  }
  if (!IsValidId(bundle.lot_id())) {
    log.AddBundle(checks::kBundle, "lot id \"" + bundle.lot_id().substr(0, 80) + "\" " +
                                       std::string(kIdRule));
  }
  if (bundle.txs_size() == 0) {
    log.AddBundle(checks::kBundle, "bundle holds no transactions");
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

Context MakeContext(const Genesis& genesis, FailureLog& log) {
  Context cx{.genesis = genesis, .validators = std::nullopt, .validators_hash = {},
             .certificate_verdicts = {}};
  Result<ValidatorSet> set = ValidatorSet::FromGenesis(genesis);
  if (set.ok()) {
    cx.validators_hash = set->Hash();
    cx.validators = std::move(set).value();
  } else {
    log.AddBundle(checks::kGenesis, "genesis validators: " + set.status().ToString());
  }
  return cx;
}

}  // namespace

ProofReport VerifyProofBundle(const Genesis& genesis, const v1::ProofBundle& bundle) {
  ProofReport report;
  FailureLog log(report.failures);
  if (CheckBundle(genesis, bundle, log)) {
    Context cx = MakeContext(genesis, log);
    std::vector<Entry> entries;
    entries.reserve(static_cast<size_t>(bundle.txs_size()));
    for (int i = 0; i < bundle.txs_size(); ++i) {
      entries.push_back(CheckInclusion(cx, i, bundle.txs(i), log));
      if (entries.back().included) report.txs_checked += 1;
    }
    std::vector<const Entry*> usable = CheckOrder(entries, log, report);
    MemState state = Replay(genesis, bundle, usable, log, report);
    Recompute(state, bundle.lot_id(), log, report);
  }
  report.ok = report.failures.empty();
  if (report.ok) LOTCHAIN_ASSERT(report.txs_replayed == static_cast<size_t>(bundle.txs_size()));
  return report;
}

ProofReport VerifyProofBundleBytes(const Genesis& genesis, std::string_view bundle_bytes) {
  v1::ProofBundle bundle;
  if (bundle_bytes.size() > kProofBundleBytesMax ||
      !bundle.ParseFromArray(bundle_bytes.data(), static_cast<int>(bundle_bytes.size()))) {
    ProofReport report;
    report.failures.push_back({-1, "", std::string(checks::kBundle),
                               "bytes are not a ProofBundle encoding of at most " +
                                   std::to_string(kProofBundleBytesMax) + " bytes"});
    return report;
  }
  return VerifyProofBundle(genesis, bundle);
}

}  // namespace lotchain::core
