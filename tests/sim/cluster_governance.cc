// Validator-set changes in the simulator (docs/GOVERNANCE.md): the governance member votes the
// standby validator in during the fault phase and out again later, through ordinary signed
// transactions that a random live node admits, so a change may be decided while a partition
// is in force, while nodes are down or while a Byzantine validator misbehaves. The checks read
// the validator set of each height from the committed records by the rule itself, not through
// core::ChainValidatorSchedule (which the replicas use), so a bug in the schedule is caught.
#include "consensus/core/governance.h"
#include "consensus/core/state_keys.h"
#include "tests/sim/cluster_impl.h"

namespace lotchain::sim {

void Cluster::Govern(uint64_t kind) {
  const size_t standby = options_.validators;  // validator index of the standby key
  v1::TxBody body;
  auto* propose = body.mutable_propose_change();
  propose->set_proposal_id(kind == 0 ? "add-standby" : "remove-standby");
  if (kind == 0) {
    auto* spec = propose->mutable_change()->mutable_add_validator()->mutable_validator();
    spec->set_validator_id("v" + std::to_string(standby));
    spec->set_public_key(world_.validator_keys[standby].PublicKey());
    spec->set_address("127.0.0.1:" + std::to_string(26600 + standby));
    spec->set_operator_org(World::kGovernanceOrg);
  } else {
    propose->mutable_change()->mutable_remove_validator()->set_validator_id(
        "v" + std::to_string(standby));
  }
  const std::string proposal_id = propose->proposal_id();
  std::string bytes = world_.SignGovernance(std::move(body));
  size_t to = static_cast<size_t>(prng_.Below(nodes_.size()));
  for (size_t tries = 0; tries < nodes_.size() && !nodes_[to]->up(); ++tries) {
    to = (to + 1) % nodes_.size();
  }
  if (!nodes_[to]->up()) {  // every node is down: the member tries again a little later
    Push({.time = now_ + 200, .kind = EventKind::kGovern, .mask = kind});
    return;
  }
  ++result_.faults[kFaultValidatorChange];
  if (partition_mask_ != 0) ++result_.faults[kFaultChangeInPartition];
  Trace("n" + std::to_string(to) + " admits governance " + proposal_id);
  world_.Submit(bytes);
  v1::SignedTx envelope;
  auto checked = core::CheckTxStateless(world_.genesis, bytes, true, &envelope);
  LOTCHAIN_ASSERT(checked.ok());
  (void)nodes_[to]->replica().SubmitTx(
      {core::TxHash(bytes), std::move(bytes), envelope.signer(), checked->nonce()}, LocalMs(to));
  Process(to);
}

core::ValidatorSet Cluster::ReferenceSet(size_t node, uint64_t height) const {
  const auto records = core::ScheduledValidatorSets(world_.genesis, nodes_[node]->store().state());
  const v1::ValidatorSetRecord* at = &records.front();
  for (const auto& record : records) {
    if (record.active_from() <= height) at = &record;  // the rule: the last set begun by h
  }
  std::vector<std::string> keys;
  for (const auto& v : at->validators()) keys.push_back(v.public_key());
  return core::ValidatorSet::Create(world_.genesis.chain_id, std::move(keys)).value();
}

}  // namespace lotchain::sim
