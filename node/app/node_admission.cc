// Node: admission of client and gossiped transactions (signature checks off the loop, signer
// and nonce checks on it), gossip batching, and the committed-status lookups they use.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/state_keys.h"
#include "node/app/node.h"
#include "node/metrics.h"

namespace lotchain::node {

// Linux niceness is per thread, so this lowers only the caller's (see node.h).
void RunBelowConsensus() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)setpriority(PRIO_PROCESS, tid, std::min(current + kAdmissionNice, 19));
}

core::Result<VerifiedTx> Node::CheckSubmission(std::string signed_tx_bytes) const {
  std::string hash = core::TxHash(signed_tx_bytes);
  const bool checked = verified_.Contains(hash);  // e.g. already here through gossip
  v1::SignedTx envelope;
  auto body = core::CheckTxStateless(genesis_, signed_tx_bytes, checked, &envelope);
  if (!checked) metrics_->SignatureChecks(NodeMetrics::SignaturePath::kClient, 1);
  if (!body.ok()) {
    return body.status();  // its own code (BAD_SIGNATURE, WRONG_CHAIN, …) reaches the client
  }
  if (!checked) verified_.Insert(hash);
  return VerifiedTx{std::move(hash), std::move(signed_tx_bytes), envelope.signer(), body->nonce()};
}

core::Result<v1::TxStatus> Node::SubmitTx(std::string signed_tx_bytes) {
  std::vector<std::string> one;
  one.push_back(std::move(signed_tx_bytes));
  return std::move(SubmitTxBatch(std::move(one)).front());
}

std::vector<core::Result<v1::TxStatus>> Node::SubmitTxBatch(std::vector<std::string> signed_txs) {
  RunBelowConsensus();  // a gRPC thread
  // Signatures are checked here, on the client's thread; the admissible ones then cross to the
  // loop in one hand-off and leave in one gossip message per kGossipBatchTxsMax.
  std::vector<core::Result<v1::TxStatus>> results;
  results.reserve(signed_txs.size());
  std::vector<VerifiedTx> admissible;
  std::vector<size_t> position;
  for (size_t i = 0; i < signed_txs.size(); ++i) {
    core::Result<VerifiedTx> checked = CheckSubmission(std::move(signed_txs[i]));
    if (!checked.ok()) {
      results.push_back(checked.status());
      continue;
    }
    results.push_back(core::Status("UNAVAILABLE", "not admitted yet"));
    admissible.push_back(std::move(checked).value());
    position.push_back(i);
  }
  // lotchain_rejected_txs_total counts refusals at admission too (TxCommitted counts blocks').
  auto counted = [this](std::vector<core::Result<v1::TxStatus>> all) {
    for (const auto& result : all) {
      if (!result.ok()) metrics_->TxRejected(result.status().code());
    }
    return all;
  };
  if (admissible.empty()) return counted(std::move(results));
  auto admitted = OnLoop([this, admissible = std::move(admissible)]() mutable {
    std::vector<core::Result<v1::TxStatus>> out;
    out.reserve(admissible.size());
    for (auto& tx : admissible) out.push_back(AdmitOnLoop(std::move(tx)));
    Poke();
    return out;
  });
  for (size_t k = 0; k < position.size(); ++k) {
    results[position[k]] = admitted.has_value()
                               ? std::move((*admitted)[k])
                               : core::Status("UNAVAILABLE", "the node is busy or shutting down; retry");
  }
  return counted(std::move(results));
}

core::Result<v1::TxStatus> Node::AdmitOnLoop(VerifiedTx tx) {
  const std::string tx_hash = tx.tx_hash;
  const int64_t now = NowUnixMs();
  core::Result<v1::TxStatus> status = replica_->SubmitTx(std::move(tx), now);
  if (status.ok() && status->status() == v1::TX_STATUS_PENDING) {
    submitted_at_ms_.emplace(tx_hash, now);
    if (submitted_at_ms_.size() > config_.mempool_txs_max * 2) submitted_at_ms_.clear();
  }
  return status;
}

void Node::AdmitGossiped(std::vector<std::string> txs) {
  size_t bytes = 0;
  for (const std::string& tx : txs) bytes += tx.size();
  if (gossip_pending_bytes_.fetch_add(bytes) + bytes > kGossipPendingBytesMax) {
    gossip_pending_bytes_ -= bytes;
    metrics_->FrameDropped();
    return;
  }
  // Signatures are checked on the verify pool, admission back on the loop.
  boost::asio::post(verify_pool_, [this, bytes, txs = std::move(txs)]() mutable {
    std::vector<VerifiedTx> verified;
    verified.reserve(txs.size());
    uint64_t checks = 0;
    for (auto& tx : txs) {
      std::string hash = core::TxHash(tx);
      // Already verified here (the proposal carrying it came first): parse, do not verify.
      const bool checked = verified_.Contains(hash);
      v1::SignedTx envelope;
      auto body = core::CheckTxStateless(genesis_, tx, checked, &envelope);
      checks += checked ? 0 : 1;
      if (!body.ok()) continue;
      if (!checked) verified_.Insert(hash);
      verified.push_back({std::move(hash), std::move(tx), envelope.signer(), body->nonce()});
    }
    metrics_->SignatureChecks(NodeMetrics::SignaturePath::kGossip, checks);
    boost::asio::post(io_, [this, bytes, verified = std::move(verified)]() mutable {
      gossip_pending_bytes_ -= bytes;
      if (stopping_) return;
      replica_->AdmitGossiped(std::move(verified), NowUnixMs());
      Poke();
    });
  });
}

}  // namespace lotchain::node
