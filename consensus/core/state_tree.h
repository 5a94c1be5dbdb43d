// StateTree: the authenticated state. A Merkle commitment over every state key and value whose
// root each block header carries as state_root, so that a proof bundle can show what a record
// was (or that it did not exist) at a certified height (docs/FORMAT.md "State tree",
// docs/PROOF-VERIFY.md "Completeness").
//
// Shape: a binary Patricia (crit-bit) trie over SHA-256(key). Each inner node splits at the
// first bit where the key hashes below it differ, so the shape depends only on the set of keys,
// not on the order they were written: replaying the same deltas, or loading the same state from
// disk, gives the same root. Hashes (state.proto StateProof):
//   leaf  = SHA-256(0x00 || SHA-256(key) || SHA-256(value))
//   inner = SHA-256(0x01 || u16be(bit) || left || right)
//   empty = 32 zero bytes
// Depth is about log2(number of keys) because key hashes are uniform.
//
// Persistence: a StateTree is an immutable value. Apply returns a new version that shares every
// untouched node with this one, so the proposer can execute a block speculatively, a snapshot
// can keep its version for proofs while later blocks commit, and copying a StateTree is a
// pointer copy. Values are not stored (only their hashes): the state store keeps them.
//
// Thread-safety: a StateTree is immutable; any number of threads may read one version.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/state.pb.h"

namespace lotchain::core {

namespace tree_internal {
struct Node;
}  // namespace tree_internal

class StateTree {
 public:
  using Hash = std::array<unsigned char, 32>;

  StateTree() = default;  // the empty tree

  // This version with `delta` applied (puts and deletes; deleting an absent key is a no-op).
  StateTree Apply(const StateDelta& delta) const;

  // 32 bytes; 32 zero bytes for the empty tree.
  std::string Root() const;
  size_t size() const { return size_; }

  // Proof of `key` under Root(). `value` must be what the state holds for `key` in the version
  // this tree commits to (nullopt = absent); the caller reads it from the same snapshot.
  // Asserts that the value matches the committed leaf (a mismatch is a store bug).
  v1::StateProof Prove(std::string_view key, const std::optional<std::string>& value) const;

  // Builds a tree from many entries at once (loading a store): puts without copying values.
  class Builder {
   public:
    Builder();
    explicit Builder(const StateTree& base);
    ~Builder();
    void Put(std::string_view key, std::string_view value);
    void Delete(std::string_view key);
    StateTree Finish();  // the builder is empty afterwards

   private:
    std::shared_ptr<tree_internal::Node> root_;
    size_t size_ = 0;
  };

 private:
  StateTree(std::shared_ptr<const tree_internal::Node> root, size_t size)
      : root_(std::move(root)), size_(size) {}
  std::shared_ptr<const tree_internal::Node> root_;
  size_t size_ = 0;
};

// Checks `proof` against a 32-byte `root`: OK iff the proof shows that proof.key has
// proof.value (present) or no value (absent) in the tree with that root. Never aborts on bad
// input; the error (code STATE_PROOF) says what is wrong.
Status VerifyStateProof(std::string_view root, const v1::StateProof& proof);

}  // namespace lotchain::core
