// Internals of BlockStore shared by block_store.cc (commits and reads) and
// block_store_open.cc (opening, genesis, recovery checks). Not a public header: it includes
// RocksDB, which the storage library keeps private.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/slice.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

#include "consensus/core/assert.h"
#include "consensus/core/state_tree.h"
#include "node/storage/block_store.h"
#include "node/storage/state_cache.h"
#include "node/storage/store_codec.h"

namespace lotchain::node {


// Column family order in Impl::handles; index 0 is RocksDB's mandatory default family.
enum Cf : size_t { kDefault, kBlocks, kCerts, kResults, kTxs, kState, kLotEvents, kMeta, kCfCount };
inline constexpr std::array<std::string_view, kCfCount> kCfNames = {
    "default",     store::kCfBlocks, store::kCfCerts,     store::kCfResults,
    store::kCfTxs, store::kCfState,  store::kCfLotEvents, store::kCfMeta};

inline std::string_view View(const rocksdb::Slice& slice) { return {slice.data(), slice.size()}; }
inline rocksdb::Slice ToSlice(std::string_view bytes) { return {bytes.data(), bytes.size()}; }

// The StateReader contract (consensus/core/state.h): a store that cannot read must stop the
// process, because answering "absent" for a key that exists would fork the chain.
[[noreturn]] inline void FatalRead(const std::string& dir, std::string_view what,
                            const rocksdb::Status& status) {
  std::fprintf(stderr, "lotchain: fatal: cannot read %.*s from the store at %s: %s\n",
               static_cast<int>(what.size()), what.data(), dir.c_str(), status.ToString().c_str());
  std::abort();
}

inline core::Status Corrupt(const std::string& dir, const std::string& what) {
  return core::Status("STORE_CORRUPT", "store at " + dir + " is corrupt: " + what +
                                     "; restore it from a backup, or remove it and resync");
}

// Maps a RocksDB failure to a Status that names the directory and the action that failed.
inline core::Status FromRocks(const std::string& dir, std::string_view action, const rocksdb::Status& status) {
  LOTCHAIN_ASSERT(!status.ok());
  const std::string detail = std::string(action) + ": " + status.ToString();
  if (status.IsCorruption() || status.IsPathNotFound() || status.IsNotFound()) {
    return Corrupt(dir, detail);
  }
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return core::Status("STORE_LOCKED", "store at " + dir + " is in use by another process (" + detail +
                                      "); stop the other lotchaind or use another --home");
  }
  return core::Status("STORE_IO", "store at " + dir + ": " + detail);
}

// State trees kept for snapshots: a snapshot taken while this many blocks commit retries.
inline constexpr size_t kTreesKept = 8;

// Bytes of live state kept in memory for point reads (node/storage/state_cache.h).
inline constexpr size_t kStateCacheBytesMax = 64u << 20;

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
  core::Result<std::optional<std::string>> Read(Cf index, std::string_view key,
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
    core::Result<std::optional<std::string>> value = impl_.Read(index, key, snapshot_);
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

Tip ToTip(const store::TipRecord& record);
core::Status AddWrite(const std::string& dir, rocksdb::WriteBatch& batch,
                      rocksdb::ColumnFamilyHandle* cf, std::string_view key,
                      std::string_view value);
// Routes a state delta into the batch: "e/" keys to lot_events, the rest to state.
core::Status AddDelta(const BlockStore::Impl& impl, const core::StateDelta& delta,
                      rocksdb::WriteBatch& batch);
core::Status WriteSynced(const BlockStore::Impl& impl, rocksdb::WriteBatch& batch,
                         std::string_view action);

}  // namespace lotchain::node
