// LedgerService's proof and watch streams: GetLotProof, StreamLotProof (bounded concurrent
// builds) and WatchCommits (replay from the store, then live commits through a bounded queue).
#include <memory>
#include <string>

#include "node/api/proof_builder.h"
#include "node/rpc/commit_queue.h"
#include "node/rpc/ledger_service.h"
#include "node/rpc/ledger_service_util.h"
#include "node/rpc/status_map.h"

namespace lotchain::node {

using namespace rpc_util;

namespace {

// Closes a WatchCommits queue when the call ends, so the commit callback stops filling it.
class CloseOnExit {
 public:
  explicit CloseOnExit(CommitQueue& queue) : queue_(queue) {}
  ~CloseOnExit() { queue_.Close(); }
  CloseOnExit(const CloseOnExit&) = delete;
  CloseOnExit& operator=(const CloseOnExit&) = delete;

 private:
  CommitQueue& queue_;
};

}  // namespace

namespace {

grpc::Status ProofBusy(uint32_t builds_max) {
  return Fail("PROOF_BUSY",
                      std::to_string(builds_max) +
                          " proof builds are already running on this node (the maximum); retry "
                          "in a few seconds or ask another node");
}

// Cancels a call that is still running after `limit` (e.g. a client that stopped reading a
// proof stream, which would otherwise hold a build slot and a store snapshot for ever).
class Watchdog {
 public:
  Watchdog(grpc::ServerContext* context, std::chrono::milliseconds limit)
      : thread_([this, context, limit] {
          std::unique_lock lock(mutex_);
          if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) context->TryCancel();
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_all();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts after the members it reads
};

}  // namespace

grpc::Status LedgerService::GetLotProof(grpc::ServerContext* context,
                                        const v1::GetLotProofRequest* request,
                                        v1::ProofBundle* response) {
  if (stopping_.load()) return Unavailable();
  Slot slot(proof_builds_, limits_.proof_builds_max);
  if (!slot.acquired()) return ProofBusy(limits_.proof_builds_max);
  const BlockStore& store = backend_.store();
  std::unique_ptr<StateSnapshot> snapshot = store.Snapshot();
  ProofLimits proof_limits;
  proof_limits.bytes_max = kProofUnaryBytesMax;
  core::Result<v1::ProofBundle> bundle =
      BuildLotProof(store, *snapshot, request->lot_id(), proof_limits);
  if (!bundle.ok()) {
    core::Status status = bundle.status();
    if (status.code() == "PROOF_TOO_LARGE") {
      status = core::Status::FromCode(status.code(), status.message() +
                                               " in one response; StreamLotProof (`lotchain "
                                               "proof export`) sends up to " +
                                               std::to_string(kProofBytesMax >> 20) + " MiB");
    }
    return ToGrpcStatus(status);
  }
  *response = std::move(bundle).value();
  response->set_chain_id(backend_.genesis().chain_id);
  return grpc::Status::OK;
}

grpc::Status LedgerService::StreamLotProof(grpc::ServerContext* context,
                                           const v1::GetLotProofRequest* request,
                                           grpc::ServerWriter<v1::ProofBundle>* writer) {
  if (stopping_.load()) return Unavailable();
  Slot slot(proof_builds_, limits_.proof_builds_max);
  if (!slot.acquired()) return ProofBusy(limits_.proof_builds_max);
  Watchdog watchdog(context, limits_.proof_stream_max);
  const BlockStore& store = backend_.store();
  std::unique_ptr<StateSnapshot> snapshot = store.Snapshot();
  const std::string chain_id = backend_.genesis().chain_id;
  core::Status status = node::StreamLotProof(
      store, *snapshot, request->lot_id(), ProofLimits{}, kProofFragmentBytes,
      [&](v1::ProofBundle& fragment) {
        if (!fragment.chain_id().empty()) fragment.set_chain_id(chain_id);
        if (stopping_.load()) return core::Status("UNAVAILABLE", "node is shutting down");
        if (context->IsCancelled() || !writer->Write(fragment)) {
          return core::Status("CANCELLED", "the client went away or the stream exceeded " +
                                               std::to_string(limits_.proof_stream_max.count()) +
                                               " ms");
        }
        return core::Status::Ok();
      });
  if (status.code() == "CANCELLED") {
    return Fail("CANCELLED", status.message());
  }
  if (status.code() == "UNAVAILABLE") return Unavailable();
  return status.ok() ? grpc::Status::OK : ToGrpcStatus(status);
}

namespace {

// Writes stored block `height` as a CommitEvent. CANCELLED when the client is gone.
grpc::Status SendStored(const BlockStore& store, uint64_t height,
                        grpc::ServerWriter<v1::CommitEvent>* writer, CommitQueue& queue) {
  core::Result<v1::CommitEvent> event = StoredCommitEvent(store, height);
  if (!event.ok()) return ToGrpcStatus(event.status());
  if (!writer->Write(*event)) return Fail("CANCELLED", "client went away");
  queue.NoteProgress();
  return grpc::Status::OK;
}

}  // namespace

grpc::Status LedgerService::WatchCommits(grpc::ServerContext* context,
                                         const v1::WatchCommitsRequest* request,
                                         grpc::ServerWriter<v1::CommitEvent>* writer) {
  if (stopping_.load()) return Unavailable();
  Slot slot(watch_streams_, limits_.watch_streams_max);
  if (!slot.acquired()) {
    return Fail("RESOURCE_EXHAUSTED",
                        "too many WatchCommits streams open (max " +
                            std::to_string(limits_.watch_streams_max) + "); retry later");
  }
  auto queue = std::make_shared<CommitQueue>(limits_.watch_queue_events_max,
                                             limits_.watch_stall_max,
                                             [context] { context->TryCancel(); });
  // Subscribe before reading the tip: every commit after it is either stored or queued.
  Subscription subscription(backend_,
                            [queue](const v1::CommitEvent& event) { queue->Push(event); });
  CloseOnExit close_on_exit(*queue);  // destroyed first: closes before unsubscribing
  const BlockStore& store = backend_.store();
  const uint64_t tip = store.height();
  uint64_t next = request->from_height() == 0 ? tip + 1 : request->from_height();
  if (next > tip + 1) {
    return Fail("OUT_OF_RANGE",
                        "from_height " + std::to_string(next) + " is beyond the next block " +
                            std::to_string(tip + 1) + "; use 0 for new blocks only");
  }
  auto stopped = [&] { return context->IsCancelled() || stopping_.load(); };
  // Replay rounds: send what the store has, until a round ends with nothing dropped.
  for (;;) {
    const uint64_t round_tip = store.height();
    for (; next <= round_tip; ++next) {
      if (stopped()) return stopping_.load() ? Unavailable() : grpc::Status::CANCELLED;
      grpc::Status sent = SendStored(store, next, writer, *queue);
      if (!sent.ok()) return sent;
    }
    if (queue->EndReplayRound()) break;
  }
  // Live. Intentionally endless: ends when the client leaves, the node stops, or the client
  // falls behind by more than the queue holds.
  for (;;) {
    if (stopped()) return stopping_.load() ? Unavailable() : grpc::Status::CANCELLED;
    v1::CommitEvent event;
    CommitQueue::Next what = queue->Pop(kWaitSlice, &event);
    if (what == CommitQueue::Next::kIdle) continue;
    if (what == CommitQueue::Next::kOverflow) {
      return Fail("RESOURCE_EXHAUSTED",
                          "slow consumer: more than " +
                              std::to_string(limits_.watch_queue_events_max) +
                              " commits queued for this stream; reconnect with from_height=" +
                              std::to_string(next));
    }
    if (event.height() < next) continue;  // already replayed from the store
    for (; next < event.height(); ++next) {  // a gap: fill it from the store
      grpc::Status sent = SendStored(store, next, writer, *queue);
      if (!sent.ok()) return sent;
    }
    if (!writer->Write(event)) return Fail("CANCELLED", "client went away");
    queue->NoteProgress();
    ++next;
  }
}

}  // namespace lotchain::node
