// The Tendermint consensus engine (Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT
// consensus", Algorithm 1) as a pure state machine: inputs are messages, timeouts and committed
// blocks; every input returns an Actions value (types.h) that the driver carries out. No sockets,
// clocks, threads or disk: time is a tick count chosen by the driver.
//
// Contract with the driver (docs/CONSENSUS.md):
//   * Actions::persist is written durably before any message of the same Actions is sent. An
//     engine Start()ed from the last persisted SignState never signs a vote or proposal that
//     conflicts with one it signed before (it re-sends the identical bytes instead).
//   * After a Decision, the driver stores block + certificate, then calls StartNextHeight().
//   * Messages may be lost, duplicated, delayed or reordered; re-broadcast on the resend timer
//     and catch-up through OnCommittedBlock keep the engine live once the network heals.
// Not thread-safe: call from one thread (the node's strand). The ports must outlive the engine.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "consensus/bft/ports.h"
#include "consensus/bft/types.h"
#include "consensus/bft/vote_log.h"
#include "consensus/core/result.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::bft {

inline constexpr size_t kFutureVotesMax = 1024;
inline constexpr size_t kFutureProposalsMax = 64;

class Engine {
 public:
  // `signer` need not be a validator: then the engine only follows (never signs).
  Engine(EngineConfig config, const Signer& signer, const SignatureVerifier& verifier,
         BlockApp& app);

  // Begins `height` (1 after genesis). `restored` is the last persisted SignState or nullptr;
  // one for an older height is ignored. Error STATE_AHEAD if it is for a later height (the
  // node lost a block it had decided: refuse to run rather than risk signing twice);
  // BAD_SIGN_STATE if its step is out of range.
  core::Result<Actions> Start(uint64_t height, const v1::SignState* restored);

  Actions OnProposal(const v1::Proposal& proposal);
  Actions OnVote(const v1::Vote& vote);
  Actions OnTimeout(const Timeout& timeout);
  // Catch-up: block + certificate of the current height fetched from a peer; decides it if the
  // certificate verifies (core::VerifyCommitCertificate).
  Actions OnCommittedBlock(const v1::Block& block, const v1::CommitCertificate& certificate);
  // Called after the driver stored the Decision of height(); begins height() + 1.
  Actions StartNextHeight();

  uint64_t height() const { return height_; }
  uint32_t round() const { return round_; }
  Step step() const { return step_; }
  bool decided() const { return decided_; }
  int32_t locked_round() const { return locked_round_; }
  const std::vector<v1::Equivocation>& evidence() const { return evidence_; }
  // Times the double-sign guard refused to sign (0 for a correctly driven engine).
  uint64_t refused_signatures() const { return refused_signatures_; }

 private:
  // The set of the height being decided, and of `height` (this one or the next) for a message
  // that names it.
  const core::ValidatorSet& validators() const { return ValidatorsAt(height_); }
  const core::ValidatorSet& ValidatorsAt(uint64_t height) const;
  void EnterHeight(uint64_t height);  // height_ = height; its set and our index in it
  size_t Quorum() const;
  size_t SkipThreshold() const;
  uint64_t TimeoutTicks(TimeoutKind kind, uint32_t round) const;
  bool IsProposer(uint32_t round) const;

  void Begin();
  Actions Finish();
  void Schedule(TimeoutKind kind, uint32_t round);
  void StartRound(uint32_t round);
  void ResumeRound();
  void Progress();
  bool FireOneRule();
  bool TryDecide();
  bool TrySkipRound();
  bool TryPrevoteProposal();
  bool TryScheduleTimeoutPrevote();
  bool TryLock();
  bool TryPrecommitNil();
  bool TryScheduleTimeoutPrecommit();
  bool IsValid(const std::string& block_hash, const v1::Block& block);
  void Decide(const v1::Block& block, v1::CommitCertificate certificate);

  void SignProposal(const v1::Block& block, int32_t valid_round);
  void SignVote(v1::VoteType type, const std::string& block_hash);
  void Resend();
  void RelayProofOfLock();
  std::vector<v1::Vote> ProofOfLock() const;
  bool SignedProposalIn(uint32_t round) const;
  void PruneSignState();

  RejectReason HandleProposal(const v1::Proposal& proposal);
  RejectReason HandleVote(const v1::Vote& vote);
  RejectReason CheckProposal(const v1::Proposal& proposal, ProposalEntry* entry,
                             v1::ProposalBody* body) const;
  RejectReason RouteByHeight(uint64_t height, uint32_t round);
  void ReplayFuture();

  EngineConfig config_;
  const Signer& signer_;
  const SignatureVerifier& verifier_;
  BlockApp& app_;
  std::optional<size_t> my_index_;  // in validators()

  uint64_t height_ = 0;
  uint32_t round_ = 0;
  Step step_ = Step::kPropose;
  bool decided_ = false;
  bool started_ = false;
  int32_t locked_round_ = -1;
  v1::Block locked_block_;
  std::string locked_hash_;
  int32_t valid_round_ = -1;
  v1::Block valid_block_;
  std::string valid_hash_;
  // "For the first time" guards of lines 34, 36 and 47, per round.
  bool prevote_timer_fired_ = false;
  bool lock_rule_fired_ = false;
  bool precommit_timer_fired_ = false;

  HeightLog log_;
  std::map<std::string, bool> validity_;  // block hash -> app verdict, this height
  std::optional<v1::Proposal> own_proposal_;
  v1::SignState sign_state_;  // what has been signed at height_, plus round/step/lock
  bool dirty_ = false;
  Actions actions_;

  std::vector<v1::Proposal> future_proposals_;  // for height_ + 1
  std::vector<v1::Vote> future_votes_;
  std::vector<v1::Equivocation> evidence_;
  uint64_t refused_signatures_ = 0;
};

}  // namespace lotchain::bft
