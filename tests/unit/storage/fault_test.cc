// Disk faults injected in-process through RocksDB's FileSystemWrapper (docs/STORAGE.md): the
// write-ahead log's Append or Sync fails during CommitBlock.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>

#include "node/storage/block_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace lotchain::node {
namespace {

using testing::kScanAll;
using testing::ModelChain;
using testing::SyntheticGenesis;
using testing::TempDir;

enum class Fault { kNone, kWalAppend, kWalSync };

// Passes everything through to the default file system, except that while `fault` is set the
// write-ahead log files (*.log) fail the chosen operation with an I/O error.
class FaultyFs : public rocksdb::FileSystemWrapper {
 public:
  FaultyFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "LotchainFaultyFs"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok() && name.ends_with(".log")) {
      *result = std::make_unique<WalFile>(std::move(*result), *this);
    }
    return status;
  }

  std::atomic<Fault> fault{Fault::kNone};
  std::atomic<int> injected{0};

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, FaultyFs& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (Fail(Fault::kWalAppend)) return rocksdb::IOStatus::NoSpace("injected: WAL append");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      if (Fail(Fault::kWalSync)) return rocksdb::IOStatus::IOError("injected: WAL sync");
      return target()->Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      if (Fail(Fault::kWalSync)) return rocksdb::IOStatus::IOError("injected: WAL fsync");
      return target()->Fsync(options, debug);
    }

   private:
    bool Fail(Fault kind) {
      if (fs_.fault.load() != kind) return false;
      fs_.injected.fetch_add(1);
      return true;
    }
    FaultyFs& fs_;
  };
};

// Commits 3 blocks, injects `fault` while committing block 4, and checks: the commit returns
// STORE_IO; nothing of block 4 is visible in the running store; after a restart without the
// fault the store is at height 3 or 4 (a block whose fsync failed may still have reached the
// disk) with a state that matches that height exactly, and the chain continues.
void CheckFailedCommitIsAllOrNothing(Fault fault, bool may_survive) {
  TempDir tmp;
  auto fs = std::make_shared<FaultyFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  const GenesisState genesis = SyntheticGenesis();
  ModelChain model(genesis);
  ModelChain at3(genesis);
  for (int i = 0; i < 3; ++i) at3.Next();
  {
    auto store = BlockStore::Open(tmp.path(), genesis, {.env = env.get()});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    for (int i = 0; i < 3; ++i) {
      testing::BlockParts parts = model.Next();
      ASSERT_TRUE((*store)->CommitBlock(parts.block, parts.certificate, parts.executed).ok());
    }
    testing::BlockParts fourth = model.Next();
    fs->fault = fault;
    const core::Status status =
        (*store)->CommitBlock(fourth.block, fourth.certificate, fourth.executed);
    fs->fault = Fault::kNone;
    EXPECT_GT(fs->injected.load(), 0);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), "STORE_IO") << status.ToString();
    EXPECT_NE(status.message().find(tmp.path()), std::string::npos) << status.ToString();
    EXPECT_EQ((*store)->height(), 3u);
    EXPECT_EQ((*store)->GetBlock(4).status().code(), "NOT_FOUND");
    EXPECT_EQ((*store)->state().Scan("", kScanAll), at3.state().Scan("", kScanAll));
  }
  auto store = BlockStore::Open(tmp.path(), genesis, {.env = env.get()});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const uint64_t height = (*store)->height();
  const ModelChain& expected = height == 4 ? model : at3;
  if (!may_survive) {
    EXPECT_EQ(height, 3u);
  }
  ASSERT_TRUE(height == 3 || height == 4) << height;
  EXPECT_EQ((*store)->state_root(), expected.tip().state_root);
  EXPECT_EQ((*store)->state().Scan("", kScanAll), expected.state().Scan("", kScanAll));
  ModelChain next(genesis);
  for (uint64_t h = 0; h <= height; ++h) next.Next();
  testing::BlockParts parts =
      testing::BuildBlock((*store)->tip(), (*store)->state(), testing::SyntheticTxs(height + 1));
  const core::Status status = (*store)->CommitBlock(parts.block, parts.certificate, parts.executed);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ((*store)->state_root(), next.tip().state_root);
}

// Property: when the WAL append fails (disk full), CommitBlock reports STORE_IO, no part of the
// block is visible, and after a restart the block is absent and the chain continues.
TEST(FaultTest, FailedWalAppendLeavesNoTrace) {
  CheckFailedCommitIsAllOrNothing(Fault::kWalAppend, /*may_survive=*/false);
}

// Property: when the WAL fsync fails, CommitBlock reports STORE_IO and no part of the block is
// visible; after a restart the block is either wholly present or wholly absent.
TEST(FaultTest, FailedWalSyncIsAllOrNothing) {
  CheckFailedCommitIsAllOrNothing(Fault::kWalSync, /*may_survive=*/true);
}

}  // namespace
}  // namespace lotchain::node
