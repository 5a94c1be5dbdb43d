// LedgerService: the gRPC service lotchain.v1.Ledger (docs/API.md) over a LedgerBackend.
//
// Uses gRPC's synchronous API: each call runs on a thread of the server's pool. Queries read one
// consistent store().Snapshot() and call the core query functions; submissions and status go to
// the backend. Two kinds of call block a thread for a while, and both are counted and bounded
// (RpcLimits): SubmitTx with wait_for_commit (up to submit_wait_max) and WatchCommits streams.
// Both subscribe to the backend's commits BEFORE they look at the store or submit, so no commit
// can slip between the two.
//
// Shutdown: BeginShutdown() makes blocked calls return UNAVAILABLE within kWaitSlice and new
// calls fail fast with UNAVAILABLE; the owner (RpcServer) then shuts the grpc::Server down.
//
// Thread-safety: all methods may run concurrently; the service holds no lock across a backend
// call. The backend and the limits must outlive the service.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "lotchain/v1/api.grpc.pb.h"
#include "node/api/backend.h"
#include "node/rpc/rpc_limits.h"

namespace lotchain::node {

class LedgerService final : public v1::Ledger::Service {
 public:
  // Blocked calls re-check cancellation and shutdown at least this often.
  static constexpr std::chrono::milliseconds kWaitSlice{100};

  LedgerService(LedgerBackend& backend, const RpcLimits& limits);

  void BeginShutdown();

  // Current counts, for tests and metrics.
  uint32_t submit_waiters() const { return submit_waiters_.load(); }
  uint32_t watch_streams() const { return watch_streams_.load(); }
  uint32_t proof_builds() const { return proof_builds_.load(); }

  grpc::Status SubmitTx(grpc::ServerContext* context, const v1::SubmitTxRequest* request,
                        v1::TxStatus* response) override;
  grpc::Status SubmitTxBatch(grpc::ServerContext* context,
                             const v1::SubmitTxBatchRequest* request,
                             v1::SubmitTxBatchResponse* response) override;
  grpc::Status GetTxStatus(grpc::ServerContext* context, const v1::GetTxStatusRequest* request,
                           v1::TxStatus* response) override;
  grpc::Status GetLot(grpc::ServerContext* context, const v1::GetLotRequest* request,
                      v1::Lot* response) override;
  grpc::Status GetLotHistory(grpc::ServerContext* context,
                             const v1::GetLotHistoryRequest* request,
                             v1::LotHistory* response) override;
  grpc::Status Trace(grpc::ServerContext* context, const v1::TraceRequest* request,
                     v1::Trace* response) override;
  grpc::Status GetBlock(grpc::ServerContext* context, const v1::GetBlockRequest* request,
                        v1::BlockWithCert* response) override;
  grpc::Status GetStatus(grpc::ServerContext* context, const v1::GetStatusRequest* request,
                         v1::NodeStatus* response) override;
  grpc::Status GetLotProof(grpc::ServerContext* context, const v1::GetLotProofRequest* request,
                           v1::ProofBundle* response) override;
  grpc::Status StreamLotProof(grpc::ServerContext* context,
                              const v1::GetLotProofRequest* request,
                              grpc::ServerWriter<v1::ProofBundle>* writer) override;
  grpc::Status WatchCommits(grpc::ServerContext* context,
                            const v1::WatchCommitsRequest* request,
                            grpc::ServerWriter<v1::CommitEvent>* writer) override;
  grpc::Status ReadState(grpc::ServerContext* context, const v1::ReadStateRequest* request,
                         v1::ReadStateResponse* response) override;
  grpc::Status GetGenesis(grpc::ServerContext* context, const v1::GetGenesisRequest* request,
                          v1::GenesisDocument* response) override;
  grpc::Status List(grpc::ServerContext* context, const v1::ListRequest* request,
                    v1::ListResponse* response) override;
  grpc::Status GetSigner(grpc::ServerContext* context, const v1::GetSignerRequest* request,
                         v1::SignerInfo* response) override;

 private:
  core::Result<int64_t> TipTime(uint64_t height);
  grpc::Status WaitForCommit(grpc::ServerContext* context, const std::string& tx_bytes,
                             std::chrono::milliseconds timeout, v1::TxStatus* response);

  LedgerBackend& backend_;
  const RpcLimits limits_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint32_t> submit_waiters_{0};
  std::atomic<uint32_t> watch_streams_{0};
  std::atomic<uint32_t> proof_builds_{0};
  std::mutex tip_time_mu_;       // guards the two below
  uint64_t tip_time_height_ = 0;  // 0 = none cached (height 0 uses the genesis time)
  int64_t tip_time_ms_ = 0;  // GetLotProof and StreamLotProof calls running
};

// The CommitEvent of stored block `height` (what WatchCommits replays). Errors: NOT_FOUND for a
// height that is not stored, STORE_CORRUPT for unreadable bytes.
core::Result<v1::CommitEvent> StoredCommitEvent(const BlockStore& store, uint64_t height);

}  // namespace lotchain::node
