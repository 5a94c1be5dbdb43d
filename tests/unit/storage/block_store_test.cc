#include "node/storage/block_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>

#include "consensus/core/crypto.h"
#include "tests/unit/storage/storage_test_util.h"

namespace lotchain::node {
namespace {

using testing::BlockParts;
using testing::kScanAll;
using testing::ModelChain;
using testing::SyntheticGenesis;
using testing::TempDir;

std::unique_ptr<BlockStore> OpenOk(const std::string& dir, const GenesisState& genesis) {
  auto store = BlockStore::Open(dir, genesis);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) std::abort();
  return std::move(store).value();
}

void CommitOk(BlockStore& store, const BlockParts& parts) {
  const core::Status status = store.CommitBlock(parts.block, parts.certificate, parts.executed);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

// Everything the store holds must equal the model: tip, blocks, certs, results, tx index, and
// the full state (both column families, through the StateReader).
void ExpectMatchesModel(const BlockStore& store, const ModelChain& model) {
  const Tip tip = store.tip();
  EXPECT_EQ(tip.height, model.tip().height);
  EXPECT_EQ(tip.state_root, model.tip().state_root);
  EXPECT_EQ(tip.last_block_hash, model.tip().last_block_hash);
  for (uint64_t h = 1; h <= tip.height; ++h) {
    auto block = store.GetBlock(h);
    ASSERT_TRUE(block.ok()) << block.status().ToString();
    EXPECT_EQ(block->SerializeAsString(), model.BlockBytes(h)) << "height " << h;
    auto cert = store.GetCertificate(h);
    ASSERT_TRUE(cert.ok()) << cert.status().ToString();
    EXPECT_EQ(cert->block_hash(), core::Sha256(block->header()));
    auto results = store.GetBlockResults(h);
    ASSERT_TRUE(results.ok()) << results.status().ToString();
    ASSERT_EQ(results->size(), static_cast<size_t>(block->txs_size()));
  }
  EXPECT_EQ(store.GetBlock(tip.height + 1).status().code(), "NOT_FOUND");
  EXPECT_EQ(store.state().Scan("", kScanAll), model.state().Scan("", kScanAll));
}

// Property: a store reopened after commits has the same height, root, blocks, certificates,
// results, transaction index and state. Checked by committing 25 synthetic blocks, comparing
// with an in-memory model, closing, reopening and comparing again.
TEST(BlockStoreTest, ReopenRestoresEverythingCommitted) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  {
    auto store = OpenOk(tmp.path(), genesis);
    EXPECT_EQ(store->height(), 0u);
    EXPECT_EQ(store->state_root(), genesis.state_root);
    EXPECT_EQ(store->last_block_hash(), genesis.hash);
    for (int i = 0; i < 25; ++i) CommitOk(*store, model.Next());
    ExpectMatchesModel(*store, model);
  }
  auto store = OpenOk(tmp.path(), genesis);
  ExpectMatchesModel(*store, model);
  // The tx index points at each transaction's block and position.
  auto block = store->GetBlock(7);
  ASSERT_TRUE(block.ok());
  auto record = store->GetTx(core::Sha256(block->txs(2)));
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(record->height, 7u);
  EXPECT_EQ(record->index, 2u);
  EXPECT_EQ(record->result.tx_hash(), core::Sha256(block->txs(2)));
  EXPECT_EQ(store->GetTx(std::string(32, '\0')).status().code(), "NOT_FOUND");
  // And the chain continues where it stopped.
  CommitOk(*store, model.Next());
  EXPECT_EQ(store->state_root(), model.tip().state_root);
}

// Property: point reads of the live state (served from the write-through StateCache once read)
// equal the model after every commit, for keys that are updated, deleted, created and absent.
// Checked by reading every key before each commit (so stale values would be cached) and
// comparing every key after it, over 40 blocks and again after reopening.
TEST(BlockStoreTest, LivePointReadsFollowEveryCommit) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto keys = [&] {
    std::vector<std::string> out = {"c/counter", "l/never-written"};
    for (int i = 0; i < 40; ++i) out.push_back("l/lot-" + std::to_string(i));
    for (const auto& [key, value] : model.state().Scan("", kScanAll)) out.push_back(key);
    return out;
  };
  {
    auto store = OpenOk(tmp.path(), genesis);
    for (int i = 0; i < 40; ++i) {
      for (const std::string& key : keys()) (void)store->state().Get(key);
      CommitOk(*store, model.Next(static_cast<uint32_t>(1 + i % 7)));
      for (const std::string& key : keys()) {
        ASSERT_EQ(store->state().Get(key), model.state().Get(key)) << key << " at block " << i;
      }
    }
  }
  auto store = OpenOk(tmp.path(), genesis);
  for (const std::string& key : keys()) EXPECT_EQ(store->state().Get(key), model.state().Get(key));
}

// Property: replaying the same blocks into a fresh store yields the same state root and state.
// Checked by reading blocks back from store A, re-executing them on store B's own state
// (B's StateReader feeds the executor), committing them to B, and comparing roots per height.
TEST(BlockStoreTest, ReplayIntoFreshStoreGivesSameRoot) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto source = OpenOk(tmp.Sub("a"), genesis);
  for (int i = 0; i < 30; ++i) CommitOk(*source, model.Next(static_cast<uint32_t>(1 + i % 9)));

  auto replica = OpenOk(tmp.Sub("b"), genesis);
  for (uint64_t h = 1; h <= source->height(); ++h) {
    auto block = source->GetBlock(h);
    auto cert = source->GetCertificate(h);
    ASSERT_TRUE(block.ok() && cert.ok());
    const std::vector<std::string> txs(block->txs().begin(), block->txs().end());
    const core::ExecutedBlock executed =
        testing::SyntheticExecute(replica->state(), replica->state_root(), txs);
    const core::Status status = replica->CommitBlock(*block, *cert, executed);
    ASSERT_TRUE(status.ok()) << "height " << h << ": " << status.ToString();
    EXPECT_EQ(replica->last_block_hash(), core::Sha256(block->header()));
  }
  EXPECT_EQ(replica->height(), source->height());
  EXPECT_EQ(replica->state_root(), source->state_root());
  EXPECT_EQ(replica->state().Scan("", kScanAll), source->state().Scan("", kScanAll));
}

// Property: a block that does not extend the tip is refused with a precise code and nothing is
// written. Checked with a wrong height, a wrong previous hash, a header whose state root differs
// from the execution, a certificate for another block, and an unparsable header.
TEST(BlockStoreTest, CommitRefusesBlocksThatDoNotExtendTheTip) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto store = OpenOk(tmp.path(), genesis);
  CommitOk(*store, model.Next());
  const Tip before = store->tip();

  ModelChain skip(genesis);
  skip.Next();
  skip.Next();
  BlockParts third = skip.Next();  // height 3 while the store expects 2
  EXPECT_EQ(store->CommitBlock(third.block, third.certificate, third.executed).code(),
            "BAD_HEIGHT");

  ModelChain fork(SyntheticGenesis("other-genesis"));
  fork.Next();
  BlockParts forked = testing::BuildBlock(Tip{1, before.state_root, fork.tip().last_block_hash},
                                          store->state(), testing::SyntheticTxs(2));
  EXPECT_EQ(store->CommitBlock(forked.block, forked.certificate, forked.executed).code(),
            "BAD_PREV_HASH");

  BlockParts good = testing::BuildBlock(before, store->state(), testing::SyntheticTxs(2));
  v1::BlockHeader header;
  ASSERT_TRUE(header.ParseFromString(good.block.header()));
  header.set_state_root(std::string(32, '\x01'));
  v1::Block lying = good.block;
  lying.set_header(header.SerializeAsString());
  v1::CommitCertificate lying_cert = good.certificate;
  lying_cert.set_block_hash(core::Sha256(lying.header()));
  EXPECT_EQ(store->CommitBlock(lying, lying_cert, good.executed).code(), "STATE_ROOT_MISMATCH");

  v1::CommitCertificate other_cert = good.certificate;
  other_cert.set_block_hash(std::string(32, '\x02'));
  EXPECT_EQ(store->CommitBlock(good.block, other_cert, good.executed).code(), "BAD_CERTIFICATE");

  v1::Block garbage = good.block;
  garbage.set_header("\xff\xff\xff");
  EXPECT_EQ(store->CommitBlock(garbage, good.certificate, good.executed).code(), "BAD_BLOCK");

  const Tip after = store->tip();
  EXPECT_EQ(after.height, before.height);
  EXPECT_EQ(after.state_root, before.state_root);
  EXPECT_EQ(store->GetBlock(2).status().code(), "NOT_FOUND");
  EXPECT_EQ(store->state().Scan("", kScanAll), model.state().Scan("", kScanAll));
  CommitOk(*store, good);  // the honest block still goes in
}

// Property: a store refuses to open with a genesis other than the one it was created for, and
// the message names the directory, both hashes and the way out.
TEST(BlockStoreTest, GenesisMismatchIsRefusedWithBothHashes) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis("genesis-a");
  { OpenOk(tmp.path(), genesis); }
  const GenesisState other = SyntheticGenesis("genesis-b");
  auto store = BlockStore::Open(tmp.path(), other);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "GENESIS_MISMATCH");
  const std::string& message = store.status().message();
  EXPECT_NE(message.find(tmp.path()), std::string::npos) << message;
  EXPECT_NE(message.find(core::ToHex(genesis.hash)), std::string::npos) << message;
  EXPECT_NE(message.find(core::ToHex(other.hash)), std::string::npos) << message;
  EXPECT_NE(message.find("--home"), std::string::npos) << message;
}

// Property: garbage in RocksDB's CURRENT file gives STORE_CORRUPT naming the directory, not a
// crash; so does a store whose CURRENT was deleted (RocksDB alone would silently start afresh).
TEST(BlockStoreTest, CorruptCurrentFileIsRefused) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  {
    auto store = OpenOk(tmp.path(), genesis);
    CommitOk(*store, model.Next());
  }
  std::ofstream(tmp.Sub("CURRENT"), std::ios::trunc) << "garbage\x01\x02 not a manifest name";
  auto store = BlockStore::Open(tmp.path(), genesis);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "STORE_CORRUPT") << store.status().ToString();
  EXPECT_NE(store.status().message().find(tmp.path()), std::string::npos);

  std::filesystem::remove(tmp.Sub("CURRENT"));
  auto missing = BlockStore::Open(tmp.path(), genesis);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "STORE_CORRUPT") << missing.status().ToString();
}

// Property: a second open of a store that is in use is refused (STORE_LOCKED), so two node
// processes can never write one store.
TEST(BlockStoreTest, SecondOpenIsRefusedWhileLocked) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  auto first = OpenOk(tmp.path(), genesis);
  auto second = BlockStore::Open(tmp.path(), genesis);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), "STORE_LOCKED") << second.status().ToString();
}

// Property: without create_if_missing, an absent store is NOT_FOUND and nothing is created.
TEST(BlockStoreTest, OpenWithoutCreateNeedsAnExistingStore) {
  TempDir tmp;
  auto store = BlockStore::Open(tmp.Sub("none"), SyntheticGenesis(), {.create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "NOT_FOUND");
  EXPECT_FALSE(std::filesystem::exists(tmp.Sub("none")));
}

// Property: the consensus sign-state is absent at first, then reads back exactly what was last
// written, across a reopen.
TEST(BlockStoreTest, SignStateSurvivesReopen) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  const std::string blob("sign\0state\xff", 11);
  {
    auto store = OpenOk(tmp.path(), genesis);
    auto empty = store->GetSignState();
    ASSERT_TRUE(empty.ok());
    EXPECT_FALSE(empty->has_value());
    ASSERT_TRUE(store->PutSignState("first").ok());
    ASSERT_TRUE(store->PutSignState(blob).ok());
  }
  auto store = OpenOk(tmp.path(), genesis);
  auto got = store->GetSignState();
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, blob);
}

// Property: the StateReader routes "e/" keys to lot_events invisibly: Get finds them, a prefix
// scan inside "e/" sees only events, and scans whose prefix spans both families ("" and "e")
// return one ordered run honouring the limit — the same answers as an in-memory state.
TEST(BlockStoreTest, StateReaderMergesLotEventsInKeyOrder) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto store = OpenOk(tmp.path(), genesis);
  CommitOk(*store, model.Apply({"put|d/after-e|1", "put|e/lot-1/0|created", "put|e/lot-1/1|moved",
                                "put|e/lot-2/0|created", "put|e|bare-e", "put|a/before|2",
                                "put|e0|after-prefix"}));
  const core::StateReader& state = store->state();
  EXPECT_EQ(state.Get("e/lot-1/1"), std::optional<std::string>("moved"));
  EXPECT_EQ(state.Get("e/lot-3/0"), std::nullopt);
  for (const std::string prefix : {"", "e", "e/", "e/lot-1/", "d/", "m/", "zz"}) {
    for (size_t limit : {size_t{0}, size_t{1}, size_t{2}, size_t{3}, kScanAll}) {
      EXPECT_EQ(state.Scan(prefix, limit), model.state().Scan(prefix, limit))
          << "prefix '" << prefix << "' limit " << limit;
    }
  }
  // A later delete removes an event record too.
  CommitOk(*store, model.Apply({"del|e/lot-1/0"}));
  EXPECT_EQ(state.Get("e/lot-1/0"), std::nullopt);
  EXPECT_EQ(state.Scan("e/", kScanAll), model.state().Scan("e/", kScanAll));
}

// Property: a snapshot keeps answering with the state and tip of the moment it was taken while
// later blocks commit.
TEST(BlockStoreTest, SnapshotIsStableAcrossCommits) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto store = OpenOk(tmp.path(), genesis);
  CommitOk(*store, model.Next());
  const auto expected = model.state().Scan("", kScanAll);
  const Tip tip = store->tip();
  auto snapshot = store->Snapshot();
  for (int i = 0; i < 5; ++i) CommitOk(*store, model.Next());
  EXPECT_EQ(snapshot->tip().height, tip.height);
  EXPECT_EQ(snapshot->tip().state_root, tip.state_root);
  EXPECT_EQ(snapshot->Scan("", kScanAll), expected);
  EXPECT_NE(store->state().Scan("", kScanAll), expected);
}

// Property: the tx index keeps the first committed occurrence of a transaction hash; a replayed
// copy in a later block is only visible in that block's results.
TEST(BlockStoreTest, TxIndexKeepsFirstOccurrence) {
  TempDir tmp;
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  auto store = OpenOk(tmp.path(), genesis);
  CommitOk(*store, model.Apply({"inc|c/counter", "put|x/a|1"}));
  CommitOk(*store, model.Apply({"put|x/b|2", "inc|c/counter", "inc|c/counter"}));
  auto record = store->GetTx(core::Sha256("inc|c/counter"));
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->height, 1u);
  EXPECT_EQ(record->index, 0u);
  auto results = store->GetBlockResults(2);
  ASSERT_TRUE(results.ok());
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[2].tx_hash(), core::Sha256("inc|c/counter"));
  EXPECT_EQ(store->state().Get("c/counter"), std::optional<std::string>("3"));
}

}  // namespace
}  // namespace lotchain::node
