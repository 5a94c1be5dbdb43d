#include "node/api/ledger_reads.h"

#include <memory>

#include "consensus/core/queries.h"

namespace lotchain::node {

core::Result<int64_t> BlockTime(const BlockStore& store, const core::Genesis& genesis,
                                uint64_t height) {
  if (height == 0) return genesis.genesis_time_unix_ms;
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Block block, store.GetBlock(height));
  v1::BlockHeader header;
  if (!header.ParseFromString(block.header())) {
    return core::Status("STORE_CORRUPT", "the header of stored block " + std::to_string(height) +
                                             " does not decode");
  }
  return header.time_unix_ms();
}

core::Result<v1::Trace> ReadTrace(const BlockStore& store, const core::Genesis& genesis,
                                  std::string_view lot_id, int direction, uint32_t max_nodes) {
  if (!v1::TraceDirection_IsValid(direction)) {
    return core::Status("INVALID_ARGUMENT", "direction " + std::to_string(direction) +
                                                " is not UPSTREAM (0) or DOWNSTREAM (1)");
  }
  if (max_nodes > core::kTraceNodesMax) {
    return core::Status("INVALID_ARGUMENT", "max_nodes " + std::to_string(max_nodes) +
                                                " exceeds the maximum " +
                                                std::to_string(core::kTraceNodesMax));
  }
  std::unique_ptr<StateSnapshot> snapshot = store.Snapshot();
  LOTCHAIN_ASSIGN_OR_RETURN(
      v1::Trace trace, core::QueryTrace(*snapshot, lot_id,
                                        static_cast<v1::TraceDirection>(direction), max_nodes));
  const uint64_t height = snapshot->tip().height;
  LOTCHAIN_ASSIGN_OR_RETURN(int64_t as_of_time, BlockTime(store, genesis, height));
  trace.set_as_of_height(height);
  trace.set_as_of_time_unix_ms(as_of_time);
  return trace;
}

core::Result<v1::BlockWithCert> ReadBlock(const BlockStore& store, uint64_t height) {
  if (height == 0) {
    return core::Status("INVALID_ARGUMENT",
                        "height must be >= 1 (height 0 is the genesis, which has no block)");
  }
  const uint64_t tip = store.height();
  if (height > tip) {
    return core::Status("NOT_FOUND", "no block at height " + std::to_string(height) +
                                         "; the tip is " + std::to_string(tip));
  }
  v1::BlockWithCert out;
  LOTCHAIN_ASSIGN_OR_RETURN(*out.mutable_block(), store.GetBlock(height));
  LOTCHAIN_ASSIGN_OR_RETURN(*out.mutable_certificate(), store.GetCertificate(height));
  LOTCHAIN_ASSIGN_OR_RETURN(std::vector<v1::TxResult> results, store.GetBlockResults(height));
  for (auto& result : results) *out.add_results() = std::move(result);
  return out;
}

}  // namespace lotchain::node
