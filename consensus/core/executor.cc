#include "consensus/core/executor.h"

#include "consensus/core/crypto.h"
#include "consensus/core/merkle.h"

namespace lotchain::core {

std::string TxHash(std::string_view signed_tx_bytes) { return Sha256(signed_tx_bytes); }

namespace {

v1::TxResult Rejected(const std::string& tx_hash, const Status& status) {
  v1::TxResult result;
  result.set_tx_hash(tx_hash);
  result.set_code(v1::TX_CODE_REJECTED);
  result.set_reason(status.code());
  result.set_message(status.message());
  return result;
}

}  // namespace

ExecutedBlock ExecuteBlock(const Genesis& genesis, const StateReader& state,
                           const StateTree& tree, const BlockContext& block,
                           const std::vector<std::string>& signed_txs,
                           const ExecuteOptions& options) {
  LOTCHAIN_ASSERT(options.signature_verified.empty() ||
                  options.signature_verified.size() == signed_txs.size());
  ExecutedBlock out;
  OverlayState view(state, out.delta);
  std::vector<std::string> result_leaves;
  result_leaves.reserve(signed_txs.size());
  for (size_t i = 0; i < signed_txs.size(); ++i) {
    TxContext ctx;
    ctx.height = block.height;
    ctx.time_unix_ms = block.time_unix_ms;
    ctx.tx_index = static_cast<uint32_t>(i);
    ctx.tx_hash = TxHash(signed_txs[i]);
    ctx.signature_verified = !options.signature_verified.empty() && options.signature_verified[i];
    v1::TxResult result;
    auto auth = AuthenticateTx(genesis, view, ctx, signed_txs[i]);
    if (!auth.ok()) {
      result = Rejected(ctx.tx_hash, auth.status());
    } else {
      auto delta = ApplyAuthenticated(genesis, view, ctx, *auth);
      if (delta.ok()) {
        result.set_tx_hash(ctx.tx_hash);
        result.set_code(v1::TX_CODE_OK);
        out.delta.Merge(*delta);
      } else {
        // Authentic but refused by the rules: consume the nonce so these exact bytes can
        // never apply later, and write nothing else.
        result = Rejected(ctx.tx_hash, delta.status());
        out.delta.Merge(NonceDelta(*auth));
      }
    }
    result_leaves.push_back(result.SerializeAsString());
    out.results.push_back(std::move(result));
  }
  out.tx_root = MerkleRoot(signed_txs);
  out.results_root = MerkleRoot(result_leaves);
  out.prev_state_root = tree.Root();
  out.tree = tree.Apply(out.delta);
  out.state_root = out.tree.Root();
  LOTCHAIN_ASSERT(out.results.size() == signed_txs.size());
  return out;
}

}  // namespace lotchain::core
