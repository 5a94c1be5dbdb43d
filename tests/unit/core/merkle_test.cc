// Tests for consensus/core/merkle.h: the published RFC 6962 / Certificate Transparency vectors,
// then exhaustive properties over small trees checked against a recursive reference that
// transcribes RFC 6962 section 2.1 (MTH and PATH) literally.
//
// Vector source: certificate-transparency's merkle_tree_test (C++), as carried forward in
// transparency-dev/merkle proof/verify_test.go (variables `leaves`, `roots`, `inclusionProofs`;
// that file numbers leaves from 1, here indices start at 0). The empty root is SHA-256("").

#include "consensus/core/merkle.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/crypto.h"

namespace lotchain::core {
namespace {

std::string Unhex(std::string_view hex) {
  Result<std::string> bytes = FromHex(hex);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.ok() ? *bytes : std::string();
}

std::vector<std::string> HexList(const std::vector<std::string_view>& hexes) {
  std::vector<std::string> out;
  for (std::string_view hex : hexes) out.push_back(Unhex(hex));
  return out;
}

std::string FlipBit(std::string bytes, size_t byte_index, unsigned bit) {
  auto mask = static_cast<unsigned char>(1u << bit);
  bytes[byte_index] = static_cast<char>(static_cast<unsigned char>(bytes[byte_index]) ^ mask);
  return bytes;
}

// The eight CT test leaves (raw leaf data, hex).
std::vector<std::string> CtLeaves() {
  return HexList({"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                  "606162636465666768696a6b6c6d6e6f"});
}

// CT roots of the first n leaves, n = 1..8.
const std::vector<std::string_view> kCtRoots = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct CtAuditPath {
  uint64_t index;
  uint64_t tree_size;
  std::vector<std::string_view> path_hex;
};

const std::vector<CtAuditPath> kCtAuditPaths = {
    {0, 1, {}},
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

// ---- Recursive reference: RFC 6962 section 2.1, transcribed. The production code is iterative
// (STYLE.md bans recursion there); the test keeps the RFC's own shape so the two are independent.

// The largest power of two smaller than n (n >= 2).
size_t SplitPoint(size_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin, end)) over leaf hashes.
std::string RefMth(const std::vector<std::string>& hashes, size_t begin, size_t end) {
  if (end == begin) return Sha256("");
  if (end - begin == 1) return hashes[begin];
  size_t k = SplitPoint(end - begin);
  return MerkleNodeHash(RefMth(hashes, begin, begin + k), RefMth(hashes, begin + k, end));
}

// PATH(m, D[begin, end)), bottom-up.
std::vector<std::string> RefPath(const std::vector<std::string>& hashes, size_t m, size_t begin,
                                 size_t end) {
  if (end - begin == 1) return {};
  size_t k = SplitPoint(end - begin);
  std::vector<std::string> path;
  if (m < k) {
    path = RefPath(hashes, m, begin, begin + k);
    path.push_back(RefMth(hashes, begin + k, end));
  } else {
    path = RefPath(hashes, m - k, begin + k, end);
    path.push_back(RefMth(hashes, begin, begin + k));
  }
  return path;
}

// Root implied by a bottom-up `path` for leaf `m` of a tree of n leaves, following the same
// recursive decomposition; nullopt when the path has the wrong length.
std::optional<std::string> RefRootFromPathAt(std::string_view leaf_hash, uint64_t m, uint64_t n,
                                             const std::vector<std::string>& path,
                                             size_t& position) {
  if (n == 1) return std::string(leaf_hash);
  uint64_t k = std::bit_floor(n - 1);
  std::optional<std::string> below =
      m < k ? RefRootFromPathAt(leaf_hash, m, k, path, position)
            : RefRootFromPathAt(leaf_hash, m - k, n - k, path, position);
  if (!below.has_value() || position >= path.size()) return std::nullopt;
  const std::string& sibling = path[position++];
  if (sibling.size() != kHashBytes) return std::nullopt;
  return m < k ? MerkleNodeHash(*below, sibling) : MerkleNodeHash(sibling, *below);
}

bool RefVerify(std::string_view leaf_hash, uint64_t m, uint64_t n,
               const std::vector<std::string>& path, std::string_view root) {
  if (m >= n || leaf_hash.size() != kHashBytes) return false;
  size_t position = 0;
  std::optional<std::string> computed = RefRootFromPathAt(leaf_hash, m, n, path, position);
  return computed.has_value() && position == path.size() && *computed == root;
}

// Distinct leaf data of varying length for property tests.
std::vector<std::string> TestLeaves(size_t count) {
  std::vector<std::string> leaves;
  for (size_t i = 0; i < count; ++i) {
    leaves.push_back(std::string(i % 7, static_cast<char>('a' + i % 26)) + std::to_string(i));
  }
  return leaves;
}

std::vector<std::string> LeafHashesOf(const std::vector<std::string>& leaves) {
  std::vector<std::string> hashes;
  for (const std::string& leaf : leaves) hashes.push_back(MerkleLeafHash(leaf));
  return hashes;
}

std::vector<std::string> Prefix(const std::vector<std::string>& all, size_t count) {
  return std::vector<std::string>(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(count));
}

class MerkleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitCrypto(); }
};

// ---- Published vectors.

TEST_F(MerkleTest, HashesFollowRfc6962Prefixes) {
  // Property: the leaf hash is SHA-256(0x00 || data) and the node hash SHA-256(0x01 || l || r),
  // checked against Sha256 of hand-built buffers; MTH of the single empty leaf is the CT root 1.
  using namespace std::string_literals;
  EXPECT_EQ(MerkleLeafHash(""), Sha256("\0"s));
  EXPECT_EQ(MerkleLeafHash("abc"), Sha256("\0abc"s));
  std::string left(kHashBytes, 'L');
  std::string right(kHashBytes, 'R');
  EXPECT_EQ(MerkleNodeHash(left, right), Sha256("\x01"s + left + right));
  EXPECT_NE(MerkleNodeHash(left, right), MerkleNodeHash(right, left));
  EXPECT_EQ(ToHex(MerkleLeafHash("")), kCtRoots[0]);
}

TEST_F(MerkleTest, RootsMatchCtVectors) {
  // Property: MerkleRoot over the first n CT leaves equals the published root for n = 1..8,
  // and the empty tree's root is SHA-256("") = e3b0c442...
  std::vector<std::string> leaves = CtLeaves();
  EXPECT_EQ(ToHex(MerkleRoot({})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  for (size_t n = 1; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToHex(MerkleRoot(Prefix(leaves, n))), kCtRoots[n - 1]) << "tree size " << n;
  }
}

TEST_F(MerkleTest, AuditPathsMatchCtVectors) {
  // Property: MerkleAuditPath reproduces the published CT audit paths exactly, and
  // VerifyMerkleInclusion accepts each against the published root.
  std::vector<std::string> leaves = CtLeaves();
  for (const CtAuditPath& vector : kCtAuditPaths) {
    SCOPED_TRACE(testing::Message() << "index " << vector.index << " size " << vector.tree_size);
    std::vector<std::string> tree = Prefix(leaves, vector.tree_size);
    std::vector<std::string> want = HexList(vector.path_hex);
    EXPECT_EQ(MerkleAuditPath(tree, vector.index), want);
    std::string root = Unhex(kCtRoots[vector.tree_size - 1]);
    std::string leaf_hash = MerkleLeafHash(leaves[vector.index]);
    EXPECT_TRUE(VerifyMerkleInclusion(leaf_hash, vector.index, vector.tree_size, want, root));
  }
}

TEST_F(MerkleTest, CtAuditPathsRejectCorruptions) {
  // Property: the corruptions used by transparency-dev's verifierCheck all fail on every CT
  // vector: index -1/+1/^2, size *2 and /2, wrong leaf, empty and arbitrary root, garbage
  // appended or prepended, a flipped bit in any element, a removed or inserted element.
  std::vector<std::string> leaves = CtLeaves();
  const std::string some_hash =
      Unhex("abacaba000000000000000000000000000000000000000000060061e00123456");
  for (const CtAuditPath& vector : kCtAuditPaths) {
    SCOPED_TRACE(testing::Message() << "index " << vector.index << " size " << vector.tree_size);
    const uint64_t index = vector.index;
    const uint64_t size = vector.tree_size;
    const std::vector<std::string> path = HexList(vector.path_hex);
    const std::string root = Unhex(kCtRoots[size - 1]);
    const std::string leaf = MerkleLeafHash(leaves[index]);
    ASSERT_TRUE(VerifyMerkleInclusion(leaf, index, size, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index - 1, size, path, root));  // wraps at 0
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index + 1, size, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index ^ 2u, size, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size * 2, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size / 2, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion("WrongLeaf", index, size, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(MerkleLeafHash("x"), index, size, path, root));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, path, Sha256("")));
    EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, path, some_hash));
    for (const std::string& extra : {std::string(), root}) {
      std::vector<std::string> longer = path;
      longer.push_back(extra);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, longer, root));
      longer = path;
      longer.insert(longer.begin(), extra);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, longer, root));
    }
    for (size_t i = 0; i < path.size(); ++i) {
      std::vector<std::string> wrong = path;
      wrong[i] = FlipBit(wrong[i], 0, 3);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, wrong, root)) << "element " << i;
    }
    if (!path.empty()) {
      std::vector<std::string> shorter(path.begin(), path.end() - 1);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, shorter, root));
    }
    if (path.size() > 1) {
      std::vector<std::string> inserted = path;
      inserted.insert(inserted.begin() + 1, some_hash);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, inserted, root));
    }
  }
}

TEST_F(MerkleTest, DegenerateInputsAreRejected) {
  // Property: index >= size (including size 0 and index UINT64_MAX), hashes of the wrong
  // length, and a single-leaf tree with any non-empty path are rejected.
  const std::string leaf = MerkleLeafHash("data");
  EXPECT_TRUE(VerifyMerkleInclusion(leaf, 0, 1, {}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, 1, {leaf}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, 0, {}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 1, 1, {}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, UINT64_MAX, UINT64_MAX, {leaf}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, 1, {}, ""));
  EXPECT_FALSE(VerifyMerkleInclusion("", 0, 1, {}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf + "x", 0, 1, {}, leaf + "x"));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, 2, {leaf.substr(1)}, leaf));
  EXPECT_FALSE(VerifyMerkleInclusion(leaf, 0, UINT64_MAX, {leaf, leaf}, leaf));
}

// ---- Properties over all small trees.

TEST_F(MerkleTest, EveryAuditPathVerifiesUpTo70Leaves) {
  // Property: for every tree size 1..70 and every index, MerkleAuditPath verifies with
  // VerifyMerkleInclusion against MerkleRoot, and has the length RFC 6962 prescribes (the
  // reference PATH's length).
  const std::vector<std::string> all = TestLeaves(70);
  const std::vector<std::string> hashes = LeafHashesOf(all);
  for (uint64_t size = 1; size <= all.size(); ++size) {
    const std::vector<std::string> leaves = Prefix(all, size);
    const std::string root = MerkleRoot(leaves);
    for (uint64_t index = 0; index < size; ++index) {
      std::vector<std::string> path = MerkleAuditPath(leaves, index);
      EXPECT_EQ(path.size(), RefPath(hashes, index, 0, size).size()) << index << "/" << size;
      EXPECT_TRUE(VerifyMerkleInclusion(hashes[index], index, size, path, root))
          << index << "/" << size;
    }
  }
}

TEST_F(MerkleTest, TamperedProofsFailUpTo70Leaves) {
  // Property: for every size 1..70 and index, the proof fails if any single sibling has a
  // flipped bit (one bit per sibling, position varied), if the leaf is wrong (another leaf's
  // hash, the unprefixed SHA-256 of the data, or the first sibling), if the index is any other
  // value in [0, size + 2), or if the path is truncated or extended.
  const std::vector<std::string> all = TestLeaves(70);
  const std::vector<std::string> hashes = LeafHashesOf(all);
  for (uint64_t size = 1; size <= all.size(); ++size) {
    const std::vector<std::string> leaves = Prefix(all, size);
    const std::string root = MerkleRoot(leaves);
    for (uint64_t index = 0; index < size; ++index) {
      SCOPED_TRACE(testing::Message() << "index " << index << " size " << size);
      const std::vector<std::string> path = MerkleAuditPath(leaves, index);
      const std::string& leaf = hashes[index];
      for (size_t i = 0; i < path.size(); ++i) {
        std::vector<std::string> wrong = path;
        wrong[i] = FlipBit(wrong[i], (index + 5 * i) % kHashBytes, static_cast<unsigned>(i % 8));
        EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, wrong, root)) << "sibling " << i;
      }
      EXPECT_FALSE(VerifyMerkleInclusion(hashes[(index + 1) % 70], index, size, path, root));
      EXPECT_FALSE(VerifyMerkleInclusion(Sha256(all[index]), index, size, path, root));
      if (!path.empty()) {
        EXPECT_FALSE(VerifyMerkleInclusion(path.front(), index, size, path, root));
        EXPECT_FALSE(VerifyMerkleInclusion(
            leaf, index, size, std::vector<std::string>(path.begin(), path.end() - 1), root));
      }
      std::vector<std::string> longer = path;
      longer.push_back(root);
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size, longer, root));
      for (uint64_t other = 0; other < size + 2; ++other) {
        if (other == index) continue;
        EXPECT_FALSE(VerifyMerkleInclusion(leaf, other, size, path, root)) << "index " << other;
      }
    }
  }
}

TEST_F(MerkleTest, WrongTreeSizeAgreesWithReferenceUpTo70Leaves) {
  // Property: claiming a wrong tree size never makes the iterative verifier disagree with the
  // recursive RFC 6962 reference verifier, for every size 1..70, index, and claimed size in
  // [1, size + 8] and 2 * size; sizes 2 * size and size / 2 are always rejected. (A wrong size
  // can legitimately verify when its tree has the same shape on the leaf's path, e.g. leaf 0 of
  // 3 claimed as leaf 0 of 4; the reference decides those cases.)
  const std::vector<std::string> all = TestLeaves(70);
  const std::vector<std::string> hashes = LeafHashesOf(all);
  for (uint64_t size = 1; size <= all.size(); ++size) {
    const std::vector<std::string> leaves = Prefix(all, size);
    const std::string root = MerkleRoot(leaves);
    for (uint64_t index = 0; index < size; ++index) {
      const std::vector<std::string> path = MerkleAuditPath(leaves, index);
      const std::string& leaf = hashes[index];
      EXPECT_TRUE(RefVerify(leaf, index, size, path, root));
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size * 2, path, root));
      EXPECT_FALSE(VerifyMerkleInclusion(leaf, index, size / 2, path, root));
      for (uint64_t claimed = 1; claimed <= size + 8; ++claimed) {
        EXPECT_EQ(VerifyMerkleInclusion(leaf, index, claimed, path, root),
                  RefVerify(leaf, index, claimed, path, root))
            << "index " << index << " size " << size << " claimed " << claimed;
      }
    }
  }
}

TEST_F(MerkleTest, IterativeMatchesRecursiveReferenceUpTo130Leaves) {
  // Property: for every size 1..130, MerkleRoot equals the recursive RFC 6962 MTH, and for
  // every index MerkleAuditPath equals the recursive PATH(m, D[n]) element by element.
  const std::vector<std::string> all = TestLeaves(130);
  const std::vector<std::string> hashes = LeafHashesOf(all);
  for (size_t size = 1; size <= all.size(); ++size) {
    const std::vector<std::string> leaves = Prefix(all, size);
    ASSERT_EQ(MerkleRoot(leaves), RefMth(hashes, 0, size)) << "size " << size;
    for (size_t index = 0; index < size; ++index) {
      ASSERT_EQ(MerkleAuditPath(leaves, index), RefPath(hashes, index, 0, size))
          << "index " << index << " size " << size;
    }
  }
}

TEST_F(MerkleTest, InteriorNodeCannotPoseAsLeaf) {
  // Property (RFC 6962 second-preimage resistance): in a tree of 2^k leaves, the concatenation
  // of two sibling leaf hashes, offered as leaf *data* at the parent's position of a tree half
  // the size with the rest of the path, does not verify, because leaves hash with 0x00 and
  // nodes with 0x01. The same proof with the raw node hash as the leaf hash does verify, which
  // shows the check is not vacuous.
  for (uint64_t size : {uint64_t{2}, uint64_t{8}, uint64_t{64}}) {
    const std::vector<std::string> leaves = TestLeaves(size);
    const std::vector<std::string> hashes = LeafHashesOf(leaves);
    const std::string root = MerkleRoot(leaves);
    for (uint64_t index = 0; index < size; index += 2) {
      const std::vector<std::string> path = MerkleAuditPath(leaves, index);
      const std::vector<std::string> upper(path.begin() + 1, path.end());
      const std::string node = MerkleNodeHash(hashes[index], hashes[index + 1]);
      const std::string forged_leaf = hashes[index] + hashes[index + 1];
      EXPECT_TRUE(VerifyMerkleInclusion(node, index / 2, size / 2, upper, root));
      EXPECT_FALSE(
          VerifyMerkleInclusion(MerkleLeafHash(forged_leaf), index / 2, size / 2, upper, root));
    }
  }
}

TEST_F(MerkleTest, RootCommitsToLeafCountAndOrder) {
  // Property: unlike Bitcoin-style trees, duplicating the last leaf, swapping two leaves, or
  // moving a byte across a leaf boundary changes the root.
  EXPECT_NE(MerkleRoot({"a", "b", "c"}), MerkleRoot({"a", "b", "c", "c"}));
  EXPECT_NE(MerkleRoot({"a", "b"}), MerkleRoot({"b", "a"}));
  EXPECT_NE(MerkleRoot({"ab", "c"}), MerkleRoot({"a", "bc"}));
  EXPECT_NE(MerkleRoot({""}), MerkleRoot({}));
  // A one-leaf tree's root is its leaf hash, never the raw data hash.
  EXPECT_EQ(MerkleRoot({"x"}), MerkleLeafHash("x"));
  EXPECT_NE(MerkleRoot({"x"}), Sha256("x"));
}

// The per-block tree levels the builder keeps give exactly MerkleAuditPath's paths (the
// builder used to rebuild the whole tree for every path: quadratic in the block's tx count when
// a proof holds most of a block, 10 s of node CPU for a 7,500-tx bundle; lotchain-scale).
TEST(MerkleLevelsTest, PathsEqualCoreAuditPaths) {
  for (size_t n : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 15u, 16u, 17u, 31u, 33u, 64u, 100u, 257u}) {
    std::vector<std::string> leaves;
    for (size_t i = 0; i < n; ++i) leaves.push_back("leaf-" + std::to_string(i * 7919));
    MerkleLevels levels(leaves);
    ASSERT_EQ(levels.size(), n);
    const std::string root = MerkleRoot(leaves);
    for (size_t i = 0; i < n; ++i) {
      std::vector<std::string> path = levels.Path(i);
      EXPECT_EQ(path, MerkleAuditPath(leaves, i)) << "n=" << n << " i=" << i;
      EXPECT_TRUE(VerifyMerkleInclusion(MerkleLeafHash(leaves[i]), i, n, path, root))
          << "n=" << n << " i=" << i;
    }
  }
}

}  // namespace
}  // namespace lotchain::core
