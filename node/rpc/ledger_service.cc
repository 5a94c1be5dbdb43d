#include "node/rpc/ledger_service.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/queries.h"
#include "node/api/ledger_reads.h"
#include "node/api/proof_builder.h"
#include "node/rpc/commit_queue.h"
#include "node/rpc/ledger_service_util.h"
#include "node/rpc/status_map.h"

namespace lotchain::node {

static_assert(kProofUnaryBytesMax + (1u << 20) <= kRpcSendBytesMax,
              "a maximal GetLotProof bundle must fit in one gRPC response");
static_assert(kProofFragmentBytes * 4 <= kRpcSendBytesMax,
              "a StreamLotProof fragment (one entry may overshoot the target) must fit");

namespace {

using Clock = std::chrono::steady_clock;
using namespace rpc_util;

// Waits for one transaction hash to show up in a CommitEvent. Shared with the commit callback
// (which may run on the node's loop thread until the subscription is gone), hence shared_ptr.
class TxWatch {
 public:
  explicit TxWatch(std::string tx_hash) : tx_hash_(std::move(tx_hash)) {}

  // Node loop thread; never blocks beyond the short lock.
  void OnCommit(const v1::CommitEvent& event) {
    for (int i = 0; i < event.results_size(); ++i) {
      if (event.results(i).tx_hash() != tx_hash_) continue;
      v1::TxStatus status;
      status.set_tx_hash(tx_hash_);
      bool applied = event.results(i).code() == v1::TX_CODE_OK;
      status.set_status(applied ? v1::TX_STATUS_APPLIED : v1::TX_STATUS_REJECTED);
      status.set_height(event.height());
      status.set_index(static_cast<uint32_t>(i));
      *status.mutable_result() = event.results(i);
      std::lock_guard<std::mutex> lock(mutex_);
      if (!done_.has_value()) done_ = std::move(status);
      changed_.notify_all();
      return;
    }
  }

  // The final status, or nullopt at `deadline` or once `stop()` says so.
  template <typename StopFn>
  std::optional<v1::TxStatus> Wait(Clock::time_point deadline, StopFn stop) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done_.has_value()) {
      Clock::time_point now = Clock::now();
      if (now >= deadline || stop()) return std::nullopt;
      changed_.wait_until(lock, std::min(deadline, now + LedgerService::kWaitSlice));
    }
    return done_;
  }

 private:
  const std::string tx_hash_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<v1::TxStatus> done_;  // guarded by mutex_
};

bool IsFinal(const v1::TxStatus& status) {
  return status.status() == v1::TX_STATUS_APPLIED || status.status() == v1::TX_STATUS_REJECTED;
}

// How long SubmitTx may wait: the request's timeout (or the default), capped by the client's
// own deadline.
core::Result<std::chrono::milliseconds> WaitTimeout(const grpc::ServerContext& context,
                                                    const v1::SubmitTxRequest& request,
                                                    const RpcLimits& limits) {
  std::chrono::milliseconds timeout = request.wait_timeout_ms() == 0
                                          ? limits.submit_wait_default
                                          : std::chrono::milliseconds(request.wait_timeout_ms());
  if (timeout > limits.submit_wait_max) {
    return core::Status("INVALID_ARGUMENT",
                        "wait_timeout_ms " + std::to_string(request.wait_timeout_ms()) +
                            " exceeds the maximum " + std::to_string(limits.submit_wait_max.count()) +
                            "; use GetTxStatus or WatchCommits for longer waits");
  }
  auto client_left = std::chrono::duration_cast<std::chrono::milliseconds>(
      context.deadline() - std::chrono::system_clock::now());
  if (client_left < timeout) timeout = std::max(client_left, std::chrono::milliseconds(0));
  return timeout;
}

}  // namespace

core::Result<v1::CommitEvent> StoredCommitEvent(const BlockStore& store, uint64_t height) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Block block, store.GetBlock(height));
  LOTCHAIN_ASSIGN_OR_RETURN(std::vector<v1::TxResult> results, store.GetBlockResults(height));
  v1::BlockHeader header;
  if (!header.ParseFromString(block.header())) {
    return core::Status("STORE_CORRUPT", "stored block " + std::to_string(height) +
                                             " has a header that does not parse");
  }
  v1::CommitEvent event;
  event.set_height(height);
  event.set_block_hash(core::Sha256(block.header()));
  event.set_state_root(header.state_root());
  for (auto& result : results) *event.add_results() = std::move(result);
  LOTCHAIN_ASSERT(header.height() == height);
  return event;
}

LedgerService::LedgerService(LedgerBackend& backend, const RpcLimits& limits)
    : backend_(backend), limits_(limits) {
  LOTCHAIN_ASSERT(limits_.submit_wait_default <= limits_.submit_wait_max);
  LOTCHAIN_ASSERT(limits_.watch_queue_events_max > 0);
}

void LedgerService::BeginShutdown() { stopping_.store(true); }

grpc::Status LedgerService::SubmitTx(grpc::ServerContext* context,
                                     const v1::SubmitTxRequest* request,
                                     v1::TxStatus* response) {
  if (stopping_.load()) return Unavailable();
  if (request->signed_tx().empty()) {
    return InvalidArgument("SubmitTxRequest.signed_tx is empty; put the SignedTx encoding there");
  }
  // The tx id is SHA-256 of exactly these bytes (docs/FORMAT.md).
  std::string tx_bytes = request->signed_tx();
  if (tx_bytes.size() > core::kSignedTxBytesMax) {
    return InvalidArgument("TX_TOO_LARGE: the SignedTx is " + std::to_string(tx_bytes.size()) +
                           " bytes; the limit is " + std::to_string(core::kSignedTxBytesMax));
  }
  if (!request->wait_for_commit()) {
    core::Result<v1::TxStatus> submitted = backend_.SubmitTx(std::move(tx_bytes));
    if (!submitted.ok()) return ToGrpcStatus(submitted.status());
    *response = std::move(submitted).value();
    return grpc::Status::OK;
  }
  core::Result<std::chrono::milliseconds> timeout = WaitTimeout(*context, *request, limits_);
  if (!timeout.ok()) return ToGrpcStatus(timeout.status());
  Slot slot(submit_waiters_, limits_.submit_waiters_max);
  if (!slot.acquired()) {
    return Fail("RESOURCE_EXHAUSTED",
                        "too many SubmitTx calls waiting for commit (max " +
                            std::to_string(limits_.submit_waiters_max) +
                            "); submit without wait_for_commit and poll GetTxStatus");
  }
  return WaitForCommit(context, tx_bytes, *timeout, response);
}

grpc::Status LedgerService::SubmitTxBatch(grpc::ServerContext* /*context*/,
                                          const v1::SubmitTxBatchRequest* request,
                                          v1::SubmitTxBatchResponse* response) {
  if (stopping_.load()) return Unavailable();
  const int count = request->signed_txs_size();
  if (count == 0) {
    return InvalidArgument("SubmitTxBatchRequest.signed_txs is empty; put SignedTx encodings there");
  }
  if (static_cast<size_t>(count) > kSubmitBatchTxsMax) {
    return InvalidArgument("the batch holds " + std::to_string(count) + " transactions; the limit is " +
                           std::to_string(kSubmitBatchTxsMax) + " per call: split it");
  }
  size_t bytes = 0;
  for (const std::string& tx : request->signed_txs()) bytes += tx.size();
  if (bytes > kSubmitBatchBytesMax) {
    return InvalidArgument("the batch holds " + std::to_string(bytes) + " bytes of transactions; "
                           "the limit is " + std::to_string(kSubmitBatchBytesMax) + " per call: split it");
  }
  // Per-transaction problems (empty, too large, refused) are results, not a failed call.
  std::vector<std::string> admissible;
  std::vector<int> position;  // request index of each admissible tx
  admissible.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    v1::SubmitTxBatchResult* result = response->add_results();
    const std::string& tx = request->signed_txs(i);
    if (tx.empty() || tx.size() > core::kSignedTxBytesMax) {
      result->set_error_code("INVALID_ARGUMENT");
      result->set_error(tx.empty() ? "signed_txs[" + std::to_string(i) + "] is empty"
                                   : "TX_TOO_LARGE: signed_txs[" + std::to_string(i) + "] is " +
                                         std::to_string(tx.size()) + " bytes; the limit is " +
                                         std::to_string(core::kSignedTxBytesMax));
      continue;
    }
    admissible.push_back(tx);
    position.push_back(i);
  }
  std::vector<core::Result<v1::TxStatus>> submitted = backend_.SubmitTxBatch(std::move(admissible));
  LOTCHAIN_ASSERT(submitted.size() == position.size());
  for (size_t k = 0; k < submitted.size(); ++k) {
    v1::SubmitTxBatchResult* result = response->mutable_results(position[k]);
    if (submitted[k].ok()) {
      *result->mutable_status() = std::move(submitted[k]).value();
    } else {
      grpc::Status status = ToGrpcStatus(submitted[k].status());
      result->set_error_code(std::string(GrpcCodeName(status.error_code())));
      result->set_error(status.error_message());
    }
  }
  return grpc::Status::OK;
}

grpc::Status LedgerService::WaitForCommit(grpc::ServerContext* context,
                                          const std::string& tx_bytes,
                                          std::chrono::milliseconds timeout,
                                          v1::TxStatus* response) {
  const std::string tx_hash = core::TxHash(tx_bytes);
  auto watch = std::make_shared<TxWatch>(tx_hash);
  // Subscribe before submitting, so a commit right after admission is not missed.
  Subscription subscription(backend_,
                            [watch](const v1::CommitEvent& event) { watch->OnCommit(event); });
  core::Result<v1::TxStatus> submitted = backend_.SubmitTx(tx_bytes);
  if (!submitted.ok()) return ToGrpcStatus(submitted.status());
  if (IsFinal(*submitted)) {
    *response = std::move(submitted).value();
    return grpc::Status::OK;
  }
  std::optional<v1::TxStatus> done = watch->Wait(Clock::now() + timeout, [&] {
    return context->IsCancelled() || stopping_.load();
  });
  if (done.has_value()) {
    *response = std::move(*done);
    return grpc::Status::OK;
  }
  if (context->IsCancelled()) return Fail("CANCELLED", "client cancelled");
  if (stopping_.load()) return Unavailable();
  core::Result<v1::TxStatus> current = backend_.GetTxStatus(tx_hash);
  if (current.ok() && IsFinal(*current)) {
    *response = std::move(current).value();
    return grpc::Status::OK;
  }
  const std::string state =
      current.ok() ? v1::TxStatusCode_Name(current->status()) : std::string("PENDING");
  return Fail("DEADLINE_EXCEEDED",
                      "transaction " + core::ToHex(tx_hash) + " is still " + state + " after " +
                          std::to_string(timeout.count()) +
                          " ms; ask GetTxStatus later (it was not withdrawn)");
}

grpc::Status LedgerService::GetTxStatus(grpc::ServerContext* context,
                                        const v1::GetTxStatusRequest* request,
                                        v1::TxStatus* response) {
  if (request->tx_hash().size() != core::kHashBytes) {
    return InvalidArgument("tx_hash must be 32 bytes (SHA-256 of the SignedTx encoding), got " +
                           std::to_string(request->tx_hash().size()));
  }
  core::Result<v1::TxStatus> found = backend_.GetTxStatus(request->tx_hash());
  if (!found.ok()) return ToGrpcStatus(found.status());
  v1::TxStatus status = std::move(found).value();
  if (status.status() == v1::TX_STATUS_UNKNOWN) {
    return Fail("NOT_FOUND",
                        "transaction " + core::ToHex(request->tx_hash()) +
                            " is neither pending nor committed on this node");
  }
  *response = std::move(status);
  return grpc::Status::OK;
}

grpc::Status LedgerService::GetLot(grpc::ServerContext* context,
                                   const v1::GetLotRequest* request, v1::Lot* response) {
  std::unique_ptr<StateSnapshot> snapshot = backend_.store().Snapshot();
  return Reply(core::QueryLot(*snapshot, request->lot_id()), response);
}

grpc::Status LedgerService::GetLotHistory(grpc::ServerContext* context,
                                          const v1::GetLotHistoryRequest* request,
                                          v1::LotHistory* response) {
  std::unique_ptr<StateSnapshot> snapshot = backend_.store().Snapshot();
  return Reply(core::QueryLotHistory(*snapshot, request->lot_id()), response);
}

grpc::Status LedgerService::Trace(grpc::ServerContext* context, const v1::TraceRequest* request,
                                  v1::Trace* response) {
  return Reply(ReadTrace(backend_.store(), backend_.genesis(), request->lot_id(),
                         request->direction(), request->max_nodes()),
               response);
}

grpc::Status LedgerService::GetBlock(grpc::ServerContext* context,
                                     const v1::GetBlockRequest* request,
                                     v1::BlockWithCert* response) {
  return Reply(ReadBlock(backend_.store(), request->height()), response);
}

grpc::Status LedgerService::GetStatus(grpc::ServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::NodeStatus* response) {
  if (stopping_.load()) return Unavailable();
  *response = backend_.GetStatus();
  return grpc::Status::OK;
}

}  // namespace lotchain::node
