// Fuzz target: VerifyMerkleInclusion (consensus/core/merkle.h) on arbitrary and on mutated
// genuine proofs. Light clients and the wallet feed it paths, indices, sizes and roots taken from
// the network, so it must never crash, and its answer must match a recursive transcription of
// RFC 6962 section 2.1 (an independent oracle, as in tests/unit/core/merkle_test.cc).
//
// Input layout (tests/fuzz/make_seed_corpus.py writes seeds in it):
//   byte 0, bit 0 = 0  "arbitrary" mode; the other bits of byte 0 select field widths:
//     bit 1: index is u64 (else u8)          bit 2: tree size is u64 (else u8)
//     bit 3: leaf hash length is u8 % 48 (else 32)   bit 4: root length likewise
//     bit 5: each path element's length is u8 % 48 (else 32)
//     then index, tree size, leaf hash, root, and path elements until the input ends (<= 80).
//   byte 0, bit 0 = 1  "mutated proof" mode: u8 leaf count - 1, u8 index (mod count), u8 salt,
//     u8 operation, then the operation's operands; see MutatedProof below.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "consensus/core/merkle.h"
#include "tests/fuzz/fuzz_target.h"

namespace lotchain::fuzz {
namespace {

using core::kHashBytes;
using core::MerkleNodeHash;
using core::VerifyMerkleInclusion;

constexpr size_t kPathElementCountMax = 80;  // > 64, the longest valid path for a u64 size
constexpr size_t kMutatedLeafCountMax = 256;

// Root implied by the bottom-up `path` for leaf m of an n-leaf tree, following the RFC 6962
// MTH/PATH decomposition. Recursion depth <= 64: each level at least halves n.
std::optional<std::string> ReferenceRoot(std::string_view leaf_hash, uint64_t m, uint64_t n,
                                         const std::vector<std::string>& path, size_t& position) {
  if (n == 1) return std::string(leaf_hash);
  uint64_t k = std::bit_floor(n - 1);
  std::optional<std::string> below = m < k ? ReferenceRoot(leaf_hash, m, k, path, position)
                                           : ReferenceRoot(leaf_hash, m - k, n - k, path, position);
  if (!below.has_value() || position >= path.size()) return std::nullopt;
  const std::string& sibling = path[position++];
  if (sibling.size() != kHashBytes) return std::nullopt;
  return m < k ? MerkleNodeHash(*below, sibling) : MerkleNodeHash(sibling, *below);
}

bool ReferenceVerify(std::string_view leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<std::string>& path, std::string_view root) {
  if (index >= tree_size || leaf_hash.size() != kHashBytes) return false;
  size_t position = 0;
  std::optional<std::string> computed = ReferenceRoot(leaf_hash, index, tree_size, path, position);
  return computed.has_value() && position == path.size() && *computed == root;
}

void ArbitraryProof(FuzzInput& input, uint8_t flags) {
  uint64_t index = (flags & 0x02) != 0 ? input.U64() : input.U8();
  uint64_t tree_size = (flags & 0x04) != 0 ? input.U64() : input.U8();
  std::string leaf_hash = input.Bytes((flags & 0x08) != 0 ? input.U8() % 48u : kHashBytes);
  std::string root = input.Bytes((flags & 0x10) != 0 ? input.U8() % 48u : kHashBytes);
  std::vector<std::string> path;
  while (!input.empty() && path.size() < kPathElementCountMax) {
    path.push_back(input.Bytes((flags & 0x20) != 0 ? input.U8() % 48u : kHashBytes));
  }
  bool verified = VerifyMerkleInclusion(leaf_hash, index, tree_size, path, root);
  LOTCHAIN_ASSERT(verified == ReferenceVerify(leaf_hash, index, tree_size, path, root));
  if (verified) LOTCHAIN_ASSERT(path.size() <= 64);
}

std::string LeafData(uint8_t salt, size_t leaf_index) {
  return std::string(1, static_cast<char>(salt)) + std::to_string(leaf_index);
}

// Builds a genuine proof, checks it verifies, applies one mutation and checks the verdict.
void MutatedProof(FuzzInput& input) {
  const size_t leaf_count = size_t{input.U8()} + 1;
  const uint64_t index = input.U8() % leaf_count;
  const uint8_t salt = input.U8();
  std::vector<std::string> leaves;
  for (size_t i = 0; i < leaf_count; ++i) leaves.push_back(LeafData(salt, i));
  LOTCHAIN_ASSERT(leaves.size() <= kMutatedLeafCountMax);
  const std::string root = core::MerkleRoot(leaves);
  const std::string leaf_hash = core::MerkleLeafHash(leaves[index]);
  std::vector<std::string> path = core::MerkleAuditPath(leaves, index);
  const uint64_t size = leaf_count;
  LOTCHAIN_ASSERT(VerifyMerkleInclusion(leaf_hash, index, size, path, root));
  LOTCHAIN_ASSERT(ReferenceVerify(leaf_hash, index, size, path, root));

  switch (input.U8() % 6) {
    case 0:  // untouched
      break;
    case 1: {  // one flipped bit in one sibling
      if (path.empty()) break;
      std::string& sibling = path[input.U8() % path.size()];
      size_t byte_index = input.U8() % kHashBytes;
      auto mask = static_cast<unsigned char>(1u << (input.U8() % 8u));
      sibling[byte_index] =
          static_cast<char>(static_cast<unsigned char>(sibling[byte_index]) ^ mask);
      LOTCHAIN_ASSERT(!VerifyMerkleInclusion(leaf_hash, index, size, path, root));
      break;
    }
    case 2: {  // another index: the left/right sequence names exactly one leaf
      uint64_t claimed = (input.U8() & 1u) != 0 ? input.U64() : input.U8();
      LOTCHAIN_ASSERT(VerifyMerkleInclusion(leaf_hash, claimed, size, path, root) ==
                      (claimed == index));
      break;
    }
    case 3: {  // another size: may verify only where the reference agrees
      uint64_t claimed = (input.U8() & 1u) != 0 ? input.U64() : input.U16();
      LOTCHAIN_ASSERT(VerifyMerkleInclusion(leaf_hash, index, claimed, path, root) ==
                      ReferenceVerify(leaf_hash, index, claimed, path, root));
      break;
    }
    case 4: {  // one element too few or too many
      if ((input.U8() & 1u) != 0 && !path.empty()) {
        path.pop_back();
      } else {
        path.push_back(input.Bytes(kHashBytes));
      }
      LOTCHAIN_ASSERT(!VerifyMerkleInclusion(leaf_hash, index, size, path, root));
      break;
    }
    default: {  // another leaf's hash
      size_t other = input.U8() % leaf_count;
      LOTCHAIN_ASSERT(VerifyMerkleInclusion(core::MerkleLeafHash(leaves[other]), index, size, path,
                                            root) == (other == index));
      break;
    }
  }
}

}  // namespace

int FuzzMerkleVerify(const uint8_t* data, size_t size) {
  core::InitCrypto();
  FuzzInput input(data, size);
  uint8_t mode = input.U8();
  if ((mode & 1u) == 0) {
    ArbitraryProof(input, mode);
  } else {
    MutatedProof(input);
  }
  return 0;
}

}  // namespace lotchain::fuzz

LOTCHAIN_FUZZ_ENTRY(FuzzMerkleVerify)
