// Client-side helpers for the rpc tests: a channel to an RpcServer, and raw calls to services
// whose generated client code is not installed (grpc.health.v1, grpc.reflection.v1alpha).
#pragma once

#include <google/protobuf/empty.pb.h>
#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "lotchain/v1/api.grpc.pb.h"

namespace lotchain::node::testing {

// A message type with no fields: parsing keeps every field as an unknown field and serializing
// writes them back, so it carries the raw wire bytes of any message.
using RawMessage = google::protobuf::Empty;

inline void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Wire encoding of one length-delimited field.
inline std::string StringField(uint32_t field, const std::string& value) {
  std::string out;
  AppendVarint(out, (uint64_t{field} << 3) | 2);
  AppendVarint(out, value.size());
  out += value;
  return out;
}

inline RawMessage Raw(const std::string& wire) {
  RawMessage message;
  LOTCHAIN_ASSERT(message.ParseFromString(wire));
  return message;
}

inline const google::protobuf::UnknownFieldSet& Fields(const RawMessage& message) {
  return message.GetReflection()->GetUnknownFields(message);
}

inline std::shared_ptr<grpc::Channel> Connect(int port) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

inline void SetDeadline(grpc::ClientContext& context,
                        std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
}

// grpc.health.v1.Health/Check for `service`: the ServingStatus (1 SERVING, 2 NOT_SERVING) or a
// non-OK status.
inline grpc::Status HealthCheck(const std::shared_ptr<grpc::Channel>& channel,
                                const std::string& service, uint64_t* serving_status) {
  grpc::ClientContext context;
  SetDeadline(context);
  RawMessage request = Raw(service.empty() ? std::string() : StringField(1, service));
  RawMessage response;
  grpc::Status status = grpc::internal::BlockingUnaryCall(
      channel.get(),
      grpc::internal::RpcMethod("/grpc.health.v1.Health/Check",
                                grpc::internal::RpcMethod::NORMAL_RPC),
      &context, request, &response);
  *serving_status = 0;
  const auto& fields = Fields(response);
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1) *serving_status = fields.field(i).varint();
  }
  return status;
}

// grpc.reflection.v1alpha list_services: the service names the server reports.
inline std::vector<std::string> ReflectionServices(const std::shared_ptr<grpc::Channel>& channel,
                                                   grpc::Status* status) {
  grpc::ClientContext context;
  SetDeadline(context);
  std::unique_ptr<grpc::ClientReaderWriter<RawMessage, RawMessage>> stream(
      grpc::internal::ClientReaderWriterFactory<RawMessage, RawMessage>::Create(
          channel.get(),
          grpc::internal::RpcMethod("/grpc.reflection.v1alpha.ServerReflection/"
                                    "ServerReflectionInfo",
                                    grpc::internal::RpcMethod::BIDI_STREAMING),
          &context));
  std::vector<std::string> names;
  stream->Write(Raw(StringField(7, "*")));  // ServerReflectionRequest.list_services
  stream->WritesDone();
  RawMessage response;
  while (stream->Read(&response)) {
    const auto& fields = Fields(response);
    for (int i = 0; i < fields.field_count(); ++i) {
      if (fields.field(i).number() != 6) continue;  // list_services_response
      google::protobuf::UnknownFieldSet list;
      LOTCHAIN_ASSERT(list.ParseFromString(fields.field(i).length_delimited()));
      for (int j = 0; j < list.field_count(); ++j) {
        google::protobuf::UnknownFieldSet service;
        LOTCHAIN_ASSERT(service.ParseFromString(list.field(j).length_delimited()));
        names.push_back(service.field(0).length_delimited());
      }
    }
  }
  *status = stream->Finish();
  return names;
}

}  // namespace lotchain::node::testing
