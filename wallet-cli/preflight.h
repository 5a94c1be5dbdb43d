// Check before committing (docs/WALLET.md "Preflight and dry runs"): the CLI runs the chain's
// own custody rules (core::ApplyTx, linked from consensus/core) on the node's committed state
// before it sends a transaction, so a custody mistake is refused with exactly the code and
// message the chain would record, and nothing is written. The state comes through the node's
// ReadState RPC, one key at a time as the rules ask for it, every read at one height (a commit
// in between restarts the check, at most kPreflightAttempts times).
//
// What it cannot know: transactions still in the mempool, and the exact time of the block that
// will hold it (the check uses max(now, last block time + 1 ms)). A transaction that passes
// here can still be refused in its block when another one changes the same lot first.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "wallet-cli/client.h"

namespace lotchain::wallet {

inline constexpr int kPreflightAttempts = 3;

// Committed state read through the node. Reads are cached; the first read fixes the height.
// A read that fails, comes from another height, or brings bytes that do not decode as the
// record its key names stops the rules at once (an exception internal to preflight.cc), so the
// rules never run on absent, mixed or malformed state; Preflight retries or reports it.
class RemoteState final : public core::StateReader {
 public:
  explicit RemoteState(Client& client) : client_(client) {}
  std::optional<std::string> Get(std::string_view key) const override;
  // The custody rules never scan; a scan here is a bug of this module, reported as an error.
  std::vector<core::KeyValue> Scan(std::string_view prefix, size_t limit_count) const override;

  const core::Status& error() const { return error_; }
  bool moved() const { return moved_; }
  uint64_t height() const { return height_.value_or(0); }
  int64_t block_time_unix_ms() const { return block_time_unix_ms_; }
  // Reads the tip's height and block time without reading a key (ReadState of no keys).
  core::Status Anchor() const;
  // Reads `keys` (at most 256) in one call into the cache; the first read of a view.
  core::Status Prefetch(const std::vector<std::string>& keys) const;

 private:
  void Note(const v1::ReadStateResponse& response) const;

  Client& client_;
  mutable std::map<std::string, std::optional<std::string>, std::less<>> cache_;
  mutable std::optional<uint64_t> height_;
  mutable int64_t block_time_unix_ms_ = 0;
  mutable bool moved_ = false;
  mutable core::Status error_;
};

struct PreflightOutcome {
  uint64_t height = 0;      // the committed height the rules ran on
  core::StateDelta delta;   // what the transaction would write
  std::string actor_org;    // the signer's organisation
};

// Runs `signed_tx` through the custody rules on the node's state. A rule refusal comes back as
// TX_REJECTED with "CODE: message" (exit 4), as the chain would record it; a failure to read
// the state as the client's error, with a hint to pass --no-preflight. `signature_checked`
// skips the Ed25519 check (a dry run carries no signature yet).
core::Result<PreflightOutcome> Preflight(Client& client, const core::Genesis& genesis,
                                         const std::string& signed_tx, bool signature_checked,
                                         int64_t now_unix_ms);

// What `--dry-run` prints after a passing check: the lots the transaction would write, with
// their figures (text), or the same as JSON.
std::string DescribeOutcome(const PreflightOutcome& outcome);
std::vector<v1::Lot> LotsWritten(const core::StateDelta& delta);

}  // namespace lotchain::wallet
