// LedgerService's reads of raw committed state for clients that run the rules themselves or
// look things up: ReadState, GetGenesis, List, GetSigner (node/api/state_lists.h does the
// work; this file only adapts it to gRPC).
#include <memory>
#include <mutex>
#include <string>

#include "node/api/ledger_reads.h"
#include "node/rpc/ledger_service.h"
#include "node/api/state_lists.h"
#include "node/rpc/status_map.h"

namespace lotchain::node {

grpc::Status LedgerService::ReadState(grpc::ServerContext* context,
                                      const v1::ReadStateRequest* request,
                                      v1::ReadStateResponse* response) {
  std::unique_ptr<StateSnapshot> snapshot = backend_.store().Snapshot();
  core::Result<int64_t> block_time = TipTime(snapshot->tip().height);
  if (!block_time.ok()) return ToGrpcStatus(block_time.status());
  return Reply(ReadStateEntries(*snapshot, *block_time, *request), response);
}

// The tip block's time, parsed once per height: a ReadState must not cost a block decode.
core::Result<int64_t> LedgerService::TipTime(uint64_t height) {
  if (height == 0) return backend_.genesis().genesis_time_unix_ms;
  std::lock_guard<std::mutex> lock(tip_time_mu_);
  if (tip_time_height_ == height) return tip_time_ms_;
  LOTCHAIN_ASSIGN_OR_RETURN(int64_t time, BlockTime(backend_.store(), backend_.genesis(), height));
  tip_time_height_ = height;
  tip_time_ms_ = time;
  return tip_time_ms_;
}

grpc::Status LedgerService::GetGenesis(grpc::ServerContext* context,
                                       const v1::GetGenesisRequest* request,
                                       v1::GenesisDocument* response) {
  response->set_genesis_hash(backend_.genesis().hash);
  response->set_json(backend_.genesis().canonical_json);
  return grpc::Status::OK;
}

grpc::Status LedgerService::List(grpc::ServerContext* context, const v1::ListRequest* request,
                                 v1::ListResponse* response) {
  std::unique_ptr<StateSnapshot> snapshot = backend_.store().Snapshot();
  return Reply(ListRecords(*snapshot, *request), response);
}

grpc::Status LedgerService::GetSigner(grpc::ServerContext* context,
                                      const v1::GetSignerRequest* request,
                                      v1::SignerInfo* response) {
  std::unique_ptr<StateSnapshot> snapshot = backend_.store().Snapshot();
  return Reply(ReadSigner(*snapshot, request->public_key()), response);
}

}  // namespace lotchain::node
