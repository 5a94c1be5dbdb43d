// Tests for consensus/core/state_tree.h: the root is a function of the key/value set only,
// versions are persistent, and membership and absence proofs verify exactly when true.
// An independent reference root (recursive split over sorted key hashes, written from the
// specification in state.proto) checks the incremental tree.

#include "consensus/core/state_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"

namespace lotchain::core {
namespace {

using namespace std::string_literals;

uint64_t SplitMix(uint64_t& state) {
  state += 0x9e3779b97f4a7c15u;
  uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

unsigned Bit(const std::string& h, unsigned i) {
  return (static_cast<unsigned char>(h[i / 8]) >> (7 - i % 8)) & 1u;
}

// The specification, computed top-down: a set of one leaf is its leaf hash; a larger set splits
// at the first bit where its key hashes differ.
std::string ReferenceRoot(std::vector<std::pair<std::string, std::string>> leaves) {
  if (leaves.empty()) return std::string(32, '\0');
  std::sort(leaves.begin(), leaves.end());
  std::function<std::string(size_t, size_t)> root = [&](size_t lo, size_t hi) -> std::string {
    if (hi - lo == 1) return Sha256("\x00"s + leaves[lo].first + leaves[lo].second);
    unsigned bit = 0;
    while (Bit(leaves[lo].first, bit) == Bit(leaves[hi - 1].first, bit)) ++bit;
    size_t mid = lo;
    while (Bit(leaves[mid].first, bit) == 0) ++mid;
    std::string buf = "\x01"s;
    buf.push_back(static_cast<char>(bit >> 8));
    buf.push_back(static_cast<char>(bit & 0xff));
    return Sha256(buf + root(lo, mid) + root(mid, hi));
  };
  return root(0, leaves.size());
}

std::string ReferenceRoot(const std::map<std::string, std::string>& state) {
  std::vector<std::pair<std::string, std::string>> leaves;
  for (const auto& [key, value] : state) leaves.emplace_back(Sha256(key), Sha256(value));
  return ReferenceRoot(std::move(leaves));
}

class StateTreeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitCrypto(); }
};

TEST_F(StateTreeTest, EmptyAndSingle) {
  EXPECT_EQ(StateTree().Root(), std::string(32, '\0'));
  StateDelta one;
  one.Put("l/lot-1", "record");
  StateTree tree = StateTree().Apply(one);
  EXPECT_EQ(tree.size(), 1u);
  EXPECT_EQ(tree.Root(), Sha256("\x00"s + Sha256("l/lot-1") + Sha256("record")));
}

TEST_F(StateTreeTest, MatchesReferenceUnderRandomPutsAndDeletes) {
  // Property: after every block of random puts, overwrites and deletes (including deletes of
  // absent keys), the incremental root equals the reference root of the resulting map, and
  // every earlier version keeps its own root (persistence).
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    uint64_t prng = seed;
    std::map<std::string, std::string> model;
    StateTree tree;
    std::vector<std::pair<StateTree, std::string>> versions;
    for (int block = 0; block < 30; ++block) {
      StateDelta delta;
      const int writes = 1 + static_cast<int>(SplitMix(prng) % 40);
      for (int w = 0; w < writes; ++w) {
        const std::string key = "k/" + std::to_string(SplitMix(prng) % 300);
        if (SplitMix(prng) % 4 == 0) {
          delta.Delete(key);
        } else {
          delta.Put(key, "v" + std::to_string(SplitMix(prng) % 5));
        }
      }
      for (const auto& [key, value] : delta.writes) {
        if (value.has_value()) {
          model[key] = *value;
        } else {
          model.erase(key);
        }
      }
      tree = tree.Apply(delta);
      ASSERT_EQ(tree.Root(), ReferenceRoot(model)) << "seed " << seed << " block " << block;
      ASSERT_EQ(tree.size(), model.size());
      versions.emplace_back(tree, tree.Root());
    }
    for (const auto& [version, root] : versions) ASSERT_EQ(version.Root(), root);
  }
}

TEST_F(StateTreeTest, RootIndependentOfWriteOrderAndBuilder) {
  // Property: one delta, key-by-key deltas in reverse, and the bulk Builder give one root.
  StateDelta all;
  for (int i = 0; i < 500; ++i) all.Put("key/" + std::to_string(i), std::to_string(i * i));
  StateTree one = StateTree().Apply(all);
  StateTree stepwise;
  for (int i = 499; i >= 0; --i) {
    StateDelta d;
    d.Put("key/" + std::to_string(i), std::to_string(i * i));
    stepwise = stepwise.Apply(d);
  }
  StateTree::Builder builder;
  for (int i = 0; i < 500; ++i) builder.Put("key/" + std::to_string(i), std::to_string(i * i));
  EXPECT_EQ(one.Root(), stepwise.Root());
  EXPECT_EQ(one.Root(), builder.Finish().Root());
  // Removing everything returns to the empty root.
  StateDelta clear;
  for (int i = 0; i < 500; ++i) clear.Delete("key/" + std::to_string(i));
  EXPECT_EQ(one.Apply(clear).Root(), StateTree().Root());
}

TEST_F(StateTreeTest, ProofsVerifyExactlyWhenTrue) {
  std::map<std::string, std::string> model;
  StateDelta delta;
  for (int i = 0; i < 200; ++i) {
    model["l/lot-" + std::to_string(i)] = "mass=" + std::to_string(i);
    delta.Put("l/lot-" + std::to_string(i), "mass=" + std::to_string(i));
  }
  const StateTree tree = StateTree().Apply(delta);
  const std::string root = tree.Root();
  for (int i = 0; i < 260; ++i) {
    const std::string key = "l/lot-" + std::to_string(i);
    auto it = model.find(key);
    std::optional<std::string> value;
    if (it != model.end()) value = it->second;
    v1::StateProof proof = tree.Prove(key, value);
    ASSERT_TRUE(VerifyStateProof(root, proof).ok()) << key;
    EXPECT_EQ(proof.present(), value.has_value());
    // A changed value, a flipped presence, another key or another root must all fail.
    v1::StateProof wrong_value = proof;
    wrong_value.set_present(true);
    wrong_value.set_value("mass=999999");
    wrong_value.clear_leaf_key_hash();
    wrong_value.clear_leaf_value_hash();
    EXPECT_FALSE(VerifyStateProof(root, wrong_value).ok()) << key;
    if (value.has_value()) {  // (an absence proof may rightly prove another absent key too)
      v1::StateProof other_key = proof;
      other_key.set_key(key + "x");
      EXPECT_FALSE(VerifyStateProof(root, other_key).ok()) << key;
    }
    EXPECT_FALSE(VerifyStateProof(Sha256("another root"), proof).ok()) << key;
    if (proof.steps_size() > 0) {
      v1::StateProof cut = proof;
      cut.mutable_steps()->RemoveLast();
      EXPECT_FALSE(VerifyStateProof(root, cut).ok()) << key;
      v1::StateProof sibling = proof;
      (*sibling.mutable_steps(0)->mutable_sibling())[0] ^= 1;
      EXPECT_FALSE(VerifyStateProof(root, sibling).ok()) << key;
    }
    if (value.has_value()) {
      // Claiming absence of a present key: no honest search ends at another leaf.
      v1::StateProof absent = proof;
      absent.set_present(false);
      absent.clear_value();
      absent.set_leaf_key_hash(Sha256("l/lot-0"));
      absent.set_leaf_value_hash(Sha256("mass=0"));
      EXPECT_FALSE(VerifyStateProof(root, absent).ok()) << key;
    }
  }
  // The empty tree proves every key absent, and only it does.
  v1::StateProof empty = StateTree().Prove("l/x", std::nullopt);
  EXPECT_TRUE(VerifyStateProof(StateTree().Root(), empty).ok());
  EXPECT_FALSE(VerifyStateProof(root, empty).ok());
}

TEST_F(StateTreeTest, MalformedProofsAreRejectedNotAsserted) {
  StateDelta delta;
  delta.Put("a", "1");
  delta.Put("b", "2");
  const StateTree tree = StateTree().Apply(delta);
  v1::StateProof proof = tree.Prove("a", "1"s);
  v1::StateProof bad_bit = proof;
  bad_bit.mutable_steps(0)->set_bit(300);
  EXPECT_FALSE(VerifyStateProof(tree.Root(), bad_bit).ok());
  v1::StateProof short_sibling = proof;
  short_sibling.mutable_steps(0)->set_sibling("short");
  EXPECT_FALSE(VerifyStateProof(tree.Root(), short_sibling).ok());
  v1::StateProof twice = proof;
  *twice.add_steps() = proof.steps(0);
  EXPECT_FALSE(VerifyStateProof(tree.Root(), twice).ok());
  EXPECT_FALSE(VerifyStateProof("short root", proof).ok());
}

}  // namespace
}  // namespace lotchain::core
