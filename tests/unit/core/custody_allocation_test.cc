// Allocation rules (docs/CUSTODY.md "Allocation"): outputs weigh no more than the consumed lots
// plus declared reagents; the footprint goes to products by mass and never to waste; waste
// stays out of products and goes only to those who treat it.
#include <gtest/gtest.h>

#include "consensus/core/custody_codes.h"
#include "consensus/core/custody_env.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

using v1::ELEMENT_CO;
using v1::ELEMENT_LI;
using core::internal::Uint128;

#define EXPECT_OK(result) \
  EXPECT_EQ((result).code(), v1::TX_CODE_OK) << (result).reason() << ": " << (result).message()
#define EXPECT_REJECTED(result, expected_reason)             \
  do {                                                       \
    v1::TxResult r_ = (result);                              \
    EXPECT_EQ(r_.code(), v1::TX_CODE_REJECTED);              \
    EXPECT_EQ(r_.reason(), expected_reason) << r_.message(); \
    EXPECT_FALSE(r_.message().empty());                      \
  } while (0)

constexpr uint64_t kOreFootprint = 9'000'000;  // g CO2e of ore-1

v1::ReagentInput Reagent(const std::string& material, uint64_t grams, uint64_t co2e) {
  v1::ReagentInput r;
  r.set_material(material);
  r.set_mass_grams(grams);
  r.mutable_emissions()->set_co2e_grams(co2e);
  r.mutable_emissions()->set_quality(v1::DATA_QUALITY_SECONDARY);
  return r;
}

v1::LotProduction Waste(v1::LotProduction output) {
  output.set_role(v1::OUTPUT_ROLE_WASTE);
  return output;
}

class AllocationRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EXPECT_OK(chain.RegisterFacility("miner", "mine-1", v1::FACILITY_KIND_MINE, "CL"));
    EXPECT_OK(chain.RegisterFacility("refiner", "ref-1", v1::FACILITY_KIND_REFINERY, "CL"));
    EXPECT_OK(chain.RegisterFacility("cathode", "cam-1", v1::FACILITY_KIND_PLANT, "KR"));
    EXPECT_OK(chain.RegisterFacility("recycler", "rec-1", v1::FACILITY_KIND_RECYCLING, "DE"));
    EXPECT_OK(chain.CreateOrigin("miner", "ore-1", "mine-1", 1'000'000,
                                 {Element(ELEMENT_CO, 10'000), Element(ELEMENT_LI, 60'000)},
                                 kOreFootprint));
    EXPECT_OK(chain.Move("miner", "ore-1", "refiner"));
  }

  v1::TxBody Refine(std::vector<v1::LotProduction> outputs, uint64_t co2e,
                    std::vector<v1::ReagentInput> reagents = {}, uint64_t take = 1'000'000) {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id("ref-1");
    t->set_process(v1::PROCESS_KIND_REFINING);
    *t->add_inputs() = Consume("ore-1", chain.LastEvent("ore-1"), take);
    for (auto& o : outputs) *t->add_outputs() = o;
    for (auto& r : reagents) *t->add_reagents() = r;
    t->mutable_process_emissions()->set_co2e_grams(co2e);
    t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    return body;
  }

  TestChain chain;
};

// The laundering found from outside: 1 g of input and a 1,000 t element-free "by-product" took
// the footprint off 1 kg of lithium hydroxide.
TEST_F(AllocationRulesTest, PhantomByProductIsRefused) {
  EXPECT_REJECTED(chain.Submit("refiner",
                               Refine({Produce("lioh", 1'000, {Element(ELEMENT_LI, 1)}),
                                       Produce("by-product", 1'000'000'000, {})},
                                      0, {}, /*take=*/1)),
                  "MASS_INCREASES");
  // Within the consumed mass, but heavier than it by one gram: still refused.
  EXPECT_REJECTED(chain.Submit("refiner", Refine({Produce("lioh", 400'000, {Element(ELEMENT_LI, 60'000)}),
                                                  Produce("by-product", 600'001, {})},
                                                 0)),
                  "MASS_INCREASES");
  EXPECT_EQ(chain.Lot("ore-1").mass_grams(), 1'000'000u);
  EXPECT_EQ(chain.Lot("ore-1").footprint_co2e_grams(), kOreFootprint);
}

// Reagents let the outputs weigh more than the consumed lots, and bring their own footprint.
TEST_F(AllocationRulesTest, ReagentsAddMassAndTheirFootprint) {
  const auto outputs = [] {
    return std::vector<v1::LotProduction>{
        Produce("li-sulphate", 1'300'000, {Element(ELEMENT_LI, 60'000)})};
  };
  EXPECT_REJECTED(chain.Submit("refiner", Refine(outputs(), 1'000, {Reagent("acid", 299'999, 50)})),
                  "MASS_INCREASES");
  EXPECT_OK(chain.Submit("refiner", Refine(outputs(), 1'000, {Reagent("acid", 200'000, 40'000),
                                                              Reagent("water", 100'000, 60)})));
  const v1::Lot out = chain.Lot("li-sulphate");
  EXPECT_EQ(out.footprint_co2e_grams(), kOreFootprint + 1'000 + 40'000 + 60);
  // The ore's and the process's figures were primary; the reagents' secondary.
  EXPECT_EQ(out.footprint_primary_co2e_grams(), kOreFootprint + 1'000);
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), kOreFootprint + 1'000 + 40'000 + 60);
}

// Found from outside: 1,000 t of "process water" at 0 g CO2e made room for a 1,000 t
// element-free co-product that took the footprint by mass. The footprint follows the tracked
// elements, so that co-product takes nothing.
TEST_F(AllocationRulesTest, FreeReagentMassCannotCarryAPhantomCoProduct) {
  EXPECT_OK(chain.Submit("refiner",
                         Refine({Produce("ghost", 1'000'000'000, {}, "by-product"),
                                 Produce("co-sulphate", 100'000, {Element(ELEMENT_CO, 1'000)})},
                                50'000, {Reagent("process water", 1'000'000'000, 0)},
                                /*take=*/100'000)));
  // 100 kg of ore-1 carries 900 kg CO2e; + 50 kg process.
  EXPECT_EQ(chain.Lot("ghost").footprint_co2e_grams(), 0u);
  EXPECT_EQ(chain.Lot("co-sulphate").footprint_co2e_grams(), 900'000u + 50'000u);
}

// Element-free products (housings, packaging) share by mass when no product carries a tracked
// element; a product that carries elements always takes the share of its elements.
TEST_F(AllocationRulesTest, ElementFreeProductsShareByMass) {
  EXPECT_OK(chain.CreateOrigin("miner", "bauxite", "mine-1", 300'000, {}, 3'000'000));
  EXPECT_OK(chain.Move("miner", "bauxite", "refiner"));
  v1::TxBody body;
  auto* t = body.mutable_transform();
  t->set_facility_id("ref-1");
  t->set_process(v1::PROCESS_KIND_OTHER);
  *t->add_inputs() = Consume("bauxite", chain.LastEvent("bauxite"), 300'000);
  *t->add_outputs() = Produce("housing-a", 200'000, {}, "housing");
  *t->add_outputs() = Produce("housing-b", 100'000, {}, "housing");
  EXPECT_OK(chain.Submit("refiner", body));
  EXPECT_EQ(chain.Lot("housing-a").footprint_co2e_grams(), 2'000'000u);
  EXPECT_EQ(chain.Lot("housing-b").footprint_co2e_grams(), 1'000'000u);
}

// Found from outside: transforms with 64 reagents of the largest allowed footprint each filled
// the 64-bit chain-wide total in 282 transactions, after which every member's emissions were
// refused. The totals are 128-bit, so one member's events cannot block the others'.
TEST_F(AllocationRulesTest, OneMemberCannotFillTheChainTotals) {
  std::vector<v1::ReagentInput> heavy(64, Reagent("reagent", 1, core::internal::kCo2eGramsMax));
  const Uint128 per_tx = static_cast<Uint128>(65) * core::internal::kCo2eGramsMax;
  size_t txs = 0;
  while (core::internal::InjectedTotal(chain.Totals()) <= static_cast<Uint128>(UINT64_MAX) + per_tx) {
    v1::TxBody body = Refine({Produce("out-" + std::to_string(txs), 1, {})},
                             core::internal::kCo2eGramsMax, heavy, /*take=*/1);
    ASSERT_EQ(chain.Submit("refiner", body).code(), v1::TX_CODE_OK) << txs;
    ++txs;
  }
  EXPECT_GT(txs, 282u);
  EXPECT_GT(chain.Totals().injected_co2e_grams_high(), 0u);
  // Everyone else's emissions still count.
  EXPECT_OK(chain.CreateOrigin("miner", "ore-2", "mine-1", 1'000, {}, 5'000));
  EXPECT_OK(chain.Offer("refiner", "ore-1", "cathode", 1'000));
  v1::TxBody accept;
  accept.mutable_accept_transfer()->set_lot_id("ore-1");
  accept.mutable_accept_transfer()->set_prev_event_hash(chain.LastEvent("ore-1"));
  EXPECT_OK(chain.Submit("cathode", accept));
}

TEST_F(AllocationRulesTest, BadReagentsAreRefused) {
  const auto outputs = [] {
    return std::vector<v1::LotProduction>{Produce("lioh", 500'000, {Element(ELEMENT_LI, 60'000)})};
  };
  EXPECT_REJECTED(chain.Submit("refiner", Refine(outputs(), 0, {Reagent("", 1'000, 0)})),
                  "INVALID_FIELD");
  EXPECT_REJECTED(chain.Submit("refiner", Refine(outputs(), 0, {Reagent("acid", 0, 0)})),
                  "INVALID_FIELD");
  v1::ReagentInput unqualified = Reagent("acid", 1'000, 5);
  unqualified.mutable_emissions()->clear_quality();
  EXPECT_REJECTED(chain.Submit("refiner", Refine(outputs(), 0, {unqualified})), "INVALID_FIELD");
  std::vector<v1::ReagentInput> many(65, Reagent("acid", 1, 0));
  EXPECT_REJECTED(chain.Submit("refiner", Refine(outputs(), 0, many)), "INVALID_FIELD");
}

// Waste gets no share: the products carry the whole footprint, split by their masses.
TEST_F(AllocationRulesTest, WasteTakesNoShareOfTheFootprint) {
  v1::TxBody body = Refine({Produce("lioh", 100'000, {Element(ELEMENT_LI, 20'000)}),
                         Produce("co-conc", 50'000, {Element(ELEMENT_CO, 10'000)}),
                         Waste(Produce("tailings", 800'000, {Element(ELEMENT_LI, 10'000)})),
                         [] {
                           v1::LotProduction scrap = Produce("scrap", 50'000, {});
                           scrap.set_manufacturing_scrap(true);
                           return scrap;
                         }()},
                        1'000'000);
  body.mutable_transform()->set_process(v1::PROCESS_KIND_PRECURSOR);  // declares scrap
  EXPECT_OK(chain.Submit("refiner", body));
  const uint64_t total = kOreFootprint + 1'000'000;
  EXPECT_EQ(chain.Lot("tailings").footprint_co2e_grams(), 0u);
  EXPECT_EQ(chain.Lot("scrap").footprint_co2e_grams(), 0u);
  EXPECT_TRUE(chain.Lot("tailings").waste());
  EXPECT_TRUE(chain.Lot("scrap").waste());
  EXPECT_FALSE(chain.Lot("lioh").waste());
  // 10,000,000 g by 20 kg Li : 10 kg Co (the tracked elements each product carries), largest
  // remainder: 6,666,666.67 -> 6,666,667.
  EXPECT_EQ(chain.Lot("lioh").footprint_co2e_grams(), 6'666'667u);
  EXPECT_EQ(chain.Lot("co-conc").footprint_co2e_grams(), 3'333'333u);
  EXPECT_EQ(total, 10'000'000u);
  EXPECT_EQ(chain.Totals().injected_co2e_grams(), total);
}

TEST_F(AllocationRulesTest, OutputsThatAreAllWasteAreRefused) {
  EXPECT_REJECTED(chain.Submit("refiner",
                               Refine({Waste(Produce("slag", 500'000, {})),
                                       Waste(Produce("tailings", 500'000, {}))},
                                      0)),
                  "INVALID_FIELD");
  v1::TxBody body = Refine({Produce("lioh", 100'000, {Element(ELEMENT_LI, 50'000)})}, 0);
  body.mutable_transform()->mutable_outputs(0)->set_role(static_cast<v1::OutputRole>(7));
  EXPECT_REJECTED(chain.Submit("refiner", body), "INVALID_FIELD");
}

// Waste carries no burden, so it may not come back into a product as material, nor be sold on
// to anyone but a recycler or collector, nor be registered as a battery.
TEST_F(AllocationRulesTest, WasteStaysWaste) {
  EXPECT_OK(chain.Submit("refiner", Refine({Produce("lioh", 100'000, {Element(ELEMENT_LI, 50'000)}),
                                            Waste(Produce("tailings", 900'000,
                                                          {Element(ELEMENT_LI, 10'000)}))},
                                           0)));
  v1::TxBody again;
  auto* t = again.mutable_transform();
  t->set_facility_id("ref-1");
  t->set_process(v1::PROCESS_KIND_REFINING);
  *t->add_inputs() = Consume("tailings", chain.LastEvent("tailings"), 900'000);
  *t->add_outputs() = Produce("clean-li", 100'000, {Element(ELEMENT_LI, 10'000)});
  EXPECT_REJECTED(chain.Submit("refiner", again), "WASTE_RESTRICTED");
  EXPECT_REJECTED(chain.Offer("refiner", "tailings", "cathode", 0), "WASTE_RESTRICTED");
  EXPECT_OK(chain.Move("refiner", "tailings", "collector"));
  EXPECT_EQ(chain.Lot("tailings").footprint_co2e_grams(), 0u);
}

TEST_F(AllocationRulesTest, WasteIsNeverABattery) {
  EXPECT_OK(chain.RegisterFacility("oem", "pack-plant", v1::FACILITY_KIND_PLANT, "DE"));
  EXPECT_OK(chain.Move("refiner", "ore-1", "oem"));
  v1::TxBody pack;
  auto* t = pack.mutable_transform();
  t->set_facility_id("pack-plant");
  t->set_process(v1::PROCESS_KIND_PACK);
  *t->add_inputs() = Consume("ore-1", chain.LastEvent("ore-1"), 1'000'000);
  *t->add_outputs() = Produce("pack", 900'000, {Element(ELEMENT_LI, 60'000)}, "battery pack");
  *t->add_outputs() = Waste(Produce("rejects", 100'000, {}, "rejected modules"));
  EXPECT_OK(chain.Submit("oem", pack));
  v1::TxBody reg;
  auto* b = reg.mutable_register_battery();
  b->set_lot_id("rejects");
  b->set_prev_event_hash(chain.LastEvent("rejects"));
  b->set_serial("R-1");
  b->set_chemistry("NMC811");
  b->set_rated_capacity_wh(1'000);
  b->set_expected_lifetime_wh(1'000'000);
  EXPECT_REJECTED(chain.Submit("oem", reg), "NOT_BATTERY_PRODUCT");
}

// A recovery's residues are waste too: no share of the recovery's emissions and not recovered
// material (they cannot be recovered again as recycled content).
TEST_F(AllocationRulesTest, RecoveryResiduesAreNotRecycledContent) {
  v1::LotProduction scrap = Produce("scrap", 200'000, {Element(ELEMENT_LI, 20'000)});
  scrap.set_manufacturing_scrap(true);
  v1::TxBody make = Refine({Produce("lioh", 700'000, {Element(ELEMENT_LI, 40'000)}), scrap}, 0);
  make.mutable_transform()->set_process(v1::PROCESS_KIND_PRECURSOR);  // manufacturing scrap
  EXPECT_OK(chain.Submit("refiner", make));
  EXPECT_OK(chain.Move("refiner", "scrap", "recycler"));
  v1::TxBody rec;
  auto* r = rec.mutable_recover();
  r->set_facility_id("rec-1");
  r->set_source(v1::RECYCLED_SOURCE_PRE_CONSUMER);
  *r->add_inputs() = Consume("scrap", chain.LastEvent("scrap"), 200'000);
  *r->add_outputs() = Produce("li-rec", 60'000, {Element(ELEMENT_LI, 15'000)}, "lithium carbonate");
  *r->add_outputs() = Waste(Produce("residue", 150'000, {Element(ELEMENT_LI, 5'000)}, "residue"));
  r->mutable_process_emissions()->set_co2e_grams(30'000);
  r->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  EXPECT_REJECTED(chain.Submit("recycler", rec), "MASS_INCREASES");
  *r->add_reagents() = Reagent("sodium carbonate", 10'000, 2'000);
  EXPECT_OK(chain.Submit("recycler", rec));
  EXPECT_EQ(chain.Lot("li-rec").footprint_co2e_grams(), 32'000u);
  EXPECT_EQ(chain.Lot("residue").footprint_co2e_grams(), 0u);
  EXPECT_EQ(chain.Lot("residue").recovered_source(), v1::RECYCLED_SOURCE_UNSPECIFIED);
  EXPECT_EQ(chain.Lot("li-rec").composition(0).recycled_pre_consumer_grams(), 15'000u);
}

}  // namespace
}  // namespace lotchain::testing
