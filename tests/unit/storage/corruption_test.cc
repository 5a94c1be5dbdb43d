// A store whose meta records are damaged or disagree with its data must be refused with
// STORE_CORRUPT naming the directory, never opened with a wrong tip. The damage is written with
// RocksDB directly, bypassing the BlockStore.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <functional>
#include <map>

#include "node/storage/block_store.h"
#include "node/storage/store_codec.h"
#include "tests/unit/storage/storage_test_util.h"

namespace lotchain::node {
namespace {

using testing::ModelChain;
using testing::SyntheticGenesis;
using testing::TempDir;

using CfMap = std::map<std::string, rocksdb::ColumnFamilyHandle*>;

// Opens the raw database with all column families and hands it to `damage`.
void Damage(const std::string& dir, const std::function<void(rocksdb::DB&, const CfMap&)>& damage) {
  std::vector<std::string> names;
  rocksdb::Options options;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) descriptors.emplace_back(name, options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, descriptors, &handles, &db).ok());
  CfMap cfs;
  for (size_t i = 0; i < names.size(); ++i) cfs[names[i]] = handles[i];
  damage(*db, cfs);
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
  delete db;
}

// A store with 3 committed blocks, closed.
void MakeStore(const std::string& dir) {
  ModelChain model(SyntheticGenesis());
  auto store = BlockStore::Open(dir, SyntheticGenesis());
  ASSERT_TRUE(store.ok());
  for (int i = 0; i < 3; ++i) {
    testing::BlockParts parts = model.Next();
    ASSERT_TRUE((*store)->CommitBlock(parts.block, parts.certificate, parts.executed).ok());
  }
}

void ExpectCorrupt(const std::string& dir, const std::string& needle) {
  auto store = BlockStore::Open(dir, SyntheticGenesis());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), "STORE_CORRUPT") << store.status().ToString();
  EXPECT_NE(store.status().message().find(dir), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find(needle), std::string::npos) << store.status().ToString();
}

// Property: garbage in meta/tip is refused as corrupt.
TEST(CorruptionTest, GarbageTipIsRefused) {
  TempDir tmp;
  MakeStore(tmp.path());
  Damage(tmp.path(), [](rocksdb::DB& db, const CfMap& cf) {
    ASSERT_TRUE(db.Put({}, cf.at("meta"), store::kMetaTip, "\x01\x02garbage").ok());
  });
  ExpectCorrupt(tmp.path(), "meta/tip");
}

// Property: a tip that points below or above the stored blocks (meta disagreeing with data) is
// refused, whichever way it is wrong.
TEST(CorruptionTest, TipThatDisagreesWithBlocksIsRefused) {
  TempDir tmp;
  MakeStore(tmp.path());
  Damage(tmp.path(), [](rocksdb::DB& db, const CfMap& cf) {
    std::string bytes;
    ASSERT_TRUE(db.Get({}, cf.at("meta"), store::kMetaTip, &bytes).ok());
    auto tip = store::DecodeTip(bytes);
    ASSERT_TRUE(tip.has_value());
    tip->height = 2;  // block 3 is still stored above it
    ASSERT_TRUE(db.Put({}, cf.at("meta"), store::kMetaTip, store::EncodeTip(*tip)).ok());
  });
  ExpectCorrupt(tmp.path(), "above the tip");

  TempDir other;
  MakeStore(other.path());
  Damage(other.path(), [](rocksdb::DB& db, const CfMap& cf) {
    ASSERT_TRUE(db.Delete({}, cf.at("blocks"), store::EncodeHeight(3)).ok());
  });
  ExpectCorrupt(other.path(), "block 3");
}

// Property: a format record that is no lotchain format, or a missing genesis hash, is refused
// as corrupt.
TEST(CorruptionTest, UnknownFormatOrMissingGenesisIsRefused) {
  TempDir tmp;
  MakeStore(tmp.path());
  Damage(tmp.path(), [](rocksdb::DB& db, const CfMap& cf) {
    ASSERT_TRUE(db.Put({}, cf.at("meta"), store::kMetaFormat, "not-a-lotchain-format").ok());
  });
  ExpectCorrupt(tmp.path(), "unknown format");

  TempDir other;
  MakeStore(other.path());
  Damage(other.path(), [](rocksdb::DB& db, const CfMap& cf) {
    ASSERT_TRUE(db.Delete({}, cf.at("meta"), store::kMetaGenesisHash).ok());
  });
  ExpectCorrupt(other.path(), "genesis_hash");
}

// Format versions (docs/STORAGE.md "meta"): a store of the current format, written and closed,
// opens again with every block; a format-1 store is refused naming what to do (no migration
// exists: start from a new genesis); a later release's format is refused as STORE_FORMAT
// naming the binary that can read it, never as corrupt and never by rewriting it.
TEST(CorruptionTest, FormatVersionsOpenOrAreRefusedWithTheWayOut) {
  TempDir current;
  MakeStore(current.path());
  {
    auto store = BlockStore::Open(current.path(), SyntheticGenesis());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_EQ((*store)->tip().height, 3u);
  }
  const std::pair<const char*, const char*> refused[] = {
      {"lotchain-store/1", "start the network again from a new genesis"},
      {"lotchain-store/3", "written by a newer lotchaind; this one reads lotchain-store/2"},
  };
  for (const auto& [format, advice] : refused) {
    TempDir tmp;
    MakeStore(tmp.path());
    Damage(tmp.path(), [format](rocksdb::DB& db, const CfMap& cf) {
      ASSERT_TRUE(db.Put({}, cf.at("meta"), store::kMetaFormat, format).ok());
    });
    auto store = BlockStore::Open(tmp.path(), SyntheticGenesis());
    ASSERT_FALSE(store.ok()) << format;
    EXPECT_EQ(store.status().code(), "STORE_FORMAT") << store.status().ToString();
    EXPECT_NE(store.status().message().find(advice), std::string::npos)
        << store.status().ToString();
    // Refusing leaves the record as it was: the right binary can still open the store.
    Damage(tmp.path(), [format](rocksdb::DB& db, const CfMap& cf) {
      std::string value;
      ASSERT_TRUE(db.Get({}, cf.at("meta"), store::kMetaFormat, &value).ok());
      EXPECT_EQ(value, format);
    });
  }
}

// Property: a RocksDB database that is not a lotchain store (other column families) is refused
// rather than adopted.
TEST(CorruptionTest, ForeignDatabaseIsRefused) {
  TempDir tmp;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, tmp.path(), &db).ok());
    ASSERT_TRUE(db->Put({}, "k", "v").ok());
    delete db;
  }
  ExpectCorrupt(tmp.path(), "not a lotchain store");
}

}  // namespace
}  // namespace lotchain::node
