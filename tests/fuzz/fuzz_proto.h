// Helpers for fuzz targets that decode protobuf messages from untrusted bytes.
#pragma once

#include <google/protobuf/stubs/logging.h>

#include <climits>
#include <cstddef>
#include <string>
#include <string_view>

#include "consensus/core/assert.h"

namespace lotchain::fuzz {

// Protobuf logs an error for every proto3 string that is not UTF-8; under a fuzzer that is
// millions of lines. Call once per process before parsing (idempotent).
inline void SilenceProtobufLogging() {
  static const bool kSilenced = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  LOTCHAIN_ASSERT(kSilenced);
}

// Parses `bytes` as a Message. On success checks that the parsed message is stable: encoding
// it, parsing that encoding and encoding again yields the same bytes, and ByteSizeLong matches
// the encoding's length. (Protobuf encodings are not canonical, so no check compares with the
// input; consensus code never re-encodes to verify, STYLE.md section 8.)
template <typename Message>
bool ParseAndCheckStable(std::string_view bytes, Message& out) {
  if (bytes.size() > INT_MAX) return false;
  if (!out.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  std::string first;
  LOTCHAIN_ASSERT(out.SerializeToString(&first));
  LOTCHAIN_ASSERT(first.size() == out.ByteSizeLong());
  Message again;
  LOTCHAIN_ASSERT(again.ParseFromString(first));
  std::string second;
  LOTCHAIN_ASSERT(again.SerializeToString(&second));
  LOTCHAIN_ASSERT(first == second);
  return true;
}

}  // namespace lotchain::fuzz
