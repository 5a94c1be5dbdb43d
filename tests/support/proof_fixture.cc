#include "tests/support/proof_fixture.h"

#include <deque>
#include <functional>
#include <set>
#include <utility>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/merkle.h"
#include "consensus/core/queries.h"
#include "consensus/core/state_keys.h"

namespace lotchain::testing {

namespace {

v1::TxBody BodyOf(const std::string& signed_tx) {
  v1::SignedTx envelope;
  v1::TxBody body;
  LOTCHAIN_ASSERT(envelope.ParseFromString(signed_tx));
  LOTCHAIN_ASSERT(body.ParseFromString(envelope.body()));
  return body;
}

bool Applied(const ProofBlock& block, size_t index) {
  v1::TxResult result;
  LOTCHAIN_ASSERT(result.ParseFromString(block.result_leaves[index]));
  return result.code() == v1::TX_CODE_OK;
}

}  // namespace

v1::CommitCertificate SignCertificate(const core::Genesis& genesis, uint64_t height,
                                      const std::string& header_bytes, size_t votes,
                                      uint32_t round) {
  return SignCertificate(genesis.chain_id, genesis.validators, height, header_bytes, votes, round);
}

v1::CommitCertificate SignCertificate(const std::string& chain_id,
                                      const std::vector<core::GenesisValidator>& validators,
                                      uint64_t height, const std::string& header_bytes,
                                      size_t votes, uint32_t round) {
  v1::CommitCertificate certificate;
  certificate.set_height(height);
  certificate.set_round(round);
  certificate.set_block_hash(core::Sha256(header_bytes));
  for (size_t i = 0; i < votes && i < validators.size(); ++i) {
    auto key = core::SecretKey::FromSeed(SeedFor("validator/" + validators[i].id));
    LOTCHAIN_ASSERT(key.ok() && key->PublicKey() == validators[i].public_key);
    v1::VoteBody body;
    body.set_chain_id(chain_id);
    body.set_height(height);
    body.set_round(round);
    body.set_type(v1::VOTE_TYPE_PRECOMMIT);
    body.set_block_hash(certificate.block_hash());
    v1::Vote* vote = certificate.add_precommits();
    vote->set_body(body.SerializeAsString());
    vote->set_validator(key->PublicKey());
    vote->set_signature(key->Sign(core::kVoteDomain, chain_id, vote->body()));
  }
  return certificate;
}

ProofChain::ProofChain() : ProofChain([](nlohmann::json&) {}) {}

ProofChain::ProofChain(const std::function<void(nlohmann::json&)>& edit_genesis)
    : signer_(DefaultMembers(), edit_genesis) {
  state_.Apply(core::GenesisDelta(genesis()));
  tree_ = core::StateTree().Apply(core::GenesisDelta(genesis()));
  state_root_ = tree_.Root();
  schedule_.emplace(core::ChainValidatorSchedule::ForGenesis(genesis()).value());
}

std::vector<v1::TxResult> ProofChain::SubmitBlock(const std::vector<std::string>& signed_txs) {
  LOTCHAIN_ASSERT(!signed_txs.empty());
  time_unix_ms += 1000;
  const uint64_t next_height = height() + 1;
  core::ExecutedBlock executed = core::ExecuteBlock(
      genesis(), state_, tree_, {.height = next_height, .time_unix_ms = time_unix_ms},
      signed_txs);
  ProofBlock stored;
  v1::BlockHeader& header = stored.header;
  header.set_chain_id(genesis().chain_id);
  header.set_height(next_height);
  header.set_time_unix_ms(time_unix_ms);
  header.set_prev_block_hash(blocks_.empty() ? genesis().hash
                                             : core::Sha256(blocks_.back().block.header()));
  header.set_tx_root(executed.tx_root);
  header.set_results_root(executed.results_root);
  header.set_state_root(executed.state_root);
  header.set_tx_count(static_cast<uint32_t>(signed_txs.size()));
  const auto& validators = schedule_->EntriesAt(next_height);
  header.set_proposer(validators[next_height % validators.size()].public_key);
  header.set_validators_hash(schedule_->At(next_height).Hash());
  header.set_next_validators_hash(schedule_->At(next_height + 1).Hash());
  stored.block.set_header(header.SerializeAsString());
  for (const auto& tx : signed_txs) stored.block.add_txs(tx);
  for (const auto& result : executed.results) {
    stored.result_leaves.push_back(result.SerializeAsString());
  }
  stored.certificate = SignCertificate(genesis().chain_id, validators, next_height,
                                       stored.block.header(), validators.size());
  state_.Apply(executed.delta);
  LOTCHAIN_ASSERT(schedule_->Refresh(state_).ok());
  tree_ = executed.tree;
  state_root_ = executed.state_root;
  blocks_.push_back(std::move(stored));
  return executed.results;
}

std::string ProofChain::LastEvent(const std::string& lot_id) const {
  auto lot = core::QueryLot(state_, lot_id);
  return lot.ok() ? lot->last_event_hash() : std::string(32, '\0');
}

v1::TxInclusion ProofChain::Inclusion(uint64_t height, uint32_t index) const {
  const ProofBlock& stored = Block(height);
  std::vector<std::string> txs(stored.block.txs().begin(), stored.block.txs().end());
  v1::TxInclusion inclusion;
  inclusion.set_signed_tx(txs.at(index));
  inclusion.set_height(height);
  inclusion.set_index(index);
  for (auto& node : core::MerkleAuditPath(txs, index)) inclusion.add_tx_path(node);
  inclusion.set_result(stored.result_leaves.at(index));
  for (auto& node : core::MerkleAuditPath(stored.result_leaves, index)) {
    inclusion.add_result_path(node);
  }
  return inclusion;
}

v1::ProofBlock ProofChain::TableBlock(uint64_t height) const {
  const ProofBlock& stored = Block(height);
  v1::ProofBlock row;
  row.set_height(height);
  row.set_header(stored.block.header());
  *row.mutable_certificate() = stored.certificate;
  return row;
}

void EnsureBlock(v1::ProofBundle& bundle, const v1::ProofBlock& row) {
  auto* blocks = bundle.mutable_blocks();
  int at = 0;
  while (at < blocks->size() && blocks->Get(at).height() < row.height()) ++at;
  if (at < blocks->size() && blocks->Get(at).height() == row.height()) return;
  *blocks->Add() = row;
  for (int i = blocks->size() - 1; i > at; --i) blocks->SwapElements(i, i - 1);
}

void DropUnusedBlocks(v1::ProofBundle& bundle) {
  std::set<uint64_t> used;
  for (const auto& inclusion : bundle.txs()) used.insert(inclusion.height());
  if (bundle.has_anchor()) used.insert(bundle.anchor().height());
  v1::ProofBundle kept;
  for (const auto& row : bundle.blocks()) {
    if (used.count(row.height()) > 0) *kept.add_blocks() = row;
  }
  bundle.mutable_blocks()->Swap(kept.mutable_blocks());
}

v1::ProofBundle ProofChain::BuildBundle(const std::string& lot_id) const {
  using Position = std::pair<uint64_t, uint32_t>;
  std::set<Position> picks;
  std::set<std::string> facilities;
  std::set<std::string> flags;  // open flags, by id
  // The applied tx of block `height` that satisfies `match` (facility, audit, flag lookups).
  auto pick_applied = [&](uint64_t height, const std::function<bool(const v1::TxBody&)>& match) {
    const ProofBlock& stored = Block(height);
    for (size_t i = 0; i < static_cast<size_t>(stored.block.txs_size()); ++i) {
      if (Applied(stored, i) && match(BodyOf(stored.block.txs(static_cast<int>(i))))) {
        picks.insert({height, static_cast<uint32_t>(i)});
        return;
      }
    }
    LOTCHAIN_ASSERT(false);
  };
  auto pick_flags = [&](char kind, const std::string& id) {
    for (const auto& flag : core::QueryOpenFlags(state_, kind, id)) {
      const std::string flag_id = flag.raised().flag_id();
      if (!flags.insert(flag_id).second) continue;
      pick_applied(flag.raised_height(), [&](const v1::TxBody& body) {
        return body.has_raise_risk_flag() && body.raise_risk_flag().flag_id() == flag_id;
      });
    }
  };
  // Lots: the upstream DAG plus, for every transform or recovery in it, all its inputs (the
  // co-input closure), each with its whole history.
  std::set<std::string> lots;
  std::deque<std::string> queue = {lot_id};
  while (!queue.empty()) {
    std::string id = std::move(queue.front());
    queue.pop_front();
    if (!lots.insert(id).second) continue;
    v1::Lot lot = core::QueryLot(state_, id).value();
    for (const auto& parent : lot.parents()) queue.push_back(parent.lot_id());
    facilities.insert(lot.facility_id());
    pick_flags('L', id);
    auto history = core::QueryLotHistory(state_, id);
    LOTCHAIN_ASSERT(history.ok());
    for (const auto& event : history->events()) {
      picks.insert({event.height(), event.tx_index()});
      if (!event.facility_id().empty()) facilities.insert(event.facility_id());
      v1::TxBody body = BodyOf(Block(event.height()).block.txs(static_cast<int>(event.tx_index())));
      for (const auto& input : body.transform().inputs()) queue.push_back(input.lot_id());
      for (const auto& input : body.recover().inputs()) queue.push_back(input.lot_id());
    }
  }
  for (const std::string& facility_id : facilities) {
    auto facility = core::QueryFacility(state_, facility_id);
    LOTCHAIN_ASSERT(facility.has_value());
    pick_applied(facility->registered_height(), [&](const v1::TxBody& body) {
      return body.has_register_facility() && body.register_facility().facility_id() == facility_id;
    });
    auto audits = state_.Scan(core::keys::FacilityAuditPrefix(facility_id), 1000);
    for (const auto& [key, value] : audits) {
      v1::Audit audit;
      LOTCHAIN_ASSERT(audit.ParseFromString(value));
      const std::string audit_id = audit.record().audit_id();
      pick_applied(audit.height(), [&](const v1::TxBody& body) {
        return body.has_record_audit() && body.record_audit().audit_id() == audit_id;
      });
    }
    pick_flags('F', facility_id);
  }
  // Every governance transaction (docs/GOVERNANCE.md), found by walking the log.
  if (auto head_bytes = state_.Get(core::keys::GovernanceHead())) {
    v1::GovernanceHead head;
    LOTCHAIN_ASSERT(head.ParseFromString(*head_bytes));
    for (uint64_t seq = 0; seq < head.event_count(); ++seq) {
      v1::GovernanceEvent event;
      LOTCHAIN_ASSERT(event.ParseFromString(state_.Get(core::keys::GovernanceEvent(seq)).value()));
      picks.insert({event.height(), event.tx_index()});
    }
  }
  v1::ProofBundle bundle;
  bundle.set_chain_id(genesis().chain_id);
  bundle.set_genesis_hash(genesis().hash);
  bundle.set_lot_id(lot_id);
  bundle.set_format(v1::PROOF_FORMAT_BLOCK_TABLE);
  for (const auto& [height, index] : picks) {
    if (bundle.blocks_size() == 0 || bundle.blocks(bundle.blocks_size() - 1).height() != height) {
      *bundle.add_blocks() = TableBlock(height);
    }
    *bundle.add_txs() = Inclusion(height, index);
  }
  // The anchor at the tip: the records that show the bundle left nothing out, found here by
  // this fixture's own walk (not by core::ComputeProofScope, which the verifier uses).
  std::set<std::string> anchor_keys;
  for (const std::string& id : lots) anchor_keys.insert(core::keys::Lot(id));
  for (const std::string& id : facilities) anchor_keys.insert(core::keys::Facility(id));
  for (const std::string& id : flags) anchor_keys.insert(core::keys::RiskFlag(id));
  anchor_keys.insert(core::keys::GovernanceHead());
  SetAnchor(bundle, height(), {anchor_keys.begin(), anchor_keys.end()});
  return bundle;
}

void ProofChain::SetAnchor(v1::ProofBundle& bundle, uint64_t anchor_height,
                           const std::vector<std::string>& keys) const {
  LOTCHAIN_ASSERT(anchor_height == height());  // proofs come from the tip's tree only
  EnsureBlock(bundle, TableBlock(anchor_height));
  v1::StateAnchor* anchor = bundle.mutable_anchor();
  anchor->Clear();
  anchor->set_height(anchor_height);
  for (const std::string& key : keys) *anchor->add_proofs() = tree_.Prove(key, state_.Get(key));
}

namespace proof_txs {

v1::TxBody Facility(const std::string& id, v1::FacilityKind kind, const std::string& country) {
  v1::TxBody body;
  auto* f = body.mutable_register_facility();
  f->set_facility_id(id);
  f->set_kind(kind);
  f->set_country(country);
  f->set_name(id + " site");
  return body;
}

v1::TxBody Origin(const std::string& lot_id, const std::string& facility, uint64_t mass,
                  v1::ElementMass element, uint64_t co2e) {
  v1::TxBody body;
  auto* c = body.mutable_create_origin_lot();
  c->set_lot_id(lot_id);
  c->set_facility_id(facility);
  c->set_material("ore concentrate");
  c->set_mass_grams(mass);
  *c->add_composition() = element;
  c->mutable_certificate()->set_document_sha256(core::Sha256("cert/" + lot_id));
  c->mutable_certificate()->set_issuer("Ministry of Mines");
  c->mutable_certificate()->set_number("CERT-" + lot_id);
  c->mutable_emissions()->set_co2e_grams(co2e);
  c->mutable_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  return body;
}

v1::TxBody Offer(const ProofChain& chain, const std::string& lot_id, const std::string& to,
                 uint64_t co2e) {
  v1::TxBody body;
  auto* o = body.mutable_offer_transfer();
  o->set_lot_id(lot_id);
  o->set_prev_event_hash(chain.LastEvent(lot_id));
  o->set_to_org(to);
  o->mutable_transport_emissions()->set_co2e_grams(co2e);
  o->mutable_transport_emissions()->set_quality(v1::DATA_QUALITY_SECONDARY);
  return body;
}

v1::TxBody Accept(const ProofChain& chain, const std::string& lot_id) {
  v1::TxBody body;
  body.mutable_accept_transfer()->set_lot_id(lot_id);
  body.mutable_accept_transfer()->set_prev_event_hash(chain.LastEvent(lot_id));
  return body;
}

v1::TxBody Transform(const std::string& facility, v1::ProcessKind process,
                     std::vector<v1::LotConsumption> inputs, v1::LotProduction output,
                     uint64_t co2e) {
  v1::TxBody body;
  auto* t = body.mutable_transform();
  t->set_facility_id(facility);
  t->set_process(process);
  for (auto& input : inputs) *t->add_inputs() = std::move(input);
  *t->add_outputs() = std::move(output);
  t->mutable_process_emissions()->set_co2e_grams(co2e);
  t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  return body;
}

v1::TxBody Audit(const std::string& audit_id, const std::string& facility,
                 v1::AuditStatus status, int64_t audit_date_unix_ms) {
  v1::TxBody body;
  auto* a = body.mutable_record_audit();
  a->set_audit_id(audit_id);
  a->set_facility_id(facility);
  a->set_standard("RMI RMAP Cobalt Refiner DD Standard");
  a->set_status(status);
  a->set_audit_date_unix_ms(audit_date_unix_ms);
  a->set_valid_until_unix_ms(audit_date_unix_ms + 365LL * 86'400'000);
  a->set_report_sha256(core::Sha256("report/" + audit_id));
  return body;
}

v1::TxBody FacilityFlag(const std::string& flag_id, const std::string& facility,
                        v1::RiskCategory category) {
  v1::TxBody body;
  auto* f = body.mutable_raise_risk_flag();
  f->set_flag_id(flag_id);
  f->set_facility_id(facility);
  f->set_category(category);
  f->set_severity(v1::SEVERITY_MEDIUM);
  f->set_evidence_sha256(core::Sha256("evidence/" + flag_id));
  f->set_description("tailings discharge reported");
  return body;
}

void RequireOk(const std::vector<v1::TxResult>& results) {
  for (const auto& result : results) LOTCHAIN_ASSERT(result.code() == v1::TX_CODE_OK);
}

}  // namespace proof_txs

using namespace proof_txs;  // NOLINT(google-build-using-namespace): the chain below reads as a script

PackChainFacts BuildPackChain(ProofChain& chain) {
  PackChainFacts facts;
  RequireOk(chain.SubmitBlock({
      chain.Sign("miner", Facility("mine-co", v1::FACILITY_KIND_MINE, "CD")),
      chain.Sign("miner2", Facility("mine-ni", v1::FACILITY_KIND_MINE, "ID")),
      chain.Sign("refiner", Facility("ref-co", v1::FACILITY_KIND_REFINERY, "FI")),
      chain.Sign("cell", Facility("cell-plant", v1::FACILITY_KIND_PLANT, "PL")),
      chain.Sign("oem", Facility("pack-plant", v1::FACILITY_KIND_PLANT, "DE")),
      chain.Sign("refiner2", Facility("ref-other", v1::FACILITY_KIND_REFINERY, "CN")),
  }));
  const v1::TxBody audit =
      Audit("rmi-1", "ref-co", v1::AUDIT_STATUS_CONFORMANT, chain.time_unix_ms);
  RequireOk(chain.SubmitBlock({
      chain.Sign("miner", Origin("co-ore", "mine-co", 1'000'000,
                                 Element(v1::ELEMENT_CO, 200'000), 2'000'000)),
      chain.Sign("miner2", Origin("ni-ore", "mine-ni", 1'000'000,
                                  Element(v1::ELEMENT_NI, 300'000), 3'000'000)),
      chain.Sign("miner", Origin("other-ore", "mine-co", 400'000,
                                 Element(v1::ELEMENT_CO, 50'000), 700'000)),
      chain.Sign("auditor", audit),
  }));
  RequireOk(chain.SubmitBlock({
      chain.Sign("miner", Offer(chain, "co-ore", "refiner", 10'000)),
      chain.Sign("miner2", Offer(chain, "ni-ore", "cell", 20'000)),
      chain.Sign("miner", Offer(chain, "other-ore", "refiner", 5'000)),
  }));
  const v1::TxBody flag = FacilityFlag("flag-1", "ref-co", v1::RISK_CATEGORY_WATER);
  RequireOk(chain.SubmitBlock({
      chain.Sign("refiner", Accept(chain, "co-ore")),
      chain.Sign("cell", Accept(chain, "ni-ore")),
      chain.Sign("auditor2", flag),
      chain.Sign("refiner", Accept(chain, "other-ore")),
  }));
  // Block 5: refining; the second transaction is rejected (the miner no longer holds co-ore).
  std::vector<v1::TxResult> refined = chain.SubmitBlock({
      chain.Sign("refiner",
                 Transform("ref-co", v1::PROCESS_KIND_REFINING,
                           {Consume("co-ore", chain.LastEvent("co-ore"), 800'000)},
                           Produce("co-sulphate", 500'000, {Element(v1::ELEMENT_CO, 150'000)}),
                           1'000'000)),
      chain.Sign("miner", Offer(chain, "co-ore", "refiner2", 0)),
  });
  LOTCHAIN_ASSERT(refined[0].code() == v1::TX_CODE_OK);
  LOTCHAIN_ASSERT(refined[1].code() == v1::TX_CODE_REJECTED);
  facts.rejected_height = chain.height();
  facts.rejected_index = 1;
  RequireOk({chain.Submit("refiner", Offer(chain, "co-sulphate", "cell", 30'000))});
  RequireOk({chain.Submit("cell", Accept(chain, "co-sulphate"))});
  RequireOk({chain.Submit(
      "cell", Transform("cell-plant", v1::PROCESS_KIND_CELL,
                        {Consume("co-sulphate", chain.LastEvent("co-sulphate"), 500'000),
                         Consume("ni-ore", chain.LastEvent("ni-ore"), 1'000'000)},
                        Produce("cell-1", 600'000,
                                {Element(v1::ELEMENT_CO, 150'000),
                                 Element(v1::ELEMENT_NI, 300'000)}),
                        400'000))});
  RequireOk({chain.Submit("cell", Offer(chain, "cell-1", "oem", 15'000))});
  RequireOk({chain.Submit("oem", Accept(chain, "cell-1"))});
  RequireOk({chain.Submit(
      "oem", Transform("pack-plant", v1::PROCESS_KIND_PACK,
                       {Consume("cell-1", chain.LastEvent("cell-1"), 600'000)},
                       Produce("pack-1", 600'000,
                               {Element(v1::ELEMENT_CO, 150'000),
                                Element(v1::ELEMENT_NI, 300'000)}),
                       100'000))});
  v1::TxBody battery;
  auto* b = battery.mutable_register_battery();
  b->set_lot_id("pack-1");
  b->set_prev_event_hash(chain.LastEvent("pack-1"));
  b->set_serial("P1");
  b->set_chemistry("NMC811");
  b->set_rated_capacity_wh(50'000);
  b->set_expected_lifetime_wh(100'000'000);
  // The battery registration shares its block with unrelated work.
  RequireOk(chain.SubmitBlock({
      chain.Sign("miner2", Origin("ni-ore-2", "mine-ni", 10'000,
                                  Element(v1::ELEMENT_NI, 1'000), 100)),
      chain.Sign("oem", battery),
      chain.Sign("miner", Origin("co-ore-2", "mine-co", 10'000,
                                 Element(v1::ELEMENT_CO, 1'000), 100)),
  }));
  // After pack-1 exists, the rest of co-ore (an ancestor) is consumed together with other-ore.
  RequireOk({chain.Submit(
      "refiner", Transform("ref-co", v1::PROCESS_KIND_REFINING,
                           {Consume("co-ore", chain.LastEvent("co-ore"), 200'000),
                            Consume("other-ore", chain.LastEvent("other-ore"), 400'000)},
                           Produce("co-scrap", 100'000, {Element(v1::ELEMENT_CO, 60'000)}),
                           50'000))});
  return facts;
}

}  // namespace lotchain::testing
