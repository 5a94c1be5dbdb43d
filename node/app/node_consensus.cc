// Node: driving the consensus engine, executing and committing decided blocks, catch-up and
// peer messages. Everything here runs on the loop thread.
#include <spdlog/spdlog.h>

#include <chrono>

#include "consensus/core/crypto.h"
#include "consensus/core/proto_parse.h"
#include "consensus/core/state_keys.h"
#include "node/app/logging.h"
#include "node/app/node.h"
#include "node/metrics.h"
#include "node/p2p/transport.h"

namespace lotchain::node {

namespace {

std::string Short(std::string_view hash) { return core::ToHex(hash).substr(0, 12); }

}  // namespace

bft::BlockEnv Node::Env() const {
  bft::BlockEnv env;
  env.genesis = &genesis_;
  env.state = &store_->state();
  env.tree = store_->tree();
  env.tip = tip_;
  env.validators_hash = validators_hash_;
  env.limits = limits_;
  return env;
}

v1::Block Node::BuildBlock(uint64_t height, uint32_t round) {
  LOTCHAIN_ASSERT(height == tip_.height + 1);
  std::vector<std::string> candidates;
  for (const MempoolEntry* entry : mempool_.Reap(limits_.tx_count_max, limits_.bytes_max)) {
    candidates.push_back(entry->signed_tx);
  }
  bft::BuiltBlock built = bft::BuildBlock(Env(), candidates, key_.PublicKey(), NowUnixMs(), this);
  spdlog::debug("proposing height {} round {} with {} txs", height, round,
                built.block.txs_size());
  std::string hash = core::BlockHash(built.block);
  executed_[hash] = std::move(built.executed);
  return built.block;
}

bool Node::ValidateBlock(uint64_t height, const v1::Block& block) {
  if (height != tip_.height + 1) return false;
  std::string hash = core::BlockHash(block);
  if (executed_.count(hash) != 0) return true;
  auto checked = bft::CheckBlock(Env(), block, *this, *this, NowUnixMs() + kClockSkewAllowedMs);
  if (!checked.ok()) {
    LogEvent(spdlog::level::warn,
             fmt::format("rejecting proposed block {} at height {}: {}", Short(hash), height,
                         checked.status().ToString()),
             LogFields().Add("event", "block_rejected").Add("height", height)
                 .Add("block", core::ToHex(hash)).Add("code", checked.status().code()));
    return false;
  }
  // Every tx of the block is in verified_ now (SignaturePassed marks each as CheckBlock goes),
  // so gossip of them arriving later is admitted without a second check.
  executed_[hash] = std::move(checked).value();
  return true;
}

std::string Node::Sign(std::string_view domain, std::string_view chain_id,
                       std::string_view bytes) const {
  return key_.Sign(domain, chain_id, bytes);
}

bool Node::Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
                  std::string_view bytes, std::string_view signature) const {
  return core::VerifySignature(public_key, domain, chain_id, bytes, signature);
}

// On the loop, like every mempool access. The mempool never holds a committed tx (admission
// takes only nonces above the committed one, and each commit removes the block's txs before the
// loop runs anything else), so a mempool hit answers without a tx-index read.
bool Node::IsCommitted(std::string_view tx_hash) const {
  if (mempool_.Contains(tx_hash)) return false;
  return store_->GetTx(tx_hash).ok();
}

void Node::SignaturePassed(std::string_view tx_hash) const { verified_.Insert(std::string(tx_hash)); }

bool Node::SignatureChecked(std::string_view tx_hash) const {
  bool checked = mempool_.Contains(tx_hash) || verified_.Contains(tx_hash);
  if (!checked && metrics_) metrics_->SignatureChecks(NodeMetrics::SignaturePath::kBlock, 1);
  return checked;
}

// Carries out engine outputs in the contract's order. Outputs produced while handling outputs
// (StartNextHeight after a decision) are queued, not handled recursively.
void Node::Drive(bft::Actions actions) {
  pending_actions_.push_back(std::move(actions));
  if (driving_) return;
  driving_ = true;
  while (!pending_actions_.empty() && !stopping_) {
    bft::Actions next = std::move(pending_actions_.front());
    pending_actions_.pop_front();
    DriveOne(next);
  }
  driving_ = false;
  height_ = tip_.height;
  if (engine_) round_ = engine_->round();
  if (metrics_) metrics_->SetRound(engine_ ? engine_->round() : 0);
}

void Node::DriveOne(bft::Actions& actions) {
  if (actions.persist.has_value()) {
    core::Status persisted = store_->PutSignState(actions.persist->SerializeAsString());
    if (!persisted.ok()) return Fatal("cannot persist consensus sign-state: " + persisted.ToString());
  }
  // Transactions admitted this loop turn leave before a proposal that may carry them, so
  // peers get (and verify, off their loop) the gossip first rather than inside the proposal.
  if (!actions.proposals.empty()) FlushGossip();
  for (const auto& proposal : actions.proposals) {
    v1::P2pMessage message;
    *message.mutable_proposal() = proposal;
    Broadcast(message);
  }
  for (const auto& vote : actions.votes) {
    v1::P2pMessage message;
    *message.mutable_vote() = vote;
    Broadcast(message);
  }
  for (const auto& timer : actions.timers) ScheduleTimer(timer);
  for (const auto& evidence : actions.evidence) {
    spdlog::error("equivocation by validator {}: two conflicting signed votes kept as evidence",
                  core::ToHex(evidence.first().validator()).substr(0, 16));
  }
  for (const auto& decision : actions.decisions) CommitDecision(decision);
  if (actions.sync_hint.has_value()) {
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
}

void Node::ScheduleTimer(const bft::TimerRequest& request) {
  uint64_t id = next_timer_id_++;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(request.delay_ticks));
  bft::Timeout timeout = request.timeout;
  timer->async_wait([this, id, timeout](const boost::system::error_code& ec) {
    timers_.erase(id);
    if (ec || stopping_ || !engine_ || !height_started_) return;
    if (timeout.height != engine_->height()) return;
    Drive(engine_->OnTimeout(timeout));
  });
  timers_.emplace(id, std::move(timer));
}

void Node::CommitDecision(const bft::Decision& decision) {
  const std::string hash = core::BlockHash(decision.block);
  LOTCHAIN_ASSERT(decision.height == tip_.height + 1);
  auto cached = executed_.find(hash);
  core::ExecutedBlock executed;
  if (cached != executed_.end()) {
    executed = std::move(cached->second);
  } else {
    // Decided through catch-up without having validated it: execute now. A certified block
    // that does not execute to its header means this node diverged: stop rather than fork.
    auto checked = bft::CheckBlock(Env(), decision.block, *this, *this, INT64_MAX);
    if (!checked.ok()) {
      return Fatal("certified block " + core::ToHex(hash) + " at height " +
                   std::to_string(decision.height) + " does not execute here: " +
                   checked.status().ToString());
    }
    executed = std::move(checked).value();
  }
  core::Status stored = store_->CommitBlock(decision.block, decision.certificate, executed);
  if (!stored.ok()) return Fatal("cannot store block: " + stored.ToString());
  executed_.clear();
  v1::BlockHeader header;
  core::ParseOwnOrDie(header, decision.block.header());
  tip_ = {decision.height, hash, executed.state_root, header.time_unix_ms()};
  height_ = tip_.height;
  height_started_ = false;

  std::vector<std::string> hashes;
  v1::CommitEvent event;
  event.set_height(decision.height);
  event.set_block_hash(hash);
  event.set_state_root(executed.state_root);
  int64_t now = NowUnixMs();
  for (const auto& result : executed.results) {
    hashes.push_back(result.tx_hash());
    *event.add_results() = result;
    if (metrics_) {
      metrics_->TxCommitted(result.code() == v1::TX_CODE_OK ? "" : result.reason());
      auto submitted = submitted_at_ms_.find(result.tx_hash());
      if (submitted != submitted_at_ms_.end()) {
        metrics_->ObserveCommitLatency(static_cast<double>(now - submitted->second) / 1000.0);
        submitted_at_ms_.erase(submitted);
      }
    }
  }
  mempool_.RemoveCommitted(hashes, [this](const std::string& signer) { return CommittedNonce(signer); });
  if (metrics_) {
    metrics_->BlockCommitted(decision.height);
    metrics_->SetLastBlockTime(header.time_unix_ms());
    metrics_->SetMempool(mempool_.size(), mempool_.bytes());
  }
  LogEvent(spdlog::level::info,
           fmt::format("committed height {} block {} txs {} state_root {}", decision.height,
                       Short(hash), executed.results.size(), Short(executed.state_root)),
           LogFields().Add("event", "commit").Add("height", decision.height)
               .Add("block", core::ToHex(hash)).Add("txs", executed.results.size())
               .Add("state_root", core::ToHex(executed.state_root)));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [handle, callback] : subscribers_) callback(event);
  }
  BroadcastStatus();
  MaybeStartNextHeight();
}

// Begins the next height when there is something to order: right away when a block's worth of
// transactions waits or we are behind a peer, after block_delay_ms when fewer wait, and not at
// all on an idle network (no empty blocks). A peer's message for the next height also starts
// it (OnConsensusInput).
void Node::MaybeStartNextHeight() {
  if (height_started_ || start_pending_ || stopping_) return;
  bool behind = best_peer_height_ > tip_.height;
  if (behind || mempool_.size() >= limits_.tx_count_max) return StartNextHeightNow();
  if (mempool_.size() == 0) return;
  start_pending_ = true;
  start_timer_->expires_after(std::chrono::milliseconds(config_.block_delay_ms));
  start_timer_->async_wait([this](const boost::system::error_code& ec) {
    start_pending_ = false;
    if (ec || stopping_) return;
    if (!height_started_) StartNextHeightNow();
  });
}

void Node::StartNextHeightNow() {
  if (height_started_) return;
  height_started_ = true;
  if (!engine_started_) {
    engine_started_ = true;
    auto first = engine_->Start(tip_.height + 1, restored_ ? &*restored_ : nullptr);
    restored_.reset();
    if (!first.ok()) return Fatal("consensus engine refused to start: " + first.status().ToString());
    return Drive(std::move(first).value());
  }
  if (engine_->height() == tip_.height + 1 && !engine_->decided()) return;  // already running
  Drive(engine_->StartNextHeight());
}

void Node::Broadcast(const v1::P2pMessage& message) {
  transport_->Broadcast(message.SerializeAsString());
}

void Node::BroadcastStatus() {
  v1::P2pMessage message;
  message.mutable_status()->set_height(tip_.height);
  message.mutable_status()->set_round(engine_ ? engine_->round() : 0);
  message.mutable_status()->set_last_block_hash(tip_.block_hash);
  Broadcast(message);
}

void Node::OnPeerState(const std::string& peer_key, bool connected) {
  peer_connected_[peer_key] = connected;
  uint32_t count = 0;
  for (const auto& [key, up] : peer_connected_) count += up ? 1 : 0;
  peers_connected_ = count;
  if (metrics_) metrics_->SetPeers(count);
  LogEvent(spdlog::level::info,
           fmt::format("peer {} {}", core::ToHex(peer_key).substr(0, 16),
                       connected ? "connected" : "disconnected"),
           LogFields().Add("event", connected ? "peer_connected" : "peer_disconnected")
               .Add("peer", core::ToHex(peer_key)).Add("peers_connected", count));
  if (connected) BroadcastStatus();
  if (!connected) peer_status_.erase(peer_key);
}

void Node::OnPeerMessage(const std::string& peer_key, std::string frame) {
  v1::P2pMessage message;
  if (!message.ParseFromString(frame)) {
    spdlog::warn("peer {} sent an undecodable message", core::ToHex(peer_key).substr(0, 16));
    return;
  }
  switch (message.kind_case()) {
    case v1::P2pMessage::kProposal:
    case v1::P2pMessage::kVote:
      return OnConsensusInput(message);
    case v1::P2pMessage::kTxs: {
      std::vector<std::string> txs(message.txs().txs().begin(), message.txs().txs().end());
      if (txs.size() > kGossipBatchTxsMax) txs.resize(kGossipBatchTxsMax);
      return AdmitGossiped(std::move(txs));
    }
    case v1::P2pMessage::kStatus:
      return OnPeerStatus(peer_key, message.status());
    case v1::P2pMessage::kBlockRequest:
      return OnBlockRequest(peer_key, message.block_request());
    case v1::P2pMessage::kBlockResponse:
      return OnBlockResponse(message.block_response());
    case v1::P2pMessage::KIND_NOT_SET:
      return;
  }
}

void Node::OnConsensusInput(const v1::P2pMessage& message) {
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
  if (!height_started_ && height > tip_.height) StartNextHeightNow();
  if (!engine_started_) return;  // nothing of ours to vote on yet
  if (message.has_proposal()) {
    Drive(engine_->OnProposal(message.proposal()));
  } else {
    Drive(engine_->OnVote(message.vote()));
  }
}

void Node::OnPeerStatus(const std::string& peer_key, const v1::PeerStatus& status) {
  peer_status_[peer_key] = status;
  uint64_t best = 0;
  for (const auto& [key, s] : peer_status_) best = std::max(best, s.height());
  best_peer_height_ = best;
  if (status.height() > tip_.height) RequestBlocks(peer_key);
}

void Node::RequestBlocks(const std::string& peer_key) {
  int64_t now = NowUnixMs();
  if (now - sync_requested_ms_ < 500) return;  // one outstanding request at a time
  sync_requested_ms_ = now;
  v1::P2pMessage message;
  message.mutable_block_request()->set_from_height(tip_.height + 1);
  message.mutable_block_request()->set_max_count(kSyncBatchCountMax);
  transport_->Send(peer_key, message.SerializeAsString());
}

void Node::OnBlockRequest(const std::string& peer_key, const v1::BlockRequest& request) {
  v1::P2pMessage message;
  v1::BlockResponse* response = message.mutable_block_response();
  uint32_t count = std::min(request.max_count(), kSyncBatchCountMax);
  uint64_t bytes = 0;
  for (uint64_t h = request.from_height(); h <= tip_.height && count > 0; ++h, --count) {
    auto block = store_->GetBlock(h);
    auto certificate = store_->GetCertificate(h);
    if (!block.ok() || !certificate.ok()) break;
    bytes += block->ByteSizeLong();
    if (bytes > kSyncBatchBytesMax && response->blocks_size() > 0) break;
    v1::SyncedBlock* synced = response->add_blocks();
    *synced->mutable_block() = std::move(block).value();
    *synced->mutable_certificate() = std::move(certificate).value();
  }
  if (response->blocks_size() > 0) transport_->Send(peer_key, message.SerializeAsString());
}

void Node::OnBlockResponse(const v1::BlockResponse& response) {
  sync_requested_ms_ = 0;
  for (const auto& synced : response.blocks()) {
    if (synced.certificate().height() != tip_.height + 1) continue;
    if (!height_started_) StartNextHeightNow();
    Drive(engine_->OnCommittedBlock(synced.block(), synced.certificate()));
    if (stopping_) return;
  }
}

}  // namespace lotchain::node
