#include "consensus/core/merkle.h"

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"

namespace lotchain::core {

std::string MerkleLeafHash(std::string_view data) {
  std::string buf;
  buf.reserve(data.size() + 1);
  buf.push_back('\x00');
  buf.append(data);
  return Sha256(buf);
}

std::string MerkleNodeHash(std::string_view left, std::string_view right) {
  LOTCHAIN_ASSERT(left.size() == kHashBytes);
  LOTCHAIN_ASSERT(right.size() == kHashBytes);
  std::string buf;
  buf.reserve(1 + 2 * kHashBytes);
  buf.push_back('\x01');
  buf.append(left);
  buf.append(right);
  return Sha256(buf);
}

namespace {

// Iterative bottom-up construction. RFC 6962 splits at the largest power of two below n;
// pairing adjacent nodes level by level and promoting an odd last node unchanged yields the
// same tree, without recursion.
std::vector<std::string> NextLevel(const std::vector<std::string>& level) {
  std::vector<std::string> next;
  next.reserve((level.size() + 1) / 2);
  for (size_t i = 0; i + 1 < level.size(); i += 2) {
    next.push_back(MerkleNodeHash(level[i], level[i + 1]));
  }
  if (level.size() % 2 == 1) next.push_back(level.back());
  return next;
}

std::vector<std::string> LeafHashes(const std::vector<std::string>& leaves) {
  std::vector<std::string> hashes;
  hashes.reserve(leaves.size());
  for (const auto& leaf : leaves) hashes.push_back(MerkleLeafHash(leaf));
  return hashes;
}

}  // namespace

std::string MerkleRoot(const std::vector<std::string>& leaves) {
  if (leaves.empty()) return Sha256("");
  std::vector<std::string> level = LeafHashes(leaves);
  while (level.size() > 1) level = NextLevel(level);
  return level.front();
}

std::vector<std::string> MerkleAuditPath(const std::vector<std::string>& leaves,
                                         uint64_t index) {
  LOTCHAIN_ASSERT(index < leaves.size());
  std::vector<std::string> path;
  std::vector<std::string> level = LeafHashes(leaves);
  uint64_t position = index;
  while (level.size() > 1) {
    uint64_t sibling = position ^ 1u;
    if (sibling < level.size()) path.push_back(level[sibling]);
    level = NextLevel(level);
    position >>= 1;
  }
  return path;
}

bool VerifyMerkleInclusion(std::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                           const std::vector<std::string>& path, std::string_view root) {
  if (index >= tree_size) return false;
  if (leaf_hash.size() != kHashBytes || root.size() != kHashBytes) return false;
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  for (const auto& p : path) {
    if (sn == 0) return false;
    if (p.size() != kHashBytes) return false;
    if ((fn & 1u) == 1u || fn == sn) {
      r = MerkleNodeHash(p, r);
      if ((fn & 1u) == 0u) {
        while ((fn & 1u) == 0u && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = MerkleNodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

MerkleLevels::MerkleLevels(const std::vector<std::string>& leaves) {
  if (leaves.empty()) return;
  std::vector<std::string> level;
  level.reserve(leaves.size());
  for (const std::string& leaf : leaves) level.push_back(MerkleLeafHash(leaf));
  levels_.push_back(std::move(level));
  // Pair adjacent nodes level by level, promoting an odd last node unchanged: the same tree as
  // MerkleRoot / MerkleAuditPath (RFC 6962's split at the largest power of two).
  while (levels_.back().size() > 1) {
    const std::vector<std::string>& below = levels_.back();
    std::vector<std::string> next;
    next.reserve((below.size() + 1) / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      next.push_back(MerkleNodeHash(below[i], below[i + 1]));
    }
    if (below.size() % 2 == 1) next.push_back(below.back());
    levels_.push_back(std::move(next));
  }
}

std::vector<std::string> MerkleLevels::Path(uint64_t index) const {
  LOTCHAIN_ASSERT(index < size());
  std::vector<std::string> path;
  uint64_t position = index;
  for (size_t level = 0; level + 1 < levels_.size(); ++level) {
    uint64_t sibling = position ^ 1u;
    if (sibling < levels_[level].size()) path.push_back(levels_[level][sibling]);
    position >>= 1;
  }
  return path;
}

}  // namespace lotchain::core
