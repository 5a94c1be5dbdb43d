// Mempool: dedup, bounds, per-signer nonce order, removal of committed and stale entries.
#include "node/mempool/mempool.h"

#include <gtest/gtest.h>

namespace lotchain::node {
namespace {

MempoolEntry Entry(const std::string& hash, const std::string& signer, uint64_t nonce,
                   size_t bytes = 100) {
  MempoolEntry e;
  e.tx_hash = hash;
  e.signed_tx = std::string(bytes, 'x');
  e.signer = signer;
  e.nonce = nonce;
  return e;
}

// The same hash is admitted once; a second tx with a pending nonce is refused.
TEST(MempoolTest, DeduplicatesByHashAndNonce) {
  Mempool pool({});
  ASSERT_TRUE(pool.Add(Entry("h1", "A", 1)).ok());
  EXPECT_EQ(pool.Add(Entry("h1", "A", 1)).code(), "ALREADY_EXISTS");
  EXPECT_EQ(pool.Add(Entry("h2", "A", 1)).code(), "REPLAYED_NONCE");
  EXPECT_EQ(pool.size(), 1u);
}

// Count and byte limits answer RESOURCE_EXHAUSTED.
TEST(MempoolTest, BoundedInCountAndBytes) {
  Mempool pool({.txs_max = 2, .bytes_max = 1000});
  ASSERT_TRUE(pool.Add(Entry("h1", "A", 1)).ok());
  ASSERT_TRUE(pool.Add(Entry("h2", "A", 2)).ok());
  EXPECT_EQ(pool.Add(Entry("h3", "A", 3)).code(), "RESOURCE_EXHAUSTED");
  Mempool small({.txs_max = 100, .bytes_max = 250});
  ASSERT_TRUE(small.Add(Entry("h1", "A", 1)).ok());
  ASSERT_TRUE(small.Add(Entry("h2", "A", 2)).ok());
  EXPECT_EQ(small.Add(Entry("h3", "A", 3)).code(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(small.bytes(), 200u);
}

// Reap keeps each signer's nonce order even when they arrived out of order, and honours limits.
TEST(MempoolTest, ReapOrdersBySignerNonce) {
  Mempool pool({});
  ASSERT_TRUE(pool.Add(Entry("a3", "A", 3)).ok());
  ASSERT_TRUE(pool.Add(Entry("b1", "B", 1)).ok());
  ASSERT_TRUE(pool.Add(Entry("a1", "A", 1)).ok());
  ASSERT_TRUE(pool.Add(Entry("a2", "A", 2)).ok());
  auto reaped = pool.Reap(10, 1 << 20);
  std::vector<std::string> order;
  for (const auto* e : reaped) order.push_back(e->tx_hash);
  // Queue heads: b1 (arrival 1) before a1 (arrival 2); then A in nonce order.
  EXPECT_EQ(order, (std::vector<std::string>{"b1", "a1", "a2", "a3"}));
  EXPECT_EQ(pool.Reap(2, 1 << 20).size(), 2u);
  EXPECT_EQ(pool.Reap(10, 250).size(), 2u);
}

// Committed transactions leave, and so do pending ones whose nonce became stale.
TEST(MempoolTest, RemoveCommittedDropsStale) {
  Mempool pool({});
  ASSERT_TRUE(pool.Add(Entry("a1", "A", 1)).ok());
  ASSERT_TRUE(pool.Add(Entry("a2", "A", 2)).ok());
  ASSERT_TRUE(pool.Add(Entry("a5", "A", 5)).ok());
  pool.RemoveCommitted({"a1"}, [](const std::string&) { return uint64_t{3}; });
  EXPECT_FALSE(pool.Contains("a1"));
  EXPECT_FALSE(pool.Contains("a2"));
  EXPECT_TRUE(pool.Contains("a5"));
  EXPECT_EQ(pool.bytes(), 100u);
}

}  // namespace
}  // namespace lotchain::node
