// Merkle trees as in RFC 6962 / RFC 9162 section 2.1: leaf hash SHA-256(0x00 || data),
// interior hash SHA-256(0x01 || left || right), the empty tree's root SHA-256("").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lotchain::core {

std::string MerkleLeafHash(std::string_view data);
std::string MerkleNodeHash(std::string_view left, std::string_view right);

// Root over the leaf *data* (not pre-hashed).
std::string MerkleRoot(const std::vector<std::string>& leaves);

// RFC 6962 audit path (PATH(m, D[n])) for leaf `index` < leaves.size(), siblings bottom-up.
std::vector<std::string> MerkleAuditPath(const std::vector<std::string>& leaves, uint64_t index);

// RFC 9162 section 2.1.3.2: true iff `path` proves that the leaf with `leaf_hash` is at `index`
// of a tree of `tree_size` leaves with root `root`.
bool VerifyMerkleInclusion(std::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                           const std::vector<std::string>& path, std::string_view root);

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


}  // namespace lotchain::core
