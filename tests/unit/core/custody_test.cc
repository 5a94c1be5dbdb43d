// Custody rules: the happy path of a supply chain and every rejection code.
#include <gtest/gtest.h>

#include "consensus/core/custody_codes.h"
#include "consensus/core/state_keys.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

using v1::ELEMENT_CO;
using v1::ELEMENT_LI;
using v1::ELEMENT_NI;

#define EXPECT_OK(result) EXPECT_EQ((result).code(), v1::TX_CODE_OK) << (result).reason() << ": " << (result).message()
#define EXPECT_REJECTED(result, expected_reason)          \
  do {                                                    \
    v1::TxResult r_ = (result);                           \
    EXPECT_EQ(r_.code(), v1::TX_CODE_REJECTED);           \
    EXPECT_EQ(r_.reason(), expected_reason) << r_.message(); \
    EXPECT_FALSE(r_.message().empty());                   \
  } while (0)

class CustodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_OK(chain.RegisterFacility("miner", "mine-1", v1::FACILITY_KIND_MINE, "CD"));
    EXPECT_OK(chain.RegisterFacility("refiner", "ref-1", v1::FACILITY_KIND_REFINERY, "FI"));
    EXPECT_OK(chain.RegisterFacility("cathode", "cam-1", v1::FACILITY_KIND_PLANT, "KR"));
    EXPECT_OK(chain.RegisterFacility("recycler", "rec-1", v1::FACILITY_KIND_RECYCLING, "DE"));
    EXPECT_OK(chain.CreateOrigin("miner", "ore-1", "mine-1", 1'000'000,
                                 {Element(ELEMENT_CO, 300'000), Element(ELEMENT_NI, 100'000)},
                                 9'000'000));
  }

  v1::TxBody TransformBody(const std::string& facility, std::vector<v1::LotConsumption> inputs,
                           std::vector<v1::LotProduction> outputs, uint64_t co2e) {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id(facility);
    t->set_process(v1::PROCESS_KIND_REFINING);
    for (auto& i : inputs) *t->add_inputs() = i;
    for (auto& o : outputs) *t->add_outputs() = o;
    t->mutable_process_emissions()->set_co2e_grams(co2e);
    if (co2e > 0) t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_SECONDARY);
    return body;
  }

  // ore-1 (all of it) becomes pack lot `pack_id` at the OEM's pack plant, optionally with
  // battery data: the legitimate way to a battery and, at end of life, to post-consumer waste.
  void MakePack(const std::string& pack_id, bool register_battery) {
    EXPECT_OK(chain.RegisterFacility("oem", "pack-plant", v1::FACILITY_KIND_PLANT, "DE"));
    EXPECT_OK(chain.Move("miner", "ore-1", "oem"));
    auto body = TransformBody("pack-plant", {Consume("ore-1", chain.LastEvent("ore-1"), 1'000'000)},
                              {Produce(pack_id, 1'000'000,
                                       {Element(ELEMENT_CO, 300'000), Element(ELEMENT_NI, 100'000)},
                                       "battery pack")},
                              0);
    body.mutable_transform()->set_process(v1::PROCESS_KIND_PACK);
    EXPECT_OK(chain.Submit("oem", body));
    if (register_battery) {
      EXPECT_OK(chain.Submit("oem", BatteryBody(pack_id)));
    }
  }

  // The OEM hands the battery to the collector (end of life), the collector to the recycler.
  void CollectForRecycling(const std::string& lot_id) {
    EXPECT_OK(chain.Move("oem", lot_id, "collector"));
    EXPECT_OK(chain.Move("collector", lot_id, "recycler"));
  }

  v1::TxBody BatteryBody(const std::string& lot_id) {
    v1::TxBody reg;
    auto* b = reg.mutable_register_battery();
    b->set_lot_id(lot_id);
    b->set_prev_event_hash(chain.LastEvent(lot_id));
    b->set_serial("PACK-001");
    b->set_chemistry("NMC811");
    b->set_rated_capacity_wh(75'000);
    b->set_expected_lifetime_wh(75'000 * 1500);
    return reg;
  }

  TestChain chain;
};

// An origin lot records mass, composition, footprint, custodian and a first hash-linked event.
TEST_F(CustodyTest, OriginLotIsCreated) {
  v1::Lot lot = chain.Lot("ore-1");
  EXPECT_EQ(lot.custodian_org(), "miner");
  EXPECT_EQ(lot.mass_grams(), 1'000'000u);
  EXPECT_EQ(lot.footprint_co2e_grams(), 9'000'000u);
  EXPECT_EQ(lot.footprint_primary_co2e_grams(), 9'000'000u);
  EXPECT_EQ(lot.origin_country(), "CD");
  EXPECT_EQ(lot.event_count(), 1u);
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), 9'000'000u);
}

// A transfer needs both halves; transit emissions join the footprint; custody changes on accept.
TEST_F(CustodyTest, TransferOfferAccept) {
  EXPECT_OK(chain.Offer("miner", "ore-1", "refiner", 50'000));
  EXPECT_EQ(chain.Lot("ore-1").status(), v1::LOT_STATUS_IN_TRANSIT);
  EXPECT_EQ(chain.Lot("ore-1").custodian_org(), "miner");
  EXPECT_OK(chain.Accept("refiner", "ore-1"));
  v1::Lot lot = chain.Lot("ore-1");
  EXPECT_EQ(lot.custodian_org(), "refiner");
  EXPECT_EQ(lot.status(), v1::LOT_STATUS_ACTIVE);
  EXPECT_EQ(lot.footprint_co2e_grams(), 9'050'000u);
  EXPECT_EQ(lot.event_count(), 3u);
}

// Reject keeps custody with the sender; cancel withdraws; both need the right party.
TEST_F(CustodyTest, TransferRejectAndCancel) {
  EXPECT_OK(chain.Offer("miner", "ore-1", "refiner"));
  v1::TxBody reject;
  reject.mutable_reject_transfer()->set_lot_id("ore-1");
  reject.mutable_reject_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
  EXPECT_REJECTED(chain.Submit("refiner2", reject), "NOT_OFFER_RECIPIENT");
  EXPECT_OK(chain.Submit("refiner", reject));
  EXPECT_EQ(chain.Lot("ore-1").custodian_org(), "miner");
  EXPECT_EQ(chain.Lot("ore-1").status(), v1::LOT_STATUS_ACTIVE);

  EXPECT_OK(chain.Offer("miner", "ore-1", "refiner"));
  v1::TxBody cancel;
  cancel.mutable_cancel_transfer()->set_lot_id("ore-1");
  cancel.mutable_cancel_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
  EXPECT_REJECTED(chain.Submit("refiner", cancel), "NOT_CUSTODIAN");
  EXPECT_OK(chain.Submit("miner", cancel));
  EXPECT_EQ(chain.Lot("ore-1").status(), v1::LOT_STATUS_ACTIVE);
  EXPECT_REJECTED(chain.Submit("miner", cancel), "NOT_IN_TRANSIT");
}

// A transform allocates consumed footprint plus process emissions to outputs by mass, exactly.
TEST_F(CustodyTest, TransformAllocatesFootprintExactly) {
  EXPECT_OK(chain.Move("miner", "ore-1", "refiner"));
  auto body = TransformBody(
      "ref-1", {Consume("ore-1", chain.LastEvent("ore-1"), 600'000)},
      // Tracked element grams 50,000 : 100,000, the allocation key (docs/CUSTODY.md).
      {Produce("co-a", 100'000, {Element(ELEMENT_CO, 50'000)}),
       Produce("co-b", 200'000, {Element(ELEMENT_CO, 89'000), Element(ELEMENT_NI, 11'000)})},
      1'000'001);
  EXPECT_OK(chain.Submit("refiner", body));
  v1::Lot ore = chain.Lot("ore-1");
  EXPECT_EQ(ore.mass_grams(), 400'000u);
  EXPECT_EQ(ore.footprint_co2e_grams(), 3'600'000u);  // floor(9e6 * 0.4)
  v1::Lot a = chain.Lot("co-a");
  v1::Lot b = chain.Lot("co-b");
  // 5.4e6 consumed + 1'000'001 process = 6'400'001 split 1:2 -> 2'133'333.67 / 4'266'667.33
  EXPECT_EQ(a.footprint_co2e_grams() + b.footprint_co2e_grams(), 6'400'001u);
  EXPECT_EQ(a.footprint_co2e_grams(), 2'133'334u);
  EXPECT_EQ(b.footprint_co2e_grams(), 4'266'667u);
  ASSERT_EQ(a.parents_size(), 1);
  EXPECT_EQ(a.parents(0).lot_id(), "ore-1");
  EXPECT_EQ(a.parents(0).mass_grams() + b.parents(0).mass_grams(), 600'000u);
  EXPECT_EQ(ore.composition(0).grams(), 120'000u);  // Co left: floor(300k * 0.4)
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), 10'000'001u);
}

// No element's mass may increase through a transform.
TEST_F(CustodyTest, ElementMassMayNotIncrease) {
  EXPECT_OK(chain.Move("miner", "ore-1", "refiner"));
  auto body = TransformBody("ref-1", {Consume("ore-1", chain.LastEvent("ore-1"), 500'000)},
                            {Produce("x", 400'000, {Element(ELEMENT_CO, 150'001)})}, 0);
  EXPECT_REJECTED(chain.Submit("refiner", body), "ELEMENT_MASS_INCREASES");
  auto li = TransformBody("ref-1", {Consume("ore-1", chain.LastEvent("ore-1"), 500'000)},
                          {Produce("x", 400'000, {Element(ELEMENT_LI, 1)})}, 0);
  EXPECT_REJECTED(chain.Submit("refiner", li), "ELEMENT_MASS_INCREASES");
  EXPECT_FALSE(chain.HasLot("x"));
  EXPECT_EQ(chain.Lot("ore-1").mass_grams(), 1'000'000u);
}

// Consuming more than a lot holds is refused, and the state is untouched.
TEST_F(CustodyTest, InsufficientMass) {
  EXPECT_OK(chain.Move("miner", "ore-1", "refiner"));
  std::string root_before_events = chain.LastEvent("ore-1");
  auto body = TransformBody("ref-1", {Consume("ore-1", chain.LastEvent("ore-1"), 1'000'001)},
                            {Produce("x", 1, {})}, 0);
  EXPECT_REJECTED(chain.Submit("refiner", body), "INSUFFICIENT_MASS");
  EXPECT_EQ(chain.LastEvent("ore-1"), root_before_events);
}

// Only the custodian may act on a lot; events must name the lot's last event.
TEST_F(CustodyTest, CustodyAndHashLinks) {
  EXPECT_REJECTED(chain.Offer("miner2", "ore-1", "refiner"), "NOT_CUSTODIAN");
  v1::TxBody stale;
  stale.mutable_offer_transfer()->set_lot_id("ore-1");
  stale.mutable_offer_transfer()->set_prev_event_hash(std::string(32, '\x07'));
  stale.mutable_offer_transfer()->set_to_org("refiner");
  EXPECT_REJECTED(chain.Submit("miner", stale), "STALE_EVENT");
  EXPECT_REJECTED(chain.Offer("miner", "nope", "refiner"), "UNKNOWN_LOT");
  EXPECT_REJECTED(chain.Offer("miner", "ore-1", "ghost-org"), "UNKNOWN_ORG");
  EXPECT_OK(chain.Offer("miner", "ore-1", "refiner"));
  EXPECT_REJECTED(chain.Offer("miner", "ore-1", "refiner2"), "LOT_NOT_ACTIVE");
}

// Roles from genesis gate each kind of event.
TEST_F(CustodyTest, RolesAreEnforced) {
  EXPECT_REJECTED(chain.RegisterFacility("refiner", "mine-x", v1::FACILITY_KIND_MINE),
                  "ROLE_FORBIDDEN");
  EXPECT_REJECTED(chain.CreateOrigin("refiner", "ore-x", "ref-1", 10, {}, 0), "ROLE_FORBIDDEN");
  EXPECT_REJECTED(chain.CreateOrigin("miner2", "ore-x", "mine-1", 10, {}, 0),
                  "NOT_FACILITY_OWNER");
  EXPECT_REJECTED(chain.RegisterFacility("miner", "plant-x", v1::FACILITY_KIND_PLANT),
                  "ROLE_FORBIDDEN");
  EXPECT_REJECTED(chain.RegisterFacility("auditor", "rec-x", v1::FACILITY_KIND_RECYCLING),
                  "ROLE_FORBIDDEN");
}

// Origin lots are created at mines, transforms at refineries or plants.
TEST(CustodyFacilityTest, WrongFacilityKind) {
  TestChain chain({{"dual", {"miner", "refiner"}}});
  ASSERT_EQ(chain.RegisterFacility("dual", "ref-d", v1::FACILITY_KIND_REFINERY).code(),
            v1::TX_CODE_OK);
  ASSERT_EQ(chain.RegisterFacility("dual", "mine-d", v1::FACILITY_KIND_MINE).code(),
            v1::TX_CODE_OK);
  EXPECT_REJECTED(chain.CreateOrigin("dual", "ore-x", "ref-d", 10, {}, 0), "WRONG_FACILITY_KIND");
  ASSERT_EQ(chain.CreateOrigin("dual", "ore-y", "mine-d", 10, {}, 0).code(), v1::TX_CODE_OK);
  v1::TxBody body;
  auto* t = body.mutable_transform();
  t->set_facility_id("mine-d");
  t->set_process(v1::PROCESS_KIND_REFINING);
  *t->add_inputs() = Consume("ore-y", chain.LastEvent("ore-y"), 10);
  *t->add_outputs() = Produce("out-y", 5, {});
  EXPECT_REJECTED(chain.Submit("dual", body), "WRONG_FACILITY_KIND");
  t->set_facility_id("ref-d");
  EXPECT_EQ(chain.Submit("dual", body).code(), v1::TX_CODE_OK);
  EXPECT_EQ(chain.Lot("ore-y").status(), v1::LOT_STATUS_CONSUMED);
}

// Ids are unique per kind.
TEST_F(CustodyTest, DuplicatesAreRefused) {
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-1", "mine-1", 10, {}, 0), "DUPLICATE_LOT_ID");
  EXPECT_REJECTED(chain.RegisterFacility("miner", "mine-1", v1::FACILITY_KIND_MINE),
                  "DUPLICATE_FACILITY_ID");
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-2", "no-such-mine", 10, {}, 0),
                  "UNKNOWN_FACILITY");
}

// Composition may not exceed the lot's mass, per element or in total.
TEST_F(CustodyTest, CompositionExceedsMass) {
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-2", "mine-1", 100, {Element(ELEMENT_CO, 101)}, 0),
                  "COMPOSITION_EXCEEDS_MASS");
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-2", "mine-1", 100,
                                     {Element(ELEMENT_CO, 60), Element(ELEMENT_NI, 41)}, 0),
                  "COMPOSITION_EXCEEDS_MASS");
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-2", "mine-1", 100,
                                     {Element(ELEMENT_NI, 1), Element(ELEMENT_CO, 1)}, 0),
                  "INVALID_FIELD");  // unsorted
  EXPECT_REJECTED(chain.CreateOrigin("miner", "ore-2", "mine-1", 0, {}, 0), "INVALID_FIELD");
  EXPECT_REJECTED(chain.CreateOrigin("miner", "bad id!", "mine-1", 10, {}, 0), "INVALID_FIELD");
}

// Envelope checks: signature, signer, nonce, chain id, malformed bytes, empty event.
TEST_F(CustodyTest, EnvelopeRejections) {
  v1::TxBody body;
  body.mutable_register_facility()->set_facility_id("m9");
  body.mutable_register_facility()->set_kind(v1::FACILITY_KIND_MINE);
  body.mutable_register_facility()->set_country("CD");
  body.mutable_register_facility()->set_name("m9");
  std::string good = chain.Sign("miner", body);
  v1::SignedTx tampered;
  ASSERT_TRUE(tampered.ParseFromString(good));
  std::string sig = tampered.signature();
  sig[5] ^= 1;
  tampered.set_signature(sig);
  EXPECT_REJECTED(chain.SubmitBlock({tampered.SerializeAsString()}).front(), "BAD_SIGNATURE");
  EXPECT_OK(chain.SubmitBlock({good}).front());
  EXPECT_REJECTED(chain.SubmitBlock({good}).front(), "REPLAYED_NONCE");
  EXPECT_REJECTED(chain.SubmitBlock({"garbage"}).front(), "MALFORMED_TX");
  EXPECT_REJECTED(chain.SubmitBlock({std::string(70000, 'x')}).front(), "TX_TOO_LARGE");
  v1::TxBody wrong_chain = body;
  wrong_chain.set_chain_id("other-chain");
  EXPECT_REJECTED(chain.Submit("miner", wrong_chain), "WRONG_CHAIN");
  EXPECT_REJECTED(chain.Submit("miner", v1::TxBody()), "EMPTY_EVENT");
  // A key not in genesis.
  auto stranger = core::SecretKey::FromSeed(SeedFor("stranger")).value();
  v1::TxBody b2 = body;
  b2.set_chain_id(chain.genesis().chain_id);
  b2.set_nonce(1);
  v1::SignedTx tx;
  tx.set_body(b2.SerializeAsString());
  tx.set_signer(stranger.PublicKey());
  tx.set_signature(stranger.Sign(core::kTxDomain, chain.genesis().chain_id, tx.body()));
  EXPECT_REJECTED(chain.SubmitBlock({tx.SerializeAsString()}).front(), "UNKNOWN_SIGNER");
}

// A key that used the largest nonce is told it can sign no more, not to "use 0".
TEST_F(CustodyTest, LargestNonceEndsTheKey) {
  v1::TxBody body;
  body.mutable_register_facility()->set_facility_id("m-last");
  body.mutable_register_facility()->set_kind(v1::FACILITY_KIND_MINE);
  body.mutable_register_facility()->set_country("CD");
  body.mutable_register_facility()->set_name("m-last");
  body.set_nonce(UINT64_MAX);
  EXPECT_OK(chain.Submit("miner", body));
  body.mutable_register_facility()->set_facility_id("m-after");
  body.set_nonce(UINT64_MAX);
  v1::TxResult after = chain.Submit("miner", body);
  EXPECT_REJECTED(after, "REPLAYED_NONCE");
  EXPECT_NE(after.message().find("can sign no more transactions"), std::string::npos)
      << after.message();
}

// A rejected but authentic transaction consumes its nonce, so it can never apply later.
TEST_F(CustodyTest, RejectedTxCannotBeReplayedLater) {
  v1::TxBody offer;
  offer.mutable_offer_transfer()->set_lot_id("ore-1");
  offer.mutable_offer_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
  offer.mutable_offer_transfer()->set_to_org("ghost");  // UNKNOWN_ORG
  std::string signed_tx = chain.Sign("miner", offer);
  EXPECT_REJECTED(chain.SubmitBlock({signed_tx}).front(), "UNKNOWN_ORG");
  EXPECT_REJECTED(chain.SubmitBlock({signed_tx}).front(), "REPLAYED_NONCE");
}

// Audits: auditor role only, independent of the facility owner, latest audit wins.
TEST_F(CustodyTest, Audits) {
  v1::TxBody audit;
  auto* a = audit.mutable_record_audit();
  a->set_audit_id("aud-1");
  a->set_facility_id("ref-1");
  a->set_standard("RMI RMAP Cobalt Refiner DD Standard");
  a->set_status(v1::AUDIT_STATUS_CONFORMANT);
  a->set_audit_date_unix_ms(chain.time_unix_ms - 86'400'000);
  a->set_valid_until_unix_ms(chain.time_unix_ms + 365LL * 86'400'000);
  a->set_report_sha256(core::Sha256("report"));
  EXPECT_REJECTED(chain.Submit("miner", audit), "ROLE_FORBIDDEN");
  EXPECT_OK(chain.Submit("auditor", audit));
  EXPECT_REJECTED(chain.Submit("auditor", audit), "DUPLICATE_AUDIT_ID");
  EXPECT_EQ(chain.Facility("ref-1").latest_audit().status(), v1::AUDIT_STATUS_CONFORMANT);
  a->set_audit_id("aud-2");
  a->set_facility_id("nope");
  EXPECT_REJECTED(chain.Submit("auditor", audit), "UNKNOWN_FACILITY");
  a->set_facility_id("ref-1");
  a->set_valid_until_unix_ms(a->audit_date_unix_ms());
  EXPECT_REJECTED(chain.Submit("auditor", audit), "INVALID_FIELD");
}

// An auditor may not audit its own facility.
TEST(CustodyAuditTest, AuditorNotIndependent) {
  TestChain chain({{"dual", {"refiner", "auditor"}}});
  ASSERT_EQ(chain.RegisterFacility("dual", "ref-d", v1::FACILITY_KIND_REFINERY).code(),
            v1::TX_CODE_OK);
  v1::TxBody audit;
  auto* a = audit.mutable_record_audit();
  a->set_audit_id("aud-x");
  a->set_facility_id("ref-d");
  a->set_standard("RMI RMAP");
  a->set_status(v1::AUDIT_STATUS_CONFORMANT);
  a->set_audit_date_unix_ms(chain.time_unix_ms - 1000);
  a->set_valid_until_unix_ms(chain.time_unix_ms + 1000000);
  a->set_report_sha256(core::Sha256("r"));
  EXPECT_REJECTED(chain.Submit("dual", audit), "AUDITOR_NOT_INDEPENDENT");
}

// Risk flags: raise on a lot or facility; only the raiser or an auditor resolves; once.
TEST_F(CustodyTest, RiskFlags) {
  v1::TxBody raise;
  auto* r = raise.mutable_raise_risk_flag();
  r->set_flag_id("flag-1");
  r->set_facility_id("mine-1");
  r->set_category(v1::RISK_CATEGORY_LABOUR_RIGHTS);
  r->set_severity(v1::SEVERITY_HIGH);
  r->set_evidence_sha256(core::Sha256("evidence"));
  EXPECT_OK(chain.Submit("refiner", raise));
  EXPECT_REJECTED(chain.Submit("refiner", raise), "DUPLICATE_FLAG_ID");
  EXPECT_EQ(chain.state().Scan(core::keys::OpenFlagPrefix('F', "mine-1"), 10).size(), 1u);
  v1::TxBody resolve;
  resolve.mutable_resolve_risk_flag()->set_flag_id("flag-1");
  resolve.mutable_resolve_risk_flag()->set_resolution_sha256(core::Sha256("fixed"));
  EXPECT_REJECTED(chain.Submit("miner", resolve), "ROLE_FORBIDDEN");
  EXPECT_OK(chain.Submit("auditor", resolve));
  EXPECT_REJECTED(chain.Submit("auditor", resolve), "FLAG_ALREADY_RESOLVED");
  EXPECT_TRUE(chain.state().Scan(core::keys::OpenFlagPrefix('F', "mine-1"), 10).empty());
  resolve.mutable_resolve_risk_flag()->set_flag_id("flag-404");
  EXPECT_REJECTED(chain.Submit("auditor", resolve), "UNKNOWN_FLAG");
  r->set_flag_id("flag-2");
  r->set_category(v1::RISK_CATEGORY_UNSPECIFIED);
  EXPECT_REJECTED(chain.Submit("refiner", raise), "INVALID_FIELD");
}

// Retiring a lot moves its footprint to the retired total.
TEST_F(CustodyTest, Retire) {
  v1::TxBody retire;
  retire.mutable_retire()->set_lot_id("ore-1");
  retire.mutable_retire()->set_prev_event_hash(chain.LastEvent("ore-1"));
  EXPECT_OK(chain.Submit("miner", retire));
  EXPECT_EQ(chain.Lot("ore-1").status(), v1::LOT_STATUS_RETIRED);
  EXPECT_EQ(chain.Totals().retired_co2e_grams(), 9'000'000u);
  retire.mutable_retire()->set_prev_event_hash(chain.LastEvent("ore-1"));
  EXPECT_REJECTED(chain.Submit("miner", retire), "LOT_NOT_ACTIVE");
}

// Battery data: register once (oem / cell maker), state-of-health by custodian, second life.
TEST_F(CustodyTest, BatteryLifecycle) {
  MakePack("pack-1", /*register_battery=*/false);
  v1::TxBody reg;
  auto* b = reg.mutable_register_battery();
  b->set_lot_id("pack-1");
  b->set_prev_event_hash(chain.LastEvent("pack-1"));
  b->set_serial("PACK-001");
  b->set_chemistry("NMC811");
  b->set_rated_capacity_wh(75'000);
  b->set_expected_lifetime_wh(75'000 * 1500);
  EXPECT_OK(chain.Submit("oem", reg));
  b->set_prev_event_hash(chain.LastEvent("pack-1"));
  EXPECT_REJECTED(chain.Submit("oem", reg), "BATTERY_ALREADY_REGISTERED");
  v1::TxBody soh;
  auto* s = soh.mutable_update_state_of_health();
  s->set_lot_id("pack-1");
  s->set_prev_event_hash(chain.LastEvent("pack-1"));
  s->set_state_of_health_ppm(900'000);
  s->set_delivered_energy_wh(10'000'000);
  EXPECT_OK(chain.Submit("oem", soh));
  s->set_prev_event_hash(chain.LastEvent("pack-1"));
  s->set_delivered_energy_wh(9'000'000);
  EXPECT_REJECTED(chain.Submit("oem", soh), "ENERGY_DECREASES");
  EXPECT_OK(chain.Move("oem", "pack-1", "secondlife"));
  v1::TxBody rep;
  rep.mutable_repurpose()->set_lot_id("pack-1");
  rep.mutable_repurpose()->set_prev_event_hash(chain.LastEvent("pack-1"));
  rep.mutable_repurpose()->set_application("stationary storage");
  EXPECT_OK(chain.Submit("secondlife", rep));
  EXPECT_EQ(chain.Lot("pack-1").battery().second_life_application(), "stationary storage");
  v1::TxBody soh2;
  soh2.mutable_update_state_of_health()->set_lot_id("mine-1");
  EXPECT_REJECTED(chain.Submit("oem", soh2), "UNKNOWN_LOT");
}

// Recovery: inputs' footprint is closed (cut-off), outputs are recycled content.
TEST_F(CustodyTest, RecoveryMakesRecycledContent) {
  MakePack("pack-1", /*register_battery=*/true);
  CollectForRecycling("pack-1");
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  *r->add_inputs() = Consume("pack-1", chain.LastEvent("pack-1"), 1'000'000);
  *r->add_outputs() = Produce("co-rec", 250'000, {Element(ELEMENT_CO, 250'000)}, "cobalt sulphate");
  r->mutable_process_emissions()->set_co2e_grams(500'000);
  r->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
  EXPECT_REJECTED(chain.Submit("refiner", rec), "ROLE_FORBIDDEN");
  EXPECT_OK(chain.RegisterFacility("collector", "col-1", v1::FACILITY_KIND_RECYCLING, "DE"));
  r->set_facility_id("col-1");
  EXPECT_REJECTED(chain.Submit("recycler", rec), "NOT_FACILITY_OWNER");
  r->set_facility_id("rec-1");
  r->mutable_inputs(0)->set_prev_event_hash(chain.LastEvent("pack-1"));
  EXPECT_OK(chain.Submit("recycler", rec));
  v1::Lot out = chain.Lot("co-rec");
  EXPECT_EQ(out.composition(0).recycled_post_consumer_grams(), 250'000u);
  EXPECT_EQ(out.footprint_co2e_grams(), 500'000u);
  EXPECT_EQ(chain.Lot("pack-1").status(), v1::LOT_STATUS_CONSUMED);
  EXPECT_EQ(chain.Totals().retired_co2e_grams(), 9'000'000u);
}

// Battery data goes on cells, modules and packs only, not on a material lot.
TEST_F(CustodyTest, BatteryDataOnlyOnBatteryProducts) {
  EXPECT_OK(chain.Move("miner", "ore-1", "oem"));
  EXPECT_REJECTED(chain.Submit("oem", BatteryBody("ore-1")), "NOT_BATTERY_PRODUCT");
  EXPECT_FALSE(chain.Lot("ore-1").has_battery());
}

// Recovery takes only waste: virgin ore and ordinary products cannot become recycled content.
TEST_F(CustodyTest, RecoveryRefusesVirginMaterial) {
  EXPECT_OK(chain.Move("miner", "ore-1", "recycler"));
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  *r->add_inputs() = Consume("ore-1", chain.LastEvent("ore-1"), 720'000);
  *r->add_outputs() = Produce("co-rec", 250'000, {Element(ELEMENT_CO, 200'000)}, "cobalt sulphate");
  r->mutable_process_emissions()->set_co2e_grams(5'000);
  r->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  for (auto source : {v1::RECYCLED_SOURCE_POST_CONSUMER, v1::RECYCLED_SOURCE_PRE_CONSUMER}) {
    r->set_source(source);
    EXPECT_REJECTED(chain.Submit("recycler", rec), "NOT_RECOVERABLE");
  }
  EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), 9'000'000u);
  EXPECT_EQ(chain.Totals().retired_co2e_grams(), 0u);
}

// A registered battery is post-consumer waste, not production scrap; an unregistered product of
// a transform is scrap (pre-consumer) but not end-of-life material.
TEST_F(CustodyTest, RecoverySourceMustMatchTheWaste) {
  MakePack("pack-1", /*register_battery=*/true);
  CollectForRecycling("pack-1");
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  *r->add_inputs() = Consume("pack-1", chain.LastEvent("pack-1"), 500'000);
  *r->add_outputs() = Produce("black-mass", 400'000, {Element(ELEMENT_CO, 140'000)}, "black mass");
  r->set_source(v1::RECYCLED_SOURCE_PRE_CONSUMER);
  EXPECT_REJECTED(chain.Submit("recycler", rec), "NOT_RECOVERABLE");
  r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
  r->mutable_inputs(0)->set_prev_event_hash(chain.LastEvent("pack-1"));
  EXPECT_OK(chain.Submit("recycler", rec));
  // Black mass recovered post-consumer may be recovered again (into salts) as post-consumer.
  *r->mutable_inputs(0) = Consume("black-mass", chain.LastEvent("black-mass"), 400'000);
  *r->mutable_outputs(0) = Produce("co-salt", 300'000, {Element(ELEMENT_CO, 140'000)}, "cobalt sulphate");
  r->set_source(v1::RECYCLED_SOURCE_PRE_CONSUMER);
  EXPECT_REJECTED(chain.Submit("recycler", rec), "NOT_RECOVERABLE");
  r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
  EXPECT_OK(chain.Submit("recycler", rec));
  EXPECT_EQ(chain.Lot("co-salt").composition(0).recycled_post_consumer_grams(), 140'000u);
}

// A new battery is not post-consumer waste until it has reached end of life: its maker (or any
// holder) cannot send it straight to a recycler and have it counted as post-consumer recycled
// content. Custody by a collector is what marks it end of life, once and for good.
TEST_F(CustodyTest, PostConsumerRecoveryNeedsCollection) {
  MakePack("pack-1", /*register_battery=*/true);
  EXPECT_FALSE(chain.Lot("pack-1").end_of_life());
  EXPECT_OK(chain.Move("oem", "pack-1", "recycler"));  // straight from the OEM: not collected
  EXPECT_FALSE(chain.Lot("pack-1").end_of_life());
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
  *r->add_inputs() = Consume("pack-1", chain.LastEvent("pack-1"), 1'000'000);
  *r->add_outputs() = Produce("co-rec", 250'000, {Element(ELEMENT_CO, 250'000)}, "cobalt sulphate");
  v1::TxResult refused = chain.Submit("recycler", rec);
  EXPECT_REJECTED(refused, "NOT_RECOVERABLE");
  EXPECT_NE(refused.message().find("collector"), std::string::npos) << refused.message();
  EXPECT_EQ(chain.Totals().retired_co2e_grams(), 0u);
  // Via a collector: the acceptance marks it, and says so in its event.
  EXPECT_OK(chain.Move("recycler", "pack-1", "collector"));
  v1::Lot collected = chain.Lot("pack-1");
  EXPECT_TRUE(collected.end_of_life());
  v1::LotEvent accepted = chain.Event("pack-1", collected.event_count() - 1);
  EXPECT_EQ(accepted.kind(), v1::EVENT_KIND_ACCEPTED);
  EXPECT_TRUE(accepted.end_of_life());
  EXPECT_EQ(accepted.actor_org(), "collector");
  EXPECT_OK(chain.Move("collector", "pack-1", "recycler"));
  EXPECT_TRUE(chain.Lot("pack-1").end_of_life());  // stays marked; this acceptance did not mark it
  EXPECT_FALSE(chain.Event("pack-1", chain.Lot("pack-1").event_count() - 1).end_of_life());
  r->mutable_inputs(0)->set_prev_event_hash(chain.LastEvent("pack-1"));
  EXPECT_OK(chain.Submit("recycler", rec));
  EXPECT_EQ(chain.Lot("co-rec").composition(0).recycled_post_consumer_grams(), 250'000u);
}

// Collection marks only registered batteries: material a collector happens to hold (a salt, an
// unregistered product) does not become end-of-life waste.
TEST_F(CustodyTest, CollectionMarksOnlyBatteries) {
  MakePack("pack-2", /*register_battery=*/false);
  EXPECT_OK(chain.Move("oem", "pack-2", "collector"));
  EXPECT_FALSE(chain.Lot("pack-2").end_of_life());
  EXPECT_OK(chain.CreateOrigin("miner", "ore-2", "mine-1", 1'000, {Element(ELEMENT_CO, 300)}, 0));
  EXPECT_OK(chain.Move("miner", "ore-2", "collector"));
  EXPECT_FALSE(chain.Lot("ore-2").end_of_life());
}

// Pre-consumer recovery takes only outputs their producer declared manufacturing scrap: a refiner
// cannot refine ore and have the product recovered as "recycled" (virgin laundering in two steps).
TEST_F(CustodyTest, PreConsumerRecoveryNeedsDeclaredScrap) {
  EXPECT_OK(chain.Move("miner", "ore-1", "refiner"));
  v1::LotProduction scrap = Produce("scrap", 100'000, {Element(ELEMENT_CO, 30'000)}, "scrap");
  scrap.set_manufacturing_scrap(true);
  v1::TxBody make = TransformBody("ref-1", {Consume("ore-1", chain.LastEvent("ore-1"), 1'000'000)},
                                  {Produce("sulphate", 800'000, {Element(ELEMENT_CO, 250'000)}), scrap},
                                  0);
  // Refining declares no scrap (its residues are waste): only battery manufacturing does.
  EXPECT_REJECTED(chain.Submit("refiner", make), "INVALID_FIELD");
  make.mutable_transform()->set_process(v1::PROCESS_KIND_PRECURSOR);
  EXPECT_OK(chain.Submit("refiner", make));
  EXPECT_TRUE(chain.Lot("scrap").manufacturing_scrap());
  EXPECT_OK(chain.Move("refiner", "sulphate", "recycler"));
  EXPECT_OK(chain.Move("refiner", "scrap", "recycler"));
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  r->set_source(v1::RECYCLED_SOURCE_PRE_CONSUMER);
  *r->add_inputs() = Consume("sulphate", chain.LastEvent("sulphate"), 800'000);
  *r->add_outputs() = Produce("co-rec", 250'000, {Element(ELEMENT_CO, 250'000)}, "cobalt sulphate");
  EXPECT_REJECTED(chain.Submit("recycler", rec), "NOT_RECOVERABLE");
  *r->mutable_inputs(0) = Consume("scrap", chain.LastEvent("scrap"), 100'000);
  *r->mutable_outputs(0) = Produce("co-rec", 50'000, {Element(ELEMENT_CO, 30'000)}, "cobalt sulphate");
  r->mutable_outputs(0)->set_manufacturing_scrap(true);
  EXPECT_REJECTED(chain.Submit("recycler", rec), "INVALID_FIELD");  // recovered, not scrap
  r->mutable_outputs(0)->set_manufacturing_scrap(false);
  EXPECT_OK(chain.Submit("recycler", rec));
  EXPECT_EQ(chain.Lot("co-rec").composition(0).recycled_pre_consumer_grams(), 30'000u);
}

// Transport emissions count once, for the transport that happened: rejected and cancelled
// offers add nothing, however often they are repeated.
TEST_F(CustodyTest, TransportEmissionsCountOnlyOnAccept) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_OK(chain.Offer("miner", "ore-1", "refiner", 50'000));
    EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), 9'000'000u);
    v1::TxBody cancel;
    cancel.mutable_cancel_transfer()->set_lot_id("ore-1");
    cancel.mutable_cancel_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
    v1::TxBody reject;
    reject.mutable_reject_transfer()->set_lot_id("ore-1");
    reject.mutable_reject_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
    if (i % 2 == 0) {
      EXPECT_OK(chain.Submit("miner", cancel));
    } else {
      EXPECT_OK(chain.Submit("refiner", reject));
    }
  }
  EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), 9'000'000u);
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), 9'000'000u);
  EXPECT_OK(chain.Offer("miner", "ore-1", "refiner", 50'000));
  EXPECT_OK(chain.Accept("refiner", "ore-1"));
  EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), 9'050'000u);
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), 9'050'000u);
}

// Recycled content flows downstream in proportion to element mass.
TEST_F(CustodyTest, RecycledShareFlowsThroughTransform) {
  MakePack("pack-1", /*register_battery=*/true);
  CollectForRecycling("pack-1");
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  *r->add_inputs() = Consume("pack-1", chain.LastEvent("pack-1"), 1'000'000);
  *r->add_outputs() = Produce("co-rec", 100'000, {Element(ELEMENT_CO, 100'000)});
  r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
  EXPECT_OK(chain.Submit("recycler", rec));
  EXPECT_OK(chain.CreateOrigin("miner", "ore-2", "mine-1", 1'000'000, {Element(ELEMENT_CO, 300'000)}, 0));
  EXPECT_OK(chain.Move("recycler", "co-rec", "refiner"));
  EXPECT_OK(chain.Move("miner", "ore-2", "refiner"));
  auto body = TransformBody("ref-1",
                            {Consume("co-rec", chain.LastEvent("co-rec"), 100'000),
                             Consume("ore-2", chain.LastEvent("ore-2"), 1'000'000)},
                            {Produce("mix", 400'000, {Element(ELEMENT_CO, 400'000)})}, 0);
  EXPECT_OK(chain.Submit("refiner", body));
  v1::Lot mix = chain.Lot("mix");
  EXPECT_EQ(mix.composition(0).recycled_post_consumer_grams(), 100'000u);  // 25 %
  EXPECT_EQ(mix.parents_size(), 2);
}

}  // namespace
}  // namespace lotchain::testing
