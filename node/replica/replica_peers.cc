// Replica: peer messages — consensus inputs, status exchange and catch-up (block requests and
// responses).
#include <algorithm>

#include "node/replica/replica.h"

namespace lotchain::node {

void Replica::Send(std::string peer, v1::P2pMessage message) {
  out_.messages.push_back({std::move(peer), std::move(message)});
}

void Replica::BroadcastStatus() {
  v1::P2pMessage message;
  message.mutable_status()->set_height(tip_.height);
  message.mutable_status()->set_round(round());
  message.mutable_status()->set_last_block_hash(tip_.block_hash);
  Send("", std::move(message));
}

void Replica::OnPeerConnected(const std::string& peer, bool connected, int64_t now_ms) {
  if (stopped()) return;
  now_ms_ = now_ms;
  if (connected) return BroadcastStatus();
  peer_status_.erase(peer);
}

void Replica::OnPeerMessage(const std::string& peer, const v1::P2pMessage& message,
                            int64_t now_ms) {
  if (stopped()) return;
  now_ms_ = now_ms;
  switch (message.kind_case()) {
    case v1::P2pMessage::kProposal:
    case v1::P2pMessage::kVote:
      return OnConsensusInput(message);
    case v1::P2pMessage::kStatus:
      return OnPeerStatus(peer, message.status());
    case v1::P2pMessage::kBlockRequest:
      return OnBlockRequest(peer, message.block_request());
    case v1::P2pMessage::kBlockResponse:
      return OnBlockResponse(message.block_response());
    case v1::P2pMessage::kTxs:  // the driver verifies their signatures and calls AdmitGossiped
    case v1::P2pMessage::KIND_NOT_SET:
      return;
  }
}

void Replica::OnConsensusInput(const v1::P2pMessage& message) {
  // A message for a later height means a peer has started it: start too. (Late votes for the
  // height just decided must not, or an idle network would grow empty blocks.)
  uint64_t height = 0;
  if (message.has_proposal()) {
    v1::ProposalBody body;
    if (body.ParseFromString(message.proposal().body())) height = body.height();
  } else {
    v1::VoteBody body;
    if (body.ParseFromString(message.vote().body())) height = body.height();
  }
#ifdef LOTCHAIN_REPLICA_BREAK_LAZY_START
  // Planted bug for the simulator's bite test: a peer's message for the next height does not
  // start it, so a replica with nothing of its own to order never joins.
  (void)height;
#else
  if (phase_ != HeightPhase::kRunning && height > tip_.height) StartNextHeightNow();
#endif
  if (engine_ == nullptr) return;  // nothing of ours to vote on yet
  if (message.has_proposal()) {
    Drive(engine_->OnProposal(message.proposal()));
  } else {
    Drive(engine_->OnVote(message.vote()));
  }
}

void Replica::OnPeerStatus(const std::string& peer, const v1::PeerStatus& status) {
  peer_status_[peer] = status;
  uint64_t best = 0;
  for (const auto& [key, s] : peer_status_) best = std::max(best, s.height());
  best_peer_height_ = best;
  if (status.height() <= tip_.height) return;
  // A peer one height ahead has usually just decided the height we are deciding, and its
  // precommits are on their way: fetching the block would send it a second time. Fetch when
  // it is further ahead, or still ahead a status tick later.
  if (status.height() == tip_.height + 1) {
    if (!behind_since_ms_.has_value()) behind_since_ms_ = now_ms_;
    if (now_ms_ - *behind_since_ms_ < config_.sync_grace_ms) return;
  }
  RequestBlocks(peer);
}

void Replica::RequestFromBestPeer() {
  std::string best;
  uint64_t best_height = 0;
  for (const auto& [peer, status] : peer_status_) {
    if (status.height() > best_height) {
      best = peer;
      best_height = status.height();
    }
  }
  if (!best.empty()) RequestBlocks(best);
}

void Replica::RequestBlocks(const std::string& peer) {
  if (now_ms_ - sync_requested_ms_ < config_.sync_retry_ms) return;  // one outstanding
  sync_requested_ms_ = now_ms_;
  v1::P2pMessage message;
#ifdef LOTCHAIN_REPLICA_BREAK_CATCHUP
  // Planted bug for the simulator's bite test: asks one height too far, so a lagging node
  // never receives the block it needs next.
  message.mutable_block_request()->set_from_height(tip_.height + 2);
#else
  message.mutable_block_request()->set_from_height(tip_.height + 1);
#endif
  message.mutable_block_request()->set_max_count(kSyncBatchCountMax);
  Send(peer, std::move(message));
}

void Replica::OnBlockRequest(const std::string& peer, const v1::BlockRequest& request) {
  v1::P2pMessage message;
  v1::BlockResponse* response = message.mutable_block_response();
  uint32_t count = std::min(request.max_count(), kSyncBatchCountMax);
  uint64_t bytes = 0;
  for (uint64_t h = request.from_height(); h <= tip_.height && count > 0; ++h, --count) {
    v1::SyncedBlock synced;
    if (!ports_.store->GetSyncedBlock(h, &synced)) break;
    bytes += synced.block().ByteSizeLong();
    if (bytes > kSyncBatchBytesMax && response->blocks_size() > 0) break;
    *response->add_blocks() = std::move(synced);
  }
  if (response->blocks_size() > 0) Send(peer, std::move(message));
}

void Replica::OnBlockResponse(const v1::BlockResponse& response) {
  sync_requested_ms_ = INT64_MIN / 2;  // answered: the next request may leave at once
  for (const auto& synced : response.blocks()) {
    if (synced.certificate().height() != tip_.height + 1) continue;
    StartNextHeightNow();
    if (engine_ == nullptr || stopped()) return;
    Drive(engine_->OnCommittedBlock(synced.block(), synced.certificate()));
    if (stopped()) return;
  }
}

}  // namespace lotchain::node
