// Inputs, signing and persistence of the engine. The upon-rules of Algorithm 1 are in
// engine_rules.cc.
#include "consensus/bft/engine.h"
#include "consensus/core/proto_parse.h"

#include <algorithm>
#include <utility>

#include "consensus/core/crypto.h"

namespace lotchain::bft {

std::string_view RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kNone: return "none";
    case RejectReason::kMalformed: return "malformed";
    case RejectReason::kWrongChain: return "wrong_chain";
    case RejectReason::kUnknownValidator: return "unknown_validator";
    case RejectReason::kBadSignature: return "bad_signature";
    case RejectReason::kNotProposer: return "not_proposer";
    case RejectReason::kStaleHeight: return "stale_height";
    case RejectReason::kFutureHeight: return "future_height";
    case RejectReason::kRoundTooFar: return "round_too_far";
    case RejectReason::kDuplicate: return "duplicate";
    case RejectReason::kEquivocation: return "equivocation";
    case RejectReason::kBadCertificate: return "bad_certificate";
    case RejectReason::kIgnored: return "ignored";
  }
  return "unknown";
}

Engine::Engine(EngineConfig config, const Signer& signer, const SignatureVerifier& verifier,
               BlockApp& app)
    : config_(std::move(config)), signer_(signer), verifier_(verifier), app_(app) {
  LOTCHAIN_ASSERT(config_.schedule != nullptr || validators().size() > 0);
  LOTCHAIN_ASSERT(config_.resend_ticks > 0);
  EnterHeight(1);
}

const core::ValidatorSet& Engine::ValidatorsAt(uint64_t height) const {
  if (config_.schedule == nullptr) return config_.validators;
  return config_.schedule->At(height);
}

void Engine::EnterHeight(uint64_t height) {
  height_ = height;
  LOTCHAIN_ASSERT(validators().size() > 0);
  my_index_ = validators().IndexOf(signer_.PublicKey());
}

core::Result<Actions> Engine::Start(uint64_t height, const v1::SignState* restored) {
  LOTCHAIN_ASSERT(!started_);
  LOTCHAIN_ASSERT(height >= 1);
  if (restored != nullptr && restored->height() > height) {
    return core::Status("STATE_AHEAD", "sign-state is for height " +
                                           std::to_string(restored->height()) +
                                           " but the chain continues at " +
                                           std::to_string(height));
  }
  if (restored != nullptr && restored->height() == height && restored->step() > 2) {
    return core::Status("BAD_SIGN_STATE", "sign-state step " +
                                              std::to_string(restored->step()) +
                                              " is not 0 (propose), 1 (prevote) or 2 (precommit)");
  }
  if (restored != nullptr && restored->height() == height &&
      restored->valid_block_is_locked_block() &&
      (restored->locked_round() < 0 || restored->valid_round() < 0 ||
       restored->valid_block().ByteSizeLong() != 0)) {
    return core::Status("BAD_SIGN_STATE",
                        "sign-state says its valid block is its locked block, but " +
                            std::string(restored->locked_round() < 0   ? "it has no locked block"
                                        : restored->valid_round() < 0 ? "it has no valid block"
                                                                      : "it also carries one") +
                            "; the file is damaged");
  }
  started_ = true;
  Begin();
  EnterHeight(height);
  sign_state_.set_height(height);
  if (restored != nullptr && restored->height() == height) {
    sign_state_ = *restored;
    round_ = restored->round();
    step_ = static_cast<Step>(restored->step());
    locked_round_ = restored->locked_round();
    if (locked_round_ >= 0) {
      locked_block_ = restored->locked_block();
      locked_hash_ = core::BlockHash(locked_block_);
    }
    valid_round_ = restored->valid_round();
    if (valid_round_ >= 0 && restored->valid_block_is_locked_block()) {
      valid_block_ = locked_block_;
      valid_hash_ = locked_hash_;
    } else if (valid_round_ >= 0) {
      valid_block_ = restored->valid_block();
      valid_hash_ = core::BlockHash(valid_block_);
    }
    // Back into the log: our own votes and the proof of our valid value (verified again: these
    // bytes come from disk).
    for (const v1::Vote& vote : restored->signed_votes()) (void)HandleVote(vote);
    for (const v1::Vote& vote : restored->valid_proof()) (void)HandleVote(vote);
    ResumeRound();
  } else {
    StartRound(0);
  }
  Progress();
  return Finish();
}

Actions Engine::StartNextHeight() {
  LOTCHAIN_ASSERT(started_);
  LOTCHAIN_ASSERT(decided_);
  Begin();
  EnterHeight(height_ + 1);
  decided_ = false;
  locked_round_ = -1;
  locked_block_.Clear();
  locked_hash_.clear();
  valid_round_ = -1;
  valid_block_.Clear();
  valid_hash_.clear();
  log_.Clear();
  validity_.clear();
  own_proposal_.reset();
  sign_state_.Clear();
  sign_state_.set_height(height_);
  StartRound(0);
  ReplayFuture();
  Progress();
  return Finish();
}

void Engine::ReplayFuture() {
  std::vector<v1::Proposal> proposals = std::move(future_proposals_);
  std::vector<v1::Vote> votes = std::move(future_votes_);
  future_proposals_.clear();
  future_votes_.clear();
  for (const v1::Proposal& proposal : proposals) (void)HandleProposal(proposal);
  for (const v1::Vote& vote : votes) (void)HandleVote(vote);
  LOTCHAIN_ASSERT(future_votes_.size() <= kFutureVotesMax);
}

Actions Engine::OnProposal(const v1::Proposal& proposal) {
  LOTCHAIN_ASSERT(started_);
  Begin();
  actions_.rejected = HandleProposal(proposal);
  Progress();
  return Finish();
}

Actions Engine::OnVote(const v1::Vote& vote) {
  LOTCHAIN_ASSERT(started_);
  Begin();
  actions_.rejected = HandleVote(vote);
  Progress();
  return Finish();
}

Actions Engine::OnTimeout(const Timeout& timeout) {
  LOTCHAIN_ASSERT(started_);
  Begin();
  if (decided_ || timeout.height != height_ || timeout.round != round_) {
    actions_.rejected = RejectReason::kIgnored;
    return Finish();
  }
  switch (timeout.kind) {
    case TimeoutKind::kPropose:  // lines 57-60 (guard step = propose, as in the paper)
      if (step_ == Step::kPropose) {
        SignVote(v1::VOTE_TYPE_PREVOTE, "");
        step_ = Step::kPrevote;
        dirty_ = true;
      }
      break;
    case TimeoutKind::kPrevote:  // lines 61-64
      if (step_ == Step::kPrevote) {
        SignVote(v1::VOTE_TYPE_PRECOMMIT, "");
        step_ = Step::kPrecommit;
        dirty_ = true;
      }
      break;
    case TimeoutKind::kPrecommit:  // lines 65-67
      StartRound(round_ + 1);
      break;
    case TimeoutKind::kResend:
      Resend();
      Schedule(TimeoutKind::kResend, round_);
      break;
  }
  Progress();
  return Finish();
}

Actions Engine::OnCommittedBlock(const v1::Block& block,
                                 const v1::CommitCertificate& certificate) {
  LOTCHAIN_ASSERT(started_);
  Begin();
  if (decided_ || certificate.height() != height_) {
    actions_.rejected = RejectReason::kStaleHeight;
    return Finish();
  }
  v1::BlockHeader header;
  const std::string hash = core::BlockHash(block);
  if (!header.ParseFromString(block.header()) || header.height() != height_ ||
      !core::BlockBodyMatchesHeader(block, header)) {
    actions_.rejected = RejectReason::kMalformed;
    return Finish();
  }
  core::Status status =
      core::VerifyCommitCertificate(validators(), certificate, {height_, hash}, verifier_);
  if (!status.ok()) {
    actions_.rejected = RejectReason::kBadCertificate;
    return Finish();
  }
  Decide(block, certificate);
  return Finish();
}

void Engine::Begin() {
  actions_ = Actions();
  dirty_ = false;
}

Actions Engine::Finish() {
  if (dirty_) {
    sign_state_.set_height(height_);
    sign_state_.set_round(round_);
    sign_state_.set_step(static_cast<uint32_t>(step_));
    sign_state_.set_locked_round(locked_round_);
    sign_state_.set_valid_round(valid_round_);
    const bool valid_is_locked =
        locked_round_ >= 0 && valid_round_ >= 0 && valid_hash_ == locked_hash_;
    *sign_state_.mutable_locked_block() = locked_round_ >= 0 ? locked_block_ : v1::Block();
    *sign_state_.mutable_valid_block() =
        valid_round_ >= 0 && !valid_is_locked ? valid_block_ : v1::Block();
    sign_state_.set_valid_block_is_locked_block(valid_is_locked);
    sign_state_.clear_valid_proof();
    for (v1::Vote& vote : ProofOfLock()) *sign_state_.add_valid_proof() = std::move(vote);
    actions_.persist = sign_state_;
  }
  // Anything signed must be covered by the state persisted with it.
  if (!actions_.votes.empty() || !actions_.proposals.empty()) {
    LOTCHAIN_ASSERT(actions_.persist.has_value() || !dirty_);
  }
  LOTCHAIN_ASSERT(actions_.decisions.size() <= 1);
  Actions out = std::move(actions_);
  actions_ = Actions();
  dirty_ = false;
  return out;
}

void Engine::Schedule(TimeoutKind kind, uint32_t round) {
  actions_.timers.push_back({{kind, height_, round}, TimeoutTicks(kind, round)});
}

uint64_t Engine::TimeoutTicks(TimeoutKind kind, uint32_t round) const {
  uint64_t base = config_.resend_ticks;
  switch (kind) {
    case TimeoutKind::kPropose: base = config_.timeout_propose_ticks; break;
    case TimeoutKind::kPrevote: base = config_.timeout_prevote_ticks; break;
    case TimeoutKind::kPrecommit: base = config_.timeout_precommit_ticks; break;
    case TimeoutKind::kResend: return config_.resend_ticks;
  }
  return std::min<uint64_t>(base + config_.timeout_delta_ticks * round, config_.timeout_max_ticks);
}

size_t Engine::Quorum() const {
#ifdef LOTCHAIN_BFT_BREAK_QUORUM
  // Deliberately broken build (tests/sim bite test): 2f instead of 2f + 1.
  return validators().Quorum() - 1;
#else
  return validators().Quorum();
#endif
}

size_t Engine::SkipThreshold() const { return validators().FaultsTolerated() + 1; }

bool Engine::IsProposer(uint32_t round) const {
  return my_index_.has_value() && *my_index_ == validators().ProposerIndex(height_, round);
}

// ---- Signing: every signature is recorded in sign_state_ (persisted before it is sent) and
// checked against it, so the engine never signs two different messages for one slot.

void Engine::SignProposal(const v1::Block& block, int32_t valid_round) {
  LOTCHAIN_ASSERT(IsProposer(round_));
  LOTCHAIN_ASSERT(valid_round < static_cast<int32_t>(round_));
  v1::ProposalBody body;
  body.set_chain_id(validators().chain_id());
  body.set_height(height_);
  body.set_round(round_);
  body.set_valid_round(valid_round);
  body.set_block_hash(core::BlockHash(block));
  const std::string bytes = body.SerializeAsString();
  for (const std::string& signed_bytes : sign_state_.signed_proposals()) {
    v1::ProposalBody have;
    core::ParseOwnOrDie(have, signed_bytes);
    if (have.round() == round_ && signed_bytes != bytes) {
      ++refused_signatures_;
      return;
    }
  }
  v1::Proposal proposal;
  proposal.set_body(bytes);
  proposal.set_validator(signer_.PublicKey());
  proposal.set_signature(signer_.Sign(core::kProposalDomain, body.chain_id(), bytes));
  *proposal.mutable_block() = block;
  sign_state_.add_signed_proposals(bytes);
  dirty_ = true;
  own_proposal_ = proposal;
  actions_.proposals.push_back(proposal);
  ProposalEntry entry{proposal, body.block_hash(), valid_round, *my_index_};
  (void)log_.AddProposal(round_, entry);
}

void Engine::SignVote(v1::VoteType type, const std::string& block_hash) {
  if (!my_index_.has_value()) return;
  v1::VoteBody body;
  body.set_chain_id(validators().chain_id());
  body.set_height(height_);
  body.set_round(round_);
  body.set_type(type);
  body.set_block_hash(block_hash);
  for (const v1::Vote& have : sign_state_.signed_votes()) {
    v1::VoteBody have_body;
    core::ParseOwnOrDie(have_body, have.body());
    if (have_body.round() == round_ && have_body.type() == type) {
      // Already signed this slot (e.g. before a restart): re-send the identical vote, or refuse
      // a conflicting one.
      if (have_body.block_hash() == block_hash) {
        actions_.votes.push_back(have);
      } else {
        ++refused_signatures_;
      }
      return;
    }
  }
  const std::string bytes = body.SerializeAsString();
  v1::Vote vote;
  vote.set_body(bytes);
  vote.set_validator(signer_.PublicKey());
  vote.set_signature(signer_.Sign(core::kVoteDomain, body.chain_id(), bytes));
  *sign_state_.add_signed_votes() = vote;
  dirty_ = true;
  actions_.votes.push_back(vote);
  v1::Vote conflicting;
  (void)log_.AddVote(round_, type, *my_index_, {block_hash, vote}, true, &conflicting);
}

// Rounds only grow, so a record of a round below round_ - 1 can never again stop a conflicting
// signature; dropping them keeps the persisted state small in a long-stalled height. The
// previous round's precommit stays (Resend re-sends it).
void Engine::PruneSignState() {
  v1::SignState kept = sign_state_;
  kept.clear_signed_votes();
  kept.clear_signed_proposals();
  for (const v1::Vote& vote : sign_state_.signed_votes()) {
    v1::VoteBody body;
    core::ParseOwnOrDie(body, vote.body());
    if (body.round() + 1 >= round_) *kept.add_signed_votes() = vote;
  }
  for (const std::string& bytes : sign_state_.signed_proposals()) {
    v1::ProposalBody body;
    core::ParseOwnOrDie(body, bytes);
    if (body.round() >= round_) kept.add_signed_proposals(bytes);
  }
  sign_state_ = std::move(kept);
  LOTCHAIN_ASSERT(static_cast<size_t>(sign_state_.signed_votes_size()) <= 4);
}

bool Engine::SignedProposalIn(uint32_t round) const {
  for (const std::string& signed_bytes : sign_state_.signed_proposals()) {
    v1::ProposalBody body;
    core::ParseOwnOrDie(body, signed_bytes);
    if (body.round() == round) return true;
  }
  return false;
}

void Engine::Resend() {
  LOTCHAIN_ASSERT(!decided_);
  if (own_proposal_.has_value()) {
    v1::ProposalBody body;
    core::ParseOwnOrDie(body, own_proposal_->body());
    if (body.round() == round_) actions_.proposals.push_back(*own_proposal_);
  }
  for (const v1::Vote& vote : sign_state_.signed_votes()) {
    v1::VoteBody body;
    core::ParseOwnOrDie(body, vote.body());
    // The current round's votes, and the previous round's precommit (peers still deciding it).
    if (body.round() == round_ || body.round() + 1 == round_) actions_.votes.push_back(vote);
  }
  RelayProofOfLock();
}

// The paper assumes gossip eventually delivers every message; over lossy links it does not.
// A validator that lost the prevotes of round validRound (crash, partition) would wait forever
// for the proof behind a re-proposal (line 28) while the locked validators reject anything else.
// So the holder of a valid value relays those 2f+1 signed prevotes itself (votes are
// self-authenticating, so relaying other validators' votes is safe).
void Engine::RelayProofOfLock() {
  for (v1::Vote& vote : ProofOfLock()) actions_.votes.push_back(std::move(vote));
}

std::vector<v1::Vote> Engine::ProofOfLock() const {
  std::vector<v1::Vote> out;
  if (valid_round_ < 0) return out;
  const RoundLog* log = log_.Round(static_cast<uint32_t>(valid_round_));
  if (log == nullptr) return out;
  for (const auto& [validator, slot] : log->prevotes) {
    for (const VoteEntry& entry : slot) {
      if (entry.block_hash == valid_hash_) out.push_back(entry.vote);
    }
  }
  LOTCHAIN_ASSERT(out.size() <= validators().size());
  return out;
}

}  // namespace lotchain::bft
