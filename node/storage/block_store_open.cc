// BlockStore: opening a store — creating it with the genesis state, or checking that an
// existing one belongs to this genesis, is consistent, and can rebuild its state tree.
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/options_util.h>

#include <filesystem>
#include <system_error>

#include "consensus/core/crypto.h"
#include "node/storage/block_store_internal.h"

namespace lotchain::node {

using core::Result;
using core::Status;

namespace {

// True when `dir` holds table files or a non-empty write-ahead log, i.e. data was committed
// there at some point. Without CURRENT that means damage (RocksDB alone would silently start an
// empty database); a bare MANIFEST or empty log is only an interrupted creation.
bool HasCommittedData(const std::filesystem::path& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".sst")) return true;
    if (name.ends_with(".log") && entry.file_size(error) > 0 && !error) return true;
  }
  return false;
}

rocksdb::Options MakeOptions(const OpenOptions& open_options, bool create) {
  rocksdb::Options options;
  options.create_if_missing = create;
  options.error_if_exists = create;
  options.create_missing_column_families = create;
  options.paranoid_checks = true;
  // A torn final WAL record (crash mid-write) is dropped: recovery yields a prefix of the
  // acknowledged batches, and every synced batch is in that prefix.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.keep_log_file_num = 4;
  // Most point reads on the hot path look for keys that do not exist yet: a new tx's hash in
  // the tx index, a new facility or lot id, a first nonce. Bloom filters answer those without
  // searching the memtable skip list (whole-key filter) or reading SST blocks (10 bits per key,
  // about 1% false positives); a block cache keeps hot state in memory.
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.memtable_whole_key_filtering = true;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(64u << 20);
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (open_options.env != nullptr) options.env = open_options.env;
  return options;
}

// Opens the RocksDB database with all column families; `create` makes a new one.
Status OpenDatabase(const OpenOptions& open_options, bool create, BlockStore::Impl& impl) {
  LOTCHAIN_ASSERT(kCfNames[kDefault] == rocksdb::kDefaultColumnFamilyName);
  rocksdb::Options options = MakeOptions(open_options, create);
  if (!create) {
    std::vector<std::string> names;
    rocksdb::Status status = rocksdb::DB::ListColumnFamilies(options, impl.dir, &names);
    if (!status.ok()) return FromRocks(impl.dir, "list column families", status);
    for (const std::string& name : names) {
      if (std::find(kCfNames.begin(), kCfNames.end(), name) == kCfNames.end()) {
        return Corrupt(impl.dir,
                       "unexpected column family \"" + name + "\" (not a lotchain store)");
      }
    }
    // Fewer families than ours: creation was interrupted before the genesis batch (families
    // are created one by one). Create the rest; LoadMeta then finds no `format` and
    // WriteGenesis insists that every family is still empty.
    options.create_missing_column_families = names.size() < kCfNames.size();
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (std::string_view name : kCfNames) {
    descriptors.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions(options));
  }
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, impl.dir, descriptors, &impl.handles, &db);
  if (!status.ok()) return FromRocks(impl.dir, create ? "create" : "open", status);
  impl.db.reset(db);
  LOTCHAIN_ASSERT(impl.handles.size() == kCfCount);
  return Status::Ok();
}

bool IsCfEmpty(const BlockStore::Impl& impl, Cf index) {
  std::unique_ptr<rocksdb::Iterator> it(
      impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(index)));
  it->SeekToFirst();
  if (!it->status().ok()) FatalRead(impl.dir, "an emptiness check", it->status());
  return !it->Valid();
}

// First open of a new (or never initialised) store: genesis state and tip at height 0.
Status WriteGenesis(const GenesisState& genesis, BlockStore::Impl& impl) {
  for (Cf index : {kDefault, kBlocks, kCerts, kResults, kTxs, kState, kLotEvents, kMeta}) {
    if (!IsCfEmpty(impl, index)) {
      return Corrupt(impl.dir, "data in \"" + std::string(kCfNames[index]) +
                                   "\" but no meta/format record (not a lotchain store)");
    }
  }
  rocksdb::WriteBatch batch;
  LOTCHAIN_RETURN_IF_ERROR(AddDelta(impl, genesis.delta, batch));
  const store::TipRecord tip{0, genesis.state_root, genesis.hash};
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl.dir, batch, impl.cf(kMeta), store::kMetaGenesisHash, genesis.hash));
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl.dir, batch, impl.cf(kMeta), store::kMetaTip, store::EncodeTip(tip)));
  // `format` rides in the same batch as the state and the tip, so its presence means the whole
  // genesis batch is there (LoadMeta relies on this).
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl.dir, batch, impl.cf(kMeta), store::kMetaFormat, store::kStoreFormat));
  LOTCHAIN_RETURN_IF_ERROR(WriteSynced(impl, batch, "write genesis state"));
  impl.tip = ToTip(tip);
  impl.trees[0] = core::StateTree().Apply(genesis.delta);
  return Status::Ok();
}

// The last block must be there, hash to the tip's block hash, and have a certificate; the
// next height must be absent. Catches a meta record that disagrees with the data.
Status CheckTipConsistent(const BlockStore::Impl& impl, const Tip& tip) {
  LOTCHAIN_ASSIGN_OR_RETURN(auto next, impl.Read(kBlocks, store::EncodeHeight(tip.height + 1)));
  if (next.has_value()) return Corrupt(impl.dir, "a block is stored above the tip height");
  if (tip.height == 0) {
    if (tip.last_block_hash != impl.genesis_hash)
      return Corrupt(impl.dir, "tip at height 0 is not genesis");
    return Status::Ok();
  }
  LOTCHAIN_ASSIGN_OR_RETURN(auto block_bytes, impl.Read(kBlocks, store::EncodeHeight(tip.height)));
  LOTCHAIN_ASSIGN_OR_RETURN(auto cert_bytes, impl.Read(kCerts, store::EncodeHeight(tip.height)));
  v1::Block block;
  if (!block_bytes.has_value() || !block.ParseFromString(*block_bytes)) {
    return Corrupt(impl.dir,
                   "block " + std::to_string(tip.height) + " (the tip) is missing or unreadable");
  }
  if (core::Sha256(block.header()) != tip.last_block_hash) {
    return Corrupt(
        impl.dir, "block " + std::to_string(tip.height) + " does not hash to the tip's block hash");
  }
  if (!cert_bytes.has_value()) return Corrupt(impl.dir, "the tip block has no certificate");
  return Status::Ok();
}

// Rebuilds the state tree from every stored state entry; its root must be the tip's.
Status LoadTree(BlockStore::Impl& impl) {
  core::StateTree::Builder builder;
  for (Cf index : {kState, kLotEvents}) {
    std::unique_ptr<rocksdb::Iterator> it(
        impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(index)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) builder.Put(View(it->key()), View(it->value()));
    if (!it->status().ok()) return FromRocks(impl.dir, "load the state tree", it->status());
  }
  core::StateTree tree = builder.Finish();
  if (tree.Root() != impl.tip.state_root) {
    return Corrupt(impl.dir, "the stored state hashes to " + core::ToHex(tree.Root()) +
                                 ", not to the tip's state root " +
                                 core::ToHex(impl.tip.state_root));
  }
  impl.trees[impl.tip.height] = std::move(tree);
  return Status::Ok();
}

// Existing store: format, genesis hash, tip.
Status LoadMeta(const GenesisState& genesis, BlockStore::Impl& impl) {
  LOTCHAIN_ASSIGN_OR_RETURN(auto format, impl.Read(kMeta, store::kMetaFormat));
  if (!format.has_value()) return WriteGenesis(genesis, impl);
  if (*format == store::kStoreFormatV1) {
    return Status("STORE_FORMAT",
                  "the store in " + impl.dir + " holds a chain of an older lotchain (format " +
                      std::string(store::kStoreFormatV1) +
                      ", state roots without a state tree); this version cannot continue that "
                      "chain: start the network again from a new genesis with empty homes");
  }
  if (*format != store::kStoreFormat && format->starts_with(store::kStoreFormatPrefix) &&
      format->size() <= store::kStoreFormatPrefix.size() + 8) {
    // A later release's store (a node downgraded after an upgrade): refuse before reading
    // anything in it, and say which binary can open it.
    return Status("STORE_FORMAT",
                  "the store in " + impl.dir + " has format " + *format + ", written by a newer "
                  "lotchaind; this one reads " + std::string(store::kStoreFormat) +
                  ". Run the release that wrote it (docs/OPERATIONS.md \"Upgrading one node at "
                  "a time\"), or restore this node's backup from before the upgrade");
  }
  if (*format != store::kStoreFormat) {
    return Corrupt(impl.dir, "unknown format \"" + core::ToHex(*format) + "\" (hex), expected " +
                                 std::string(store::kStoreFormat));
  }
  LOTCHAIN_ASSIGN_OR_RETURN(auto genesis_hash, impl.Read(kMeta, store::kMetaGenesisHash));
  if (!genesis_hash.has_value() || genesis_hash->size() != store::kHashBytes) {
    return Corrupt(impl.dir, "missing or malformed meta/genesis_hash");
  }
  if (*genesis_hash != genesis.hash) {
    return Status("GENESIS_MISMATCH",
                  "store at " + impl.dir + " was created for genesis " +
                      core::ToHex(*genesis_hash) + ", but the config's genesis is " +
                      core::ToHex(genesis.hash) + "; point --home at the right store or remove it");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(auto tip_bytes, impl.Read(kMeta, store::kMetaTip));
  std::optional<store::TipRecord> tip;
  if (tip_bytes.has_value()) tip = store::DecodeTip(*tip_bytes);
  if (!tip.has_value()) return Corrupt(impl.dir, "missing or malformed meta/tip");
  impl.tip = ToTip(*tip);
  LOTCHAIN_RETURN_IF_ERROR(CheckTipConsistent(impl, impl.tip));
  return LoadTree(impl);
}

}  // namespace

Result<std::unique_ptr<BlockStore>> BlockStore::Open(const std::string& dir,
                                                     const GenesisState& genesis,
                                                     const OpenOptions& options) {
  LOTCHAIN_ASSERT(genesis.hash.size() == store::kHashBytes);
  LOTCHAIN_ASSERT(genesis.state_root == core::StateTree().Apply(genesis.delta).Root());
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->genesis_hash = genesis.hash;
  const std::filesystem::path path(dir);
  std::error_code error;
  const bool exists = std::filesystem::exists(path / "CURRENT", error);
  if (!exists && HasCommittedData(path)) {
    return Corrupt(dir, "data files present but CURRENT is missing");
  }
  if (!exists && !options.create_if_missing) {
    return Status("NOT_FOUND", "no store at " + dir + "; initialise the node first");
  }
  LOTCHAIN_RETURN_IF_ERROR(OpenDatabase(options, !exists, *impl));
  LOTCHAIN_RETURN_IF_ERROR(LoadMeta(genesis, *impl));
  LOTCHAIN_ASSERT(impl->tip.state_root.size() == store::kHashBytes);
  impl->live_state = std::make_unique<StateView>(*impl, nullptr, Tip{});
  return std::unique_ptr<BlockStore>(new BlockStore(std::move(impl)));
}

}  // namespace lotchain::node
