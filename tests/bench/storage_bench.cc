// Block store benchmarks (docs/STORAGE.md, "What was measured").
//
//   BM_CommitBlock/N   CommitBlock of a block with N real custody transactions (RandomWorkload,
//                      executed beforehand; only the synced write is timed), on the machine's disk
//                      under $TMPDIR.
//   BM_StateGet        StateReader::Get of a lot record from a store after those blocks.
//   BM_LotHistoryScan  StateReader::Scan of one lot's event records ("e/" in lot_events).
//
// Build: add to tests/bench/CMakeLists.txt (LOTCHAIN_BENCH):
//   add_executable(storage_bench storage_bench.cc)
//   target_link_libraries(storage_bench PRIVATE lotchain_storage lotchain_test_support
//                         benchmark::benchmark_main)
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "consensus/core/executor.h"
#include "consensus/core/state_keys.h"
#include "node/storage/block_store.h"
#include "tests/support/random_workload.h"
#include "tests/support/test_chain.h"
#include "tests/unit/storage/storage_test_util.h"

namespace lotchain::node {
namespace {

struct PreparedChain {
  lotchain::testing::TestChain chain;  // genesis and the reference state after all blocks
  std::vector<lotchain::node::testing::BlockParts> blocks;
};

// `block_count` blocks of `txs_per_block` workload transactions, executed on the reference chain.
std::unique_ptr<PreparedChain> Prepare(size_t block_count, size_t txs_per_block) {
  auto prepared = std::make_unique<PreparedChain>();
  lotchain::testing::TestChain& chain = prepared->chain;
  lotchain::testing::WorkloadOptions options;
  options.block_txs_min = txs_per_block;
  options.block_txs_max = txs_per_block;
  options.live_lots_target = std::max<size_t>(150, txs_per_block);
  lotchain::testing::RandomWorkload workload(7, options);
  Tip tip{0, chain.state_root(), chain.genesis().hash};
  for (size_t i = 0; i < block_count; ++i) {
    const auto txs = lotchain::testing::RandomWorkload::SignedTxs(workload.NextBlock(chain));
    const int64_t time = chain.time_unix_ms + 1000;
    core::ExecutedBlock executed = core::ExecuteBlock(
        chain.genesis(), chain.state(), chain.tree(), {tip.height + 1, time}, txs);
    chain.SubmitBlock(txs);
    auto parts = lotchain::node::testing::MakeBlock(tip, txs, std::move(executed), time);
    tip = Tip{tip.height + 1, parts.executed.state_root, core::Sha256(parts.block.header())};
    prepared->blocks.push_back(std::move(parts));
  }
  return prepared;
}

// Prepared blocks per size; each benchmark runs exactly that many iterations (one commit each).
size_t BlocksFor(size_t txs) { return txs >= 1000 ? 20 : (txs >= 100 ? 60 : 200); }

void BM_CommitBlock(benchmark::State& state) {
  const size_t txs = static_cast<size_t>(state.range(0));
  auto prepared = Prepare(BlocksFor(txs), txs);
  lotchain::node::testing::TempDir tmp;
  auto store = BlockStore::Open(tmp.path(), prepared->chain.genesis());
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  size_t next = 0;
  size_t tx_total = 0;
  for (auto _ : state) {
    if (next == prepared->blocks.size()) {
      state.SkipWithError("ran out of prepared blocks");
      break;
    }
    const auto& parts = prepared->blocks[next++];
    const core::Status status =
        (*store)->CommitBlock(parts.block, parts.certificate, parts.executed);
    if (!status.ok()) state.SkipWithError(status.ToString().c_str());
    tx_total += static_cast<size_t>(parts.block.txs_size());
  }
  state.counters["txs/s"] =
      benchmark::Counter(static_cast<double>(tx_total), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CommitBlock)->Arg(1)->Iterations(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CommitBlock)->Arg(100)->Iterations(60)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CommitBlock)->Arg(1000)->Iterations(20)->Unit(benchmark::kMillisecond)->UseRealTime();

// A store after 60 blocks of 100 transactions, and some lot ids in it.
struct ReadFixture {
  std::unique_ptr<PreparedChain> prepared = Prepare(60, 100);
  lotchain::node::testing::TempDir tmp;
  std::unique_ptr<BlockStore> store;
  std::vector<std::string> lot_ids;

  ReadFixture() {
    store = std::move(BlockStore::Open(tmp.path(), prepared->chain.genesis())).value();
    for (const auto& parts : prepared->blocks) {
      LOTCHAIN_ASSERT(store->CommitBlock(parts.block, parts.certificate, parts.executed).ok());
    }
    for (const auto& [key, value] : store->state().Scan("l/", 256))
      lot_ids.push_back(key.substr(2));
    LOTCHAIN_ASSERT(!lot_ids.empty());
  }
};

ReadFixture& Reads() {
  static ReadFixture* fixture = new ReadFixture();  // shared by the read benchmarks
  return *fixture;
}

void BM_StateGet(benchmark::State& state) {
  ReadFixture& fixture = Reads();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& lot = fixture.lot_ids[i++ % fixture.lot_ids.size()];
    benchmark::DoNotOptimize(fixture.store->state().Get(core::keys::Lot(lot)));
  }
}
BENCHMARK(BM_StateGet);

void BM_LotHistoryScan(benchmark::State& state) {
  ReadFixture& fixture = Reads();
  size_t i = 0;
  size_t events = 0;
  for (auto _ : state) {
    const std::string& lot = fixture.lot_ids[i++ % fixture.lot_ids.size()];
    events += fixture.store->state().Scan(core::keys::LotEventPrefix(lot), 1024).size();
  }
  state.counters["events/scan"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_LotHistoryScan);

}  // namespace
}  // namespace lotchain::node
