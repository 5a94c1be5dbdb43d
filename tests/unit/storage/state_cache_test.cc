#include "node/storage/state_cache.h"

#include <gtest/gtest.h>

namespace lotchain::node {
namespace {

core::StateDelta Delta(std::initializer_list<std::pair<std::string, std::optional<std::string>>> w) {
  core::StateDelta delta;
  for (const auto& [key, value] : w) delta.writes[key] = value;
  return delta;
}

// Values and absences read from the store are served from the cache until a commit changes
// them; a commit's writes (puts and deletes) replace what was cached.
TEST(StateCacheTest, FillThenApply) {
  StateCache cache(1 << 20);
  uint64_t generation = 0;
  EXPECT_FALSE(cache.Lookup("a", &generation).has_value());
  cache.Fill("a", std::string("1"), generation);
  cache.Fill("gone", std::nullopt, generation);
  EXPECT_EQ(cache.Lookup("a", &generation), std::optional<std::optional<std::string>>("1"));
  auto absent = cache.Lookup("gone", &generation);
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->has_value());

  cache.Apply(Delta({{"a", std::nullopt}, {"gone", "back"}, {"new", "n"}}));
  auto a = cache.Lookup("a", &generation);
  ASSERT_TRUE(a.has_value());
  EXPECT_FALSE(a->has_value());
  EXPECT_EQ(cache.Lookup("gone", &generation), std::optional<std::optional<std::string>>("back"));
  EXPECT_EQ(cache.Lookup("new", &generation), std::optional<std::optional<std::string>>("n"));
}

// A reader that missed before a commit and read the store's old value must not cache it after
// the commit: Fill with the generation seen at Lookup is refused once Apply has run.
TEST(StateCacheTest, FillAfterACommitIsRefused) {
  StateCache cache(1 << 20);
  uint64_t seen = 0;
  ASSERT_FALSE(cache.Lookup("k", &seen).has_value());
  cache.Apply(Delta({{"other", "x"}}));  // a commit lands between the read and the fill
  cache.Fill("k", std::string("old"), seen);
  uint64_t now = 0;
  EXPECT_FALSE(cache.Lookup("k", &now).has_value());
  cache.Fill("k", std::string("fresh"), now);
  EXPECT_EQ(cache.Lookup("k", &now), std::optional<std::optional<std::string>>("fresh"));
}

// Memory stays under the bound: when an insert would exceed it the cache starts over, and a
// value larger than the whole bound is never cached.
TEST(StateCacheTest, StaysWithinItsBound) {
  StateCache cache(4096);
  uint64_t generation = 0;
  for (int i = 0; i < 1000; ++i) {
    (void)cache.Lookup("key" + std::to_string(i), &generation);
    cache.Fill("key" + std::to_string(i), std::string(100, 'v'), generation);
    EXPECT_LE(cache.bytes(), 4096u);
  }
  EXPECT_GT(cache.size(), 0u);
  cache.Fill("huge", std::string(10000, 'h'), generation);
  EXPECT_FALSE(cache.Lookup("huge", &generation).has_value());
  EXPECT_LE(cache.bytes(), 4096u);
}

}  // namespace
}  // namespace lotchain::node
