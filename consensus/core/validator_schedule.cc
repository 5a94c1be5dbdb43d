#include "consensus/core/validator_schedule.h"

namespace lotchain::core {

Result<GenesisValidatorSchedule> GenesisValidatorSchedule::Create(const Genesis& genesis) {
  LOTCHAIN_ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSet::FromGenesis(genesis));
  return GenesisValidatorSchedule(std::move(set), genesis.validators);
}

}  // namespace lotchain::core
