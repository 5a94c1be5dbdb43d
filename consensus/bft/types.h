// Value types of the BFT engine's interface: inputs (timeouts), outputs (Actions), config.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/certificate.h"
#include "consensus/core/validator_schedule.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::bft {

// Limits (../shared/STYLE.md section 4, "Limits": bound everything an outsider can grow). Messages beyond them are dropped with a RejectReason.
inline constexpr uint32_t kRoundsAheadMax = 64;     // accept messages up to round_ + this
inline constexpr size_t kRoundsKeptMax = 256;       // rounds of one height kept in the log
inline constexpr size_t kProposalsPerRoundMax = 2;  // a second one is already equivocation
inline constexpr size_t kEvidenceMax = 256;
inline constexpr size_t kProgressStepsMax = 64;     // rule firings per input
inline constexpr size_t kProposalBytesMax = 8u << 20;

enum class Step : uint8_t { kPropose = 0, kPrevote = 1, kPrecommit = 2 };

enum class TimeoutKind : uint8_t { kPropose, kPrevote, kPrecommit, kResend };

struct Timeout {
  TimeoutKind kind = TimeoutKind::kPropose;
  uint64_t height = 0;
  uint32_t round = 0;
};

struct TimerRequest {
  Timeout timeout;
  uint64_t delay_ticks = 0;
};

// Why an input was dropped; node/ may penalise the peer for the ones a correct peer never sends.
enum class RejectReason : uint8_t {
  kNone = 0,
  kMalformed,         // does not parse, bad sizes, block does not match its hash
  kWrongChain,
  kUnknownValidator,
  kBadSignature,
  kNotProposer,       // proposal signed by someone other than proposer(h, r)
  kStaleHeight,       // for a height already decided (harmless)
  kFutureHeight,      // beyond height + 1 (we are behind; see Actions::sync_hint)
  kRoundTooFar,
  kDuplicate,         // already have exactly this message (harmless)
  kEquivocation,      // conflicts with an earlier signed message; kept as evidence
  kBadCertificate,
  kIgnored,           // well-formed but not useful now (e.g. engine waiting for StartNextHeight)
};
std::string_view RejectReasonName(RejectReason reason);

// A block decided at `height`, with a certificate that VerifyCommitCertificate accepts.
struct Decision {
  uint64_t height = 0;
  v1::Block block;
  v1::CommitCertificate certificate;
};

// Everything one input produced. The driver MUST handle it in this order:
//   1. if `persist` is set, write it durably (fsync) — before anything in `proposals`/`votes`
//      leaves the process;
//   2. broadcast `proposals` and `votes` to every validator;
//   3. schedule `timers` (deliver each to OnTimeout after delay_ticks);
//   4. for each decision: execute, store block + certificate atomically, then call
//      Engine::StartNextHeight();
//   5. if `sync_hint` is set, fetch (block, certificate) of that height from a peer and feed it
//      to Engine::OnCommittedBlock.
struct Actions {
  std::optional<v1::SignState> persist;
  std::vector<v1::Proposal> proposals;
  std::vector<v1::Vote> votes;
  std::vector<TimerRequest> timers;
  std::vector<Decision> decisions;  // at most one
  std::vector<v1::Equivocation> evidence;
  RejectReason rejected = RejectReason::kNone;
  std::optional<uint64_t> sync_hint;  // our current height: a validator has moved past it
};

struct EngineConfig {
  // Which validators vote at each height: the schedule when given (the node's and the
  // simulator's replica pass theirs, consensus/core/validator_schedule.h), asked whenever the
  // engine begins a height and for the height a message names; otherwise `validators` at every
  // height (unit tests). Every height has the genesis set until governance (issue 12).
  const core::ValidatorSchedule* schedule = nullptr;
  core::ValidatorSet validators;
  // Timeouts grow linearly with the round (the paper's timeoutX(r) = base + r * delta).
  uint64_t timeout_propose_ticks = 3000;
  uint64_t timeout_prevote_ticks = 1000;
  uint64_t timeout_precommit_ticks = 1000;
  uint64_t timeout_delta_ticks = 500;
  uint64_t timeout_max_ticks = 60000;
  // Re-broadcast of our latest proposal and votes, so liveness survives message loss.
  uint64_t resend_ticks = 1500;
};

}  // namespace lotchain::bft
