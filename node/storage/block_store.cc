// BlockStore: committing blocks and the sign-state, and reading blocks, transactions and
// state (opening is in block_store_open.cc).
#include "node/storage/block_store.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "consensus/core/crypto.h"
#include "node/storage/block_store_internal.h"

namespace lotchain::node {

using core::Result;
using core::Status;

Tip ToTip(const store::TipRecord& record) {
  return Tip{record.height, record.state_root, record.last_block_hash};
}

Status AddWrite(const std::string& dir, rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* cf,
                std::string_view key, std::string_view value) {
  rocksdb::Status status = batch.Put(cf, ToSlice(key), ToSlice(value));
  if (!status.ok()) return FromRocks(dir, "prepare write batch", status);
  return Status::Ok();
}

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

namespace {

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
