// RpcServer: the node's client-facing gRPC server (docs/API.md).
//
// Serves lotchain.v1.Ledger (LedgerService), the standard health service grpc.health.v1.Health
// (SERVING for "" and "lotchain.v1.Ledger" while running) and server reflection
// (grpc.reflection.v1alpha.ServerReflection), on one address, without TLS (bind it to a
// private interface or put a TLS proxy in front).
//
// Threads: gRPC's own synchronous-server thread pool (at most limits.threads_max threads).
// Nothing runs on the caller's thread after Start returns, and handlers never run on the node's
// event loop (they call the LedgerBackend, which posts to it where needed).
//
// Lifecycle (owned by the node app, all from one thread):
//   RpcServer rpc(backend);                       // or RpcServer(backend, limits)
//   LOTCHAIN_RETURN_IF_ERROR(rpc.Start("0.0.0.0:26657"));   // binds or fails (RPC_LISTEN)
//   ... rpc.port() ...
//   rpc.Shutdown();                                // before the backend is destroyed
// The backend must outlive the server. Shutdown is idempotent and also run by the destructor
// (with a zero grace period).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "consensus/core/result.h"
#include "node/api/backend.h"
#include "node/rpc/rpc_limits.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace lotchain::node {

class LedgerService;

class RpcServer {
 public:
  explicit RpcServer(LedgerBackend& backend, const RpcLimits& limits = {});
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Builds and starts the server on `address` (host:port; port 0 picks a free port). Call once.
  // Error RPC_LISTEN when the address cannot be bound.
  core::Status Start(const std::string& address);

  // The bound port (the chosen one when the address asked for port 0); 0 before Start.
  int port() const { return port_; }

  // Health status of the Ledger service and of the server as a whole ("").
  void SetServing(bool serving);

  // Health turns NOT_SERVING, blocked calls (SubmitTx waits, WatchCommits) end with UNAVAILABLE
  // within LedgerService::kWaitSlice, other in-flight calls get `grace` to finish and are then
  // cancelled; returns when every handler has returned. Idempotent.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(5));

  LedgerService& service() { return *service_; }

 private:
  std::unique_ptr<LedgerService> service_;
  const RpcLimits limits_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace lotchain::node
