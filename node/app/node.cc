// Node: construction, the loop, shutdown, and the LedgerBackend methods called by client
// threads.
#include "node/app/node.h"

#include "node/app/logging.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "consensus/core/crypto.h"
#include "node/http/http_server.h"
#include "node/metrics.h"
#include "node/p2p/transport.h"
#include "node/rpc/rpc_server.h"

namespace lotchain::node {

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
      chain_(*store_) {
  // ParseGenesis checked the validators and the rules check every set they schedule.
  schedule_.emplace(core::ChainValidatorSchedule::Load(genesis_, store_->state()).value());
  validator_count_ = schedule_->At(store_->height() + 1).size();
  validator_quorum_ = schedule_->At(store_->height() + 1).Quorum();
  metrics_ = std::make_unique<NodeMetrics>();
  boost::asio::post(verify_pool_, [] { RunBelowConsensus(); });
  status_timer_ = std::make_unique<boost::asio::steady_timer>(io_);
}

Node::~Node() {
  verify_pool_.stop();
  verify_pool_.join();
}

core::Status Node::Run() {
  LOTCHAIN_RETURN_IF_ERROR(StartReplica());
  LOTCHAIN_RETURN_IF_ERROR(StartPeers());
  LOTCHAIN_RETURN_IF_ERROR(StartClientServers());
  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signal);
    Stop();
  });
  const bft::ChainTip& tip = replica_->tip();
  LogEvent(spdlog::level::info,
           fmt::format("lotchaind {} chain {} height {} p2p {} grpc {} http {}", config_.moniker,
                       genesis_.chain_id, tip.height, config_.p2p_listen, config_.rpc_listen,
                       config_.http_listen),
           LogFields().Add("event", "started").Add("chain_id", genesis_.chain_id)
               .Add("height", tip.height).Add("p2p", config_.p2p_listen)
               .Add("grpc", config_.rpc_listen).Add("http", config_.http_listen));
  boost::asio::post(io_, [this] {
    replica_->Boot(NowUnixMs());
    Poke();
  });
  StartTickers();
  // The event loop: the one intentionally endless loop; it ends on Stop().
  io_.run();
  rpc_->Shutdown();
  http_->Stop();
  LogEvent(spdlog::level::info, fmt::format("stopped at height {}", height_.load()),
           LogFields().Add("event", "stopped").Add("height", height_.load()));
  return exit_status_;
}

// The replica over the store's tip and the persisted sign-state.
core::Status Node::StartReplica() {
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
  height_ = tip.height;
  metrics_->SetHeight(tip.height);
  metrics_->SetLastBlockTime(tip_time);
  LOTCHAIN_ASSIGN_OR_RETURN(std::optional<std::string> sign_state_bytes, store_->GetSignState());
  std::optional<v1::SignState> restored;
  if (sign_state_bytes.has_value()) {
    restored.emplace();
    if (!restored->ParseFromString(*sign_state_bytes)) {
      return core::Status("STORE_CORRUPT", "the persisted consensus sign-state does not parse");
    }
  }
  ReplicaConfig replica_config;
  replica_config.genesis = &genesis_;
  replica_config.schedule = &*schedule_;
  replica_config.engine.timeout_propose_ticks = config_.timeout_propose_ms;
  replica_config.engine.timeout_prevote_ticks = config_.timeout_prevote_ms;
  replica_config.engine.timeout_precommit_ticks = config_.timeout_precommit_ms;
  replica_config.engine.timeout_delta_ticks = config_.timeout_delta_ms;
  replica_config.engine.resend_ticks = config_.resend_ms;
  replica_config.mempool = {.txs_max = config_.mempool_txs_max,
                            .bytes_max = config_.mempool_bytes_max};
  replica_config.block_delay_ms = static_cast<int64_t>(config_.block_delay_ms);
  ReplicaPorts ports{.signer = this, .verifier = this, .verified = this, .store = &chain_};
  LOTCHAIN_ASSIGN_OR_RETURN(
      replica_, Replica::Create(std::move(replica_config), ports,
                                {tip.height, tip.last_block_hash, tip.state_root, tip_time},
                                std::move(restored)));
  return core::Status::Ok();
}

// The transport to the other validators of the set at the next height.
core::Status Node::StartPeers() {
  TransportOptions transport_options;
  transport_options.chain_id = genesis_.chain_id;
  transport_options.identity = key_;
  transport_options.listen_address = config_.p2p_listen;
  transport_options.peers = ValidatorPeers();
  LOTCHAIN_RETURN_IF_ERROR(CheckPeerAddresses(transport_options.peers));
  WarnUnusedPeerEntries(transport_options.peers);
  for (const auto& peer : transport_options.peers) peer_keys_.push_back(peer.public_key);
  transport_options.observers_max = config_.p2p_observers_max;
  observer_ = !InValidatorSets();
  transport_options.dial_all = observer_;
  if (observer_) {
    spdlog::info("this node's key is not in the validator set: it runs as an observer (follows "
                 "the chain through the validators, never votes)");
  }
  transport_ = std::make_unique<Transport>(
      io_, std::move(transport_options),
      [this](const std::string& peer, std::string frame) { OnPeerMessage(peer, std::move(frame)); },
      [this](const std::string& peer, bool connected) { OnPeerState(peer, connected); });
  return transport_->Start();
}

core::Status Node::StartClientServers() {
  rpc_ = std::make_unique<RpcServer>(*this);
  LOTCHAIN_RETURN_IF_ERROR(rpc_->Start(config_.rpc_listen));
  HttpLimits http_limits;
  http_limits.api_workers = config_.http_api_workers;
  http_limits.api_queue_max = config_.http_api_queue_max;
  http_ = std::make_unique<HttpServer>(*this, http_limits);
  return http_->Start(config_.http_listen);
}

void Node::StartTickers() {
  status_timer_->expires_after(std::chrono::seconds(1));
  status_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopping_) return;
    replica_->OnTick(NowUnixMs());
    Poke();
    WatchConnectivity(NowUnixMs());
    StartTickers();
  });
}

void Node::Stop() {
  if (stopping_.exchange(true)) return;
  boost::asio::post(io_, [this] {
    if (transport_) transport_->Stop();
    for (auto& [id, timer] : timers_) timer->cancel();
    status_timer_->cancel();
    io_.stop();
  });
}

void Node::Fatal(const std::string& what) {
  spdlog::critical("{}; stopping so that nothing wrong is signed or stored", what);
  exit_status_ = core::Status("FATAL", what);
  Stop();
}

core::Result<v1::TxStatus> Node::GetTxStatus(std::string_view tx_hash) {
  if (auto committed = chain_.CommittedStatus(tx_hash)) return *committed;
  std::string hash(tx_hash);
  v1::TxStatus status;
  status.set_tx_hash(hash);
  auto pending = OnLoop([this, hash] { return replica_->InMempool(hash); });
  if (pending.value_or(false)) {
    status.set_status(v1::TX_STATUS_PENDING);
    return status;
  }
  // The loop may have committed the tx between the two lookups: it writes the store before it
  // drops the tx from the mempool, so a second look at the store closes that window.
  if (auto committed = chain_.CommittedStatus(tx_hash)) return *committed;
  if (!pending.has_value()) {
    return core::Status("UNAVAILABLE", "the node is busy or shutting down and could not check its "
                                       "mempool; ask again");
  }
  status.set_status(v1::TX_STATUS_UNKNOWN);
  return status;
}

// The validators of the next two heights (a set governance adopted certifies from two heights
// after its block, docs/GOVERNANCE.md), so links to a new validator are up before they are
// needed and a leaving one stays reachable until its last height.
std::vector<PeerConfig> Node::ValidatorPeers() const {
  std::map<std::string, PeerConfig> peers;
  const uint64_t next = replica_->tip().height + 1;
  for (uint64_t h : {next, next + 1}) {
    for (const auto& v : schedule_->EntriesAt(h)) {
      if (v.public_key != key_.PublicKey()) {
        peers[v.public_key] = {v.id, v.public_key, DialAddress(v.id, v.public_key, v.address)};
      }
    }
  }
  std::vector<PeerConfig> out;
  for (auto& [key, peer] : peers) out.push_back(std::move(peer));
  return out;
}

// Where to dial a validator: this node's config.toml [p2p] peers entry for its id or key, else
// the address genesis or governance gave it (a hint outside the chain's identity).
std::string Node::DialAddress(const std::string& id, const std::string& public_key,
                              const std::string& hint) const {
  const std::string key_hex = core::ToHex(public_key);
  for (const PeerAddress& peer : config_.p2p_peers) {
    if (peer.who == id || peer.who == key_hex) return peer.address;
  }
  return hint;
}

// Validators this node knows no address for: it could neither dial them nor tell the operator
// later why no link comes up, so it refuses to start and names them.
core::Status Node::CheckPeerAddresses(const std::vector<PeerConfig>& peers) const {
  std::string missing;
  for (const PeerConfig& peer : peers) {
    if (peer.address.empty()) missing += (missing.empty() ? "" : ", ") + peer.id;
  }
  if (missing.empty()) return core::Status::Ok();
  return core::Status("BAD_CONFIG",
                      "no address for validator(s) " + missing + ": the genesis gives none; add "
                      "\"ID@HOST:PORT\" for each to [p2p] peers in " +
                          config_.Resolve("config.toml"));
}

// A [p2p] peers entry that names no validator of the next two heights is most likely a typo
// (or a validator governance has yet to add): say so once, at start.
void Node::WarnUnusedPeerEntries(const std::vector<PeerConfig>& peers) const {
  for (const PeerAddress& entry : config_.p2p_peers) {
    const bool used = std::any_of(peers.begin(), peers.end(), [&](const PeerConfig& p) {
      return p.id == entry.who || core::ToHex(p.public_key) == entry.who;
    });
    if (!used) {
      spdlog::warn("config.toml [p2p] peers: \"{}\" names no other validator of the current set "
                   "(ids and keys are in the genesis); the entry is unused", entry.who);
    }
  }
}

// Whether this node's key certifies the next height or the one after (else it observes).
bool Node::InValidatorSets() const {
  const uint64_t next = replica_->tip().height + 1;
  return schedule_->At(next).IndexOf(key_.PublicKey()).has_value() ||
         schedule_->At(next + 1).IndexOf(key_.PublicKey()).has_value();
}

// Connected validator peers (observers' links do not count toward a quorum).
void Node::CountValidatorPeers() {
  uint32_t count = 0;
  for (const auto& [key, up] : peer_connected_) {
    count += up && std::binary_search(peer_keys_.begin(), peer_keys_.end(), key) ? 1u : 0u;
  }
  peers_connected_ = count;
  if (metrics_) metrics_->SetPeers(count);
}

// After commits: the quorum counts of the next height, and the transport's peers when the
// validators of the next two heights changed.
void Node::FollowValidatorSchedule() {
  const core::ValidatorSet& next = schedule_->At(replica_->tip().height + 1);
  validator_count_ = next.size();
  validator_quorum_ = next.Quorum();
  std::vector<PeerConfig> peers = ValidatorPeers();
  std::vector<std::string> keys;
  for (const auto& peer : peers) keys.push_back(peer.public_key);
  const bool observer = !InValidatorSets();
  if (keys == peer_keys_ && observer == observer_) return;
  peer_keys_ = std::move(keys);
  observer_ = observer;
  CountValidatorPeers();
  const size_t count = peers.size();
  core::Status set = transport_->SetPeers(std::move(peers), observer_);
  LogEvent(set.ok() ? spdlog::level::info : spdlog::level::warn,
           fmt::format("validator peers follow the schedule: {} peers for heights {} and {}{}",
                       count, replica_->tip().height + 1, replica_->tip().height + 2,
                       set.ok() ? "" : ": " + set.ToString()),
           LogFields().Add("event", "validator_peers").Add("height", replica_->tip().height));
}

v1::NodeStatus Node::GetStatus() {
  auto next_validators = OnLoop(
      [this] { return schedule_->EntriesAt(replica_->tip().height + 1); }, 2000);
  v1::NodeStatus status = CommittedNodeStatus(
      genesis_, next_validators.value_or(genesis_.validators), *store_);
  auto connected = OnLoop([this] { return peer_connected_; }, 2000);
  for (v1::ValidatorInfo& info : *status.mutable_validators()) {
    bool self = info.public_key() == key_.PublicKey();
    bool up = connected.has_value() && connected->count(info.public_key()) != 0 &&
              connected->at(info.public_key());
    info.set_connected(self || up);
  }
  status.set_peers(peers_connected_);
  auto pool = OnLoop([this] { return replica_->mempool().size(); }, 2000);
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

std::string Node::MetricsText() { return metrics_->Render(); }

}  // namespace lotchain::node
