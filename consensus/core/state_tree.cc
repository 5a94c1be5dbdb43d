#include "consensus/core/state_tree.h"

#include <bit>
#include <cstring>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"

namespace lotchain::core {

namespace tree_internal {

using Hash = StateTree::Hash;
inline constexpr uint16_t kLeafBit = 256;  // a leaf's "bit": below every inner node

// Nodes are immutable once a StateTree holds them. While a Builder runs, the nodes it created
// are `dirty` (no hash yet, owned by this builder only) and are changed in place; clean nodes
// are shared with published versions and are copied before a change (path copying).
struct Node {
  explicit Node(uint16_t b) : bit(b) {}
  uint16_t bit;
  bool dirty = true;
  Hash hash{};  // valid once clean
};

struct Leaf final : Node {
  Leaf(const Hash& k, const Hash& v) : Node(kLeafBit), key(k), value(v) {}
  Hash key;    // SHA-256(state key)
  Hash value;  // SHA-256(value)
};

struct Inner final : Node {
  explicit Inner(uint16_t b) : Node(b) {}
  std::shared_ptr<Node> child[2];
};

}  // namespace tree_internal

namespace {

using tree_internal::Hash;
using tree_internal::Inner;
using tree_internal::kLeafBit;
using tree_internal::Leaf;
using tree_internal::Node;
using Ptr = std::shared_ptr<Node>;

Hash HashOf(std::string_view bytes) {
  Hash out;
  Sha256Into(bytes, out.data());
  return out;
}

unsigned BitOf(const Hash& h, unsigned bit) { return (h[bit / 8] >> (7 - bit % 8)) & 1u; }

// First bit where a and b differ; kLeafBit when equal.
uint16_t FirstDifference(const Hash& a, const Hash& b) {
  for (unsigned i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i] ^ b[i]);
    if (x != 0) return static_cast<uint16_t>(i * 8 + static_cast<unsigned>(std::countl_zero(x)));
  }
  return kLeafBit;
}

Hash LeafHash(const Hash& key, const Hash& value) {
  char buf[1 + 32 + 32];
  buf[0] = '\x00';
  std::memcpy(buf + 1, key.data(), 32);
  std::memcpy(buf + 33, value.data(), 32);
  return HashOf({buf, sizeof buf});
}

Hash InnerHash(unsigned bit, const Hash& left, const Hash& right) {
  char buf[1 + 2 + 32 + 32];
  buf[0] = '\x01';
  buf[1] = static_cast<char>(bit >> 8);
  buf[2] = static_cast<char>(bit & 0xffu);
  std::memcpy(buf + 3, left.data(), 32);
  std::memcpy(buf + 35, right.data(), 32);
  return HashOf({buf, sizeof buf});
}

Inner& AsInner(const Ptr& node) { return static_cast<Inner&>(*node); }
const Leaf& AsLeaf(const Node& node) { return static_cast<const Leaf&>(node); }

// The node itself when this builder made it, else a dirty copy to change.
Ptr Writable(const Ptr& node) {
  if (node->dirty) return node;
  const Inner& old = AsInner(node);
  auto copy = std::make_shared<Inner>(old.bit);
  copy->child[0] = old.child[0];
  copy->child[1] = old.child[1];
  return copy;
}

// The leaf the search for `key` ends at (following key's bit at each inner node).
const Leaf& SearchEnd(const Node* node, const Hash& key) {
  while (node->bit != kLeafBit) {
    node = static_cast<const Inner*>(node)->child[BitOf(key, node->bit)].get();
  }
  return AsLeaf(*node);
}

// Inserts below `node`, where `split` is the first bit at which `key` differs from the leaf
// its search ends at (kLeafBit: that leaf has this key, replace its value).
Ptr InsertAt(const Ptr& node, const Hash& key, const Hash& value, uint16_t split) {
  if (node->bit < split) {
    Ptr copy = Writable(node);
    Inner& inner = AsInner(copy);
    const unsigned dir = BitOf(key, inner.bit);
    inner.child[dir] = InsertAt(inner.child[dir], key, value, split);
    return copy;
  }
  if (split == kLeafBit) {
    if (!node->dirty && AsLeaf(*node).value == value) return node;  // same value: unchanged
    return std::make_shared<Leaf>(key, value);
  }
  LOTCHAIN_ASSERT(node->bit > split);
  auto inner = std::make_shared<Inner>(split);
  const unsigned dir = BitOf(key, split);
  inner->child[dir] = std::make_shared<Leaf>(key, value);
  inner->child[1 - dir] = node;
  return inner;
}

// `found` is set when the key was in the tree.
Ptr Remove(const Ptr& node, const Hash& key, bool& found) {
  if (node->bit == kLeafBit) {
    found = AsLeaf(*node).key == key;
    return found ? nullptr : node;
  }
  const Inner& inner = AsInner(node);
  const unsigned dir = BitOf(key, inner.bit);
  Ptr child = Remove(inner.child[dir], key, found);
  if (!found) return node;
  if (child == nullptr) return inner.child[1 - dir];  // the sibling takes the inner's place
  Ptr copy = Writable(node);
  AsInner(copy).child[dir] = std::move(child);
  return copy;
}

// Hashes every dirty node (post-order) and marks it clean.
void Seal(Node& node) {
  if (!node.dirty) return;
  if (node.bit == kLeafBit) {
    const Leaf& leaf = AsLeaf(node);
    node.hash = LeafHash(leaf.key, leaf.value);
  } else {
    auto& inner = static_cast<Inner&>(node);
    Seal(*inner.child[0]);
    Seal(*inner.child[1]);
    node.hash = InnerHash(inner.bit, inner.child[0]->hash, inner.child[1]->hash);
  }
  node.dirty = false;
}

Status Bad(const std::string& what) { return Status("STATE_PROOF", what); }

std::string HashString(const Hash& h) { return std::string(h.begin(), h.end()); }

std::optional<Hash> ToHash(std::string_view bytes) {
  if (bytes.size() != 32) return std::nullopt;
  Hash h;
  std::memcpy(h.data(), bytes.data(), 32);
  return h;
}

}  // namespace

StateTree::Builder::Builder() = default;
StateTree::Builder::Builder(const StateTree& base)
    : root_(std::const_pointer_cast<Node>(base.root_)), size_(base.size_) {}
StateTree::Builder::~Builder() = default;

void StateTree::Builder::Put(std::string_view key, std::string_view value) {
  const Hash key_hash = HashOf(key);
  const Hash value_hash = HashOf(value);
  if (root_ == nullptr) {
    root_ = std::make_shared<Leaf>(key_hash, value_hash);
    size_ = 1;
    return;
  }
  const uint16_t split = FirstDifference(SearchEnd(root_.get(), key_hash).key, key_hash);
  if (split != kLeafBit) ++size_;
  root_ = InsertAt(root_, key_hash, value_hash, split);
}

void StateTree::Builder::Delete(std::string_view key) {
  if (root_ == nullptr) return;
  bool found = false;
  root_ = Remove(root_, HashOf(key), found);
  if (found) --size_;
}

StateTree StateTree::Builder::Finish() {
  if (root_ != nullptr) Seal(*root_);
  StateTree out(std::move(root_), size_);
  root_ = nullptr;
  size_ = 0;
  return out;
}

StateTree StateTree::Apply(const StateDelta& delta) const {
  Builder builder(*this);
  for (const auto& [key, value] : delta.writes) {
    if (value.has_value()) {
      builder.Put(key, *value);
    } else {
      builder.Delete(key);
    }
  }
  return builder.Finish();
}

std::string StateTree::Root() const {
  if (root_ == nullptr) return std::string(kHashBytes, '\0');
  LOTCHAIN_ASSERT(!root_->dirty);
  return HashString(root_->hash);
}

v1::StateProof StateTree::Prove(std::string_view key,
                                const std::optional<std::string>& value) const {
  v1::StateProof proof;
  proof.set_key(std::string(key));
  const Hash key_hash = HashOf(key);
  if (root_ == nullptr) {
    LOTCHAIN_ASSERT(!value.has_value());
    return proof;
  }
  const Node* node = root_.get();
  while (node->bit != kLeafBit) {
    const auto* inner = static_cast<const Inner*>(node);
    const unsigned dir = BitOf(key_hash, inner->bit);
    v1::StateProofStep* step = proof.add_steps();
    step->set_bit(inner->bit);
    step->set_sibling(HashString(inner->child[1 - dir]->hash));
    node = inner->child[dir].get();
  }
  const Leaf& leaf = AsLeaf(*node);
  if (leaf.key == key_hash) {
    LOTCHAIN_ASSERT(value.has_value() && HashOf(*value) == leaf.value);
    proof.set_present(true);
    proof.set_value(*value);
  } else {
    LOTCHAIN_ASSERT(!value.has_value());
    proof.set_leaf_key_hash(HashString(leaf.key));
    proof.set_leaf_value_hash(HashString(leaf.value));
  }
  return proof;
}

Status VerifyStateProof(std::string_view root, const v1::StateProof& proof) {
  if (root.size() != kHashBytes) return Bad("the state root is not 32 bytes");
  if (proof.steps_size() > static_cast<int>(kLeafBit)) return Bad("more than 256 steps");
  const Hash key_hash = HashOf(proof.key());
  int previous_bit = -1;
  for (const v1::StateProofStep& step : proof.steps()) {
    if (step.bit() >= kLeafBit || static_cast<int>(step.bit()) <= previous_bit) {
      return Bad("step bits must ascend strictly from the root and stay below 256");
    }
    if (step.sibling().size() != kHashBytes) return Bad("a sibling hash is not 32 bytes");
    previous_bit = static_cast<int>(step.bit());
  }
  Hash node;
  if (proof.present()) {
    if (!proof.leaf_key_hash().empty() || !proof.leaf_value_hash().empty()) {
      return Bad("a membership proof carries another leaf");
    }
    node = LeafHash(key_hash, HashOf(proof.value()));
  } else {
    if (!proof.value().empty()) return Bad("a proof of absence carries a value");
    if (proof.steps_size() == 0 && proof.leaf_key_hash().empty()) {
      if (root != std::string(kHashBytes, '\0')) return Bad("the tree is not empty");
      return Status::Ok();
    }
    std::optional<Hash> other_key = ToHash(proof.leaf_key_hash());
    std::optional<Hash> other_value = ToHash(proof.leaf_value_hash());
    if (!other_key || !other_value) return Bad("the other leaf's hashes are not 32 bytes");
    if (*other_key == key_hash) return Bad("the other leaf has the key itself");
    for (const v1::StateProofStep& step : proof.steps()) {
      if (BitOf(*other_key, step.bit()) != BitOf(key_hash, step.bit())) {
        return Bad("the other leaf is not where the search for the key ends");
      }
    }
    node = LeafHash(*other_key, *other_value);
  }
  for (int i = proof.steps_size() - 1; i >= 0; --i) {
    const v1::StateProofStep& step = proof.steps(i);
    const Hash sibling = *ToHash(step.sibling());
    node = BitOf(key_hash, step.bit()) == 0 ? InnerHash(step.bit(), node, sibling)
                                            : InnerHash(step.bit(), sibling, node);
  }
  if (HashString(node) != root) {
    return Bad("the proof of " + std::string(proof.present() ? "membership" : "absence") +
               " does not hash to the state root");
  }
  return Status::Ok();
}

}  // namespace lotchain::core
