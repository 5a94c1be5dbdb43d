#include "consensus/core/validator_schedule.h"

#include "consensus/core/governance.h"
#include "consensus/core/state_keys.h"

namespace lotchain::core {

Result<GenesisValidatorSchedule> GenesisValidatorSchedule::Create(const Genesis& genesis) {
  LOTCHAIN_ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSet::FromGenesis(genesis));
  return GenesisValidatorSchedule(std::move(set), genesis.validators);
}

Result<ChainValidatorSchedule> ChainValidatorSchedule::FromRecords(
    const Genesis& genesis, const std::vector<v1::ValidatorSetRecord>& records) {
  ChainValidatorSchedule schedule(genesis);
  if (records.empty() || records[0].active_from() != 1) {
    return Status("BAD_VALIDATOR_SET", "the first validator set must hold from height 1");
  }
  for (const auto& record : records) LOTCHAIN_RETURN_IF_ERROR(schedule.Add(record));
  return schedule;
}

Result<ChainValidatorSchedule> ChainValidatorSchedule::ForGenesis(const Genesis& genesis) {
  const MemState empty;
  return FromRecords(genesis, ScheduledValidatorSets(genesis, empty));
}

Result<ChainValidatorSchedule> ChainValidatorSchedule::Load(const Genesis& genesis,
                                                            const StateReader& state) {
  return FromRecords(genesis, ScheduledValidatorSets(genesis, state));
}

// Runs after every commit: one read of the governance head, and a record read only for a set
// it has not seen (not every record on every block).
Result<size_t> ChainValidatorSchedule::Refresh(const StateReader& state) {
  size_t added = 0;
  const v1::GovernanceHead head = LoadGovernanceHead(*genesis_, state);
  for (uint64_t height : head.validator_set_heights()) {
    if (height <= sets_.rbegin()->first) continue;
    auto bytes = state.Get(keys::ValidatorSetFrom(height));
    v1::ValidatorSetRecord record;
    if (!bytes.has_value() || !record.ParseFromString(*bytes)) {
      return Status("BAD_VALIDATOR_SET", "the validator set scheduled from height " +
                                             std::to_string(height) + " is missing or damaged");
    }
    LOTCHAIN_RETURN_IF_ERROR(Add(record));
    ++added;
  }
  return added;
}

Status ChainValidatorSchedule::Add(const v1::ValidatorSetRecord& record) {
  if (!sets_.empty() && record.active_from() <= sets_.rbegin()->first) {
    return Status("BAD_VALIDATOR_SET", "validator sets out of order at height " +
                                           std::to_string(record.active_from()));
  }
  Entry entry;
  std::vector<std::string> keys;
  for (const auto& spec : record.validators()) {
    entry.entries.push_back(FromSpec(spec));
    keys.push_back(spec.public_key());
  }
  LOTCHAIN_ASSIGN_OR_RETURN(entry.set, ValidatorSet::Create(genesis_->chain_id, std::move(keys)));
  sets_.emplace(record.active_from(), std::move(entry));
  return Status::Ok();
}

const ChainValidatorSchedule::Entry& ChainValidatorSchedule::EntryAt(uint64_t height) const {
  auto it = sets_.upper_bound(height);
  LOTCHAIN_ASSERT(it != sets_.begin());  // the first set holds from height 1
  return std::prev(it)->second;
}

const ValidatorSet& ChainValidatorSchedule::At(uint64_t height) const {
  return EntryAt(height == 0 ? 1 : height).set;
}

const std::vector<GenesisValidator>& ChainValidatorSchedule::EntriesAt(uint64_t height) const {
  return EntryAt(height == 0 ? 1 : height).entries;
}

std::vector<uint64_t> ChainValidatorSchedule::ChangeHeights() const {
  std::vector<uint64_t> out;
  for (const auto& [height, entry] : sets_) out.push_back(height);
  return out;
}

}  // namespace lotchain::core
