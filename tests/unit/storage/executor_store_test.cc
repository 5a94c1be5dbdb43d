// The block store driven by the real custody executor (core::ExecuteBlock) on a realistic,
// seeded workload (tests/support/random_workload.h): lots, transfers, transforms, recoveries,
// audits, flags, battery data, and deliberately invalid transactions.
#include <gtest/gtest.h>

#include "consensus/core/executor.h"
#include "node/storage/block_store.h"
#include "tests/support/random_workload.h"
#include "tests/support/test_chain.h"
#include "tests/unit/storage/storage_test_util.h"

namespace lotchain::node {
namespace {

using testing::kScanAll;
using testing::TempDir;

constexpr uint64_t kSeed = 20260101;
constexpr int kBlocks = 40;

// Executes the block's transactions on the store's committed state (as the node will) and
// commits the result.
core::Status ExecuteAndCommit(BlockStore& store, const core::Genesis& genesis,
                              const std::vector<std::string>& txs, int64_t time_unix_ms,
                              std::string* root_out) {
  const Tip tip = store.tip();
  core::ExecutedBlock executed =
      core::ExecuteBlock(genesis, store.state(), store.tree(),
                         {.height = tip.height + 1, .time_unix_ms = time_unix_ms}, txs);
  *root_out = executed.state_root;
  testing::BlockParts parts = testing::MakeBlock(tip, txs, std::move(executed), time_unix_ms);
  return store.CommitBlock(parts.block, parts.certificate, parts.executed);
}

// Property: with the real executor reading the store's own state, every block's state root
// equals the in-memory reference chain's (TestChain over MemState), the stored state equals the
// reference state key for key (lot events included), and a reopened store has the same root.
TEST(ExecutorStoreTest, StoreStateTracksTheReferenceChain) {
  TempDir tmp;
  lotchain::testing::TestChain chain;
  lotchain::testing::RandomWorkload workload(kSeed);
  {
    auto store = BlockStore::Open(tmp.path(), chain.genesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->state_root(), chain.state_root());
    for (int i = 0; i < kBlocks; ++i) {
      const auto txs = lotchain::testing::RandomWorkload::SignedTxs(workload.NextBlock(chain));
      std::string root;
      const core::Status status =
          ExecuteAndCommit(**store, chain.genesis(), txs, chain.time_unix_ms + 1000, &root);
      ASSERT_TRUE(status.ok()) << status.ToString();
      chain.SubmitBlock(txs);
      ASSERT_EQ(root, chain.state_root()) << "block " << i + 1 << ", seed " << kSeed;
    }
    EXPECT_EQ((*store)->state().Scan("", kScanAll), chain.state().Scan("", kScanAll));
    EXPECT_FALSE((*store)->state().Scan("e/", kScanAll).empty());
  }
  auto store = BlockStore::Open(tmp.path(), chain.genesis());
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->height(), static_cast<uint64_t>(kBlocks));
  EXPECT_EQ((*store)->state_root(), chain.state_root());
}

// Property: replaying the committed blocks of one store into a fresh store (re-executing each
// block's transactions at its header time on the fresh store's state) yields the same root at
// every height and the same final state.
TEST(ExecutorStoreTest, ReplayWithRealExecutorGivesSameRoots) {
  TempDir tmp;
  lotchain::testing::TestChain chain;
  lotchain::testing::RandomWorkload workload(kSeed + 1);
  auto source = BlockStore::Open(tmp.Sub("a"), chain.genesis());
  ASSERT_TRUE(source.ok());
  for (int i = 0; i < kBlocks; ++i) {
    const auto txs = lotchain::testing::RandomWorkload::SignedTxs(workload.NextBlock(chain));
    std::string root;
    ASSERT_TRUE(
        ExecuteAndCommit(**source, chain.genesis(), txs, chain.time_unix_ms + 1000, &root).ok());
    chain.SubmitBlock(txs);
  }
  auto replica = BlockStore::Open(tmp.Sub("b"), chain.genesis());
  ASSERT_TRUE(replica.ok());
  for (uint64_t h = 1; h <= (*source)->height(); ++h) {
    auto block = (*source)->GetBlock(h);
    auto cert = (*source)->GetCertificate(h);
    ASSERT_TRUE(block.ok() && cert.ok());
    v1::BlockHeader header;
    ASSERT_TRUE(header.ParseFromString(block->header()));
    const std::vector<std::string> txs(block->txs().begin(), block->txs().end());
    const Tip tip = (*replica)->tip();
    core::ExecutedBlock executed =
        core::ExecuteBlock(chain.genesis(), (*replica)->state(), (*replica)->tree(),
                           {.height = h, .time_unix_ms = header.time_unix_ms()}, txs);
    const core::Status status = (*replica)->CommitBlock(*block, *cert, executed);
    ASSERT_TRUE(status.ok()) << "height " << h << ": " << status.ToString();
    auto results = (*source)->GetBlockResults(h);
    ASSERT_TRUE(results.ok());
    ASSERT_EQ(results->size(), executed.results.size());
    for (size_t i = 0; i < executed.results.size(); ++i) {
      EXPECT_EQ((*results)[i].SerializeAsString(), executed.results[i].SerializeAsString());
    }
  }
  EXPECT_EQ((*replica)->state_root(), (*source)->state_root());
  EXPECT_EQ((*replica)->state().Scan("", kScanAll), (*source)->state().Scan("", kScanAll));
}

}  // namespace
}  // namespace lotchain::node
