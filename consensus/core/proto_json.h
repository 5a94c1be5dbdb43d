// ProtoToJson renders any lotchain.v1 message with the proto field names, every scalar field
// (zeros included, so scripts need no defaults), enums by name, bytes as lower-case hex and
// uint64 as JSON numbers. Shared by the CLI's --json output and the export formats. Pure;
// thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include <nlohmann/json.hpp>
#include <string>

namespace lotchain::core {

nlohmann::json ProtoToJson(const google::protobuf::Message& message);

// An enum value's name without its prefix, in lower case: ("AUDIT_STATUS_ACTIVE",
// "AUDIT_STATUS_") -> "active".
std::string EnumLabel(const std::string& full_name, const std::string& prefix);

}  // namespace lotchain::core
