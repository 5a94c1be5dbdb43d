#include "node/rpc/rpc_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/resource_quota.h>

#include "node/rpc/ledger_service.h"

namespace lotchain::node {

namespace {

constexpr const char* kLedgerServiceName = "lotchain.v1.Ledger";

int ToInt(uint64_t value) {
  LOTCHAIN_ASSERT(value <= static_cast<uint64_t>(INT32_MAX));
  return static_cast<int>(value);
}

void ApplyLimits(const RpcLimits& limits, grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(ToInt(limits.receive_bytes_max));
  builder.SetMaxSendMessageSize(ToInt(limits.send_bytes_max));
  grpc::ResourceQuota quota("lotchain-rpc");
  quota.SetMaxThreads(limits.threads_max);
  quota.Resize(limits.memory_bytes_max);
  builder.SetResourceQuota(quota);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             ToInt(limits.streams_per_connection_max));
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, ToInt(limits.metadata_bytes_max));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ToInt(static_cast<uint64_t>(limits.keepalive_time.count())));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ToInt(static_cast<uint64_t>(limits.keepalive_timeout.count())));
}

}  // namespace

RpcServer::RpcServer(LedgerBackend& backend, const RpcLimits& limits)
    : service_(std::make_unique<LedgerService>(backend, limits)), limits_(limits) {
  LOTCHAIN_ASSERT(limits_.threads_max > 0);
}

core::Status RpcServer::Start(const std::string& address) {
  LOTCHAIN_ASSERT(server_ == nullptr);
  LOTCHAIN_ASSERT(!shut_down_);
  // Both are process-wide switches read by the ServerBuilder; calling them again is harmless.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(service_.get());
  ApplyLimits(limits_, builder);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    port_ = 0;
    return core::Status("RPC_LISTEN", "cannot serve gRPC on " + address +
                                          " (address in use, or not a valid host:port?)");
  }
  SetServing(true);
  LOTCHAIN_ASSERT(port_ > 0);
  return core::Status::Ok();
}

RpcServer::~RpcServer() { Shutdown(std::chrono::milliseconds(0)); }

void RpcServer::SetServing(bool serving) {
  if (server_ == nullptr || shut_down_) return;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  LOTCHAIN_ASSERT(health != nullptr);
  health->SetServingStatus(serving);
  health->SetServingStatus(kLedgerServiceName, serving);
}

void RpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->Shutdown();  // NOT_SERVING from now on
  service_->BeginShutdown();
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
}

}  // namespace lotchain::node
