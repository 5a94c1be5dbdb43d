// The List and ReadState RPCs over one snapshot of the committed state (docs/API.md "Lists"
// and "Preflight"). Pure functions of the snapshot and the request, so they are tested without
// a server. Both are bounded: a page examines at most kListScanMax records whatever its filter,
// and a ReadState call reads at most kReadStateKeysMax keys.
#pragma once

#include <cstddef>
#include <cstdint>

#include "consensus/core/result.h"
#include "lotchain/v1/api.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

inline constexpr uint32_t kListPageDefault = 100;
inline constexpr uint32_t kListPageMax = 1000;
inline constexpr size_t kListScanMax = 20'000;
inline constexpr size_t kReadStateKeysMax = 256;
inline constexpr size_t kReadStateKeyBytesMax = 1024;

// INVALID_ARGUMENT for an unknown kind, a filter that does not apply to the kind, a page size
// above kListPageMax or a page token of another listing; NOT_FOUND for an audit listing of a
// facility that does not exist.
core::Result<v1::ListResponse> ListRecords(const StateSnapshot& snapshot,
                                           const v1::ListRequest& request);

// One entry per requested key, in order. `block_time_unix_ms` is the time of the snapshot's
// tip block (the caller reads it from the block store).
core::Result<v1::ReadStateResponse> ReadStateEntries(const StateSnapshot& snapshot,
                                                     int64_t block_time_unix_ms,
                                                     const v1::ReadStateRequest& request);

// INVALID_ARGUMENT for a key that is not 32 bytes, NOT_FOUND for a key of no member.
core::Result<v1::SignerInfo> ReadSigner(const StateSnapshot& snapshot, const std::string& public_key);

}  // namespace lotchain::node
