// Which validators certify block `height`: the one seam every reader of the validator set goes
// through — the engine's config and proposer rotation, certificate checks (node, catch-up,
// proof verifier), the transport's peers and GetStatus. Today every height has the genesis set
// (GenesisValidatorSchedule); governance (issue 12) adds a schedule whose set changes a fixed
// distance after a decided change, so each reader already asks with the height it means.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus/core/certificate.h"
#include "consensus/core/genesis.h"
#include "consensus/core/result.h"

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

}  // namespace lotchain::core
