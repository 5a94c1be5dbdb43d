#include "consensus/bft/vote_log.h"

#include <vector>

#include "consensus/core/assert.h"

namespace lotchain::bft {
namespace {

const VoteSlots& Votes(const RoundLog& log, v1::VoteType type) {
  LOTCHAIN_ASSERT(type == v1::VOTE_TYPE_PREVOTE || type == v1::VOTE_TYPE_PRECOMMIT);
  return type == v1::VOTE_TYPE_PREVOTE ? log.prevotes : log.precommits;
}

}  // namespace

AddResult HeightLog::AddVote(uint32_t round, v1::VoteType type, size_t validator,
                             const VoteEntry& entry, bool hash_known, v1::Vote* conflicting) {
  LOTCHAIN_ASSERT(conflicting != nullptr);
  if (rounds_.size() >= kRoundsKeptMax && rounds_.find(round) == rounds_.end()) {
    return AddResult::kFull;
  }
  RoundLog& log = rounds_[round];
  VoteSlots& votes = type == v1::VOTE_TYPE_PREVOTE ? log.prevotes : log.precommits;
  std::vector<VoteEntry>& slot = votes[validator];
  if (slot.empty()) {
    slot.push_back(entry);
    return AddResult::kAdded;
  }
  for (const VoteEntry& have : slot) {
    if (have.block_hash == entry.block_hash) return AddResult::kDuplicate;
  }
  *conflicting = slot.front().vote;
  if (hash_known && slot.size() < kVotesPerSlotMax) slot.push_back(entry);
  LOTCHAIN_ASSERT(slot.size() <= kVotesPerSlotMax);
  return AddResult::kConflict;
}

AddResult HeightLog::AddProposal(uint32_t round, const ProposalEntry& entry) {
  if (rounds_.size() >= kRoundsKeptMax && rounds_.find(round) == rounds_.end()) {
    return AddResult::kFull;
  }
  RoundLog& log = rounds_[round];
  for (const ProposalEntry& have : log.proposals) {
    LOTCHAIN_ASSERT(have.proposer_index == entry.proposer_index);
    if (have.block_hash == entry.block_hash && have.valid_round == entry.valid_round) {
      return AddResult::kDuplicate;
    }
  }
  if (log.proposals.size() >= kProposalsPerRoundMax) return AddResult::kFull;
  log.proposals.push_back(entry);
  return log.proposals.size() == 1 ? AddResult::kAdded : AddResult::kConflict;
}

size_t HeightLog::CountFor(uint32_t round, v1::VoteType type,
                           const std::string& block_hash) const {
  const RoundLog* log = Round(round);
  if (log == nullptr) return 0;
  size_t count = 0;
  for (const auto& [validator, slot] : Votes(*log, type)) {
    for (const VoteEntry& entry : slot) {
      if (entry.block_hash == block_hash) ++count;  // at most once: slots hold distinct hashes
    }
  }
  return count;
}

size_t HeightLog::CountAll(uint32_t round, v1::VoteType type) const {
  const RoundLog* log = Round(round);
  return log == nullptr ? 0 : Votes(*log, type).size();
}

size_t HeightLog::Senders(uint32_t round, size_t validator_count) const {
  const RoundLog* log = Round(round);
  if (log == nullptr) return 0;
  std::vector<bool> seen(validator_count, false);
  for (const auto& [validator, slot] : log->prevotes) seen.at(validator) = true;
  for (const auto& [validator, slot] : log->precommits) seen.at(validator) = true;
  for (const ProposalEntry& proposal : log->proposals) seen.at(proposal.proposer_index) = true;
  size_t count = 0;
  for (bool s : seen) count += s ? 1 : 0;
  return count;
}

const RoundLog* HeightLog::Round(uint32_t round) const {
  auto it = rounds_.find(round);
  return it == rounds_.end() ? nullptr : &it->second;
}

const v1::Block* HeightLog::FindBlock(const std::string& block_hash) const {
  for (const auto& [round, log] : rounds_) {
    for (const ProposalEntry& proposal : log.proposals) {
      if (proposal.block_hash == block_hash) return &proposal.proposal.block();
    }
  }
  return nullptr;
}

std::vector<v1::Vote> HeightLog::Precommits(uint32_t round, const std::string& block_hash) const {
  std::vector<v1::Vote> out;
  const RoundLog* log = Round(round);
  if (log == nullptr) return out;
  for (const auto& [validator, slot] : log->precommits) {
    for (const VoteEntry& entry : slot) {
      if (entry.block_hash == block_hash) out.push_back(entry.vote);
    }
  }
  return out;
}

void HeightLog::Prune(uint32_t round_min) {
  while (rounds_.size() > kRoundsKeptMax / 2 && rounds_.begin()->first < round_min) {
    rounds_.erase(rounds_.begin());
  }
  LOTCHAIN_ASSERT(rounds_.size() <= kRoundsKeptMax);
}

}  // namespace lotchain::bft
