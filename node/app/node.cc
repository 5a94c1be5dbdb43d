// Node: construction, the loop, shutdown, and the LedgerBackend methods called by client
// threads.
#include "node/app/node.h"

#include <spdlog/spdlog.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <future>

#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/custody_codes.h"
#include "consensus/core/state_keys.h"
#include "node/http/http_server.h"
#include "node/metrics.h"
#include "node/p2p/transport.h"
#include "node/rpc/rpc_server.h"

namespace lotchain::node {

namespace {

// The verify pool and the gRPC threads check signatures of transactions for blocks to come,
// while the loop runs the consensus steps that decide the current one. On a busy machine the
// loop should run first, so those threads lower their own scheduling priority once (best
// effort; Linux niceness is per thread). Under overload this throttles admission, not blocks.
void RunBelowConsensus() {
  thread_local bool lowered = false;
  if (lowered) return;
  lowered = true;
  const auto tid = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno == 0) (void)setpriority(PRIO_PROCESS, tid, std::min(current + kAdmissionNice, 19));
}

}  // namespace

core::Result<std::unique_ptr<Node>> Node::Create(const NodeConfig& config) {
  core::InitCrypto();
  LOTCHAIN_ASSIGN_OR_RETURN(std::string genesis_text,
                            ReadFile(config.Resolve(config.genesis_file), core::kGenesisBytesMax));
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis genesis, core::ParseGenesis(genesis_text));
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey key, LoadNodeKey(config.Resolve(config.key_file)));
  LOTCHAIN_ASSIGN_OR_RETURN(std::unique_ptr<BlockStore> store,
                            BlockStore::Open(config.Resolve(config.data_dir), genesis));
  return std::unique_ptr<Node>(
      new Node(config, std::move(genesis), std::move(key), std::move(store)));
}

Node::Node(NodeConfig config, core::Genesis genesis, core::SecretKey key,
           std::unique_ptr<BlockStore> store)
    : config_(std::move(config)),
      genesis_(std::move(genesis)),
      key_(std::move(key)),
      store_(std::move(store)),
      mempool_({.txs_max = config_.mempool_txs_max, .bytes_max = config_.mempool_bytes_max}) {
  validators_ = core::ValidatorSet::FromGenesis(genesis_).value();  // ParseGenesis checked it
  validators_hash_ = validators_.Hash();
  limits_.tx_count_max = genesis_.policy.block_max_txs;
  limits_.bytes_max = genesis_.policy.block_max_bytes;
  metrics_ = std::make_unique<NodeMetrics>();
  boost::asio::post(verify_pool_, [] { RunBelowConsensus(); });
  start_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
  status_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
}

Node::~Node() {
  verify_pool_.stop();
  verify_pool_.join();
}

core::Status Node::Run() {
  Tip tip = store_->tip();
  int64_t tip_time = genesis_.genesis_time_unix_ms;
  if (tip.height > 0) {
    auto block = store_->GetBlock(tip.height);
    if (!block.ok()) return block.status();
    v1::BlockHeader header;
    if (!header.ParseFromString(block->header())) {
      return core::Status("STORE_CORRUPT", "the last block's header does not parse");
    }
    tip_time = header.time_unix_ms();
  }
  tip_ = {tip.height, tip.last_block_hash, tip.state_root, tip_time};
  height_ = tip.height;
  metrics_->SetHeight(tip.height);

  // The engine.
  bft::EngineConfig engine_config;
  engine_config.validators = validators_;
  engine_config.timeout_propose_ticks = config_.timeout_propose_ms;
  engine_config.timeout_prevote_ticks = config_.timeout_prevote_ms;
  engine_config.timeout_precommit_ticks = config_.timeout_precommit_ms;
  engine_config.timeout_delta_ticks = config_.timeout_delta_ms;
  engine_config.resend_ticks = config_.resend_ms;
  const bft::Signer& signer = *this;
  const bft::SignatureVerifier& verifier = *this;
  bft::BlockApp& app = *this;
  engine_ = std::make_unique<bft::Engine>(engine_config, signer, verifier, app);
  LOTCHAIN_ASSIGN_OR_RETURN(std::optional<std::string> sign_state_bytes, store_->GetSignState());
  std::optional<v1::SignState> restored;
  if (sign_state_bytes.has_value()) {
    restored.emplace();
    if (!restored->ParseFromString(*sign_state_bytes)) {
      return core::Status("STORE_CORRUPT", "the persisted consensus sign-state does not parse");
    }
  }
  // A validator that crashed in the middle of a height resumes it at once (its locks and votes
  // matter to the others); otherwise the engine starts lazily when there is work, so an idle
  // network grows no empty blocks (MaybeStartNextHeight).
  if (restored.has_value() && restored->height() > tip_.height + 1) {
    return core::Status("STATE_AHEAD",
                        "the consensus sign-state is for height " +
                            std::to_string(restored->height()) + " but the store ends at " +
                            std::to_string(tip_.height) +
                            ": blocks this validator decided are missing from its store; "
                            "restore the store from a backup rather than risk signing twice");
  }
  restored_ = std::move(restored);
  bool resume = restored_.has_value() && restored_->height() == tip_.height + 1;

  // Peers.
  TransportOptions transport_options;
  transport_options.chain_id = genesis_.chain_id;
  transport_options.identity = key_;
  transport_options.listen_address = config_.p2p_listen;
  for (const auto& v : genesis_.validators) {
    if (v.public_key == key_.PublicKey()) continue;
    transport_options.peers.push_back({v.id, v.public_key, v.address});
  }
  transport_ = std::make_unique<Transport>(
      io_, std::move(transport_options),
      [this](const std::string& peer, std::string frame) { OnPeerMessage(peer, std::move(frame)); },
      [this](const std::string& peer, bool connected) { OnPeerState(peer, connected); });
  LOTCHAIN_RETURN_IF_ERROR(transport_->Start());

  // Client servers.
  rpc_ = std::make_unique<RpcServer>(*this);
  LOTCHAIN_RETURN_IF_ERROR(rpc_->Start(config_.rpc_listen));
  http_ = std::make_unique<HttpServer>(*this);
  LOTCHAIN_RETURN_IF_ERROR(http_->Start(config_.http_listen));

  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    Stop();
  });
  spdlog::info("lotchaind {} chain {} height {} p2p {} grpc {} http {}", config_.moniker,
               genesis_.chain_id, tip_.height, config_.p2p_listen, config_.rpc_listen,
               config_.http_listen);
  if (resume) boost::asio::post(io_, [this] { StartNextHeightNow(); });
  StartTickers();
  // The event loop: the one intentionally endless loop; it ends on Stop().
  io_.run();
  rpc_->Shutdown();
  http_->Stop();
  spdlog::info("stopped at height {}", tip_.height);
  return exit_status_;
}

void Node::StartTickers() {
  status_timer_->expires_after(std::chrono::seconds(1));
  status_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    BroadcastStatus();
    MaybeStartNextHeight();
    StartTickers();
  });
}

void Node::Stop() {
  if (stopping_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    if (transport_) transport_->Stop();
    for (auto& [id, timer] : timers_) timer->cancel();
    start_timer_->cancel();
    status_timer_->cancel();
    io_.stop();
  });
}

void Node::Fatal(const std::string& what) {
  spdlog::critical("{}; stopping so that nothing wrong is signed or stored", what);
  exit_status_ = core::Status("FATAL", what);
  Stop();
}

template <typename Fn>
auto Node::OnLoop(Fn fn, int64_t timeout_ms) -> std::optional<decltype(fn())> {
  using R = decltype(fn());
  if (stopping_) return std::nullopt;
  auto promise = std::make_shared<std::promise<R>>();
  std::future<R> future = promise->get_future();
  boost::asio::post(io_, [promise, fn = std::move(fn)]() mutable { promise->set_value(fn()); });
  if (future.wait_for(std::chrono::milliseconds(timeout_ms)) != std::future_status::ready) {
    return std::nullopt;
  }
  return future.get();
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
  RunBelowConsensus();  // a gRPC thread
  std::string hash = core::TxHash(signed_tx_bytes);
  const bool checked = verified_.Contains(hash);  // e.g. already here through gossip
  v1::SignedTx envelope;
  auto body = core::CheckTxStateless(genesis_, signed_tx_bytes, checked, &envelope);
  if (!checked) metrics_->SignatureChecks(NodeMetrics::SignaturePath::kClient, 1);
  if (!body.ok()) {
    return core::Status("INVALID_ARGUMENT", body.status().code() + ": " + body.status().message());
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
  LOTCHAIN_ASSIGN_OR_RETURN(Submission submission, CheckSubmission(std::move(signed_tx_bytes)));
  auto result = OnLoop([this, submission = std::move(submission)]() mutable {
    return AdmitOnLoop(std::move(submission));
  });
  if (!result.has_value()) {
    return core::Status("UNAVAILABLE", "the node is busy or shutting down; retry");
  }
  return std::move(*result);
}

std::vector<core::Result<v1::TxStatus>> Node::SubmitTxBatch(std::vector<std::string> signed_txs) {
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
  if (admissible.empty()) return results;
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
  return results;
}

core::Result<v1::TxStatus> Node::AdmitOnLoop(Submission submission) {
  v1::TxStatus status;
  status.set_tx_hash(submission.tx_hash);
  status.set_status(v1::TX_STATUS_PENDING);
  if (mempool_.Contains(submission.tx_hash)) return status;
  if (!store_->state().Get(core::keys::SignerOrg(submission.signer)).has_value()) {
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
  // Signatures are checked on the verify pool, admission back on the loop.
  boost::asio::post(verify_pool_, [this, txs = std::move(txs)]() mutable {
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
    boost::asio::post(io_, [this, verified = std::move(verified)]() mutable {
      int64_t now = NowUnixMs();
      for (auto& [tx, hash, signer, nonce] : verified) {
        if (mempool_.Contains(hash)) continue;
        // As in AdmitOnLoop: above the committed nonce means not committed yet.
        if (nonce <= CommittedNonce(signer)) continue;
        if (!store_->state().Get(core::keys::SignerOrg(signer)).has_value()) continue;
        MempoolEntry entry{std::move(hash), std::move(tx), std::move(signer), nonce, 0, now};
        (void)mempool_.Add(std::move(entry));  // full or duplicate nonce: dropped
      }
      metrics_->SetMempool(mempool_.size(), mempool_.bytes());
      MaybeStartNextHeight();
    });
  });
}

v1::TxStatus Node::GetTxStatus(std::string_view tx_hash) {
  if (auto committed = CommittedStatus(tx_hash)) return *committed;
  std::string hash(tx_hash);
  v1::TxStatus status;
  status.set_tx_hash(hash);
  auto pending = OnLoop([this, hash] { return mempool_.Contains(hash); });
  status.set_status(pending.value_or(false) ? v1::TX_STATUS_PENDING : v1::TX_STATUS_UNKNOWN);
  return status;
}

v1::NodeStatus Node::GetStatus() {
  v1::NodeStatus status;
  Tip tip = store_->tip();
  status.set_chain_id(genesis_.chain_id);
  status.set_height(tip.height);
  status.set_state_root(tip.state_root);
  status.set_last_block_hash(tip.last_block_hash);
  status.set_genesis_hash(genesis_.hash);
  auto connected = OnLoop([this] { return peer_connected_; }, 2000);
  for (const auto& v : genesis_.validators) {
    v1::ValidatorInfo* info = status.add_validators();
    info->set_id(v.id);
    info->set_public_key(v.public_key);
    info->set_address(v.address);
    bool self = v.public_key == key_.PublicKey();
    bool up = connected.has_value() && connected->count(v.public_key) != 0 &&
              connected->at(v.public_key);
    info->set_connected(self || up);
  }
  status.set_peers(peers_connected_);
  auto pool = OnLoop([this] { return mempool_.size(); }, 2000);
  status.set_mempool_txs(static_cast<uint32_t>(pool.value_or(0)));
  return status;
}

uint64_t Node::SubscribeCommits(CommitCallback on_commit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (subscribers_.size() >= kSubscribersMax) return 0;
  uint64_t handle = next_subscriber_++;
  subscribers_.emplace(handle, std::move(on_commit));
  return handle;
}

void Node::UnsubscribeCommits(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  subscribers_.erase(handle);
}

bool Node::Healthy() { return OnLoop([] { return true; }, 2000).value_or(false); }

bool Node::Ready() {
  if (!Healthy()) return false;
  size_t needed = validators_.Quorum() - 1;  // peers besides ourselves
  return peers_connected_ >= needed && best_peer_height_ <= height_ + 1;
}

std::string Node::MetricsText() { return metrics_->Render(); }

}  // namespace lotchain::node
