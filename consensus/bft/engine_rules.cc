// The upon-rules of Algorithm 1 (line numbers refer to the paper, as reproduced in
// circlefin/malachite specs/consensus/pseudo-code.md) and message admission.
#include <set>
#include <utility>

#include "consensus/bft/engine.h"
#include "consensus/core/crypto.h"

namespace lotchain::bft {

// Lines 11-21. Every validator also arms timeoutPropose: a proposer that cannot propose (it
// signed a different proposal for this round before a restart) must not stall the round.
void Engine::StartRound(uint32_t round) {
  LOTCHAIN_ASSERT(!decided_);
  LOTCHAIN_ASSERT(round == 0 || round > round_);
  round_ = round;
  step_ = Step::kPropose;
  prevote_timer_fired_ = false;
  lock_rule_fired_ = false;
  precommit_timer_fired_ = false;
  dirty_ = true;
  log_.Prune(round_);
  PruneSignState();
  Schedule(TimeoutKind::kResend, round_);
  Schedule(TimeoutKind::kPropose, round_);
  if (!IsProposer(round_)) return;
  if (valid_round_ >= 0) {
    SignProposal(valid_block_, valid_round_);
    RelayProofOfLock();
  } else {
    SignProposal(app_.BuildBlock(height_, round_), -1);
  }
}

// After a restart in the middle of a round: arm the timer of the current step. Timers only ever
// produce nil votes or a round change, so arming one "again" is safe.
void Engine::ResumeRound() {
  LOTCHAIN_ASSERT(!decided_);
  dirty_ = true;
  Schedule(TimeoutKind::kResend, round_);
  switch (step_) {
    case Step::kPropose:
      Schedule(TimeoutKind::kPropose, round_);
      if (IsProposer(round_) && !SignedProposalIn(round_)) {
        SignProposal(valid_round_ >= 0 ? valid_block_ : app_.BuildBlock(height_, round_),
                     valid_round_);
      }
      break;
    case Step::kPrevote: Schedule(TimeoutKind::kPrevote, round_); break;
    case Step::kPrecommit: Schedule(TimeoutKind::kPrecommit, round_); break;
  }
}

void Engine::Progress() {
  for (size_t i = 0; i < kProgressStepsMax; ++i) {
    if (!FireOneRule()) return;
  }
  // Each firing advances round, step or a one-shot guard, so a fixed point comes quickly.
  LOTCHAIN_ASSERT(false && "consensus rules did not reach a fixed point");
}

bool Engine::FireOneRule() {
  if (decided_) return false;
  if (TryDecide()) return true;
  if (TrySkipRound()) return true;
  if (step_ == Step::kPropose && TryPrevoteProposal()) return true;
  if (TryScheduleTimeoutPrevote()) return true;
  if (TryLock()) return true;
  if (TryPrecommitNil()) return true;
  return TryScheduleTimeoutPrecommit();
}

// Line 49: 2f+1 precommits for id(v) in ANY round r of this height, and the block v.
bool Engine::TryDecide() {
  for (const auto& [round, log] : log_.rounds()) {
    std::set<std::string> hashes;
    for (const auto& [validator, slot] : log.precommits) {
      for (const VoteEntry& entry : slot) {
        if (!entry.block_hash.empty()) hashes.insert(entry.block_hash);
      }
    }
    for (const std::string& hash : hashes) {
      if (log_.CountFor(round, v1::VOTE_TYPE_PRECOMMIT, hash) < Quorum()) continue;
      const v1::Block* found = log_.FindBlock(hash);
      if (found == nullptr) continue;  // the block arrives later or through catch-up
      v1::Block block = *found;
      if (!IsValid(hash, block)) continue;
      v1::CommitCertificate certificate;
      certificate.set_height(height_);
      certificate.set_round(round);
      certificate.set_block_hash(hash);
      for (v1::Vote& vote : log_.Precommits(round, hash)) {
        *certificate.add_precommits() = std::move(vote);
      }
      Decide(block, std::move(certificate));
      return true;
    }
  }
  return false;
}

void Engine::Decide(const v1::Block& block, v1::CommitCertificate certificate) {
  LOTCHAIN_ASSERT(!decided_);
  LOTCHAIN_ASSERT(certificate.height() == height_);
  decided_ = true;
  actions_.decisions.push_back({height_, block, std::move(certificate)});
}

// Line 55: f+1 distinct senders in a higher round.
bool Engine::TrySkipRound() {
  const auto& rounds = log_.rounds();
  for (auto it = rounds.rbegin(); it != rounds.rend() && it->first > round_; ++it) {
    if (log_.Senders(it->first, validators().size()) >= SkipThreshold()) {
      StartRound(it->first);
      return true;
    }
  }
  return false;
}

// Lines 22-33: prevote the round's proposal, respecting the lock.
bool Engine::TryPrevoteProposal() {
  LOTCHAIN_ASSERT(step_ == Step::kPropose);
  const RoundLog* log = log_.Round(round_);
  if (log == nullptr || log->proposals.empty()) return false;
  const ProposalEntry entry = log->proposals.front();
  const int32_t vr = entry.valid_round;
  bool lock_allows = false;
  if (vr == -1) {
    lock_allows = locked_round_ == -1 || locked_hash_ == entry.block_hash;  // line 23
  } else if (vr < static_cast<int32_t>(round_) &&
             log_.CountFor(static_cast<uint32_t>(vr), v1::VOTE_TYPE_PREVOTE, entry.block_hash) >=
                 Quorum()) {
    lock_allows = locked_round_ <= vr || locked_hash_ == entry.block_hash;  // line 29
  } else {
    return false;  // wait for the prevotes of round vr, or for timeoutPropose
  }
#ifdef LOTCHAIN_BFT_BREAK_LOCKING
  lock_allows = true;  // Deliberately broken build (tests/sim bite test): locks ignored.
#endif
  const bool ok = lock_allows && IsValid(entry.block_hash, entry.proposal.block());
  SignVote(v1::VOTE_TYPE_PREVOTE, ok ? entry.block_hash : "");
  step_ = Step::kPrevote;
  dirty_ = true;
  return true;
}

// Line 34.
bool Engine::TryScheduleTimeoutPrevote() {
  if (step_ != Step::kPrevote || prevote_timer_fired_) return false;
  if (log_.CountAll(round_, v1::VOTE_TYPE_PREVOTE) < Quorum()) return false;
  prevote_timer_fired_ = true;
  Schedule(TimeoutKind::kPrevote, round_);
  return true;
}

// Lines 36-43: a proposal of this round with 2f+1 prevotes locks (at step prevote) and
// becomes the valid value.
bool Engine::TryLock() {
  if (lock_rule_fired_ || step_ == Step::kPropose) return false;
  const RoundLog* log = log_.Round(round_);
  if (log == nullptr) return false;
  for (const ProposalEntry& entry : log->proposals) {
    if (log_.CountFor(round_, v1::VOTE_TYPE_PREVOTE, entry.block_hash) < Quorum()) continue;
    const v1::Block block = entry.proposal.block();
    const std::string hash = entry.block_hash;
    if (!IsValid(hash, block)) continue;
    lock_rule_fired_ = true;
    if (step_ == Step::kPrevote) {
      locked_block_ = block;
      locked_hash_ = hash;
      locked_round_ = static_cast<int32_t>(round_);
      SignVote(v1::VOTE_TYPE_PRECOMMIT, hash);
      step_ = Step::kPrecommit;
    }
    valid_block_ = block;
    valid_hash_ = hash;
    valid_round_ = static_cast<int32_t>(round_);
    dirty_ = true;
    return true;
  }
  return false;
}

// Lines 44-46.
bool Engine::TryPrecommitNil() {
  if (step_ != Step::kPrevote) return false;
  if (log_.CountFor(round_, v1::VOTE_TYPE_PREVOTE, "") < Quorum()) return false;
  SignVote(v1::VOTE_TYPE_PRECOMMIT, "");
  step_ = Step::kPrecommit;
  dirty_ = true;
  return true;
}

// Line 47.
bool Engine::TryScheduleTimeoutPrecommit() {
  if (precommit_timer_fired_) return false;
  if (log_.CountAll(round_, v1::VOTE_TYPE_PRECOMMIT) < Quorum()) return false;
  precommit_timer_fired_ = true;
  Schedule(TimeoutKind::kPrecommit, round_);
  return true;
}

bool Engine::IsValid(const std::string& block_hash, const v1::Block& block) {
  auto it = validity_.find(block_hash);
  if (it != validity_.end()) return it->second;
  const bool valid = app_.ValidateBlock(height_, block);
  validity_.emplace(block_hash, valid);
  LOTCHAIN_ASSERT(validity_.size() <= kRoundsKeptMax * kProposalsPerRoundMax + 8);
  return valid;
}

// ---- Admission: verify, then file by height.

RejectReason Engine::RouteByHeight(uint64_t height, uint32_t round) {
  if (height < height_ || (height == height_ && decided_)) return RejectReason::kStaleHeight;
  if (height > height_) {
    if (!decided_) actions_.sync_hint = height_;
    return RejectReason::kFutureHeight;
  }
  if (round > round_ + kRoundsAheadMax) return RejectReason::kRoundTooFar;
  return RejectReason::kNone;
}

RejectReason Engine::CheckProposal(const v1::Proposal& proposal, ProposalEntry* entry,
                                   v1::ProposalBody* body) const {
  LOTCHAIN_ASSERT(entry != nullptr);
  LOTCHAIN_ASSERT(body != nullptr);
  if (proposal.body().size() > core::kVoteBytesMax) return RejectReason::kMalformed;
  if (proposal.block().ByteSizeLong() > kProposalBytesMax) return RejectReason::kMalformed;
  // The body first: its height names the set the proposer must belong to.
  if (!body->ParseFromString(proposal.body())) return RejectReason::kMalformed;
  const core::ValidatorSet& set = ValidatorsAt(body->height());
  std::optional<size_t> index = set.IndexOf(proposal.validator());
  if (!index) return RejectReason::kUnknownValidator;
  const std::string& chain_id = set.chain_id();
  if (body->chain_id() != chain_id) return RejectReason::kWrongChain;
  if (body->valid_round() < -1 || body->valid_round() >= static_cast<int64_t>(body->round())) {
    return RejectReason::kMalformed;
  }
  if (!verifier_.Verify(proposal.validator(), core::kProposalDomain, chain_id, proposal.body(),
                        proposal.signature())) {
    return RejectReason::kBadSignature;
  }
  if (set.ProposerIndex(body->height(), body->round()) != *index) {
    return RejectReason::kNotProposer;
  }
  if (core::BlockHash(proposal.block()) != body->block_hash()) return RejectReason::kMalformed;
  v1::BlockHeader header;
  if (!header.ParseFromString(proposal.block().header()) || header.height() != body->height() ||
      !core::BlockBodyMatchesHeader(proposal.block(), header)) {
    return RejectReason::kMalformed;
  }
  *entry = {proposal, body->block_hash(), body->valid_round(), *index};
  return RejectReason::kNone;
}

RejectReason Engine::HandleProposal(const v1::Proposal& proposal) {
  ProposalEntry entry;
  v1::ProposalBody body;
  RejectReason reason = CheckProposal(proposal, &entry, &body);
  if (reason != RejectReason::kNone) return reason;
  reason = RouteByHeight(body.height(), body.round());
  if (reason == RejectReason::kFutureHeight && body.height() == height_ + 1 &&
      future_proposals_.size() < kFutureProposalsMax) {
    future_proposals_.push_back(proposal);
  }
  if (reason != RejectReason::kNone) return reason;
  switch (log_.AddProposal(body.round(), entry)) {
    case AddResult::kAdded: return RejectReason::kNone;
    case AddResult::kDuplicate: return RejectReason::kDuplicate;
    case AddResult::kConflict: return RejectReason::kEquivocation;  // kept: it may be decided
    case AddResult::kFull: return RejectReason::kEquivocation;
  }
  return RejectReason::kIgnored;
}

RejectReason Engine::HandleVote(const v1::Vote& vote) {
  // The height the vote names picks the set it is checked against (this height or the next;
  // any other is refused by RouteByHeight below whatever the set).
  v1::VoteBody peek;
  if (vote.body().size() > core::kVoteBytesMax || !peek.ParseFromString(vote.body())) {
    return RejectReason::kMalformed;
  }
  const uint64_t set_height = peek.height() == height_ + 1 ? height_ + 1 : height_;
  core::Result<core::VerifiedVote> verified =
      core::VerifyVote(ValidatorsAt(set_height), vote, verifier_);
  if (!verified.ok()) {
    const std::string& code = verified.status().code();
    if (code == "UNKNOWN_VALIDATOR") return RejectReason::kUnknownValidator;
    if (code == "BAD_SIGNATURE") return RejectReason::kBadSignature;
    if (code == "WRONG_CHAIN") return RejectReason::kWrongChain;
    return RejectReason::kMalformed;
  }
  const v1::VoteBody& body = verified->body;
  const size_t index = verified->validator_index;
  RejectReason reason = RouteByHeight(body.height(), body.round());
  if (reason == RejectReason::kFutureHeight && body.height() == height_ + 1 &&
      future_votes_.size() < kFutureVotesMax) {
    future_votes_.push_back(vote);
  }
  if (reason != RejectReason::kNone) return reason;
  v1::Vote earlier;
  const bool known = !body.block_hash().empty() && log_.FindBlock(body.block_hash()) != nullptr;
  switch (log_.AddVote(body.round(), body.type(), index, {body.block_hash(), vote}, known,
                       &earlier)) {
    case AddResult::kAdded: return RejectReason::kNone;
    case AddResult::kDuplicate: return RejectReason::kDuplicate;
    case AddResult::kFull: return RejectReason::kRoundTooFar;
    case AddResult::kConflict: break;
  }
  v1::Equivocation evidence;
  *evidence.mutable_first() = earlier;
  *evidence.mutable_second() = vote;
  if (evidence_.size() < kEvidenceMax) evidence_.push_back(evidence);
  actions_.evidence.push_back(std::move(evidence));
  return RejectReason::kEquivocation;
}

}  // namespace lotchain::bft
