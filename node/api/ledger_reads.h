// Reads of committed data that more than one client API serves (the gRPC Ledger service and
// the HTTP JSON API): each validates its arguments, reads ONE snapshot and answers with a
// core::Result whose code the transport maps (gRPC status, HTTP status). One home, so the two
// APIs cannot drift apart in limits, errors or the "as of" block they name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "lotchain/v1/api.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node {

// The time of block `height` (the genesis time for height 0). STORE_CORRUPT when the stored
// header does not decode.
core::Result<int64_t> BlockTime(const BlockStore& store, const core::Genesis& genesis,
                                uint64_t height);

// core::QueryTrace over one snapshot, with as_of_height / as_of_time_unix_ms naming that
// snapshot's tip. INVALID_ARGUMENT for a direction that is not UPSTREAM/DOWNSTREAM or
// max_nodes above core::kTraceNodesMax (0 = core::kTraceNodesDefault).
core::Result<v1::Trace> ReadTrace(const BlockStore& store, const core::Genesis& genesis,
                                  std::string_view lot_id, int direction, uint32_t max_nodes);

// The block at `height` with its certificate and results. INVALID_ARGUMENT for height 0,
// NOT_FOUND above the tip.
core::Result<v1::BlockWithCert> ReadBlock(const BlockStore& store, uint64_t height);

}  // namespace lotchain::node
