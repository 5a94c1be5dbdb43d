#include "node/storage/block_store.h"

#include <rocksdb/db.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/slice.h>
#include <rocksdb/utilities/options_util.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "consensus/core/state_tree.h"
#include "node/storage/state_cache.h"
#include "node/storage/store_codec.h"

namespace lotchain::node {

using core::Result;
using core::Status;

namespace {

// Column family order in Impl::handles; index 0 is RocksDB's mandatory default family.
enum Cf : size_t { kDefault, kBlocks, kCerts, kResults, kTxs, kState, kLotEvents, kMeta, kCfCount };
constexpr std::array<std::string_view, kCfCount> kCfNames = {
    "default",     store::kCfBlocks, store::kCfCerts,     store::kCfResults,
    store::kCfTxs, store::kCfState,  store::kCfLotEvents, store::kCfMeta};

std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }
rocksdb::Slice ToSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

// The StateReader contract (consensus/core/state.h): a store that cannot read must stop the
// process, because answering "absent" for a key that exists would fork the chain.
[[noreturn]] void FatalRead(const std::string& dir, std::string_view what,
                            const rocksdb::Status& status) {
  std::fprintf(stderr, "lotchain: fatal: cannot read %.*s from the store at %s: %s\n",
               static_cast<int>(what.size()), what.data(), dir.c_str(), status.ToString().c_str());
  std::abort();
}

Status Corrupt(const std::string& dir, const std::string& what) {
  return Status("STORE_CORRUPT", "store at " + dir + " is corrupt: " + what +
                                     "; restore it from a backup, or remove it and resync");
}

// Maps a RocksDB failure to a Status that names the directory and the action that failed.
Status FromRocks(const std::string& dir, std::string_view action, const rocksdb::Status& status) {
  LOTCHAIN_ASSERT(!status.ok());
  const std::string detail = std::string(action) + ": " + status.ToString();
  if (status.IsCorruption() || status.IsPathNotFound() || status.IsNotFound()) {
    return Corrupt(dir, detail);
  }
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return Status("STORE_LOCKED", "store at " + dir + " is in use by another process (" + detail +
                                      "); stop the other lotchaind or use another --home");
  }
  return Status("STORE_IO", "store at " + dir + ": " + detail);
}

}  // namespace

// State trees kept for snapshots: a snapshot taken while this many blocks commit retries.
constexpr size_t kTreesKept = 8;

// Bytes of live state kept in memory for point reads (node/storage/state_cache.h).
constexpr size_t kStateCacheBytesMax = 64u << 20;

struct BlockStore::Impl {
  std::string dir;
  std::string genesis_hash;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // kCfCount entries once open

  std::mutex write_mutex;  // serialises CommitBlock's check-then-write
  mutable std::mutex tip_mutex;
  Tip tip;  // guarded by tip_mutex; equals meta/tip on disk after every successful commit
  // The state tree of the tip and of a few heights before (guarded by tip_mutex). A block's
  // tree goes in before its batch is written, so a RocksDB snapshot at any committed height
  // finds its tree here (Snapshot()).
  std::map<uint64_t, core::StateTree> trees;

  std::unique_ptr<StateSnapshot> live_state;  // state() without a snapshot
  // Point reads of the live state; CommitBlock applies every block's delta to it.
  mutable StateCache cache{kStateCacheBytesMax};  // filled by const reads

  ~Impl() {
    live_state.reset();
    for (rocksdb::ColumnFamilyHandle* handle : handles) {
      LOTCHAIN_ASSERT(db != nullptr);
      db->DestroyColumnFamilyHandle(handle);
    }
    if (db != nullptr) db->Close().PermitUncheckedError();
  }

  rocksdb::ColumnFamilyHandle* cf(Cf index) const {
    LOTCHAIN_ASSERT(handles.size() == kCfCount);
    return handles[index];
  }

  // Get that distinguishes "absent" (nullopt) from a failure (the error status).
  Result<std::optional<std::string>> Read(Cf index, std::string_view key,
                                          const rocksdb::Snapshot* snapshot = nullptr) const {
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot;
    std::string value;
    rocksdb::Status status = db->Get(read_options, cf(index), ToSlice(key), &value);
    if (status.IsNotFound()) return std::optional<std::string>();
    if (!status.ok()) return FromRocks(dir, "read " + std::string(kCfNames[index]), status);
    return std::optional<std::string>(std::move(value));
  }

  // Entries of one column family whose key starts with `prefix`, ascending, at most `limit`.
  std::vector<core::KeyValue> ScanCf(Cf index, std::string_view prefix, size_t limit_count,
                                     const rocksdb::Snapshot* snapshot,
                                     std::string_view start_after = {}) const {
    std::vector<core::KeyValue> out;
    if (limit_count == 0) return out;
    rocksdb::ReadOptions read_options;
    read_options.snapshot = snapshot;
    const std::optional<std::string> upper = store::PrefixSuccessor(prefix);
    rocksdb::Slice upper_slice;
    if (upper.has_value()) {
      upper_slice = ToSlice(*upper);
      read_options.iterate_upper_bound = &upper_slice;
    }
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, cf(index)));
    it->Seek(ToSlice(start_after > prefix ? start_after : prefix));
    for (; it->Valid() && out.size() < limit_count; it->Next()) {
      const std::string_view key = View(it->key());
      if (!key.starts_with(prefix)) break;
      if (key <= start_after) continue;  // Seek lands on start_after itself
      out.emplace_back(std::string(key), std::string(View(it->value())));
    }
    if (!it->status().ok()) FatalRead(dir, "a state scan", it->status());
    LOTCHAIN_ASSERT(out.size() <= limit_count);
    return out;
  }
};

namespace {

// Reads state through the committed column families, optionally pinned to a snapshot.
// Keys under "e/" live in lot_events, all others in state (store_codec.h).
class StateView final : public StateSnapshot {
 public:
  StateView(const BlockStore::Impl& impl, const rocksdb::Snapshot* snapshot, Tip tip,
            core::StateTree tree = {})
      : impl_(impl), snapshot_(snapshot), tip_(std::move(tip)), tree_(std::move(tree)) {}
  ~StateView() override {
    if (snapshot_ != nullptr) impl_.db->ReleaseSnapshot(snapshot_);
  }

  const Tip& tip() const override {
    LOTCHAIN_ASSERT(snapshot_ != nullptr);  // the live view has no fixed tip
    return tip_;
  }
  const core::StateTree& tree() const override {
    LOTCHAIN_ASSERT(snapshot_ != nullptr);
    return tree_;
  }

  std::optional<std::string> Get(std::string_view key) const override {
    uint64_t generation = 0;
    if (snapshot_ == nullptr) {
      if (auto cached = impl_.cache.Lookup(key, &generation)) return std::move(*cached);
    }
    const Cf index = store::IsLotEventKey(key) ? kLotEvents : kState;
    Result<std::optional<std::string>> value = impl_.Read(index, key, snapshot_);
    if (!value.ok()) {
      std::fprintf(stderr, "lotchain: fatal: %s\n", value.status().ToString().c_str());
      std::abort();
    }
    if (snapshot_ == nullptr) impl_.cache.Fill(key, *value, generation);
    return std::move(value).value();
  }

  std::vector<core::KeyValue> ScanAfter(std::string_view prefix, std::string_view start_after,
                                        size_t limit_count) const override {
    // "" and "e" would span both column families.
    LOTCHAIN_ASSERT(prefix.size() >= store::kLotEventPrefix.size() ||
                    !store::kLotEventPrefix.starts_with(prefix));
    const Cf index = store::IsLotEventKey(prefix) ? kLotEvents : kState;
    return impl_.ScanCf(index, prefix, limit_count, snapshot_, start_after);
  }

  std::vector<core::KeyValue> Scan(std::string_view prefix, size_t limit_count) const override {
    if (store::IsLotEventKey(prefix))
      return impl_.ScanCf(kLotEvents, prefix, limit_count, snapshot_);
    std::vector<core::KeyValue> out = impl_.ScanCf(kState, prefix, limit_count, snapshot_);
    if (!store::kLotEventPrefix.starts_with(prefix)) return out;
    // The prefix ("" or "e") spans both families: merge two sorted runs, keep the first `limit`.
    std::vector<core::KeyValue> events = impl_.ScanCf(kLotEvents, prefix, limit_count, snapshot_);
    std::vector<core::KeyValue> merged;
    merged.reserve(out.size() + events.size());
    std::merge(std::make_move_iterator(out.begin()), std::make_move_iterator(out.end()),
               std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()),
               std::back_inserter(merged),
               [](const core::KeyValue& a, const core::KeyValue& b) { return a.first < b.first; });
    if (merged.size() > limit_count) merged.resize(limit_count);
    return merged;
  }

 private:
  const BlockStore::Impl& impl_;
  const rocksdb::Snapshot* snapshot_;  // nullptr = latest; released by the destructor
  Tip tip_;
  core::StateTree tree_;  // commits to what this snapshot reads (tip_.state_root)
};

Tip ToTip(const store::TipRecord& record) {
  return Tip{record.height, record.state_root, record.last_block_hash};
}

Status AddWrite(const std::string& dir, rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                std::string_view key, std::string_view value) {
  rocksdb::Status status = batch.Put(cf, ToSlice(key), ToSlice(value));
  if (!status.ok()) return FromRocks(dir, "prepare write batch", status);
  return Status::Ok();
}

// Routes a state delta into the batch: "e/" keys to lot_events, the rest to state.
Status AddDelta(const BlockStore::Impl& impl, const core::StateDelta& delta,
                rocksdb::WriteBatch& batch) {
  for (const auto& [key, value] : delta.writes) {
    rocksdb::ColumnFamilyHandle* cf = impl.cf(store::IsLotEventKey(key) ? kLotEvents : kState);
    if (value.has_value()) {
      LOTCHAIN_RETURN_IF_ERROR(AddWrite(impl.dir, batch, cf, key, *value));
    } else {
      rocksdb::Status status = batch.Delete(cf, ToSlice(key));
      if (!status.ok()) return FromRocks(impl.dir, "prepare write batch", status);
    }
  }
  return Status::Ok();
}

Status WriteSynced(const BlockStore::Impl& impl, rocksdb::WriteBatch& batch,
                   std::string_view action) {
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  rocksdb::Status status = impl.db->Write(write_options, &batch);
  if (!status.ok()) return FromRocks(impl.dir, action, status);
  return Status::Ok();
}

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

// Returns the parsed header when `block` and `certificate` extend `tip`; else why not.
Result<v1::BlockHeader> CheckExtendsTip(const Tip& tip, const v1::Block& block,
                                        const v1::CommitCertificate& certificate,
                                        const core::ExecutedBlock& executed) {
  v1::BlockHeader header;
  if (!header.ParseFromString(block.header())) {
    return Status("BAD_BLOCK", "block header does not parse");
  }
  const std::string next = std::to_string(tip.height + 1);
  if (header.height() != tip.height + 1) {
    return Status("BAD_HEIGHT", "block height " + std::to_string(header.height()) +
                                    " does not extend the store, whose next height is " + next);
  }
  if (header.prev_block_hash() != tip.last_block_hash) {
    return Status("BAD_PREV_HASH", "block " + next + " names previous block " +
                                       core::ToHex(header.prev_block_hash()) + ", but the tip is " +
                                       core::ToHex(tip.last_block_hash));
  }
  if (header.tx_count() != static_cast<uint64_t>(block.txs_size())) {
    return Status("BAD_BLOCK", "block " + next + " header says " +
                                   std::to_string(header.tx_count()) + " txs but carries " +
                                   std::to_string(block.txs_size()));
  }
  if (header.state_root() != executed.state_root) {
    return Status("STATE_ROOT_MISMATCH",
                  "block " + next + " claims state root " + core::ToHex(header.state_root()) +
                      " but executing it gives " + core::ToHex(executed.state_root));
  }
  if (certificate.height() != header.height() ||
      certificate.block_hash() != core::Sha256(block.header())) {
    return Status("BAD_CERTIFICATE",
                  "certificate is for height " + std::to_string(certificate.height()) + " block " +
                      core::ToHex(certificate.block_hash()) + ", not for block " + next);
  }
  return header;
}

// Adds txs[hash] = (height, index, result) for each transaction not indexed before. The
// entries go into the batch in key order: hashes are random, and RocksDB's memtable skip list
// inserts a run of ascending keys from where the previous insert ended instead of from the top.
Status AddTxIndex(const BlockStore::Impl& impl, uint64_t height, const v1::Block& block,
                  const core::ExecutedBlock& executed, rocksdb::WriteBatch& batch) {
  std::map<std::string, std::string> entries;  // hash -> record, first occurrence in the block
  for (int i = 0; i < block.txs_size(); ++i) {
    const size_t index = static_cast<size_t>(i);
    const v1::TxResult& result = executed.results[index];
    // The results must be this block's: the last check before they are stored under its txs.
    std::string hash = core::Sha256(block.txs(i));
    if (!result.tx_hash().empty()) LOTCHAIN_ASSERT(result.tx_hash() == hash);
    if (entries.count(hash) != 0) continue;
    LOTCHAIN_ASSIGN_OR_RETURN(auto existing, impl.Read(kTxs, hash));
    if (existing.has_value()) continue;  // first occurrence wins (a replay is only a result)
    entries.emplace(std::move(hash),
                    store::EncodeTxRecord(height, static_cast<uint32_t>(i), result));
  }
  for (const auto& [hash, value] : entries) {
    LOTCHAIN_RETURN_IF_ERROR(AddWrite(impl.dir, batch, impl.cf(kTxs), hash, value));
  }
  return Status::Ok();
}

}  // namespace

BlockStore::BlockStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  LOTCHAIN_ASSERT(impl_ != nullptr);
  LOTCHAIN_ASSERT(impl_->db != nullptr);
}

BlockStore::~BlockStore() = default;

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

Status BlockStore::CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                               const core::ExecutedBlock& executed) {
  std::lock_guard<std::mutex> write_lock(impl_->write_mutex);
  const Tip prev = tip();
  LOTCHAIN_ASSIGN_OR_RETURN(v1::BlockHeader header,
                            CheckExtendsTip(prev, block, certificate, executed));
  LOTCHAIN_ASSERT(executed.results.size() == static_cast<size_t>(block.txs_size()));
  LOTCHAIN_ASSERT(executed.prev_state_root == prev.state_root);
  LOTCHAIN_ASSERT(executed.tree.Root() == executed.state_root);

  const uint64_t height = header.height();
  const std::string height_key = store::EncodeHeight(height);
  const store::TipRecord next{height, executed.state_root, core::Sha256(block.header())};
  const std::string block_bytes = block.SerializeAsString();
  const std::string results_bytes = store::EncodeResults(executed.results);
  // Reserved up front: growing a block-sized batch by doubling copied it several times over.
  // Blocks and results go in once; the tx index repeats the results, and the state writes are
  // of the order of the block again.
  rocksdb::WriteBatch batch(2 * block_bytes.size() + 2 * results_bytes.size() + 64 * 1024);
  LOTCHAIN_RETURN_IF_ERROR(AddWrite(impl_->dir, batch, impl_->cf(kBlocks), height_key, block_bytes));
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl_->dir, batch, impl_->cf(kCerts), height_key, certificate.SerializeAsString()));
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl_->dir, batch, impl_->cf(kResults), height_key, results_bytes));
  LOTCHAIN_RETURN_IF_ERROR(AddTxIndex(*impl_, height, block, executed, batch));
  LOTCHAIN_RETURN_IF_ERROR(AddDelta(*impl_, executed.delta, batch));
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl_->dir, batch, impl_->cf(kMeta), store::kMetaTip, store::EncodeTip(next)));
  {
    std::lock_guard<std::mutex> tip_lock(impl_->tip_mutex);
    impl_->trees[height] = executed.tree;
  }
  Status written = WriteSynced(*impl_, batch, "commit block " + std::to_string(height));
  if (!written.ok()) {
    std::lock_guard<std::mutex> tip_lock(impl_->tip_mutex);
    impl_->trees.erase(height);
    return written;
  }
  impl_->cache.Apply(executed.delta);

  std::lock_guard<std::mutex> tip_lock(impl_->tip_mutex);
  LOTCHAIN_ASSERT(impl_->tip.height + 1 == height);
  impl_->tip = ToTip(next);
  while (impl_->trees.size() > kTreesKept) impl_->trees.erase(impl_->trees.begin());
  return Status::Ok();
}

Tip BlockStore::tip() const {
  std::lock_guard<std::mutex> lock(impl_->tip_mutex);
  return impl_->tip;
}
uint64_t BlockStore::height() const { return tip().height; }
std::string BlockStore::state_root() const { return tip().state_root; }
std::string BlockStore::last_block_hash() const { return tip().last_block_hash; }
const std::string& BlockStore::genesis_hash() const { return impl_->genesis_hash; }
const std::string& BlockStore::dir() const { return impl_->dir; }

namespace {

// Reads one height-keyed record and parses it as `Message`.
template <typename Message>
Result<Message> ReadAtHeight(const BlockStore::Impl& impl, Cf index, uint64_t height) {
  LOTCHAIN_ASSIGN_OR_RETURN(auto bytes, impl.Read(index, store::EncodeHeight(height)));
  const std::string what = std::string(kCfNames[index]) + "[" + std::to_string(height) + "]";
  if (!bytes.has_value()) return Status("NOT_FOUND", what + " is not in the store at " + impl.dir);
  Message message;
  if (!message.ParseFromString(*bytes)) return Corrupt(impl.dir, what + " does not parse");
  return message;
}

}  // namespace

Result<v1::Block> BlockStore::GetBlock(uint64_t height) const {
  return ReadAtHeight<v1::Block>(*impl_, kBlocks, height);
}

Result<v1::CommitCertificate> BlockStore::GetCertificate(uint64_t height) const {
  return ReadAtHeight<v1::CommitCertificate>(*impl_, kCerts, height);
}

Result<std::vector<v1::TxResult>> BlockStore::GetBlockResults(uint64_t height) const {
  LOTCHAIN_ASSIGN_OR_RETURN(auto bytes, impl_->Read(kResults, store::EncodeHeight(height)));
  const std::string what = "results[" + std::to_string(height) + "]";
  if (!bytes.has_value())
    return Status("NOT_FOUND", what + " is not in the store at " + impl_->dir);
  std::optional<std::vector<v1::TxResult>> results = store::DecodeResults(*bytes);
  if (!results.has_value()) return Corrupt(impl_->dir, what + " does not parse");
  return std::move(*results);
}

Result<TxRecord> BlockStore::GetTx(std::string_view tx_hash) const {
  LOTCHAIN_ASSIGN_OR_RETURN(auto bytes, impl_->Read(kTxs, tx_hash));
  if (!bytes.has_value()) {
    return Status("NOT_FOUND", "transaction " + core::ToHex(tx_hash) + " is not committed");
  }
  std::optional<store::TxRecordValue> record = store::DecodeTxRecord(*bytes);
  if (!record.has_value())
    return Corrupt(impl_->dir, "txs[" + core::ToHex(tx_hash) + "] does not parse");
  return TxRecord{record->height, record->index, std::move(record->result)};
}

Status BlockStore::PutSignState(std::string_view bytes) {
  rocksdb::WriteBatch batch(bytes.size() + 256);
  LOTCHAIN_RETURN_IF_ERROR(
      AddWrite(impl_->dir, batch, impl_->cf(kMeta), store::kMetaSignState, bytes));
  return WriteSynced(*impl_, batch, "write sign-state");
}

Result<std::optional<std::string>> BlockStore::GetSignState() const {
  return impl_->Read(kMeta, store::kMetaSignState);
}

const core::StateReader& BlockStore::state() const {
  LOTCHAIN_ASSERT(impl_->live_state != nullptr);
  return *impl_->live_state;
}

core::StateTree BlockStore::tree() const {
  std::lock_guard<std::mutex> lock(impl_->tip_mutex);
  auto it = impl_->trees.find(impl_->tip.height);
  LOTCHAIN_ASSERT(it != impl_->trees.end());
  return it->second;
}

std::unique_ptr<StateSnapshot> BlockStore::Snapshot() const {
  for (;;) {
    const rocksdb::Snapshot* snapshot = impl_->db->GetSnapshot();
    LOTCHAIN_ASSERT(snapshot != nullptr);
    Result<std::optional<std::string>> tip_bytes = impl_->Read(kMeta, store::kMetaTip, snapshot);
    std::optional<store::TipRecord> tip;
    if (tip_bytes.ok() && tip_bytes->has_value()) tip = store::DecodeTip(**tip_bytes);
    if (!tip.has_value()) {
      FatalRead(impl_->dir, "meta/tip for a snapshot", rocksdb::Status::Corruption("bad tip"));
    }
    std::optional<core::StateTree> tree;
    {
      std::lock_guard<std::mutex> lock(impl_->tip_mutex);
      auto it = impl_->trees.find(tip->height);
      if (it != impl_->trees.end()) tree = it->second;
    }
    // Absent only when more than kTreesKept blocks committed since the snapshot was taken.
    if (tree.has_value()) return std::make_unique<StateView>(*impl_, snapshot, ToTip(*tip), *tree);
    impl_->db->ReleaseSnapshot(snapshot);
  }
}

}  // namespace lotchain::node
