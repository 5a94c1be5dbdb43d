#include "consensus/bft/block_builder.h"

#include <algorithm>
#include <set>

#include "consensus/core/certificate.h"
#include "consensus/core/custody.h"
#include "consensus/core/crypto.h"

namespace lotchain::bft {
namespace {

core::Status Bad(const std::string& what) { return core::Status("BAD_BLOCK", what); }

}  // namespace

BuiltBlock BuildBlock(const BlockEnv& env, const std::vector<std::string>& candidates,
                      std::string_view proposer, int64_t now_unix_ms,
                      const SignatureCache* verified) {
  LOTCHAIN_ASSERT(env.genesis != nullptr);
  LOTCHAIN_ASSERT(env.state != nullptr);
  LOTCHAIN_ASSERT(env.tree.Root() == env.tip.state_root);
  std::vector<std::string> txs;
  std::vector<bool> checked;
  std::set<std::string> hashes;
  uint64_t bytes = kHeaderBytesMax;
  for (const std::string& tx : candidates) {
    if (txs.size() >= env.limits.tx_count_max) break;
    if (bytes + tx.size() + kTxFramingBytes > env.limits.bytes_max) break;
    std::string hash = core::TxHash(tx);
    checked.push_back(verified != nullptr && verified->SignatureChecked(hash));
    if (!hashes.insert(std::move(hash)).second) {
      checked.pop_back();
      continue;
    }
    bytes += tx.size() + kTxFramingBytes;
    txs.push_back(tx);
  }
  core::ExecuteOptions options;
  options.signature_verified = std::move(checked);
  v1::BlockHeader header;
  header.set_chain_id(env.genesis->chain_id);
  header.set_height(env.tip.height + 1);
  header.set_time_unix_ms(std::max(now_unix_ms, env.tip.time_unix_ms + 1));
  header.set_prev_block_hash(env.tip.block_hash);
  BuiltBlock out;
  out.executed = core::ExecuteBlock(*env.genesis, *env.state, env.tree,
                                    {header.height(), header.time_unix_ms()}, txs, options);
  header.set_tx_root(out.executed.tx_root);
  header.set_results_root(out.executed.results_root);
  header.set_state_root(out.executed.state_root);
  header.set_tx_count(static_cast<uint32_t>(txs.size()));
  header.set_proposer(std::string(proposer));
  header.set_validators_hash(env.validators_hash);
  header.set_next_validators_hash(env.next_validators_hash);
  out.block.set_header(header.SerializeAsString());
  for (std::string& tx : txs) out.block.add_txs(std::move(tx));
  LOTCHAIN_ASSERT(out.block.ByteSizeLong() <= env.limits.bytes_max);
  return out;
}

core::Result<core::ExecutedBlock> CheckBlock(const BlockEnv& env, const v1::Block& block,
                                             const TxIndex& committed,
                                             const SignatureCache& signatures,
                                             int64_t time_max_unix_ms) {
  LOTCHAIN_ASSERT(env.genesis != nullptr);
  LOTCHAIN_ASSERT(env.state != nullptr);
  LOTCHAIN_ASSERT(env.tree.Root() == env.tip.state_root);
  v1::BlockHeader header;
  if (!header.ParseFromString(block.header())) return Bad("header does not parse");
  if (header.chain_id() != env.genesis->chain_id) return Bad("wrong chain id");
  if (header.height() != env.tip.height + 1) return Bad("wrong height");
  if (header.prev_block_hash() != env.tip.block_hash) return Bad("does not link to the tip");
  if (header.time_unix_ms() <= env.tip.time_unix_ms) return Bad("time not after the tip");
  if (header.time_unix_ms() > time_max_unix_ms) return Bad("time too far in the future");
  if (header.validators_hash() != env.validators_hash) return Bad("wrong validators hash");
  if (header.next_validators_hash() != env.next_validators_hash) {
    return Bad("wrong next validators hash");
  }
  if (header.tx_count() != static_cast<uint32_t>(block.txs_size())) return Bad("tx count");
  if (static_cast<uint32_t>(block.txs_size()) > env.limits.tx_count_max) return Bad("too many");
  if (block.ByteSizeLong() > env.limits.bytes_max) return Bad("block too large");
  std::set<std::string> hashes;
  std::vector<std::string> txs;
  std::vector<bool> verified;
  txs.reserve(static_cast<size_t>(block.txs_size()));
  for (const std::string& tx : block.txs()) {
    const std::string hash = core::TxHash(tx);
    if (committed.IsCommitted(hash)) return Bad("transaction already committed");
    if (!hashes.insert(hash).second) return Bad("transaction twice in the block");
    v1::SignedTx envelope;
    const bool checked = signatures.SignatureChecked(hash);
    core::Result<v1::TxBody> body = core::CheckTxStateless(*env.genesis, tx, checked, &envelope);
    if (!body.ok()) return Bad("transaction fails stateless checks: " + body.status().message());
    if (!checked) signatures.SignaturePassed(hash);
    txs.push_back(tx);
    verified.push_back(true);
  }
  core::ExecuteOptions options;
  options.signature_verified = std::move(verified);
  core::ExecutedBlock executed =
      core::ExecuteBlock(*env.genesis, *env.state, env.tree,
                         {header.height(), header.time_unix_ms()}, txs, options);
  if (executed.tx_root != header.tx_root()) return Bad("tx_root differs from execution");
  if (executed.results_root != header.results_root()) return Bad("results_root differs");
  if (executed.state_root != header.state_root()) return Bad("state_root differs");
  return executed;
}

}  // namespace lotchain::bft
