// Small pieces LedgerService's handlers share across its files (ledger_service*.cc): error
// replies and the RAII guards for bounded places and commit subscriptions.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include <grpcpp/grpcpp.h>

#include "consensus/core/error_codes.h"
#include "node/api/backend.h"
#include "node/rpc/status_map.h"

namespace lotchain::node::rpc_util {

// Every error the service answers carries its code as a google.rpc.ErrorInfo (status_map.h).
inline grpc::Status Fail(core::Code code, std::string message) {
  return ToGrpcStatus(core::Status(code, std::move(message)));
}

inline grpc::Status Unavailable() {
  return Fail("UNAVAILABLE", "node is shutting down; retry elsewhere");
}

inline grpc::Status InvalidArgument(const std::string& message) {
  return Fail("INVALID_ARGUMENT", message);
}

// One of a bounded number of places (waiters, streams), released on destruction.
class Slot {
 public:
  Slot(std::atomic<uint32_t>& count, uint32_t count_max) : count_(count) {
    acquired_ = count_.fetch_add(1) < count_max;
    if (!acquired_) count_.fetch_sub(1);
  }
  ~Slot() {
    if (acquired_) count_.fetch_sub(1);
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;
  bool acquired() const { return acquired_; }

 private:
  std::atomic<uint32_t>& count_;
  bool acquired_ = false;
};

// A commit subscription for the lifetime of a call.
class Subscription {
 public:
  Subscription(LedgerBackend& backend, LedgerBackend::CommitCallback on_commit)
      : backend_(backend), handle_(backend.SubscribeCommits(std::move(on_commit))) {}
  ~Subscription() { backend_.UnsubscribeCommits(handle_); }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

 private:
  LedgerBackend& backend_;
  uint64_t handle_;
};

}  // namespace lotchain::node::rpc_util
