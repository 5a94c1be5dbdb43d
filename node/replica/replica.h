// Replica: one validator's consensus logic as a deterministic state machine, with time and I/O
// as inputs and what to do as outputs — the engine, mempool admission, block building and
// checking, the lazy start of heights, catch-up from peers and gossip batching. Like etcd
// raft's RawNode and its Ready (here: Outputs). Two drivers share it: lotchaind's Asio shell
// (node/app/node*.cc), which only moves bytes, timers and disk writes, and the cluster
// simulator (tests/sim/cluster.cc),
// so the simulator's seeds exercise the daemon's own height start, catch-up and hand-offs.
//
// The driver's contract, after any input:
//   Outputs out = replica.TakeOutputs();
//   1. if out.persist: write it durably (fsync) before anything of step 2 leaves, so a
//      restarted validator never signs twice (docs/CONSENSUS.md);
//   2. send out.messages in order (an empty peer means every peer);
//   3. arm out.timers; when one fires, call OnTimer(id, now);
//   4. report out.commits (already written through ChainStore), rejected blocks, evidence;
//   5. if out.fatal: stop — nothing more may be signed or stored.
// Nothing here reads a clock, a socket or a thread: every input carries `now_ms` (Unix ms).
// Signatures of client and gossiped transactions are checked by the driver before they come
// in (lotchaind does it off its loop); the replica only checks signer and nonce.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "consensus/bft/block_builder.h"
#include "consensus/bft/engine.h"
#include "consensus/core/genesis.h"
#include "consensus/core/validator_schedule.h"
#include "node/mempool/mempool.h"
#include "node/replica/chain_store.h"
#include "lotchain/v1/api.pb.h"
#include "lotchain/v1/p2p.pb.h"

namespace lotchain::node {

inline constexpr uint32_t kSyncBatchCountMax = 64;
inline constexpr uint64_t kSyncBatchBytesMax = 16u << 20;
inline constexpr size_t kGossipBatchTxsMax = 256;
inline constexpr size_t kGossipBatchBytesMax = 4u << 20;

struct ReplicaConfig {
  const core::Genesis* genesis = nullptr;
  // The chain's validator schedule, refreshed by the replica after every commit (governance
  // adopts sets for later heights); the driver reads it on the same thread.
  core::ChainValidatorSchedule* schedule = nullptr;
  bft::EngineConfig engine;  // its `schedule` is this config's
  MempoolLimits mempool;
  // How long a height waits for more transactions when fewer than a block's worth are pending.
  int64_t block_delay_ms = 20;
  int64_t sync_retry_ms = 500;  // one outstanding catch-up request at a time, retried after this
  // How long a peer may be one height ahead before this replica fetches the block from it.
  int64_t sync_grace_ms = 1000;
  int64_t clock_skew_allowed_ms = 30'000;  // a proposed block's time may be this far ahead
};

struct ReplicaPorts {
  const bft::Signer* signer = nullptr;
  const bft::SignatureVerifier* verifier = nullptr;
  // The driver's record of transactions whose signatures it already checked (admission,
  // gossip); CheckBlock skips those and reports the ones it verifies.
  const bft::SignatureCache* verified = nullptr;
  ChainStore* store = nullptr;
};

// A transaction whose envelope and signature the driver has verified.
struct VerifiedTx {
  std::string tx_hash;
  std::string signed_tx;
  std::string signer;
  uint64_t nonce = 0;
};

struct Outbound {
  std::string peer;  // empty: to every peer
  v1::P2pMessage message;
};

struct TimerSet {
  uint64_t id = 0;
  int64_t delay_ms = 0;
};

struct CommittedBlock {
  uint64_t height = 0;
  std::string block_hash;
  std::string state_root;
  int64_t block_time_unix_ms = 0;
  v1::Block block;
  v1::CommitCertificate certificate;
  std::vector<v1::TxResult> results;
};

struct RejectedBlock {
  uint64_t height = 0;
  std::string block_hash;
  core::Status why;
};

struct Outputs {
  std::optional<v1::SignState> persist;  // the latest sign-state; supersedes earlier ones
  std::vector<Outbound> messages;
  std::vector<TimerSet> timers;
  std::vector<CommittedBlock> commits;
  std::vector<RejectedBlock> rejected_blocks;
  std::vector<v1::Equivocation> evidence;
  std::optional<std::string> fatal;
  // A commit scheduled a new validator set: the driver updates its peers (connect to added
  // validators, drop removed ones) from schedule->EntriesAt(...).
  bool validator_sets_changed = false;
};

// Where the next height stands: no engine yet (nothing to order since boot), waiting for work
// after the last decision, or running in the engine.
enum class HeightPhase : uint8_t { kNotStarted, kIdle, kRunning };

class Replica final : private bft::BlockApp, private bft::TxIndex, private bft::SignatureCache {
 public:
  // `tip` is the store's last block; `restored` the sign-state last persisted (nullopt on a
  // first boot). Error STATE_AHEAD when that sign-state is for a height beyond tip + 1.
  static core::Result<std::unique_ptr<Replica>> Create(ReplicaConfig config, ReplicaPorts ports,
                                                       bft::ChainTip tip,
                                                       std::optional<v1::SignState> restored);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Inputs.
  // Resumes at once a height this validator crashed in the middle of (its locks and votes
  // matter to the others); otherwise heights start lazily when there is work.
  void Boot(int64_t now_ms);
  core::Result<v1::TxStatus> SubmitTx(VerifiedTx tx, int64_t now_ms);  // from a client
  void AdmitGossiped(std::vector<VerifiedTx> txs, int64_t now_ms);    // from a peer
  // A decoded message from a peer (the driver drops undecodable frames). Transactions
  // (kTxs) go through AdmitGossiped once their signatures are checked, not through here.
  void OnPeerMessage(const std::string& peer, const v1::P2pMessage& message, int64_t now_ms);
  void OnPeerConnected(const std::string& peer, bool connected, int64_t now_ms);
  void OnTimer(uint64_t id, int64_t now_ms);
  void OnTick(int64_t now_ms);  // about once a second: status to peers, start a waiting height

  // Outputs.
  Outputs TakeOutputs();

  // Reads.
  const bft::ChainTip& tip() const { return tip_; }
  uint32_t round() const { return engine_ ? engine_->round() : 0; }
  HeightPhase phase() const { return phase_; }
  uint64_t best_peer_height() const { return best_peer_height_; }
  bool InMempool(std::string_view tx_hash) const { return mempool_.Contains(tx_hash); }
  const Mempool& mempool() const { return mempool_; }
  bool stopped() const { return out_.fatal.has_value(); }

 private:
  Replica(ReplicaConfig config, ReplicaPorts ports, bft::ChainTip tip,
          std::optional<v1::SignState> restored);

  // bft ports.
  v1::Block BuildBlock(uint64_t height, uint32_t round) override;
  bool ValidateBlock(uint64_t height, const v1::Block& block) override;
  bool IsCommitted(std::string_view tx_hash) const override;
  bool SignatureChecked(std::string_view tx_hash) const override;
  void SignaturePassed(std::string_view tx_hash) const override;

  // Engine driving (replica.cc).
  void Drive(bft::Actions actions);
  void DriveOne(bft::Actions& actions);
  void CommitDecision(const bft::Decision& decision);
  void MaybeStartNextHeight();
  void StartNextHeightNow();
  bft::BlockEnv Env() const;
  void ReadValidatorHashes();
  void Fatal(std::string what);

  // Peers and catch-up (replica_peers.cc).
  void OnConsensusInput(const v1::P2pMessage& message);
  void OnPeerStatus(const std::string& peer, const v1::PeerStatus& status);
  void OnBlockRequest(const std::string& peer, const v1::BlockRequest& request);
  void OnBlockResponse(const v1::BlockResponse& response);
  void RequestBlocks(const std::string& peer);
  void RequestFromBestPeer();
  void BroadcastStatus();
  void Send(std::string peer, v1::P2pMessage message);

  // Admission (replica_admission.cc).
  bool KnownSigner(const std::string& signer) const;
  uint64_t CommittedNonce(const std::string& signer) const;
  void FlushGossip();
  void RelayIfNotValidator();

  ReplicaConfig config_;
  ReplicaPorts ports_;
  bft::BlockLimits limits_;
  bft::ChainTip tip_;
  // Sets the next blocks' headers carry: of tip_.height + 1 and of tip_.height + 2.
  std::string validators_hash_;
  std::string next_validators_hash_;
  std::optional<v1::SignState> restored_;  // read at boot, consumed by the engine's Start
  std::unique_ptr<bft::Engine> engine_;    // created at the first height this replica runs
  HeightPhase phase_ = HeightPhase::kNotStarted;
  Mempool mempool_;
  std::map<std::string, core::ExecutedBlock> executed_;  // this height's checked blocks, by hash
  int64_t now_ms_ = 0;                                   // of the input being handled

  std::map<uint64_t, bft::Timeout> engine_timers_;  // armed, by timer id
  std::optional<uint64_t> start_timer_;             // the block-delay timer, when armed
  uint64_t next_timer_id_ = 1;

  std::map<std::string, v1::PeerStatus> peer_status_;
  uint64_t best_peer_height_ = 0;
  int64_t sync_requested_ms_ = INT64_MIN / 2;
  std::optional<int64_t> behind_since_ms_;  // since when a peer is one height ahead

  std::deque<bft::Actions> pending_actions_;
  bool driving_ = false;
  // Client transactions admitted but not yet gossiped: TakeOutputs sends them first, as one
  // message per kGossipBatchTxsMax / kGossipBatchBytesMax, not one per transaction.
  std::vector<std::string> gossip_out_;
  Outputs out_;
};

}  // namespace lotchain::node
