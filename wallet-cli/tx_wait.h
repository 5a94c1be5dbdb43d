// What `--wait` tells a person while and after it waits for a commit (docs/WALLET.md "Waiting").
//
// The transaction's hash is known before it is sent (SHA-256 of the SignedTx encoding), so it is
// printed first; Ctrl-C while waiting says the transaction stays submitted and how to check it;
// a wait that ends with the transaction still pending asks the node which validators it reaches
// and says in plain words whether the network lacks a quorum (exit 6, kExitPending).
#pragma once

#include <cstdint>
#include <string>

#include "consensus/core/result.h"
#include "wallet-cli/cli.h"

namespace lotchain::wallet {

// While alive, SIGINT prints "interrupted: tx HASH was submitted …" and exits 130.
class InterruptNotice {
 public:
  explicit InterruptNotice(const std::string& tx_hash_hex);
  ~InterruptNotice();
  InterruptNotice(const InterruptNotice&) = delete;
  InterruptNotice& operator=(const InterruptNotice&) = delete;
};

// The status for a transaction still pending after waiting `wait_ms`: kTxPending with the
// reason (no quorum: which validators the node cannot reach; or a busy network).
core::Status ExplainPending(Session& s, const std::string& tx_hash_hex, uint32_t wait_ms);

}  // namespace lotchain::wallet
