// Node: the shell's half of the replica contract (replica.h) — persisting the sign-state,
// sending messages, arming timers, reporting commits — and the peer transport's callbacks.
// Everything here runs on the loop thread.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "consensus/core/crypto.h"
#include "node/app/logging.h"
#include "node/app/node.h"
#include "node/metrics.h"
#include "node/p2p/transport.h"

namespace lotchain::node {

namespace {

std::string Short(std::string_view hash) { return core::ToHex(hash).substr(0, 12); }

}  // namespace

std::string Node::Sign(std::string_view domain, std::string_view chain_id,
                       std::string_view bytes) const {
  return key_.Sign(domain, chain_id, bytes);
}

bool Node::Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
                  std::string_view bytes, std::string_view signature) const {
  return core::VerifySignature(public_key, domain, chain_id, bytes, signature);
}

void Node::SignaturePassed(std::string_view tx_hash) const { verified_.Insert(std::string(tx_hash)); }

// Consulted for block transactions the mempool does not hold: a miss means CheckBlock
// verifies the signature now, on the loop.
bool Node::SignatureChecked(std::string_view tx_hash) const {
  bool checked = verified_.Contains(tx_hash);
  if (!checked && metrics_) metrics_->SignatureChecks(NodeMetrics::SignaturePath::kBlock, 1);
  return checked;
}

// Outputs are carried out once per loop turn, so that everything the replica produced for the
// handlers of this turn (several clients' admissions, a burst of votes) leaves together.
void Node::Poke() {
  if (ready_posted_ || stopping_) return;
  ready_posted_ = true;
  boost::asio::post(io_, [this] { ProcessReady(); });
}

void Node::ProcessReady() {
  ready_posted_ = false;
  if (stopping_ || !replica_) return;
  Outputs out = replica_->TakeOutputs();
  if (out.persist.has_value()) {
    core::Status persisted = store_->PutSignState(out.persist->SerializeAsString());
    if (!persisted.ok()) return Fatal("cannot persist consensus sign-state: " + persisted.ToString());
  }
  if (!out.commits.empty()) FollowValidatorSchedule();
  for (const Outbound& message : out.messages) {
    std::string frame = message.message.SerializeAsString();
    if (message.peer.empty()) {
      transport_->Broadcast(std::move(frame));
    } else {
      transport_->Send(message.peer, std::move(frame));
    }
  }
  for (const TimerSet& timer : out.timers) ArmTimer(timer);
  for (const RejectedBlock& rejected : out.rejected_blocks) {
    LogEvent(spdlog::level::warn,
             fmt::format("rejecting proposed block {} at height {}: {}", Short(rejected.block_hash),
                         rejected.height, rejected.why.ToString()),
             LogFields().Add("event", "block_rejected").Add("height", rejected.height)
                 .Add("block", core::ToHex(rejected.block_hash)).Add("code", rejected.why.code()));
  }
  for (const auto& evidence : out.evidence) {
    spdlog::error("equivocation by validator {}: two conflicting signed votes kept as evidence",
                  core::ToHex(evidence.first().validator()).substr(0, 16));
  }
  for (const CommittedBlock& commit : out.commits) ReportCommit(commit);
  PublishProgress();
  if (out.fatal.has_value()) Fatal(*out.fatal);
}

void Node::PublishProgress() {
  height_ = replica_->tip().height;
  round_ = replica_->round();
  best_peer_height_ = replica_->best_peer_height();
  metrics_->SetRound(replica_->round());
  metrics_->SetMempool(replica_->mempool().size(), replica_->mempool().bytes());
}

void Node::ArmTimer(const TimerSet& request) {
  auto timer = std::make_unique<boost::asio::steady_timer>(io_);
  timer->expires_after(std::chrono::milliseconds(request.delay_ms));
  const uint64_t id = request.id;
  timer->async_wait([this, id](const boost::system::error_code& ec) {
    timers_.erase(id);
    if (ec || stopping_) return;
    replica_->OnTimer(id, NowUnixMs());
    Poke();
  });
  timers_[id] = std::move(timer);
}

void Node::ReportCommit(const CommittedBlock& commit) {
  v1::CommitEvent event;
  event.set_height(commit.height);
  event.set_block_hash(commit.block_hash);
  event.set_state_root(commit.state_root);
  const int64_t now = NowUnixMs();
  for (const auto& result : commit.results) {
    *event.add_results() = result;
    metrics_->TxCommitted(result.code() == v1::TX_CODE_OK ? "" : result.reason());
    auto submitted = submitted_at_ms_.find(result.tx_hash());
    if (submitted != submitted_at_ms_.end()) {
      metrics_->ObserveCommitLatency(static_cast<double>(now - submitted->second) / 1000.0);
      submitted_at_ms_.erase(submitted);
    }
  }
  metrics_->BlockCommitted(commit.height);
  metrics_->SetLastBlockTime(commit.block_time_unix_ms);
  LogEvent(spdlog::level::info,
           fmt::format("committed height {} block {} txs {} state_root {}", commit.height,
                       Short(commit.block_hash), commit.results.size(), Short(commit.state_root)),
           LogFields().Add("event", "commit").Add("height", commit.height)
               .Add("block", core::ToHex(commit.block_hash)).Add("txs", commit.results.size())
               .Add("state_root", core::ToHex(commit.state_root)));
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [handle, callback] : subscribers_) callback(event);
}

void Node::OnPeerState(const std::string& peer_key, bool connected) {
  peer_connected_[peer_key] = connected;
  CountValidatorPeers();
  const uint32_t count = peers_connected_;
  LogEvent(spdlog::level::info,
           fmt::format("peer {} {}", core::ToHex(peer_key).substr(0, 16),
                       connected ? "connected" : "disconnected"),
           LogFields().Add("event", connected ? "peer_connected" : "peer_disconnected")
               .Add("peer", core::ToHex(peer_key)).Add("peers_connected", count));
  if (stopping_ || !replica_) return;
  replica_->OnPeerConnected(peer_key, connected, NowUnixMs());
  Poke();
}

void Node::OnPeerMessage(const std::string& peer_key, std::string frame) {
  if (stopping_ || !replica_) return;
  v1::P2pMessage message;
  if (!message.ParseFromString(frame)) {
    spdlog::warn("peer {} sent an undecodable message", core::ToHex(peer_key).substr(0, 16));
    return;
  }
  if (message.has_txs()) {
    std::vector<std::string> txs(message.txs().txs().begin(), message.txs().txs().end());
    if (txs.size() > kGossipBatchTxsMax) txs.resize(kGossipBatchTxsMax);
    return AdmitGossiped(std::move(txs));
  }
  // An observer's link (a key outside the validator sets this node follows) may relay
  // transactions and ask for blocks; its statuses, votes and proposals would only let an
  // outsider move this node's view of the network (a claimed height), so they are dropped.
  // An observer takes everything (it votes on nothing, and a node that fell behind a fully
  // rotated set must still hear the new validators); block responses are certificate-checked.
  if (!observer_ && !std::binary_search(peer_keys_.begin(), peer_keys_.end(), peer_key) &&
      !message.has_block_request() && !message.has_block_response()) {
    return;
  }
  replica_->OnPeerMessage(peer_key, message, NowUnixMs());
  Poke();
}

}  // namespace lotchain::node
