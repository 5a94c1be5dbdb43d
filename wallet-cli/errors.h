// Exit codes of `lotchain` and the mapping from error codes to them (docs/WALLET.md; also
// printed by `lotchain --help`). Every command returns one of these; scripts may rely on them.
#pragma once

#include <string_view>

#include "consensus/core/result.h"

namespace lotchain::wallet {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,     // bad flags, bad quantities, unreadable input files, unknown lot/facility
  kExitKey = 2,       // no such key, wrong passphrase, damaged key file
  kExitNode = 3,      // node unreachable, timeout, or any other RPC failure
  kExitRejected = 4,  // the transaction was rejected (admission or custody rule): code + message
  kExitProof = 5,     // proof verification failed
  kExitPending = 6,   // --wait ended with the transaction still pending (it stays submitted)
  // 130: interrupted (Ctrl-C) while waiting; the transaction stays submitted (tx_wait.h)
};

inline constexpr std::string_view kExitCodeHelp =
    "Exit codes: 0 ok; 1 usage or input error; 2 key or passphrase error; 3 node unreachable "
    "or RPC error; 4 transaction rejected (prints the rejection code and message); 5 proof "
    "verification failed; 6 still pending after --wait (no quorum, or a busy network; the "
    "transaction stays submitted); 130 interrupted while waiting.";

// Error codes produced by the wallet itself (the custody codes come from the chain).
inline constexpr const char* kTxRejected = "TX_REJECTED";
inline constexpr const char* kRpcFailed = "RPC_FAILED";
inline constexpr const char* kTraceTooLarge = "TRACE_TOO_LARGE";
inline constexpr const char* kNodeUnreachable = "NODE_UNREACHABLE";
inline constexpr const char* kProofInvalid = "PROOF_INVALID";
inline constexpr const char* kTxPending = "TX_PENDING";

// Groups the codes of consensus/core/error_codes.inc into exit codes: the
// keystore's codes exit 2, node and transport failures 3, the chain's refusals 4.
inline ExitCode ExitCodeOf(const core::Status& status) {
  if (status.ok()) return kExitOk;
  const std::string& code = status.code();
  if (code == "WRONG_PASSPHRASE" || code == "NO_PASSPHRASE" || code == "KEY_NOT_FOUND" ||
      code == "KEY_EXISTS" || code == "BAD_KEYFILE" || code == "KEYSTORE_IO" ||
      code == "WEAK_PASSPHRASE") {
    return kExitKey;
  }
  if (code == kRpcFailed || code == kNodeUnreachable || code == kTraceTooLarge ||
      code == "GENESIS_MISMATCH" || code == "STREAM_ENDED" || code == "STREAM_BEHIND") {
    return kExitNode;
  }
  if (code == kTxRejected) return kExitRejected;
  if (code == kProofInvalid) return kExitProof;
  if (code == kTxPending) return kExitPending;
  return kExitUsage;
}

}  // namespace lotchain::wallet
