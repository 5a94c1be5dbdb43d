// BlockStore: the node's durable ledger on RocksDB (docs/STORAGE.md).
//
// One store holds one chain: committed blocks, their commit certificates, every transaction's
// result, the custody state after the last block, per-lot event history, and the consensus
// engine's sign-state. Column families: blocks, certs, results, txs, state, lot_events, meta.
//
// Guarantees
//   * CommitBlock writes everything a block changes (block, certificate, results, tx index,
//     state writes, lot events, new tip) in ONE WriteBatch with sync=true: after it returns OK
//     the block survives a process crash or power loss; if the process dies during the call,
//     a reopened store is either at the old tip or at the new one, never in between.
//   * Reopening restores exactly the committed tip (height, state root, last block hash).
//   * A store remembers the genesis it was created for and refuses to open with another.
//
// Errors (Status codes; messages name the store directory and say what to do):
//   STORE_CORRUPT      unreadable or inconsistent files (garbage CURRENT, bad meta records, ...)
//   STORE_LOCKED       another process has the store open
//   STORE_IO           any other I/O failure (disk full, failed fsync, ...)
//   GENESIS_MISMATCH   the store was created for a different genesis
//   NOT_FOUND          a getter was asked for something that is not stored
//   BAD_HEIGHT, BAD_PREV_HASH, BAD_BLOCK, BAD_CERTIFICATE, STATE_ROOT_MISMATCH
//                      CommitBlock refused a block that does not extend the tip (nothing written)
// After a failed write (STORE_IO) RocksDB may put the database into read-only mode; the node
// should stop and restart, which recovers the last durable tip.
//
// Thread-safety: every method may be called from any thread. Writers (CommitBlock,
// PutSignState) are serialised internally. Reads see the latest committed data; a read racing
// a commit sees either the whole block or none of it, per key. Use Snapshot() when several
// reads must agree with each other and with a tip.
//
// The store trusts its caller for what it cannot check cheaply: certificate signatures (the
// consensus layer verified them) and that `executed` is the result of executing `block` on this
// store's state (asserted through the state-root chain).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "consensus/core/state_tree.h"
#include "lotchain/v1/block.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace lotchain::node {

struct OpenOptions {
  // Create a new store (and write the genesis state) when `dir` holds none.
  bool create_if_missing = true;
  // For fault-injection tests: the RocksDB Env (and through it the file system) to use.
  // nullptr = the default Env. Not owned; must outlive the store.
  rocksdb::Env* env = nullptr;
};

// What a new store is initialised with: the genesis hash and the state written before block 1.
struct GenesisState {
  std::string hash;        // 32 bytes
  core::StateDelta delta;  // core::GenesisDelta(genesis)
  std::string state_root;  // core::StateTree().Apply(delta).Root()
};
GenesisState GenesisStateOf(const core::Genesis& genesis);

// The last committed block.
struct Tip {
  uint64_t height = 0;          // 0 = only genesis
  std::string state_root;       // 32 bytes
  std::string last_block_hash;  // 32 bytes; the genesis hash at height 0
};

// Where a transaction was committed and what became of it.
struct TxRecord {
  uint64_t height = 0;
  uint32_t index = 0;  // position in the block
  v1::TxResult result;
};

// A read-only view of the store pinned at one moment (RocksDB snapshot). Its reads agree with
// each other and with tip(). Must not outlive the BlockStore that made it. Thread-safe.
class StateSnapshot : public core::StateReader {
 public:
  virtual const Tip& tip() const = 0;
  // The state tree of tip(): proofs of what this snapshot reads (Root() = tip().state_root).
  virtual const core::StateTree& tree() const = 0;
  // Like Scan, but only keys strictly greater than `start_after` (empty = from the prefix's
  // start): the pages of a listing. `prefix` must not span the lot-event keys ("e/").
  virtual std::vector<core::KeyValue> ScanAfter(std::string_view prefix,
                                                std::string_view start_after,
                                                size_t limit_count) const = 0;
};

class BlockStore {
 public:
  // Opens the store in `dir`, creating it (and writing `genesis`'s state at height 0) when
  // absent and options.create_if_missing. An existing store must have been created for the same
  // genesis hash (GENESIS_MISMATCH otherwise) and must pass a consistency check of its tip.
  static core::Result<std::unique_ptr<BlockStore>> Open(const std::string& dir,
                                                        const core::Genesis& genesis,
                                                        const OpenOptions& options = {});
  static core::Result<std::unique_ptr<BlockStore>> Open(const std::string& dir,
                                                        const GenesisState& genesis,
                                                        const OpenOptions& options = {});
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Appends block tip.height+1. Checks (Status, nothing written on failure): the header parses;
  // height = tip.height + 1; prev_block_hash = tip.last_block_hash; tx_count = txs;
  // header.state_root = executed.state_root; certificate height and block hash match.
  // Asserts (caller bugs): executed has one result per tx, was executed on the tip's tree
  // (prev_state_root) and its tree has its state_root. The txs index keeps the first occurrence of
  // a transaction hash; a later duplicate is only in its block's results.
  core::Status CommitBlock(const v1::Block& block, const v1::CommitCertificate& certificate,
                           const core::ExecutedBlock& executed);

  Tip tip() const;
  uint64_t height() const;
  std::string state_root() const;
  std::string last_block_hash() const;
  const std::string& genesis_hash() const;
  const std::string& dir() const;

  // NOT_FOUND for heights 0 and > height(); STORE_CORRUPT when the stored bytes do not parse.
  core::Result<v1::Block> GetBlock(uint64_t height) const;
  core::Result<v1::CommitCertificate> GetCertificate(uint64_t height) const;
  core::Result<std::vector<v1::TxResult>> GetBlockResults(uint64_t height) const;
  core::Result<TxRecord> GetTx(std::string_view tx_hash) const;

  // The consensus engine's sign-state, written with sync=true: call before a vote leaves.
  core::Status PutSignState(std::string_view bytes);
  // nullopt until the first PutSignState.
  core::Result<std::optional<std::string>> GetSignState() const;

  // The committed state (latest). Per the StateReader contract a read error aborts the process.
  const core::StateReader& state() const;
  std::unique_ptr<StateSnapshot> Snapshot() const;
  // The state tree of the tip (a cheap, immutable handle): the tree the next block executes on.
  core::StateTree tree() const;

  struct Impl;  // RocksDB handles and the cached tip; defined in block_store.cc only

 private:
  explicit BlockStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotchain::node
