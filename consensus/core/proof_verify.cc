// The auditor's offline proof verifier (proof_verify.h; docs/PROOF-VERIFY.md "Verification").
#include "consensus/core/proof_verify.h"
#include "consensus/core/validator_schedule.h"

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
#include "consensus/core/proof_completeness.h"
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
  void AddBlock(int block_index, std::string_view check, std::string message) {
    const size_t before = out_.size();
    Add(-1, std::string(), check, std::move(message));
    if (out_.size() > before && out_.back().check == check) out_.back().block_index = block_index;
  }
  size_t size() const { return out_.size(); }

 private:
  std::vector<ProofFailure>& out_;
};

// What the table checks learnt about one ProofBlock.
struct Block {
  int position = 0;  // in bundle.blocks
  uint64_t height = 0;  // the row's height (= header.height() when header_ok)
  std::string block_hash;  // SHA-256 of the header bytes
  v1::BlockHeader header;
  bool header_ok = false;  // parsed, well-formed, of this chain, the row's height
  bool certified = false;  // the certificate is a quorum for (height, block_hash)
  bool in_order = false;   // after the previous accepted row: higher height, later time
  bool used = false;       // some entry names its height
  bool usable() const { return header_ok && in_order; }
};

// What the per-entry checks learnt about one TxInclusion.
struct Entry {
  int position = 0;
  std::string tx_hash;  // SHA-256 of signed_tx
  uint32_t index = 0;   // leaf index in its block
  const Block* block = nullptr;  // the table row of its height; null when none
  bool included = false;  // every check passed: the replay may use it
  uint64_t height() const { return block->height; }
};

struct Context {
  const Genesis& genesis;
  // Which validators certify each height (nullopt: the genesis set is unusable).
  std::optional<GenesisValidatorSchedule> schedule;
};

std::string HexOrEmpty(std::string_view bytes) {
  return bytes.empty() ? std::string("(empty)") : ToHex(bytes);
}

// Header parses, is of this chain, has well-formed fields and the row's height.
bool CheckHeader(const Context& cx, const v1::ProofBlock& row, Block& block, FailureLog& log) {
  const int at = block.position;
  if (row.header().size() > kProofHeaderBytesMax || !block.header.ParseFromString(row.header())) {
    log.AddBlock(at, checks::kHeader,
                 "block header bytes of table row " + std::to_string(at) +
                     " are not a BlockHeader");
    return false;
  }
  const v1::BlockHeader& header = block.header;
  if (header.chain_id() != cx.genesis.chain_id) {
    log.AddBlock(at, checks::kGenesis,
                 "block header is for chain \"" + header.chain_id().substr(0, 80) +
                     "\", the genesis for \"" + cx.genesis.chain_id + "\"");
    return false;
  }
  if (header.height() == 0 || header.tx_root().size() != kHashBytes ||
      header.results_root().size() != kHashBytes || header.tx_count() == 0) {
    log.AddBlock(at, checks::kHeader,
                 "block header at height " + std::to_string(header.height()) +
                     " lacks a height, 32-byte roots or a transaction count");
    return false;
  }
  if (header.height() != row.height()) {
    log.AddBlock(at, checks::kHeader,
                 "table row " + std::to_string(at) + " says height " +
                     std::to_string(row.height()) + ", its header is of height " +
                     std::to_string(header.height()));
    return false;
  }
  if (header.height() == 1 && header.prev_block_hash() != cx.genesis.hash) {
    log.AddBlock(at, checks::kGenesis,
                 "block 1 hangs from " + HexOrEmpty(header.prev_block_hash()) +
                     ", not from the genesis hash " + ToHex(cx.genesis.hash));
    return false;
  }
  const std::string expected =
      cx.schedule.has_value() ? cx.schedule->At(header.height()).Hash() : std::string();
  if (header.validators_hash() != expected) {
    log.AddBlock(at, checks::kValidators,
                 "block " + std::to_string(header.height()) + " names validator set " +
                     HexOrEmpty(header.validators_hash()) + ", the set of that height is " +
                     HexOrEmpty(expected));
    return false;
  }
  return true;
}

bool CheckCertificate(const Context& cx, const v1::ProofBlock& row, const Block& block,
                      FailureLog& log) {
  if (!cx.schedule.has_value()) {
    log.AddBlock(block.position, checks::kCertificate,
                 "the genesis validator set is unusable, so no certificate can be checked");
    return false;
  }
  Status verdict = VerifyCommitCertificate(
      cx.schedule->At(block.header.height()), row.certificate(),
      CertificateClaim{.height = block.header.height(), .block_hash = block.block_hash});
  if (verdict.ok()) return true;
  log.AddBlock(block.position, checks::kCertificate,
               "block " + std::to_string(block.header.height()) + " (" +
                   ToHex(block.block_hash) + "): " + verdict.ToString());
  return false;
}

// The block table: each row checked once (header, certificate), rows strictly ascending by
// height with increasing times. Returns the rows by height (the first row of a height).
std::map<uint64_t, Block*> CheckBlocks(const Context& cx, const v1::ProofBundle& bundle,
                                       std::vector<Block>& blocks, FailureLog& log,
                                       ProofReport& report) {
  blocks.resize(static_cast<size_t>(bundle.blocks_size()));
  std::map<uint64_t, Block*> by_height;
  const Block* prev = nullptr;  // the last row accepted into the order
  for (int k = 0; k < bundle.blocks_size(); ++k) {
    const v1::ProofBlock& row = bundle.blocks(k);
    Block& block = blocks[static_cast<size_t>(k)];
    block.position = k;
    block.height = row.height();
    block.block_hash = Sha256(row.header());
    block.header_ok = CheckHeader(cx, row, block, log);
    if (block.header_ok) block.certified = CheckCertificate(cx, row, block, log);
    auto [it, first] = by_height.emplace(row.height(), &block);
    if (!first) {
      const Block& other = *it->second;
      log.AddBlock(k, checks::kBlockConflict,
                   "height " + std::to_string(row.height()) + " is already table row " +
                       std::to_string(other.position) +
                       (other.block_hash == block.block_hash ? " (the same header twice)"
                                                             : " (a different header)"));
      continue;
    }
    if (!block.header_ok) continue;
    if (prev != nullptr && prev->height > block.height) {
      log.AddBlock(k, checks::kOrder,
                   "table row " + std::to_string(k) + " (height " +
                       std::to_string(block.height) + ") does not come after height " +
                       std::to_string(prev->height));
      continue;
    }
    if (prev != nullptr && prev->header.time_unix_ms() >= block.header.time_unix_ms()) {
      log.AddBlock(k, checks::kBlockTime,
                   "block " + std::to_string(block.height) + " is not later than block " +
                       std::to_string(prev->height));
      continue;
    }
    block.in_order = true;
    prev = &block;
    report.blocks += 1;
    report.height_max = std::max(report.height_max, block.height);
  }
  return by_height;
}

bool CheckLeaf(std::string_view leaf, const google::protobuf::RepeatedPtrField<std::string>& path,
               const Entry& entry, std::string_view root) {
  if (static_cast<size_t>(path.size()) > kProofPathNodesMax) return false;
  std::vector<std::string> nodes(path.begin(), path.end());
  return VerifyMerkleInclusion(MerkleLeafHash(leaf), entry.index, entry.block->header.tx_count(),
                               nodes, root);
}

// The transaction and its result are the leaves at `index` of the certified block, and the
// result says this exact transaction was applied.
bool CheckLeaves(const v1::TxInclusion& inclusion, const Entry& entry, FailureLog& log) {
  const v1::BlockHeader& header = entry.block->header;
  const std::string where = "leaf " + std::to_string(entry.index) + " of block " +
                            std::to_string(header.height()) + " (" +
                            std::to_string(header.tx_count()) + " txs)";
  bool ok = true;
  if (!CheckLeaf(inclusion.signed_tx(), inclusion.tx_path(), entry, header.tx_root())) {
    log.Add(entry.position, entry.tx_hash, checks::kTxInclusion,
            "the signed transaction and its audit path do not lead to tx_root as " + where);
    ok = false;
  }
  if (inclusion.result().size() > kProofResultBytesMax ||
      !CheckLeaf(inclusion.result(), inclusion.result_path(), entry, header.results_root())) {
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

Entry CheckInclusion(int position, const v1::TxInclusion& inclusion,
                     const std::map<uint64_t, Block*>& by_height, FailureLog& log) {
  Entry entry;
  entry.position = position;
  entry.index = inclusion.index();
  entry.tx_hash = TxHash(inclusion.signed_tx());
  if (!inclusion.inline_header().empty() || inclusion.has_inline_certificate()) {
    log.Add(position, entry.tx_hash, checks::kBundle,
            "the entry carries its block header or certificate inline (format 1); a format-2 "
            "bundle holds them once per block in the table: export the proof again");
    return entry;
  }
  auto it = by_height.find(inclusion.height());
  if (it == by_height.end()) {
    log.Add(position, entry.tx_hash, checks::kBlockMissing,
            "the entry names block " + std::to_string(inclusion.height()) +
                ", which is not in the block table");
    return entry;
  }
  Block& block = *it->second;
  block.used = true;
  entry.block = &block;
  // A block whose header failed has no roots to check against; its failure is reported once.
  if (!block.header_ok) return entry;
  const bool leaves = CheckLeaves(inclusion, entry, log);
  entry.included = leaves && block.certified && block.in_order;
  return entry;
}

bool Precedes(const Entry& a, const Entry& b) {
  if (a.height() != b.height()) return a.height() < b.height();
  return a.index < b.index;
}

// Cross-entry checks over the entries whose block is usable: strictly ascending (height,
// index). Then every table row must be used by an entry. Returns the entries the replay may use,
// in replay order.
std::vector<const Entry*> CheckOrder(const std::vector<Entry>& entries,
                                     const std::vector<Block>& blocks,
                                     const std::map<uint64_t, Block*>& by_height,
                                     uint64_t anchor_height, FailureLog& log) {
  std::vector<const Entry*> usable;
  const Entry* prev = nullptr;
  for (const Entry& entry : entries) {
    if (entry.block == nullptr || !entry.block->usable()) continue;
    if (prev != nullptr && !Precedes(*prev, entry)) {
      log.Add(entry.position, entry.tx_hash, checks::kOrder,
              "entry (height " + std::to_string(entry.height()) + ", index " +
                  std::to_string(entry.index) + ") does not come after (height " +
                  std::to_string(prev->height()) + ", index " + std::to_string(prev->index) +
                  ")");
      continue;
    }
    prev = &entry;
    if (entry.included) usable.push_back(&entry);
  }
  for (const Block& block : blocks) {
    auto it = by_height.find(block.height);
    if (it == by_height.end() || it->second != &block || block.used) continue;  // duplicates
    if (block.height == anchor_height) continue;  // the anchor's block needs no entry
    log.AddBlock(block.position, checks::kBlockUnused,
                 "table block " + std::to_string(block.height) +
                     " holds no entry of the bundle (a bundle carries only the blocks its "
                     "entries need)");
  }
  return usable;
}

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

Context MakeContext(const Genesis& genesis, FailureLog& log) {
  Context cx{.genesis = genesis, .schedule = std::nullopt};
  Result<GenesisValidatorSchedule> set = GenesisValidatorSchedule::Create(genesis);
  if (set.ok()) {
    cx.schedule = std::move(set).value();
  } else {
    log.AddBundle(checks::kGenesis, "genesis validators: " + set.status().ToString());
  }
  return cx;
}

}  // namespace

ProofReport VerifyProofBundle(const Genesis& genesis, const v1::ProofBundle& bundle,
                              const ProofVerifyOptions& options) {
  ProofReport report;
  FailureLog log(report.failures);
  if (CheckBundle(genesis, bundle, log)) {
    Context cx = MakeContext(genesis, log);
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
