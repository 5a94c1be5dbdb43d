// LedgerBackend: what the client-facing servers (gRPC Ledger service, HTTP /metrics, /healthz,
// /readyz) need from the running node. The node (node/app) implements it; the servers never
// touch the consensus engine or the mempool directly.
//
// Thread-safety: every method may be called from any gRPC/HTTP thread concurrently. Methods
// that need the node's event loop post to it and wait (bounded), so they never race the
// engine. Read-only access to committed data goes straight to the BlockStore (thread-safe).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/validator_schedule.h"
#include "lotchain/v1/api.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

// The part of a NodeStatus that genesis and the committed tip determine: chain, tip and every
// validator of the next height (connected = false). Backends add peers, connectivity and the mempool size.
inline v1::NodeStatus CommittedNodeStatus(const core::Genesis& genesis,
                                          const std::vector<core::GenesisValidator>& next_validators,
                                          const BlockStore& store) {
  v1::NodeStatus status;
  const Tip tip = store.tip();
  status.set_chain_id(genesis.chain_id);
  status.set_height(tip.height);
  status.set_state_root(tip.state_root);
  status.set_last_block_hash(tip.last_block_hash);
  status.set_genesis_hash(genesis.hash);
  for (const auto& v : next_validators) {  // who votes on the next block
    v1::ValidatorInfo* info = status.add_validators();
    info->set_id(v.id);
    info->set_public_key(v.public_key);
    info->set_address(v.address);
  }
  return status;
}

// One named check of /healthz or /readyz; `detail` says what was seen ("connected to 1 of 3
// other validators; a quorum needs 2").
struct HealthCheck {
  std::string name;
  bool ok = false;
  std::string detail;
};

class LedgerBackend {
 public:
  virtual ~LedgerBackend() = default;

  virtual const core::Genesis& genesis() const = 0;
  virtual const BlockStore& store() const = 0;

  // Refusals carry the custody/envelope code (MALFORMED_TX, BAD_SIGNATURE, WRONG_CHAIN,
  // EMPTY_EVENT, UNKNOWN_SIGNER, REPLAYED_NONCE, …; docs/ERRORS.md), RESOURCE_EXHAUSTED when the
  // mempool is full (retry later) or UNAVAILABLE while shutting down. A transaction already in
  // the mempool or already committed is not an error: its current status is returned.
  virtual core::Result<v1::TxStatus> SubmitTx(std::string signed_tx_bytes) = 0;
  // The same for many transactions at once: one result per input, in order, each exactly what
  // SubmitTx would have returned. The node overrides this to admit the batch in one step
  // (one hand-off to its loop, one gossip message); this default just loops.
  virtual std::vector<core::Result<v1::TxStatus>> SubmitTxBatch(
      std::vector<std::string> signed_txs) {
    std::vector<core::Result<v1::TxStatus>> results;
    results.reserve(signed_txs.size());
    for (auto& tx : signed_txs) results.push_back(SubmitTx(std::move(tx)));
    return results;
  }
  // PENDING (in mempool), APPLIED / REJECTED (committed, with result), or UNKNOWN; an error
  // (UNAVAILABLE) when the node cannot tell right now, which is not the same as UNKNOWN.
  virtual core::Result<v1::TxStatus> GetTxStatus(std::string_view tx_hash) = 0;
  virtual v1::NodeStatus GetStatus() = 0;

  // Calls `on_commit` (from the node's loop thread; it must not block) for every block
  // committed after subscribing. Returns a handle for Unsubscribe.
  using CommitCallback = std::function<void(const v1::CommitEvent&)>;
  virtual uint64_t SubscribeCommits(CommitCallback on_commit) = 0;
  virtual void UnsubscribeCommits(uint64_t handle) = 0;

  // /healthz: the process and its store work. /readyz: additionally connected to enough peers
  // for a quorum and not far behind them.
  virtual bool Healthy() = 0;
  virtual bool Ready() = 0;
  // The checks behind Ready(), each named, so /readyz can say which one failed and why. The
  // default has one check per method; the node reports its event loop, quorum and catch-up.
  virtual std::vector<HealthCheck> ReadinessChecks() {
    const bool healthy = Healthy();
    return {{"healthy", healthy, ""}, {"ready", healthy && Ready(), ""}};
  }
  // Prometheus text exposition (format 0.0.4) of the node's metrics.
  virtual std::string MetricsText() = 0;
};

}  // namespace lotchain::node
