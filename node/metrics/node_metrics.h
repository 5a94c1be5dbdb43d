// NodeMetrics: the node's Prometheus metrics (names prefixed `lotchain_`), rendered in the text
// exposition format 0.0.4 for GET /metrics.
//
// Built on prometheus-cpp's core library (Registry + TextSerializer, Debian package
// prometheus-cpp-dev); only the core library is linked, not its HTTP exposer (HTTP is ours,
// node/http).
//
// Thread-safety: every method may be called from any thread concurrently (prometheus-cpp metrics
// are atomics; label families take a mutex). Render() takes a consistent-enough snapshot: each
// series is read atomically, the set of series is not frozen across series.
//
// Bounds: the only labelled family is rejected_txs_total{code}. Codes come from the node's fixed
// code lists, but to keep the series count bounded no matter what, at most kRejectCodesMax
// distinct codes get their own series; later ones count under code="OTHER". A code that is not
// [A-Z0-9_]{1,40} counts under "OTHER" too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
class Counter;
class Gauge;
class Histogram;
template <typename T>
class Family;
}  // namespace prometheus

namespace lotchain::node {

inline constexpr size_t kRejectCodesMax = 64;

class NodeMetrics {
 public:
  NodeMetrics();
  ~NodeMetrics();
  NodeMetrics(const NodeMetrics&) = delete;
  NodeMetrics& operator=(const NodeMetrics&) = delete;

  // Gauges.
  void SetHeight(uint64_t height);                    // lotchain_height
  void SetRound(uint64_t round);                      // lotchain_round
  void SetMempool(uint64_t txs, uint64_t bytes);      // lotchain_mempool_txs, _mempool_bytes
  void SetPeers(uint64_t peers_connected);            // lotchain_peers_connected

  // Block `height` committed: lotchain_height = height, lotchain_committed_blocks_total += 1.
  // (At startup use SetHeight, or the restored tip counts as a committed block.)
  void BlockCommitted(uint64_t height);
  // lotchain_last_block_time_seconds: the agreed time of the last committed block (header
  // time), so an idle chain (old block time, peers connected, empty mempool) can be told from a
  // stuck one (old block time, transactions waiting).
  void SetLastBlockTime(int64_t unix_ms);
  // One transaction of a committed block: lotchain_committed_txs_total += 1, and when
  // `rejection_code` is not empty (TxResult.reason of a rejected tx)
  // lotchain_rejected_txs_total{code} += 1.
  void TxCommitted(std::string_view rejection_code);
  // A transaction refused at admission (mempool): lotchain_rejected_txs_total{code} += 1.
  void TxRejected(std::string_view code);
  void FrameDropped();                                // lotchain_p2p_frames_dropped_total
  // Ed25519 signature checks of transactions, by where they happened:
  // lotchain_tx_signature_checks_total{path="client"|"gossip"|"block"}. "block" counts txs of a
  // proposal or synced block that this node had not verified on admission; in the steady state
  // each tx is checked once per node, so block checks should stay near zero.
  enum class SignaturePath { kClient, kGossip, kBlock };
  void SignatureChecks(SignaturePath path, uint64_t count);

  // lotchain_commit_latency_seconds: submit (mempool admission) -> commit of one transaction.
  // Negative values are clamped to 0.
  void ObserveCommitLatency(double seconds);

  // Prometheus text format 0.0.4: the lotchain_ series, lotchain_build_info{version,revision}
  // (always 1) and the process_ series of the Prometheus client conventions (CPU seconds,
  // resident memory, open file descriptors, start time; read from /proc at render time).
  std::string Render() const;

 private:
  prometheus::Counter& RejectCounter(std::string_view code);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge* height_ = nullptr;
  prometheus::Gauge* round_ = nullptr;
  prometheus::Gauge* mempool_txs_ = nullptr;
  prometheus::Gauge* mempool_bytes_ = nullptr;
  prometheus::Gauge* peers_ = nullptr;
  prometheus::Gauge* last_block_time_ = nullptr;
  prometheus::Counter* committed_txs_ = nullptr;
  prometheus::Counter* committed_blocks_ = nullptr;
  prometheus::Counter* frames_dropped_ = nullptr;
  prometheus::Counter* signature_checks_[3] = {nullptr, nullptr, nullptr};
  prometheus::Histogram* commit_latency_ = nullptr;
  prometheus::Family<prometheus::Counter>* rejected_ = nullptr;

  std::mutex reject_mutex_;
  std::map<std::string, prometheus::Counter*, std::less<>> reject_by_code_;  // guarded
};

}  // namespace lotchain::node
