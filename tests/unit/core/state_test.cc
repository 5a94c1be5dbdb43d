// Tests for consensus/core/state.h: MemState, OverlayState (a delta over a base), StateDelta
// merging and the canonical EncodeDelta layout (the state root: state_tree_test.cc).

#include "consensus/core/state.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"

namespace lotchain::core {
namespace {

using namespace std::string_literals;

// SplitMix64: a tiny seeded generator, so the randomized cases are identical on every run.
class TestPrng {
 public:
  explicit TestPrng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9e3779b97f4a7c15u;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
  }
  size_t Below(size_t bound) { return static_cast<size_t>(Next() % bound); }

 private:
  uint64_t state_;
};

MemState MakeBase(const std::vector<KeyValue>& entries) {
  StateDelta delta;
  for (const auto& [key, value] : entries) delta.Put(key, value);
  MemState base;
  base.Apply(delta);
  return base;
}

std::vector<std::string> Keys(const std::vector<KeyValue>& entries) {
  std::vector<std::string> keys;
  for (const auto& entry : entries) keys.push_back(entry.first);
  return keys;
}

TEST(MemStateTest, ApplyGetAndScan) {
  // Property: MemState applies puts and deletes, Get sees exactly the live entries, and Scan
  // returns the entries under a prefix in ascending key order, at most limit_count of them.
  MemState state = MakeBase({{"a/2", "two"}, {"a/1", "one"}, {"b/1", "bee"}, {"a/3", "three"}});
  EXPECT_EQ(state.size(), 4u);
  EXPECT_EQ(state.Get("a/1"), "one");
  EXPECT_EQ(state.Get("a/"), std::nullopt);
  StateDelta delta;
  delta.Delete("a/2");
  delta.Delete("missing");
  delta.Put("a/1", "uno");
  state.Apply(delta);
  EXPECT_EQ(state.size(), 3u);
  EXPECT_EQ(state.Get("a/2"), std::nullopt);
  EXPECT_EQ(state.Get("a/1"), "uno");
  EXPECT_EQ(state.Scan("a/", 10), (std::vector<KeyValue>{{"a/1", "uno"}, {"a/3", "three"}}));
  EXPECT_EQ(state.Scan("a/", 1), (std::vector<KeyValue>{{"a/1", "uno"}}));
  EXPECT_TRUE(state.Scan("a/", 0).empty());
  EXPECT_TRUE(state.Scan("c", 10).empty());
  EXPECT_EQ(Keys(state.Scan("", 10)), (std::vector<std::string>{"a/1", "a/3", "b/1"}));
}

TEST(MemStateTest, ScanPrefixIsBytewise) {
  // Property: prefix matching is byte-wise and ordering is unsigned byte order, so keys with
  // embedded NUL and high bytes sort and match as raw bytes.
  MemState state = MakeBase({{"p\x00z"s, "1"}, {"p\xff"s, "2"}, {"p"s, "3"}, {"q"s, "4"}});
  EXPECT_EQ(Keys(state.Scan("p", 10)), (std::vector<std::string>{"p"s, "p\x00z"s, "p\xff"s}));
  EXPECT_EQ(Keys(state.Scan("p\x00"s, 10)), (std::vector<std::string>{"p\x00z"s}));
}

TEST(OverlayStateTest, GetPrefersDelta) {
  // Property: Get through an overlay returns the delta's put, hides a key the delta deletes,
  // and otherwise falls through to the base.
  MemState base = MakeBase({{"k1", "base1"}, {"k2", "base2"}, {"k3", "base3"}});
  StateDelta delta;
  delta.Put("k1", "new1");
  delta.Delete("k2");
  delta.Put("k4", "new4");
  OverlayState overlay(base, delta);
  EXPECT_EQ(overlay.Get("k1"), "new1");
  EXPECT_EQ(overlay.Get("k2"), std::nullopt);
  EXPECT_EQ(overlay.Get("k3"), "base3");
  EXPECT_EQ(overlay.Get("k4"), "new4");
  EXPECT_EQ(overlay.Get("k5"), std::nullopt);
  EXPECT_EQ(base.Get("k2"), "base2");  // the base is never written
}

TEST(OverlayStateTest, ScanMergesInKeyOrder) {
  // Property: an overlay Scan interleaves delta puts with base entries in ascending key order,
  // a put overrides the base value, a delete hides the base entry, and keys outside the
  // prefix (in either layer) never appear.
  MemState base = MakeBase({{"a/1", "b1"}, {"a/3", "b3"}, {"a/5", "b5"}, {"b/1", "x"}});
  StateDelta delta;
  delta.Put("a/2", "d2");
  delta.Put("a/3", "d3");
  delta.Delete("a/5");
  delta.Put("a/6", "d6");
  delta.Put("b/0", "y");
  delta.Put("a", "no-slash");
  OverlayState overlay(base, delta);
  EXPECT_EQ(overlay.Scan("a/", 10),
            (std::vector<KeyValue>{{"a/1", "b1"}, {"a/2", "d2"}, {"a/3", "d3"}, {"a/6", "d6"}}));
  EXPECT_EQ(Keys(overlay.Scan("b/", 10)), (std::vector<std::string>{"b/0", "b/1"}));
}

TEST(OverlayStateTest, ScanLimitSurvivesDeletes) {
  // Property: when the delta deletes the first base entries under a prefix, a limited Scan
  // still returns limit_count live entries (the base is asked for enough), and limit 0 returns
  // nothing.
  std::vector<KeyValue> entries;
  for (int i = 0; i < 10; ++i) entries.emplace_back("a/" + std::to_string(i), "v");
  MemState base = MakeBase(entries);
  StateDelta delta;
  for (int i = 0; i < 5; ++i) delta.Delete("a/" + std::to_string(i));
  delta.Put("a/7", "changed");
  OverlayState overlay(base, delta);
  EXPECT_EQ(overlay.Scan("a/", 3),
            (std::vector<KeyValue>{{"a/5", "v"}, {"a/6", "v"}, {"a/7", "changed"}}));
  EXPECT_EQ(overlay.Scan("a/", 5).size(), 5u);
  EXPECT_EQ(overlay.Scan("a/", 100).size(), 5u);
  EXPECT_TRUE(overlay.Scan("a/", 0).empty());
}

TEST(OverlayStateTest, OverlayEqualsAppliedDeltaRandomized) {
  // Property: for 2,000 seeded random (base, delta, prefix, limit) cases, OverlayState's Get
  // and Scan equal those of a MemState copy of the base with the delta applied. Keys are drawn
  // from a small alphabet so prefixes, overrides and deletes collide often.
  TestPrng prng(20240501);
  auto random_key = [&prng] {
    std::string key;
    size_t length = 1 + prng.Below(3);
    for (size_t i = 0; i < length; ++i) key.push_back(static_cast<char>('a' + prng.Below(3)));
    return key;
  };
  for (int round = 0; round < 2000; ++round) {
    StateDelta base_writes;
    for (size_t i = prng.Below(12); i > 0; --i) base_writes.Put(random_key(), "base");
    MemState base;
    base.Apply(base_writes);
    StateDelta delta;
    for (size_t i = prng.Below(8); i > 0; --i) {
      if (prng.Below(2) == 0) {
        delta.Delete(random_key());
      } else {
        delta.Put(random_key(), "delta" + std::to_string(round));
      }
    }
    MemState expected = base;
    expected.Apply(delta);
    OverlayState overlay(base, delta);
    std::string prefix = prng.Below(4) == 0 ? std::string() : random_key().substr(0, 1);
    size_t limit = prng.Below(6);
    ASSERT_EQ(overlay.Scan(prefix, limit), expected.Scan(prefix, limit))
        << "round " << round << " prefix '" << prefix << "' limit " << limit;
    std::string key = random_key();
    ASSERT_EQ(overlay.Get(key), expected.Get(key)) << "round " << round << " key " << key;
  }
}

TEST(StateDeltaTest, MergeLaterWins) {
  // Property: Merge applies the later delta's writes over the earlier's: a later delete
  // replaces a put, a later put replaces a delete or put, untouched keys are kept.
  StateDelta earlier;
  earlier.Put("a", "1");
  earlier.Put("b", "2");
  earlier.Delete("c");
  earlier.Put("d", "4");
  StateDelta later;
  later.Delete("a");
  later.Put("b", "20");
  later.Put("c", "30");
  earlier.Merge(later);
  EXPECT_EQ(earlier.writes.at("a"), std::nullopt);
  EXPECT_EQ(earlier.writes.at("b"), "20");
  EXPECT_EQ(earlier.writes.at("c"), "30");
  EXPECT_EQ(earlier.writes.at("d"), "4");
  EXPECT_EQ(earlier.writes.size(), 4u);
  EXPECT_FALSE(earlier.empty());
  EXPECT_TRUE(StateDelta().empty());
}

TEST(EncodeDeltaTest, ByteLayout) {
  // Property: EncodeDelta writes, per key in ascending order, u32be(key length) || key ||
  // 0x01 || u32be(value length) || value for a put and ... || 0x00 for a delete; the empty
  // delta encodes to no bytes. Checked against hand-written bytes.
  EXPECT_EQ(EncodeDelta(StateDelta()), "");
  StateDelta delta;
  delta.Put("k", "val");
  delta.Delete("d");
  delta.Put("e", "");
  const std::string want = "\x00\x00\x00\x01"s + "d" + "\x00"s +                        // delete d
                           "\x00\x00\x00\x01"s + "e" + "\x01"s + "\x00\x00\x00\x00"s +  // put e ""
                           "\x00\x00\x00\x01"s + "k" + "\x01"s + "\x00\x00\x00\x03"s +
                           "val";  // put k
  EXPECT_EQ(EncodeDelta(delta), want);
  StateDelta long_key;
  long_key.Put(std::string(0x0102, 'x'), std::string(0x030405, 'y'));
  std::string encoded = EncodeDelta(long_key);
  EXPECT_EQ(encoded.size(), 4u + 0x0102 + 1 + 4 + 0x030405);
  EXPECT_EQ(encoded.substr(0, 4), "\x00\x00\x01\x02"s);
  EXPECT_EQ(encoded.substr(4 + 0x0102, 5), "\x01\x00\x03\x04\x05"s);
}

TEST(EncodeDeltaTest, EncodingIsUnambiguous) {
  // Property: deltas that differ only in where bytes fall between key and value, or in put of
  // an empty value versus delete, encode differently (the encoding is injective on these).
  StateDelta ab_c;
  ab_c.Put("ab", "c");
  StateDelta a_bc;
  a_bc.Put("a", "bc");
  EXPECT_NE(EncodeDelta(ab_c), EncodeDelta(a_bc));
  StateDelta put_empty;
  put_empty.Put("k", "");
  StateDelta deleted;
  deleted.Delete("k");
  EXPECT_NE(EncodeDelta(put_empty), EncodeDelta(deleted));
  StateDelta two;
  two.Put("a", "");
  two.Put("b", "");
  StateDelta one;
  one.Put("a",
          "\x00\x00\x00\x01"s
          "b"
          "\x01"
          "\x00\x00\x00\x00"s);
  EXPECT_NE(EncodeDelta(two), EncodeDelta(one));
}

}  // namespace
}  // namespace lotchain::core
