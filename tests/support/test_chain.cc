#include "tests/support/test_chain.h"

#include <nlohmann/json.hpp>

#include "consensus/core/state_keys.h"

namespace lotchain::testing {

std::vector<TestMember> DefaultMembers() {
  return {{"miner", {"miner"}},         {"miner2", {"miner"}},
          {"refiner", {"refiner"}},     {"refiner2", {"refiner"}},
          {"precursor", {"precursor_maker"}}, {"cathode", {"cathode_maker"}},
          {"cell", {"cell_maker"}},     {"oem", {"oem"}},
          {"recycler", {"recycler"}},   {"collector", {"collector"}},
          {"secondlife", {"second_life"}}, {"auditor", {"auditor"}},
          {"auditor2", {"auditor"}}};
}

std::string SeedFor(const std::string& name) { return core::Sha256("test-seed/" + name); }

std::string GenesisJson(const std::vector<TestMember>& members, size_t validators,
                        const std::string& chain_id) {
  nlohmann::json g;
  g["chain_id"] = chain_id;
  g["genesis_time_unix_ms"] = 1'767'225'600'000;
  g["members"] = nlohmann::json::array();
  for (const auto& m : members) {
    auto key = core::SecretKey::FromSeed(SeedFor(m.org_id));
    g["members"].push_back({{"org_id", m.org_id},
                            {"name", m.org_id + " Ltd"},
                            {"roles", m.roles},
                            {"public_keys", {core::ToHex(key->PublicKey())}}});
  }
  g["validators"] = nlohmann::json::array();
  for (size_t i = 0; i < validators; ++i) {
    std::string id = "v" + std::to_string(i);
    auto key = core::SecretKey::FromSeed(SeedFor("validator/" + id));
    g["validators"].push_back({{"id", id},
                               {"public_key", core::ToHex(key->PublicKey())},
                               {"address", "127.0.0.1:" + std::to_string(26600 + i)}});
  }
  g["policy"] = {{"recycled_content_targets",
                  {{{"element", "Co"}, {"from_unix_ms", 1'944'777'600'000}, {"min_ppm", 160000},
                    {"label", "EU 2023/1542 Art. 8(2)(a)"}}}},
                 {"due_diligence_elements", {"Co", "Ni", "Li", "graphite"}}};
  return g.dump(2);
}

TestChain::TestChain(const std::vector<TestMember>& members)
    : TestChain(members, [](nlohmann::json&) {}) {}

TestChain::TestChain(const std::vector<TestMember>& members,
                     const std::function<void(nlohmann::json&)>& edit_genesis) {
  core::InitCrypto();
  nlohmann::json g = nlohmann::json::parse(GenesisJson(members));
  edit_genesis(g);
  auto parsed = core::ParseGenesis(g.dump());
  LOTCHAIN_ASSERT(parsed.ok());
  genesis_ = std::move(parsed).value();
  state_.Apply(core::GenesisDelta(genesis_));
  tree_ = core::StateTree().Apply(core::GenesisDelta(genesis_));
  state_root_ = tree_.Root();
  LOTCHAIN_ASSERT(state_root_ == core::GenesisStateRoot(genesis_));
  for (const auto& m : members) keys_[m.org_id] = core::SecretKey::FromSeed(SeedFor(m.org_id)).value();
}

std::string TestChain::Sign(const std::string& org, v1::TxBody body) {
  if (body.chain_id().empty()) body.set_chain_id(genesis_.chain_id);
  if (body.nonce() == 0) body.set_nonce(++nonces_[org]);
  v1::SignedTx tx;
  tx.set_body(body.SerializeAsString());
  const core::SecretKey& key = keys_.at(org);
  tx.set_signer(key.PublicKey());
  tx.set_signature(key.Sign(core::kTxDomain, genesis_.chain_id, tx.body()));
  return tx.SerializeAsString();
}

std::vector<v1::TxResult> TestChain::SubmitBlock(const std::vector<std::string>& signed_txs) {
  time_unix_ms += 1000;
  core::BlockContext ctx{.height = height_ + 1, .time_unix_ms = time_unix_ms};
  core::ExecutedBlock block = core::ExecuteBlock(genesis_, state_, tree_, ctx, signed_txs);
  state_.Apply(block.delta);
  tree_ = block.tree;
  state_root_ = block.state_root;
  height_ += 1;
  return block.results;
}

v1::TxResult TestChain::Submit(const std::string& org, v1::TxBody body) {
  return SubmitBlock({Sign(org, std::move(body))}).front();
}

v1::Lot TestChain::Lot(const std::string& lot_id) const {
  v1::Lot lot;
  auto bytes = state_.Get(core::keys::Lot(lot_id));
  LOTCHAIN_ASSERT(bytes.has_value());
  LOTCHAIN_ASSERT(lot.ParseFromString(*bytes));
  return lot;
}

v1::LotEvent TestChain::Event(const std::string& lot_id, uint64_t seq) const {
  v1::LotEvent event;
  auto bytes = state_.Get(core::keys::LotEvent(lot_id, seq));
  LOTCHAIN_ASSERT(bytes.has_value());
  LOTCHAIN_ASSERT(event.ParseFromString(*bytes));
  return event;
}

bool TestChain::HasLot(const std::string& lot_id) const {
  return state_.Get(core::keys::Lot(lot_id)).has_value();
}

v1::Facility TestChain::Facility(const std::string& facility_id) const {
  v1::Facility facility;
  auto bytes = state_.Get(core::keys::Facility(facility_id));
  LOTCHAIN_ASSERT(bytes.has_value());
  LOTCHAIN_ASSERT(facility.ParseFromString(*bytes));
  return facility;
}

v1::Totals TestChain::Totals() const {
  v1::Totals totals;
  if (auto bytes = state_.Get(core::keys::Totals())) LOTCHAIN_ASSERT(totals.ParseFromString(*bytes));
  return totals;
}

v1::TxResult TestChain::RegisterFacility(const std::string& org, const std::string& id,
                                         v1::FacilityKind kind, const std::string& country) {
  v1::TxBody body;
  auto* f = body.mutable_register_facility();
  f->set_facility_id(id);
  f->set_kind(kind);
  f->set_country(country);
  f->set_name(id + " site");
  return Submit(org, body);
}

v1::TxResult TestChain::CreateOrigin(const std::string& org, const std::string& lot_id,
                                     const std::string& facility, uint64_t mass,
                                     std::vector<v1::ElementMass> composition, uint64_t co2e) {
  v1::TxBody body;
  auto* c = body.mutable_create_origin_lot();
  c->set_lot_id(lot_id);
  c->set_facility_id(facility);
  c->set_material("ore concentrate");
  c->set_mass_grams(mass);
  for (auto& e : composition) *c->add_composition() = e;
  c->mutable_certificate()->set_document_sha256(core::Sha256("cert/" + lot_id));
  c->mutable_certificate()->set_issuer("Ministry of Mines");
  c->mutable_certificate()->set_number("CERT-" + lot_id);
  c->mutable_emissions()->set_co2e_grams(co2e);
  c->mutable_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  return Submit(org, body);
}

v1::TxResult TestChain::Offer(const std::string& org, const std::string& lot_id,
                              const std::string& to, uint64_t transport_co2e) {
  v1::TxBody body;
  auto* o = body.mutable_offer_transfer();
  o->set_lot_id(lot_id);
  o->set_prev_event_hash(LastEvent(lot_id));
  o->set_to_org(to);
  o->mutable_transport_emissions()->set_co2e_grams(transport_co2e);
  if (transport_co2e > 0) o->mutable_transport_emissions()->set_quality(v1::DATA_QUALITY_SECONDARY);
  return Submit(org, body);
}

v1::TxResult TestChain::Accept(const std::string& org, const std::string& lot_id) {
  v1::TxBody body;
  body.mutable_accept_transfer()->set_lot_id(lot_id);
  body.mutable_accept_transfer()->set_prev_event_hash(LastEvent(lot_id));
  return Submit(org, body);
}

v1::TxResult TestChain::Move(const std::string& from, const std::string& lot_id,
                             const std::string& to) {
  v1::TxResult offered = Offer(from, lot_id, to);
  if (offered.code() != v1::TX_CODE_OK) return offered;
  return Accept(to, lot_id);
}

v1::ElementMass Element(v1::Element element, uint64_t grams) {
  v1::ElementMass e;
  e.set_element(element);
  e.set_grams(grams);
  return e;
}

v1::LotConsumption Consume(const std::string& lot_id, const std::string& prev, uint64_t mass) {
  v1::LotConsumption c;
  c.set_lot_id(lot_id);
  c.set_prev_event_hash(prev);
  c.set_mass_grams(mass);
  return c;
}

v1::LotProduction Produce(const std::string& lot_id, uint64_t mass,
                          std::vector<v1::ElementMass> composition, const std::string& material) {
  v1::LotProduction p;
  p.set_lot_id(lot_id);
  p.set_material(material);
  p.set_mass_grams(mass);
  for (auto& e : composition) *p.add_composition() = e;
  return p;
}

}  // namespace lotchain::testing
