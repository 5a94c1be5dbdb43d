// The message log of one height: verified proposals and votes of every round. Counts are over
// DISTINCT validators per block hash, never messages, so duplicates and a Byzantine sender's
// copies never add up to a quorum.
//
// An equivocating validator's conflicting votes are kept (up to kVotesPerSlotMax per validator,
// round and type, and beyond the first only for blocks some proposal carried): counting a
// validator once per hash is still safe (two 2f+1 quorums for different hashes share an honest
// validator, who never votes twice), and it keeps honest validators from disagreeing forever
// about which of a Byzantine validator's votes "came first". Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consensus/bft/types.h"
#include "lotchain/v1/block.pb.h"

namespace lotchain::bft {

struct VoteEntry {
  std::string block_hash;  // empty = nil
  v1::Vote vote;
};

struct ProposalEntry {
  v1::Proposal proposal;  // signature verified; block matches block_hash
  std::string block_hash;
  int32_t valid_round = -1;
  size_t proposer_index = 0;
};

inline constexpr size_t kVotesPerSlotMax = 3;

using VoteSlots = std::map<size_t, std::vector<VoteEntry>>;  // validator index -> its votes

struct RoundLog {
  VoteSlots prevotes;
  VoteSlots precommits;
  std::vector<ProposalEntry> proposals;    // first one is "the" proposal; <= kProposalsPerRoundMax
};

enum class AddResult : uint8_t { kAdded, kDuplicate, kConflict, kFull };

class HeightLog {
 public:
  void Clear() { rounds_.clear(); }

  // On kConflict, `*conflicting` is set to the earlier vote (evidence pairs it with `vote`);
  // the new vote is kept too if `hash_known` (a proposal of this height carries that block).
  AddResult AddVote(uint32_t round, v1::VoteType type, size_t validator, const VoteEntry& entry,
                    bool hash_known, v1::Vote* conflicting);
  AddResult AddProposal(uint32_t round, const ProposalEntry& entry);

  size_t CountFor(uint32_t round, v1::VoteType type, const std::string& block_hash) const;
  // Distinct validators with any vote of `type` in `round`.
  size_t CountAll(uint32_t round, v1::VoteType type) const;
  // Distinct validators with any message (proposal, prevote, precommit) in `round`.
  size_t Senders(uint32_t round, size_t validator_count) const;

  const RoundLog* Round(uint32_t round) const;
  const std::map<uint32_t, RoundLog>& rounds() const { return rounds_; }
  // A block carried by any proposal of this height with that hash, or nullptr.
  const v1::Block* FindBlock(const std::string& block_hash) const;
  // The precommits for `block_hash` in `round`, ordered by validator index.
  std::vector<v1::Vote> Precommits(uint32_t round, const std::string& block_hash) const;
  // Keeps the log within kRoundsKeptMax rounds by dropping the lowest rounds below `round_min`.
  void Prune(uint32_t round_min);

 private:
  std::map<uint32_t, RoundLog> rounds_;
};

}  // namespace lotchain::bft
