// Which validators certify block `height`: the one seam every reader of the validator set goes
// through — the engine's config and proposer rotation, certificate checks (node, catch-up,
// proof verifier), the transport's peers and GetStatus. GenesisValidatorSchedule has the genesis
// set at every height; ChainValidatorSchedule adds each set governance adopted, from the height
// it takes effect (docs/GOVERNANCE.md), so each reader asks with the height it means.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "consensus/core/certificate.h"
#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "consensus/core/state.h"
#include "lotchain/v1/governance.pb.h"

namespace lotchain::core {

class ValidatorSchedule {
 public:
  virtual ~ValidatorSchedule() = default;
  // The set that votes on and certifies block `height` (>= 1).
  virtual const ValidatorSet& At(uint64_t height) const = 0;
  // Their ids, keys and p2p addresses, in the set's order.
  virtual const std::vector<GenesisValidator>& EntriesAt(uint64_t height) const = 0;
};

class GenesisValidatorSchedule final : public ValidatorSchedule {
 public:
  // BAD_VALIDATOR_SET when the genesis validators do not form a set (ParseGenesis checks the
  // conditions, so a parsed genesis always succeeds).
  static Result<GenesisValidatorSchedule> Create(const Genesis& genesis);

  const ValidatorSet& At(uint64_t) const override { return set_; }
  const std::vector<GenesisValidator>& EntriesAt(uint64_t) const override { return entries_; }

 private:
  GenesisValidatorSchedule(ValidatorSet set, std::vector<GenesisValidator> entries)
      : set_(std::move(set)), entries_(std::move(entries)) {}

  ValidatorSet set_;
  std::vector<GenesisValidator> entries_;
};

// The genesis set from height 1, then every set the chain scheduled ("V/" records). Grows only:
// Refresh after each commit adds what the state newly schedules, and references returned by
// At/EntriesAt stay valid for the schedule's lifetime (the sets live in a std::map). Not
// thread-safe: one owner (the replica's loop, the verifier) reads and refreshes it.
class ChainValidatorSchedule final : public ValidatorSchedule {
 public:
  // From scheduled sets in ascending active_from order, the first active from height 1.
  // BAD_VALIDATOR_SET when a set is empty, has duplicate keys or heights are out of order.
  static Result<ChainValidatorSchedule> FromRecords(
      const Genesis& genesis, const std::vector<v1::ValidatorSetRecord>& records);
  // The genesis set alone (a chain before any governance change).
  static Result<ChainValidatorSchedule> ForGenesis(const Genesis& genesis);
  // From the committed state (core::ScheduledValidatorSets).
  static Result<ChainValidatorSchedule> Load(const Genesis& genesis, const StateReader& state);
  // Adds the sets `state` schedules beyond the ones known; returns how many were added.
  Result<size_t> Refresh(const StateReader& state);

  const ValidatorSet& At(uint64_t height) const override;
  const std::vector<GenesisValidator>& EntriesAt(uint64_t height) const override;
  // First heights of every set, ascending (1 = genesis).
  std::vector<uint64_t> ChangeHeights() const;

 private:
  struct Entry {
    ValidatorSet set;
    std::vector<GenesisValidator> entries;
  };
  explicit ChainValidatorSchedule(const Genesis& genesis) : genesis_(&genesis) {}
  Status Add(const v1::ValidatorSetRecord& record);
  const Entry& EntryAt(uint64_t height) const;

  const Genesis* genesis_;
  std::map<uint64_t, Entry> sets_;  // by active_from
};

}  // namespace lotchain::core
