// Internals of the proof verifier shared by proof_verify.cc (replay, recomputation, the
// verdict) and proof_verify_rows.cc (the block table, certificates, inclusion and order).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/proof_verify.h"
#include "consensus/core/validator_schedule.h"

namespace lotchain::core::proof_internal {

class FailureLog {
 public:
  explicit FailureLog(std::vector<ProofFailure>& out) : out_(out) {}

  void Add(int tx_index, const std::string& tx_hash, std::string_view check,
           std::string message) {
    if (out_.size() > kProofFailuresMax) return;
    if (out_.size() == kProofFailuresMax) {
      out_.push_back({-1, "", std::string(proof_checks::kTruncated),
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
  // Which validators certify each height: the genesis set, then each set the bundle's
  // governance transactions scheduled (nullopt: unusable). See MakeContext in proof_verify.cc.
  std::optional<ChainValidatorSchedule> schedule;
};

std::string HexOrEmpty(std::string_view bytes);

// The block table: header, certificate and order of every row; the rows by height.
std::map<uint64_t, Block*> CheckBlocks(const Context& cx, const v1::ProofBundle& bundle,
                                       std::vector<Block>& blocks, FailureLog& log,
                                       ProofReport& report);
// Each entry's inclusion under its block's tx root and results root.
Entry CheckInclusion(int position, const v1::TxInclusion& inclusion,
                     const std::map<uint64_t, Block*>& by_height, FailureLog& log);
// The included entries in chain order (height, then index), every table row used; the
// entries the replay may use, in replay order.
std::vector<const Entry*> CheckOrder(const std::vector<Entry>& entries,
                                     const std::vector<Block>& blocks,
                                     const std::map<uint64_t, Block*>& by_height,
                                     uint64_t anchor_height, FailureLog& log);

}  // namespace lotchain::core::proof_internal
