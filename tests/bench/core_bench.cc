// Core microbenchmarks (issue #6; results in docs/PERFORMANCE.md).
//
//   BM_Sign                       Ed25519 signature of a workload transaction body (libsodium).
//   BM_Verify                     Ed25519 verification of the same: the per-core ceiling probe.
//   BM_DecodeAndStatelessCheck/S  core::CheckTxStateless on real workload transactions;
//                                 S=1 verifies the signature, S=0 skips it (signature_verified).
//   BM_ApplyTx/N/S                ExecuteBlock of a block of N RandomWorkload transactions on the
//                                 same pre-block state each iteration; reported per transaction
//                                 (items/s). S=1 verifies signatures in the block, S=0 marks them
//                                 verified (as after mempool admission).
//   BM_MerkleRoot/N               RFC 6962 root over N 200-byte leaves.
//   BM_MerkleAuditPathVerify/N    audit path for one leaf of N, then VerifyMerkleInclusion.
//   BM_StateTreeApply/N/W         StateTree::Apply of a block delta of W writes (half updates,
//                                 half new keys; 300-byte values) to a tree of N keys; reported
//                                 per write (items/s): the state root's cost in execution.
//   BM_StateTreeLoad/N            StateTree::Builder over N entries (a node's start-up rebuild).
//   BM_StateProofVerify/N         Prove + VerifyStateProof of one key of a tree of N keys.
//
// Run: build/tests/bench/lotchain_microbench [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/executor.h"
#include "consensus/core/merkle.h"
#include "consensus/core/state_tree.h"
#include "tests/support/random_workload.h"
#include "tests/support/test_chain.h"

namespace lotchain {
namespace {

// A chain advanced by a few workload blocks, plus the next block of `txs` transactions (signed,
// not executed) on top of it.
struct Prepared {
  testing::TestChain chain;
  std::vector<std::string> next_block;
};

std::unique_ptr<Prepared> Prepare(size_t txs) {
  core::InitCrypto();
  auto prepared = std::make_unique<Prepared>();
  testing::WorkloadOptions options;
  options.block_txs_min = txs;
  options.block_txs_max = txs;
  options.live_lots_target = std::max<size_t>(150, txs);
  testing::RandomWorkload workload(11, options);
  // Warm-up blocks so that the workload has facilities and live lots to transfer and transform.
  for (int i = 0; i < 5; ++i) {
    prepared->chain.SubmitBlock(testing::RandomWorkload::SignedTxs(workload.NextBlock(prepared->chain)));
  }
  prepared->next_block = testing::RandomWorkload::SignedTxs(workload.NextBlock(prepared->chain));
  return prepared;
}

Prepared& Shared() {
  static Prepared* prepared = Prepare(256).release();
  return *prepared;
}

// A representative transaction body encoding (~the size of a workload transaction).
std::string SampleBody() {
  v1::SignedTx envelope;
  const bool ok = envelope.ParseFromString(Shared().next_block.front());
  LOTCHAIN_ASSERT(ok);
  return envelope.body();
}

void BM_Sign(benchmark::State& state) {
  core::InitCrypto();
  const auto key = core::SecretKey::FromSeed(testing::SeedFor("bench")).value();
  const std::string body = SampleBody();
  for (auto _ : state) {
    benchmark::DoNotOptimize(key.Sign(core::kTxDomain, "lotchain-test", body));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sign);

void BM_Verify(benchmark::State& state) {
  core::InitCrypto();
  const auto key = core::SecretKey::FromSeed(testing::SeedFor("bench")).value();
  const std::string body = SampleBody();
  const std::string public_key = key.PublicKey();
  const std::string signature = key.Sign(core::kTxDomain, "lotchain-test", body);
  for (auto _ : state) {
    const bool valid =
        core::VerifySignature(public_key, core::kTxDomain, "lotchain-test", body, signature);
    if (!valid) state.SkipWithError("signature did not verify");
    benchmark::DoNotOptimize(valid);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Verify);

void BM_DecodeAndStatelessCheck(benchmark::State& state) {
  const Prepared& prepared = Shared();
  const bool verify = state.range(0) != 0;
  size_t i = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string& tx = prepared.next_block[i++ % prepared.next_block.size()];
    v1::SignedTx envelope;
    auto body = core::CheckTxStateless(prepared.chain.genesis(), tx, !verify, &envelope);
    benchmark::DoNotOptimize(body.ok());
    bytes += tx.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_DecodeAndStatelessCheck)->ArgName("verify_sig")->Arg(0)->Arg(1);

void BM_ApplyTx(benchmark::State& state) {
  const size_t txs = static_cast<size_t>(state.range(0));
  const bool verify = state.range(1) != 0;
  const auto prepared = Prepare(txs);
  const testing::TestChain& chain = prepared->chain;
  core::ExecuteOptions options;
  if (!verify) options.signature_verified.assign(prepared->next_block.size(), true);
  const core::BlockContext block{chain.height() + 1, chain.time_unix_ms + 1000};
  size_t applied = 0;
  for (auto _ : state) {
    core::ExecutedBlock executed = core::ExecuteBlock(chain.genesis(), chain.state(),
                                                      chain.tree(), block,
                                                      prepared->next_block, options);
    applied = 0;
    for (const auto& result : executed.results) {
      if (result.code() == v1::TX_CODE_OK) ++applied;
    }
    benchmark::DoNotOptimize(executed.state_root);
  }
  state.SetItemsProcessed(state.iterations() *
                          static_cast<int64_t>(prepared->next_block.size()));
  state.counters["txs"] = static_cast<double>(prepared->next_block.size());
  state.counters["applied"] = static_cast<double>(applied);
}
BENCHMARK(BM_ApplyTx)
    ->ArgNames({"txs", "verify_sig"})
    ->Args({100, 1})
    ->Args({100, 0})
    ->Args({1000, 1})
    ->Args({1000, 0})
    ->Unit(benchmark::kMillisecond);

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> leaves;
  leaves.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string leaf(200, static_cast<char>('a' + i % 26));
    leaf.replace(0, std::to_string(i).size(), std::to_string(i));
    leaves.push_back(std::move(leaf));
  }
  return leaves;
}

void BM_MerkleRoot(benchmark::State& state) {
  core::InitCrypto();
  const auto leaves = Leaves(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(core::MerkleRoot(leaves));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_MerkleRoot)->RangeMultiplier(8)->Range(1, 4096);

void BM_MerkleAuditPathVerify(benchmark::State& state) {
  core::InitCrypto();
  const auto leaves = Leaves(static_cast<size_t>(state.range(0)));
  const std::string root = core::MerkleRoot(leaves);
  const uint64_t n = leaves.size();
  uint64_t i = 0;
  for (auto _ : state) {
    const uint64_t index = (i++ * 7919) % n;
    const auto path = core::MerkleAuditPath(leaves, index);
    const bool valid = core::VerifyMerkleInclusion(core::MerkleLeafHash(leaves[index]), index, n,
                                                   path, root);
    if (!valid) state.SkipWithError("inclusion proof did not verify");
  }
}
BENCHMARK(BM_MerkleAuditPathVerify)->RangeMultiplier(8)->Range(1, 4096);

std::string TreeKey(size_t i) { return "l/lot-" + std::to_string(i); }
std::string TreeValue(size_t i) { return std::string(300, static_cast<char>('a' + i % 26)); }

core::StateTree TreeOf(size_t n) {
  core::StateTree::Builder builder;
  for (size_t i = 0; i < n; ++i) builder.Put(TreeKey(i), TreeValue(i));
  return builder.Finish();
}

void BM_StateTreeApply(benchmark::State& state) {
  core::InitCrypto();
  const size_t n = static_cast<size_t>(state.range(0));
  const size_t writes = static_cast<size_t>(state.range(1));
  const core::StateTree tree = TreeOf(n);
  core::StateDelta delta;
  for (size_t w = 0; w < writes; ++w) {
    const size_t key = w % 2 == 0 ? (w * 7919) % n : n + w;  // an update or a new key
    delta.Put(TreeKey(key), TreeValue(key + 1));
  }
  for (auto _ : state) benchmark::DoNotOptimize(tree.Apply(delta).Root());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(writes));
}
BENCHMARK(BM_StateTreeApply)
    ->ArgNames({"keys", "writes"})
    ->Args({10'000, 1'000})
    ->Args({100'000, 1'000})
    ->Args({1'000'000, 1'000});

void BM_StateTreeLoad(benchmark::State& state) {
  core::InitCrypto();
  const size_t n = static_cast<size_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(TreeOf(n).Root());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_StateTreeLoad)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_StateProofVerify(benchmark::State& state) {
  core::InitCrypto();
  const size_t n = static_cast<size_t>(state.range(0));
  const core::StateTree tree = TreeOf(n);
  const std::string root = tree.Root();
  size_t i = 0;
  for (auto _ : state) {
    const size_t key = (i++ * 7919) % n;
    const v1::StateProof proof = tree.Prove(TreeKey(key), TreeValue(key));
    if (!core::VerifyStateProof(root, proof).ok()) state.SkipWithError("proof did not verify");
  }
}
BENCHMARK(BM_StateProofVerify)->Arg(10'000)->Arg(1'000'000);

}  // namespace
}  // namespace lotchain
