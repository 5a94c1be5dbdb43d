// Node: one lotchaind process — the Asio shell around the replica core (node/replica/replica.h,
// which decides everything: engine, mempool, lazy height start, catch-up, gossip batching).
// The shell moves bytes (transport), timers and disk writes (store, sign-state), checks
// signatures on its threads, and implements the LedgerBackend the gRPC and HTTP servers
// serve from.
//
// Threads:
//   * the loop thread runs io_ (Run()); the replica, transport and timers are touched only
//     there;
//   * gRPC / HTTP threads call the LedgerBackend methods; those verify signatures on the
//     calling thread (off the loop), then post to the loop and wait (bounded);
//   * verify_pool_ checks signatures of transactions gossiped by peers, off the loop.
// Persist before send: Outputs::persist is written (fsync) before any message of the same Outputs
// leaves, so a restarted validator never signs twice (docs/CONSENSUS.md).
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

#include "consensus/core/certificate.h"
#include "consensus/core/validator_schedule.h"
#include "node/api/backend.h"
#include "node/app/block_store_chain.h"
#include "node/app/config.h"
#include "node/app/verified_set.h"
#include "node/p2p/transport.h"
#include "node/replica/replica.h"
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

// Gossiped transactions received but not yet through verification and admission. Past this, a
// peer's batches are dropped (counted as dropped frames): a flooding validator cannot grow the
// verify pool's queue without bound, and honest txs still arrive inside the proposals.
inline constexpr size_t kGossipPendingBytesMax = 64u << 20;
inline constexpr size_t kSubscribersMax = 1024;
inline constexpr size_t kVerifiedHashesMax = 200'000;  // about 20 MiB
// Added to the niceness of threads that verify transactions for admission (RunBelowConsensus).
inline constexpr int kAdmissionNice = 5;

class Node final : public LedgerBackend,
                   private bft::Signer,
                   private bft::SignatureVerifier,
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

  // The replica's ports that the shell provides (any thread).
  std::string PublicKey() const override { return key_.PublicKey(); }
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override;
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override;
  bool SignatureChecked(std::string_view tx_hash) const override;
  void SignaturePassed(std::string_view tx_hash) const override;

  // Run's parts (node.cc).
  core::Status StartReplica();
  core::Status StartPeers();
  std::vector<PeerConfig> ValidatorPeers() const;
  std::string DialAddress(const std::string& id, const std::string& public_key,
                          const std::string& hint) const;
  core::Status CheckPeerAddresses(const std::vector<PeerConfig>& peers) const;
  void WarnUnusedPeerEntries(const std::vector<PeerConfig>& peers) const;
  void FollowValidatorSchedule();
  bool InValidatorSets() const;
  void CountValidatorPeers();
  core::Status StartClientServers();
  void StartTickers();

  // Carrying out the replica's outputs (loop thread; node_loop.cc).
  void Poke();  // after any replica input: process its Ready once this loop turn ends
  void ProcessReady();
  void ArmTimer(const TimerSet& timer);
  void ReportCommit(const CommittedBlock& commit);
  void PublishProgress();

  // Peers (loop thread; node_loop.cc).
  void OnPeerMessage(const std::string& peer_key, std::string frame);
  void OnPeerState(const std::string& peer_key, bool connected);
  void AdmitGossiped(std::vector<std::string> txs);  // signatures on the verify pool

  // Client submissions: the stateless checks and the signature on the client thread
  // (CheckSubmission), admission on the loop (AdmitOnLoop).
  core::Result<VerifiedTx> CheckSubmission(std::string signed_tx_bytes) const;
  core::Result<v1::TxStatus> AdmitOnLoop(VerifiedTx tx);

  // Runs `fn` on the loop and waits up to `timeout_ms`; nullopt on timeout or shutdown.
  template <typename Fn>
  auto OnLoop(Fn fn, int64_t timeout_ms = 5000) -> std::optional<decltype(fn())>;

  void Fatal(const std::string& what);

  NodeConfig config_;
  core::Genesis genesis_;
  core::SecretKey key_;
  std::unique_ptr<BlockStore> store_;
  BlockStoreChain chain_;  // the replica's view of store_
  // The one source of "which validators at height h" (validator_schedule.h), refreshed by the
  // replica after each commit.
  std::optional<core::ChainValidatorSchedule> schedule_;  // loop thread only (the replica's)
  // Of the next height's set, for health checks on the HTTP threads.
  std::atomic<size_t> validator_count_{0};
  std::atomic<size_t> validator_quorum_{0};
  std::vector<std::string> peer_keys_;  // validator keys the transport follows, sorted (loop)
  bool observer_ = false;  // this node's key is in neither of the next two heights' sets

  boost::asio::io_context io_;
  boost::asio::thread_pool verify_pool_{1};
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<NodeMetrics> metrics_;
  std::unique_ptr<RpcServer> rpc_;
  std::unique_ptr<HttpServer> http_;
  // Shared by the client, verify-pool and loop threads (thread-safe).
  mutable VerifiedSet verified_{kVerifiedHashesMax};

  // Loop-thread state.
  std::unique_ptr<Replica> replica_;  // consensus, mempool, catch-up: everything that decides
  bool ready_posted_ = false;
  std::map<uint64_t, std::unique_ptr<boost::asio::steady_timer>> timers_;  // by replica id
  std::unique_ptr<boost::asio::steady_timer> status_timer_;
  std::map<std::string, bool> peer_connected_;
  std::map<std::string, int64_t> submitted_at_ms_;  // for the commit latency histogram
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
