#include "node/app/verified_set.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace lotchain::node {
namespace {

// Inserted hashes are found; past the bound the oldest are forgotten first, and the size
// never exceeds the bound.
TEST(VerifiedSetTest, RemembersUpToItsBoundOldestForgottenFirst) {
  VerifiedSet set(3);
  set.Insert("a");
  set.Insert("b");
  set.Insert("a");  // again: no second slot
  set.Insert("c");
  EXPECT_TRUE(set.Contains("a") && set.Contains("b") && set.Contains("c"));
  set.Insert("d");
  EXPECT_FALSE(set.Contains("a"));
  EXPECT_TRUE(set.Contains("b") && set.Contains("c") && set.Contains("d"));
  EXPECT_EQ(set.size(), 3u);
}

// Readers and writers on several threads (the node's gRPC threads, verify pool and loop) see a
// consistent set: everything a thread inserted is there afterwards, the bound holds.
TEST(VerifiedSetTest, ConcurrentInsertsAndLookups) {
  VerifiedSet set(100'000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&set, t] {
      for (int i = 0; i < 5'000; ++i) {
        std::string hash = std::to_string(t) + "/" + std::to_string(i);
        set.Insert(hash);
        EXPECT_TRUE(set.Contains(hash));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(set.size(), 20'000u);
}

}  // namespace
}  // namespace lotchain::node
