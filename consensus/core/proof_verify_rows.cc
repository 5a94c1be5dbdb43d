// The proof verifier's row checks: each ProofBlock's header and certificate, the order of the
// table, each TxInclusion's Merkle paths, and the chain order of the entries.
#include <algorithm>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/merkle.h"
#include "consensus/core/proof_verify_internal.h"

namespace lotchain::core::proof_internal {

namespace checks = proof_checks;

std::string HexOrEmpty(std::string_view bytes) {
  return bytes.empty() ? std::string("(empty)") : ToHex(bytes);
}

namespace {

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
  const std::string next = cx.schedule.has_value()
                               ? cx.schedule->At(header.height() + 1).Hash() : std::string();
  if (header.next_validators_hash() != next) {
    log.AddBlock(at, checks::kValidators,
                 "block " + std::to_string(header.height()) + " names next validator set " +
                     HexOrEmpty(header.next_validators_hash()) +
                     ", the set the bundle's governance history gives for the next height is " +
                     HexOrEmpty(next) + " (a validator-set change left out of the bundle?)");
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

}  // namespace

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

namespace {

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

}  // namespace

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

namespace {

bool Precedes(const Entry& a, const Entry& b) {
  if (a.height() != b.height()) return a.height() < b.height();
  return a.index < b.index;
}

}  // namespace

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

}  // namespace lotchain::core::proof_internal
