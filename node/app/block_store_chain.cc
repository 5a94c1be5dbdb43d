#include "node/app/block_store_chain.h"

namespace lotchain::node {

std::optional<v1::TxStatus> BlockStoreChain::CommittedStatus(std::string_view tx_hash) const {
  auto record = store_.GetTx(tx_hash);
  if (!record.ok()) return std::nullopt;
  v1::TxStatus status;
  status.set_tx_hash(std::string(tx_hash));
  status.set_status(record->result.code() == v1::TX_CODE_OK ? v1::TX_STATUS_APPLIED
                                                            : v1::TX_STATUS_REJECTED);
  status.set_height(record->height);
  status.set_index(record->index);
  *status.mutable_result() = record->result;
  return status;
}

bool BlockStoreChain::GetSyncedBlock(uint64_t height, v1::SyncedBlock* out) const {
  auto block = store_.GetBlock(height);
  auto certificate = store_.GetCertificate(height);
  if (!block.ok() || !certificate.ok()) return false;
  *out->mutable_block() = std::move(block).value();
  *out->mutable_certificate() = std::move(certificate).value();
  return true;
}

}  // namespace lotchain::node
