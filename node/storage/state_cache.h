// StateCache: an in-memory, write-through cache of the live state for point reads.
//
// Executing a block reads the same few keys for every transaction (the signer's organisation,
// member record and nonce, the facility, the lot), and admission reads nonces. Served from
// RocksDB each read walks the memtable skip list and the level-0 files; served from here it is
// one hash lookup. Absent keys are cached too ("no nonce yet").
//
// Consistency: BlockStore::CommitBlock applies each block's delta here after the synced write
// and before anyone can observe the new tip, so a cached value is always the committed value.
// A reader that missed, read RocksDB, and raced with a commit could insert a value older than
// the commit's; Fill refuses it by comparing the generation it saw at Lookup with the current
// one (every Apply bumps it).
//
// Bounds: keys plus values up to `bytes_max`; when a Fill or Apply would exceed it, the cache
// is emptied and refills from reads (simple, and the hot set refills in one block).
//
// Thread-safe: many readers (the node's loop, gRPC query threads), one writer (CommitBlock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "consensus/core/state.h"

namespace lotchain::node {

class StateCache {
 public:
  explicit StateCache(size_t bytes_max) : bytes_max_(bytes_max) {}

  // On a hit, the cached value (nullopt inside for "absent"); on a miss, nullopt, and
  // `*generation` is what to pass to Fill after reading the store.
  std::optional<std::optional<std::string>> Lookup(std::string_view key,
                                                   uint64_t* generation) const;
  void Fill(std::string_view key, const std::optional<std::string>& value, uint64_t generation);
  // A committed block's writes.
  void Apply(const core::StateDelta& delta);

  size_t bytes() const;
  size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  static size_t Cost(std::string_view key, const std::optional<std::string>& value) {
    return key.size() + (value ? value->size() : 0) + 64;  // 64: node and string overhead
  }
  void PutLocked(std::string_view key, const std::optional<std::string>& value);

  const size_t bytes_max_;
  mutable std::shared_mutex mutex_;
  uint64_t generation_ = 0;  // guarded by mutex_
  size_t bytes_ = 0;         // guarded by mutex_
  std::unordered_map<std::string, std::optional<std::string>, Hash, std::equal_to<>>
      entries_;  // guarded by mutex_
};

}  // namespace lotchain::node
