// NodeMetrics renders every lotchain_ metric in the Prometheus text format and keeps the
// rejected-by-code family bounded.
#include "node/metrics/node_metrics.h"

#include "consensus/core/build_info.h"

#include <gtest/gtest.h>

namespace lotchain::node {
namespace {

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

// Every metric the node exports appears with the value last set or accumulated.
TEST(NodeMetricsTest, RendersAllMetrics) {
  NodeMetrics metrics;
  metrics.SetRound(2);
  metrics.SetMempool(3, 900);
  metrics.SetPeers(4);
  metrics.BlockCommitted(6);
  metrics.BlockCommitted(7);
  for (int i = 0; i < 5; ++i) metrics.TxCommitted("");
  metrics.TxCommitted("NOT_CUSTODIAN");
  metrics.TxRejected("BAD_SIGNATURE");
  metrics.TxRejected("BAD_SIGNATURE");
  metrics.FrameDropped();
  metrics.ObserveCommitLatency(0.7);
  metrics.ObserveCommitLatency(-1.0);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("lotchain_height 7"), std::string::npos) << text;
  EXPECT_NE(text.find("lotchain_round 2"), std::string::npos);
  EXPECT_NE(text.find("lotchain_mempool_txs 3"), std::string::npos);
  EXPECT_NE(text.find("lotchain_mempool_bytes 900"), std::string::npos);
  EXPECT_NE(text.find("lotchain_peers_connected 4"), std::string::npos);
  EXPECT_NE(text.find("lotchain_committed_txs_total 6"), std::string::npos);
  EXPECT_NE(text.find("lotchain_committed_blocks_total 2"), std::string::npos);
  EXPECT_NE(text.find("lotchain_rejected_txs_total{code=\"BAD_SIGNATURE\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("lotchain_rejected_txs_total{code=\"NOT_CUSTODIAN\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("lotchain_p2p_frames_dropped_total 1"), std::string::npos);
  EXPECT_NE(text.find("lotchain_commit_latency_seconds_count 2"), std::string::npos);
  EXPECT_NE(text.find("lotchain_commit_latency_seconds_bucket{le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("# TYPE lotchain_commit_latency_seconds histogram"), std::string::npos);
}

// Codes outside [A-Z0-9_]{1,40} count as OTHER, and past kRejectCodesMax distinct codes every
// new code shares the OTHER series, so no input can grow the family without bound.
// Operators tell an idle chain from a stuck one by the last block time, see which build runs,
// and get the process_ series every Prometheus client exports.
TEST(NodeMetricsTest, BuildInfoLastBlockTimeAndProcess) {
  NodeMetrics metrics;
  metrics.SetLastBlockTime(1'767'225'600'500);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("lotchain_last_block_time_seconds 1767225600.5"), std::string::npos) << text;
  const std::string build = "lotchain_build_info{revision=\"" + std::string(BuildRevision()) +
                            "\",version=\"" + std::string(BuildVersion()) + "\"} 1";
  EXPECT_NE(text.find(build), std::string::npos) << text;
  EXPECT_FALSE(BuildVersion().empty());
  for (const char* series : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                             "process_open_fds ", "process_start_time_seconds "}) {
    EXPECT_NE(text.find(std::string("\n") + series), std::string::npos) << series;
  }
  const size_t rss = text.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(rss, std::string::npos);
  EXPECT_GT(std::stod(text.substr(rss + 31)), 1e6);  // a test process holds more than 1 MB
}

TEST(NodeMetricsTest, RejectCodesAreBounded) {
  NodeMetrics metrics;
  metrics.TxRejected("lower-case");
  metrics.TxRejected("");
  for (size_t i = 0; i < 3 * kRejectCodesMax; ++i) metrics.TxRejected("CODE_" + std::to_string(i));
  const std::string text = metrics.Render();
  EXPECT_LE(Count(text, "lotchain_rejected_txs_total{"), kRejectCodesMax + 1);
  EXPECT_NE(text.find("lotchain_rejected_txs_total{code=\"OTHER\"}"), std::string::npos);
  EXPECT_EQ(text.find("lower-case"), std::string::npos);
}

}  // namespace
}  // namespace lotchain::node
