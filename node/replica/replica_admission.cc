// Replica: mempool admission of client and gossiped transactions (signer and nonce checks; the
// driver has checked envelopes and signatures) and gossip batching.
#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/state_keys.h"
#include "node/replica/replica.h"

namespace lotchain::node {

bool Replica::KnownSigner(const std::string& signer) const {
  return core::CheckSigner(ports_.store->state(), signer).ok();
}

uint64_t Replica::CommittedNonce(const std::string& signer) const {
  auto bytes = ports_.store->state().Get(core::keys::SignerNonce(signer));
  if (!bytes.has_value()) return 0;
  v1::SignerNonce nonce;
  return nonce.ParseFromString(*bytes) ? nonce.last_nonce() : 0;
}

core::Result<v1::TxStatus> Replica::SubmitTx(VerifiedTx tx, int64_t now_ms) {
  if (stopped()) return core::Status("UNAVAILABLE", "the node is stopping; submit to another node");
  now_ms_ = now_ms;
  v1::TxStatus status;
  status.set_tx_hash(tx.tx_hash);
  status.set_status(v1::TX_STATUS_PENDING);
  if (mempool_.Contains(tx.tx_hash)) return status;
  if (auto member = core::CheckSigner(ports_.store->state(), tx.signer); !member.ok()) {
    return member.status();
  }
  // Every committed tx of a known signer has a nonce at or below the signer's last committed
  // nonce (a block's authentic txs consume their nonces even when the rules reject them, and
  // the signature and envelope checks are deterministic). So only a tx at or below it can be
  // committed already: look it up in the tx index then, and skip the lookup otherwise.
  const uint64_t last = CommittedNonce(tx.signer);
  if (tx.nonce <= last) {
    if (auto committed = ports_.store->CommittedStatus(tx.tx_hash)) return *committed;
    if (last == UINT64_MAX) {
      return core::Status(core::codes::kReplayedNonce,
                          "this key has used the largest nonce (2^64 - 1) and can sign no more "
                          "transactions; sign with another key of the organisation");
    }
    return core::Status(core::codes::kReplayedNonce,
                        "nonce " + std::to_string(tx.nonce) +
                            " is not above this key's last committed nonce " +
                            std::to_string(last) + "; use " + std::to_string(last + 1));
  }
  const std::string tx_hash = tx.tx_hash;
  MempoolEntry entry{tx_hash, std::move(tx.signed_tx), std::move(tx.signer), tx.nonce, 0, now_ms};
  core::Status added = mempool_.Add(std::move(entry));
  if (!added.ok()) {
    if (added.code() == "ALREADY_EXISTS") return status;
    if (added.code() == "REPLAYED_NONCE") {
      return core::Status(core::codes::kReplayedNonce, added.message());
    }
    return added;
  }
  const std::string& signed_tx = mempool_.Find(tx_hash)->signed_tx;
  gossip_out_.push_back(signed_tx);
  MaybeStartNextHeight();
  return status;
}

void Replica::AdmitGossiped(std::vector<VerifiedTx> txs, int64_t now_ms) {
  if (stopped()) return;
  now_ms_ = now_ms;
  for (auto& tx : txs) {
    if (mempool_.Contains(tx.tx_hash)) continue;
    // As in SubmitTx: above the committed nonce means not committed yet.
    if (tx.nonce <= CommittedNonce(tx.signer)) continue;
    if (!KnownSigner(tx.signer)) continue;
    MempoolEntry entry{std::move(tx.tx_hash), std::move(tx.signed_tx), std::move(tx.signer),
                       tx.nonce, 0, now_ms};
    (void)mempool_.Add(std::move(entry));  // full or duplicate nonce: dropped
  }
  MaybeStartNextHeight();
}

// Validators form a full mesh, so a transaction goes from the node that admitted it from a
// client straight to every peer, and peers never relay: each crosses each link at most once.
// Called by TakeOutputs, so everything admitted between two takes (a batch, other clients'
// calls) leaves together, ahead of any proposal that may carry it: peers then verify the
// gossip off their loop rather than inside the proposal.
// A node outside the next height's validator set (an observer, a validator voted out, one not
// yet voted in) cannot propose what its clients submitted: if its one gossip of a transaction
// was lost (a partition, a peer down), nobody would ever order it. So every tick it sends its
// oldest pending transactions again, one batch, until they commit; peers drop what they hold.
// Found by the simulator's governance seeds (a standby validator's clients).
void Replica::RelayIfNotValidator() {
  if (mempool_.size() == 0) return;
  if (config_.schedule->At(tip_.height + 1).IndexOf(ports_.signer->PublicKey())) return;
  std::vector<std::string> stale;
  for (const MempoolEntry* entry : mempool_.Reap(kGossipBatchTxsMax, kGossipBatchBytesMax)) {
    // A later nonce of its signer committed through other nodes while this one missed it, or
    // the key was rotated away, revoked or suspended since: the transaction can never commit
    // (RemoveCommitted only sees signers of txs held here).
    if (entry->nonce <= CommittedNonce(entry->signer) || !KnownSigner(entry->signer)) {
      stale.push_back(entry->tx_hash);
      continue;
    }
    gossip_out_.push_back(entry->signed_tx);
  }
  for (const std::string& hash : stale) mempool_.Remove(hash);
}

void Replica::FlushGossip() {
  if (gossip_out_.empty()) return;
  std::vector<Outbound> batches;
  v1::P2pMessage message;
  size_t bytes = 0;
  for (auto& tx : gossip_out_) {
    if (message.txs().txs_size() > 0 && (message.txs().txs_size() >= static_cast<int>(kGossipBatchTxsMax) ||
                                         bytes + tx.size() > kGossipBatchBytesMax)) {
      batches.push_back({"", std::move(message)});
      message = v1::P2pMessage();
      bytes = 0;
    }
    bytes += tx.size();
    message.mutable_txs()->add_txs(std::move(tx));
  }
  batches.push_back({"", std::move(message)});
  gossip_out_.clear();
  out_.messages.insert(out_.messages.begin(), std::make_move_iterator(batches.begin()),
                         std::make_move_iterator(batches.end()));
}

}  // namespace lotchain::node
