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

bool Node::KnownSigner(const std::string& signer) const {
  return store_->state().Get(core::keys::SignerOrg(signer)).has_value();
}

uint64_t Node::CommittedNonce(const std::string& signer) const {
  auto bytes = store_->state().Get(core::keys::SignerNonce(signer));
  if (!bytes.has_value()) return 0;
  v1::SignerNonce nonce;
  return nonce.ParseFromString(*bytes) ? nonce.last_nonce() : 0;
}

std::optional<v1::TxStatus> Node::CommittedStatus(std::string_view tx_hash) const {
  auto record = store_->GetTx(tx_hash);
  if (!record.ok()) return std::nullopt;
  v1::TxStatus status;
  status.set_tx_hash(std::string(tx_hash));
  status.set_status(record->result.code() == v1::TX_CODE_OK ? v1::TX_STATUS_APPLIED
                                                             : v1::TX_STATUS_REJECTED);
  status.set_height(record->height);
  status.set_index(record->index);
  *status.mutable_result() = record->result;
  return status;
}

core::Result<Node::Submission> Node::CheckSubmission(std::string signed_tx_bytes) const {
  std::string hash = core::TxHash(signed_tx_bytes);
  const bool checked = verified_.Contains(hash);  // e.g. already here through gossip
  v1::SignedTx envelope;
  auto body = core::CheckTxStateless(genesis_, signed_tx_bytes, checked, &envelope);
  if (!checked) metrics_->SignatureChecks(NodeMetrics::SignaturePath::kClient, 1);
  if (!body.ok()) {
    return body.status();  // its own code (BAD_SIGNATURE, WRONG_CHAIN, …) reaches the client
  }
  if (!checked) verified_.Insert(hash);
  Submission submission;
  submission.tx_hash = std::move(hash);
  submission.signed_tx = std::move(signed_tx_bytes);
  submission.signer = envelope.signer();
  submission.nonce = body->nonce();
  return submission;
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
  std::vector<Submission> admissible;
  std::vector<size_t> position;
  for (size_t i = 0; i < signed_txs.size(); ++i) {
    core::Result<Submission> checked = CheckSubmission(std::move(signed_txs[i]));
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
    for (auto& submission : admissible) out.push_back(AdmitOnLoop(std::move(submission)));
    return out;
  });
  for (size_t k = 0; k < position.size(); ++k) {
    results[position[k]] = admitted.has_value()
                               ? std::move((*admitted)[k])
                               : core::Status("UNAVAILABLE", "the node is busy or shutting down; retry");
  }
  return counted(std::move(results));
}

core::Result<v1::TxStatus> Node::AdmitOnLoop(Submission submission) {
  v1::TxStatus status;
  status.set_tx_hash(submission.tx_hash);
  status.set_status(v1::TX_STATUS_PENDING);
  if (mempool_.Contains(submission.tx_hash)) return status;
  if (!KnownSigner(submission.signer)) {
    return core::Status(core::codes::kUnknownSigner, "key " + core::ToHex(submission.signer) +
                                                         " belongs to no consortium member in genesis");
  }
  // Every committed tx of a known signer has a nonce at or below the signer's last committed
  // nonce (a block's authentic txs consume their nonces even when the rules reject them, and
  // the signature and envelope checks are deterministic). So only a tx at or below it can be
  // committed already: look it up in the tx index then, and skip the lookup otherwise.
  uint64_t last = CommittedNonce(submission.signer);
  if (submission.nonce <= last) {
    if (auto committed = CommittedStatus(submission.tx_hash)) return *committed;
    if (last == UINT64_MAX) {
      return core::Status(core::codes::kReplayedNonce,
                          "this key has used the largest nonce (2^64 - 1) and can sign no more "
                          "transactions; sign with another key of the organisation");
    }
    return core::Status(core::codes::kReplayedNonce,
                        "nonce " + std::to_string(submission.nonce) +
                            " is not above this key's last committed nonce " +
                            std::to_string(last) + "; use " + std::to_string(last + 1));
  }
  const std::string tx_hash = submission.tx_hash;
  int64_t now = NowUnixMs();
  MempoolEntry entry{tx_hash, std::move(submission.signed_tx), std::move(submission.signer),
                     submission.nonce, 0, now};
  core::Status added = mempool_.Add(std::move(entry));
  if (!added.ok()) {
    if (added.code() == "ALREADY_EXISTS") return status;
    if (added.code() == "REPLAYED_NONCE") {
      return core::Status(core::codes::kReplayedNonce, added.message());
    }
    return added;
  }
  QueueGossip(mempool_.Find(tx_hash)->signed_tx);
  submitted_at_ms_[tx_hash] = now;
  if (submitted_at_ms_.size() > mempool_.limits().txs_max * 2) submitted_at_ms_.clear();
  metrics_->SetMempool(mempool_.size(), mempool_.bytes());
  if (gossip_out_.size() >= kGossipBatchTxsMax || gossip_out_bytes_ >= kGossipBatchBytesMax) {
    FlushGossip();
  }
  MaybeStartNextHeight();
  return status;
}

void Node::QueueGossip(const std::string& signed_tx) {
  gossip_out_.push_back(signed_tx);
  gossip_out_bytes_ += signed_tx.size();
  if (gossip_flush_posted_) return;
  // Everything admitted before this handler runs (the rest of a batch, other clients' calls
  // already queued on the loop) leaves in the same message.
  gossip_flush_posted_ = true;
  boost::asio::post(io_, [this] {
    gossip_flush_posted_ = false;
    FlushGossip();
  });
}

void Node::FlushGossip() {
  // Validators form a full mesh, so a transaction goes from the node that admitted it from a
  // client straight to every peer, and peers never relay: each crosses each link at most once.
  if (gossip_out_.empty()) return;
  v1::P2pMessage message;
  for (auto& tx : gossip_out_) message.mutable_txs()->add_txs(std::move(tx));
  gossip_out_.clear();
  gossip_out_bytes_ = 0;
  Broadcast(message);
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
    struct Verified {
      std::string tx;
      std::string hash;
      std::string signer;
      uint64_t nonce;
    };
    std::vector<Verified> verified;
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
      verified.push_back({std::move(tx), std::move(hash), envelope.signer(), body->nonce()});
    }
    metrics_->SignatureChecks(NodeMetrics::SignaturePath::kGossip, checks);
    boost::asio::post(io_, [this, bytes, verified = std::move(verified)]() mutable {
      int64_t now = NowUnixMs();
      for (auto& [tx, hash, signer, nonce] : verified) {
        if (mempool_.Contains(hash)) continue;
        // As in AdmitOnLoop: above the committed nonce means not committed yet.
        if (nonce <= CommittedNonce(signer)) continue;
        if (!KnownSigner(signer)) continue;
        MempoolEntry entry{std::move(hash), std::move(tx), std::move(signer), nonce, 0, now};
        (void)mempool_.Add(std::move(entry));  // full or duplicate nonce: dropped
      }
      gossip_pending_bytes_ -= bytes;
      metrics_->SetMempool(mempool_.size(), mempool_.bytes());
      MaybeStartNextHeight();
    });
  });
}

}  // namespace lotchain::node
