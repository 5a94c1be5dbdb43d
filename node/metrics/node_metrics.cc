#include "node/metrics/node_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/build_info.h"

namespace lotchain::node {

namespace {

constexpr std::string_view kOtherCode = "OTHER";
constexpr size_t kCodeBytesMax = 40;

bool IsPlainCode(std::string_view code) {
  if (code.empty() || code.size() > kCodeBytesMax) return false;
  for (char c : code) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

prometheus::Gauge& MakeGauge(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Counter& MakeCounter(prometheus::Registry& registry, const std::string& name,
                                 const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

// Submit-to-commit latency: blocks take about a second with healthy consensus; rounds that time
// out push commits to several seconds; anything past a minute is an outage.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0};
  return buckets;
}

// The process_ series (Prometheus client conventions), from /proc/self; a series whose file
// cannot be read is left out rather than reported as 0.
std::string ProcessMetrics() {
  std::string out;
  auto series = [&out](const char* name, const char* type, const char* help, double value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
           name + " " + std::to_string(value) + "\n";
  };
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line) && line.rfind(')') != std::string::npos && ticks > 0) {
    // Fields after "(comm)": state is field 3; utime 14, stime 15, starttime 22, rss 24.
    std::istringstream fields(line.substr(line.rfind(')') + 2));
    std::vector<std::string> f;
    for (std::string field; fields >> field;) f.push_back(field);
    if (f.size() >= 22) {
      series("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.",
             (std::stod(f[11]) + std::stod(f[12])) / ticks);
      series("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
             std::stod(f[21]) * page);
      std::ifstream btime_file("/proc/stat");
      double boot = 0;
      for (std::string l; std::getline(btime_file, l);) {
        if (l.rfind("btime ", 0) == 0) boot = std::stod(l.substr(6));
      }
      if (boot > 0) {
        series("process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.",
               boot + std::stod(f[19]) / ticks);
      }
    }
  }
  std::error_code ec;
  size_t fds = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++fds;
  }
  if (!ec) series("process_open_fds", "gauge", "Number of open file descriptors.", static_cast<double>(fds));
  return out;
}

}  // namespace

NodeMetrics::NodeMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::Registry& r = *registry_;
  height_ = &MakeGauge(r, "lotchain_height", "Height of the last committed block.");
  round_ = &MakeGauge(r, "lotchain_round", "Consensus round at the current height.");
  mempool_txs_ = &MakeGauge(r, "lotchain_mempool_txs", "Transactions waiting in the mempool.");
  mempool_bytes_ = &MakeGauge(r, "lotchain_mempool_bytes", "Bytes of transactions in the mempool.");
  peers_ = &MakeGauge(r, "lotchain_peers_connected", "Authenticated peer connections.");
  last_block_time_ = &MakeGauge(r, "lotchain_last_block_time_seconds",
                                "Agreed time (unix seconds) of the last committed block.");
  prometheus::BuildGauge()
      .Name("lotchain_build_info")
      .Help("The build of this node (always 1): version and git revision.")
      .Register(r)
      .Add({{"version", std::string(BuildVersion())}, {"revision", std::string(BuildRevision())}})
      .Set(1);
  committed_txs_ = &MakeCounter(r, "lotchain_committed_txs_total",
                                "Transactions in committed blocks (applied or rejected).");
  committed_blocks_ = &MakeCounter(r, "lotchain_committed_blocks_total", "Committed blocks.");
  frames_dropped_ = &MakeCounter(r, "lotchain_p2p_frames_dropped_total",
                                 "Peer-to-peer frames dropped (malformed, oversized, queue full).");
  auto& checks = prometheus::BuildCounter()
                     .Name("lotchain_tx_signature_checks_total")
                     .Help("Transaction signatures verified, by path (client, gossip, block).")
                     .Register(r);
  signature_checks_[0] = &checks.Add({{"path", "client"}});
  signature_checks_[1] = &checks.Add({{"path", "gossip"}});
  signature_checks_[2] = &checks.Add({{"path", "block"}});
  commit_latency_ = &prometheus::BuildHistogram()
                         .Name("lotchain_commit_latency_seconds")
                         .Help("Seconds from mempool admission to commit of a transaction.")
                         .Register(r)
                         .Add({}, LatencyBuckets());
  rejected_ = &prometheus::BuildCounter()
                   .Name("lotchain_rejected_txs_total")
                   .Help("Transactions rejected at admission or in a block, by code.")
                   .Register(r);
  LOTCHAIN_ASSERT(rejected_ != nullptr);
  LOTCHAIN_ASSERT(commit_latency_ != nullptr);
}

NodeMetrics::~NodeMetrics() = default;

void NodeMetrics::SetHeight(uint64_t height) { height_->Set(static_cast<double>(height)); }
void NodeMetrics::SetRound(uint64_t round) { round_->Set(static_cast<double>(round)); }
void NodeMetrics::SetMempool(uint64_t txs, uint64_t bytes) {
  mempool_txs_->Set(static_cast<double>(txs));
  mempool_bytes_->Set(static_cast<double>(bytes));
}
void NodeMetrics::SetPeers(uint64_t peers_connected) {
  peers_->Set(static_cast<double>(peers_connected));
}

void NodeMetrics::BlockCommitted(uint64_t height) {
  height_->Set(static_cast<double>(height));
  committed_blocks_->Increment();
}

void NodeMetrics::SetLastBlockTime(int64_t unix_ms) {
  last_block_time_->Set(static_cast<double>(unix_ms) / 1000.0);
}

void NodeMetrics::TxCommitted(std::string_view rejection_code) {
  committed_txs_->Increment();
  if (!rejection_code.empty()) RejectCounter(rejection_code).Increment();
}

void NodeMetrics::TxRejected(std::string_view code) { RejectCounter(code).Increment(); }
void NodeMetrics::FrameDropped() { frames_dropped_->Increment(); }

void NodeMetrics::SignatureChecks(SignaturePath path, uint64_t count) {
  signature_checks_[static_cast<size_t>(path)]->Increment(static_cast<double>(count));
}

void NodeMetrics::ObserveCommitLatency(double seconds) {
  commit_latency_->Observe(seconds < 0 ? 0.0 : seconds);
}

prometheus::Counter& NodeMetrics::RejectCounter(std::string_view code) {
  std::lock_guard<std::mutex> lock(reject_mutex_);
  std::string_view label = IsPlainCode(code) ? code : kOtherCode;
  if (auto it = reject_by_code_.find(label); it != reject_by_code_.end()) return *it->second;
  // Past the cap every new code shares the OTHER series, so the family stays bounded.
  if (reject_by_code_.size() >= kRejectCodesMax) label = kOtherCode;
  auto it = reject_by_code_.find(label);
  if (it == reject_by_code_.end()) {
    prometheus::Counter& counter = rejected_->Add({{"code", std::string(label)}});
    it = reject_by_code_.emplace(std::string(label), &counter).first;
  }
  LOTCHAIN_ASSERT(reject_by_code_.size() <= kRejectCodesMax + 1);
  return *it->second;
}

std::string NodeMetrics::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer serializer;
  serializer.Serialize(out, registry_->Collect());
  return out.str() + ProcessMetrics();
}

}  // namespace lotchain::node
