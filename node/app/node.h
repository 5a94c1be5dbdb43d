// Node: one lotchaind process. Owns the event loop, the consensus engine, the mempool, the
// block store and the peer transport, and implements the LedgerBackend the gRPC and HTTP
// servers serve from.
//
// Threads:
//   * the loop thread runs io_ (Run()); the engine, mempool, transport, timers and every
//     engine port (BlockApp, Signer, TxIndex, SignatureCache) are touched only there;
//   * gRPC / HTTP threads call the LedgerBackend methods; those verify signatures on the
//     calling thread (off the loop), then post to the loop and wait (bounded);
//   * verify_pool_ checks signatures of transactions gossiped by peers, off the loop.
// Persist before send: Actions::persist is written (fsync) before any proposal/vote of the
// same Actions leaves, so a restarted validator never signs twice (docs/CONSENSUS.md).
#pragma once

#include <atomic>
#include <chrono>
#include <utility>  // before Asio: Boost 1.74 awaitable.hpp uses std::exchange

#include <boost/asio.hpp>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "consensus/bft/block_builder.h"
#include "consensus/bft/engine.h"
#include "consensus/core/certificate.h"
#include "consensus/core/validator_schedule.h"
#include "node/api/backend.h"
#include "node/app/config.h"
#include "node/mempool/mempool.h"
#include "node/mempool/verified_set.h"
#include "node/storage/block_store.h"
#include "lotchain/v1/p2p.pb.h"

namespace lotchain::node {

// Wall-clock time in Unix ms, for block times and latency metrics. The node's only clock
// reading besides timers; nothing under consensus/ reads a clock.
inline int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Lowers the calling thread's scheduling priority by kAdmissionNice, once per thread (best
// effort). The verify pool and the gRPC threads call it: they check signatures of transactions
// for blocks to come, while the loop runs the consensus steps that decide the current one, and
// on a busy machine the loop should run first. Under overload this throttles admission, not
// blocks. (node_admission.cc)
void RunBelowConsensus();

class Transport;
class RpcServer;
class HttpServer;
class NodeMetrics;

inline constexpr uint32_t kSyncBatchCountMax = 64;
inline constexpr uint64_t kSyncBatchBytesMax = 16u << 20;
inline constexpr size_t kGossipBatchTxsMax = 256;
inline constexpr size_t kGossipBatchBytesMax = 4u << 20;
// Gossiped transactions received but not yet through verification and admission. Past this, a
// peer's batches are dropped (counted as dropped frames): a flooding validator cannot grow the
// verify pool's queue without bound, and honest txs still arrive inside the proposals.
inline constexpr size_t kGossipPendingBytesMax = 64u << 20;
inline constexpr size_t kSubscribersMax = 1024;
inline constexpr size_t kVerifiedHashesMax = 200'000;  // about 20 MiB
// Added to the niceness of threads that verify transactions for admission (RunBelowConsensus).
inline constexpr int kAdmissionNice = 5;
inline constexpr int64_t kClockSkewAllowedMs = 30'000;

class Node final : public LedgerBackend,
                   private bft::BlockApp,
                   private bft::Signer,
                   private bft::SignatureVerifier,
                   private bft::TxIndex,
                   private bft::SignatureCache {
 public:
  // Loads config, genesis, key and store; refuses a corrupt store or a genesis mismatch.
  static core::Result<std::unique_ptr<Node>> Create(const NodeConfig& config);
  ~Node() override;

  // Starts the listeners and runs the loop until Stop() or SIGINT/SIGTERM. Returns the reason
  // it stopped (OK for a clean shutdown).
  core::Status Run();
  void Stop();  // thread-safe

  // LedgerBackend.
  const core::Genesis& genesis() const override { return genesis_; }
  const BlockStore& store() const override { return *store_; }
  core::Result<v1::TxStatus> SubmitTx(std::string signed_tx_bytes) override;
  std::vector<core::Result<v1::TxStatus>> SubmitTxBatch(std::vector<std::string> signed_txs) override;
  core::Result<v1::TxStatus> GetTxStatus(std::string_view tx_hash) override;
  v1::NodeStatus GetStatus() override;
  uint64_t SubscribeCommits(CommitCallback on_commit) override;
  void UnsubscribeCommits(uint64_t handle) override;
  bool Healthy() override;
  bool Ready() override;
  std::vector<HealthCheck> ReadinessChecks() override;
  std::string MetricsText() override;

 private:
  Node(NodeConfig config, core::Genesis genesis, core::SecretKey key,
       std::unique_ptr<BlockStore> store);

  // bft ports (loop thread).
  v1::Block BuildBlock(uint64_t height, uint32_t round) override;
  bool ValidateBlock(uint64_t height, const v1::Block& block) override;
  std::string PublicKey() const override { return key_.PublicKey(); }
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override;
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override;
  bool IsCommitted(std::string_view tx_hash) const override;
  void SignaturePassed(std::string_view tx_hash) const override;
  bool SignatureChecked(std::string_view tx_hash) const override;

  // Engine driving (loop thread).
  void Drive(bft::Actions actions);
  void DriveOne(bft::Actions& actions);
  void ScheduleTimer(const bft::TimerRequest& request);
  void CommitDecision(const bft::Decision& decision);
  void MaybeStartNextHeight();
  void StartNextHeightNow();
  bft::BlockEnv Env() const;

  // Peers (loop thread).
  void OnPeerMessage(const std::string& peer_key, std::string frame);
  void OnPeerState(const std::string& peer_key, bool connected);
  void OnConsensusInput(const v1::P2pMessage& message);
  void OnBlockRequest(const std::string& peer_key, const v1::BlockRequest& request);
  void OnBlockResponse(const v1::BlockResponse& response);
  void OnPeerStatus(const std::string& peer_key, const v1::PeerStatus& status);
  void RequestBlocks(const std::string& peer_key);
  void BroadcastStatus();
  void Broadcast(const v1::P2pMessage& message);
  void QueueGossip(const std::string& signed_tx);
  void FlushGossip();
  void AdmitGossiped(std::vector<std::string> txs);

  // Client submissions: the stateless checks and the signature on the client thread
  // (CheckSubmission), admission on the loop (AdmitOnLoop).
  struct Submission {
    std::string tx_hash;
    std::string signed_tx;
    std::string signer;
    uint64_t nonce = 0;
  };
  core::Result<Submission> CheckSubmission(std::string signed_tx_bytes) const;
  core::Result<v1::TxStatus> AdmitOnLoop(Submission submission);
  bool KnownSigner(const std::string& signer) const;  // a genesis member's key
  uint64_t CommittedNonce(const std::string& signer) const;
  std::optional<v1::TxStatus> CommittedStatus(std::string_view tx_hash) const;

  // Runs `fn` on the loop and waits up to `timeout_ms`; nullopt on timeout or shutdown.
  template <typename Fn>
  auto OnLoop(Fn fn, int64_t timeout_ms = 5000) -> std::optional<decltype(fn())>;

  void StartTickers();
  void Fatal(const std::string& what);

  NodeConfig config_;
  core::Genesis genesis_;
  core::SecretKey key_;
  std::unique_ptr<BlockStore> store_;
  // The one source of "which validators at height h" (validator_schedule.h); validators_ and
  // validators_hash_ are its answer for the next height, which is all a fixed set needs.
  std::optional<core::GenesisValidatorSchedule> schedule_;
  core::ValidatorSet validators_;
  std::string validators_hash_;
  bft::BlockLimits limits_;

  boost::asio::io_context io_;
  boost::asio::thread_pool verify_pool_{1};
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<NodeMetrics> metrics_;
  std::unique_ptr<RpcServer> rpc_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<bft::Engine> engine_;
  Mempool mempool_;
  // Shared by the client, verify-pool and loop threads (thread-safe).
  mutable VerifiedSet verified_{kVerifiedHashesMax};

  // Loop-thread state.
  bft::ChainTip tip_;
  std::map<std::string, core::ExecutedBlock> executed_;  // this height, by block hash
  std::map<uint64_t, std::unique_ptr<boost::asio::steady_timer>> timers_;
  uint64_t next_timer_id_ = 0;
  bool height_started_ = false;
  bool engine_started_ = false;            // Engine::Start has run
  std::optional<v1::SignState> restored_;  // sign-state read at boot, until Engine::Start
  bool start_pending_ = false;
  std::unique_ptr<boost::asio::steady_timer> start_timer_;
  std::unique_ptr<boost::asio::steady_timer> status_timer_;
  std::map<std::string, v1::PeerStatus> peer_status_;
  std::map<std::string, bool> peer_connected_;
  int64_t sync_requested_ms_ = 0;
  std::deque<bft::Actions> pending_actions_;
  bool driving_ = false;
  std::map<std::string, int64_t> submitted_at_ms_;  // for the commit latency histogram
  // Client txs admitted but not yet gossiped: sent as one message per loop turn (or per
  // kGossipBatchTxsMax / kGossipBatchBytesMax), not one per transaction.
  std::vector<std::string> gossip_out_;
  size_t gossip_out_bytes_ = 0;
  bool gossip_flush_posted_ = false;
  std::atomic<size_t> gossip_pending_bytes_{0};  // AdmitGossiped work queued (any thread)

  // Shared with client threads.
  mutable std::mutex mu_;
  std::map<uint64_t, CommitCallback> subscribers_;  // guarded by mu_
  uint64_t next_subscriber_ = 1;                    // guarded by mu_
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> height_{0};
  std::atomic<uint32_t> round_{0};
  std::atomic<uint32_t> peers_connected_{0};
  std::atomic<uint64_t> best_peer_height_{0};
  core::Status exit_status_;

  // Loop thread only: what WatchConnectivity last saw and logged (node_health.cc).
  struct ConnectivityWatch {
    bool quorum = false;
    bool had_quorum = false;
    int64_t since_ms = 0;
    int64_t changed_ms = 0;
    int64_t warned_ms = 0;
    int64_t behind_since_ms = 0;
    int64_t behind_warned_ms = 0;
  };
  ConnectivityWatch watch_;
  void WatchConnectivity(int64_t now_ms);
};

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

}  // namespace lotchain::node
