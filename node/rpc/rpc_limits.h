// Limits of the client-facing gRPC server: everything an outsider can make the node hold
// (bytes, threads, waiting calls, streams, queued events) has a named maximum here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "consensus/core/custody.h"

namespace lotchain::node {

// SubmitTxBatch: at most this many transactions and bytes of them per call.
inline constexpr size_t kSubmitBatchTxsMax = 1000;
inline constexpr size_t kSubmitBatchBytesMax = 4u << 20;

// The largest request is a SubmitTxBatch (kSubmitBatchBytesMax plus per-entry framing); a
// SubmitTx carries one SignedTx (kSignedTxBytesMax) plus its small envelope.
inline constexpr size_t kRpcReceiveBytesMax = kSubmitBatchBytesMax + (64u << 10);
static_assert(core::kSignedTxBytesMax + (4u << 10) <= kRpcReceiveBytesMax);
static_assert(kSubmitBatchBytesMax + kSubmitBatchTxsMax * 8 <= kRpcReceiveBytesMax);

// The largest responses are traces, GetLotProof bundles (kProofUnaryBytesMax, 48 MiB, in
// proof_builder.h), long lot histories and full blocks; clients must raise their receive limit
// to read them. Larger proofs (up to kProofBytesMax) go out through StreamLotProof in fragments
// of about kProofFragmentBytes, so no single message needs more.
inline constexpr size_t kRpcSendBytesMax = 64u << 20;

// Proof builds (GetLotProof + StreamLotProof) running at once; more get RESOURCE_EXHAUSTED
// "PROOF_BUSY: ... retry". A unary build holds its whole bundle (up to 48 MiB encoded, about
// three times that in memory with its message form); a stream holds its plan (about 0.3 KB per
// entry) and one block with its Merkle levels.
inline constexpr uint32_t kProofBuildsMax = 2;

struct RpcLimits {
  size_t receive_bytes_max = kRpcReceiveBytesMax;
  size_t send_bytes_max = kRpcSendBytesMax;
  // SubmitTx(wait_for_commit) calls blocked at once; more get RESOURCE_EXHAUSTED.
  uint32_t submit_waiters_max = 128;
  // WatchCommits streams open at once; more get RESOURCE_EXHAUSTED.
  uint32_t watch_streams_max = 32;
  // Commit events queued per stream before the stream counts as a slow consumer and is ended
  // with RESOURCE_EXHAUSTED.
  size_t watch_queue_events_max = 256;
  // A stream whose queue stays full this long while its writer is blocked (a client that stopped
  // reading) is cancelled outright, freeing its thread.
  std::chrono::milliseconds watch_stall_max{10'000};
  uint32_t proof_builds_max = kProofBuildsMax;
  // A StreamLotProof still running after this is cancelled (a client that stopped reading).
  std::chrono::milliseconds proof_stream_max{300'000};
  std::chrono::milliseconds submit_wait_default{10'000};
  std::chrono::milliseconds submit_wait_max{60'000};
  // gRPC sync-server threads (every blocked waiter and stream holds one) and memory.
  int threads_max = 256;
  size_t memory_bytes_max = 512u << 20;
  // HTTP/2 limits per connection.
  uint32_t streams_per_connection_max = 64;
  uint32_t metadata_bytes_max = 16u << 10;
  // The server pings idle clients so dead connections (and their streams) go away.
  std::chrono::milliseconds keepalive_time{60'000};
  std::chrono::milliseconds keepalive_timeout{20'000};
};

}  // namespace lotchain::node
