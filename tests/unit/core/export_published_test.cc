// The published export formats (catenax-pcf, pact, batterypass, epcis) rendered from a real
// chain: a mine's ore refined into sulphate, production scrap recovered into cobalt, both made
// into a pack. Every figure is checked exactly against the integers the chain holds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "consensus/core/crypto.h"
#include "consensus/core/export_format.h"
#include "consensus/core/export_support.h"
#include "consensus/core/passport.h"
#include "consensus/core/queries.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

using nlohmann::json;

void Ok(const v1::TxResult& r) { ASSERT_EQ(r.code(), v1::TX_CODE_OK) << r.reason() << r.message(); }

class PublishedExports : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok(chain.RegisterFacility("miner", "mine-1", v1::FACILITY_KIND_MINE, "CD"));
    Ok(chain.RegisterFacility("refiner", "ref-1", v1::FACILITY_KIND_REFINERY, "FI"));
    Ok(chain.RegisterFacility("oem", "plant-1", v1::FACILITY_KIND_PLANT, "DE"));
    Ok(chain.RegisterFacility("recycler", "rec-1", v1::FACILITY_KIND_RECYCLING, "DE"));
    Ok(chain.CreateOrigin("miner", "ore", "mine-1", 1'000'000,
                          {Element(v1::ELEMENT_CO, 100'000), Element(v1::ELEMENT_NI, 50'000),
                           Element(v1::ELEMENT_GRAPHITE, 10'000)},
                          350'000));
    Ok(chain.Offer("miner", "ore", "refiner", 20'000));
    Ok(chain.Accept("refiner", "ore"));
    Ok(chain.Submit("refiner", Transform("ref-1", v1::PROCESS_KIND_REFINING, {{"ore", 1'000'000}},
                                         {Produce("sulphate", 600'000,
                                                  {Element(v1::ELEMENT_CO, 90'000),
                                                   Element(v1::ELEMENT_NI, 45'000),
                                                   Element(v1::ELEMENT_GRAPHITE, 10'000)},
                                                  "cobalt sulphate")},
                                         100'000)));
    Ok(chain.Move("refiner", "sulphate", "oem"));
    Ok(chain.CreateOrigin("miner", "ore2", "mine-1", 200'000, {Element(v1::ELEMENT_CO, 20'000)},
                          50'000));
    Ok(chain.Move("miner", "ore2", "refiner"));
    v1::LotProduction scrap =
        Produce("scrap", 50'000, {Element(v1::ELEMENT_CO, 5'000)}, "precursor scrap");
    scrap.set_manufacturing_scrap(true);
    Ok(chain.Submit(
        "refiner",
        Transform("ref-1", v1::PROCESS_KIND_PRECURSOR, {{"ore2", 200'000}},
                  {Produce("pcam", 150'000, {Element(v1::ELEMENT_CO, 15'000)}), scrap}, 0)));
    Ok(chain.Move("refiner", "scrap", "recycler"));
    v1::TxBody rec;
    auto* r = rec.mutable_recover();
    r->set_facility_id("rec-1");
    r->set_source(v1::RECYCLED_SOURCE_PRE_CONSUMER);
    *r->add_inputs() = Consume("scrap", chain.LastEvent("scrap"), 50'000);
    *r->add_outputs() =
        Produce("rec-co", 40'000, {Element(v1::ELEMENT_CO, 5'000)}, "recovered cobalt");
    r->mutable_process_emissions()->set_co2e_grams(10'000);
    r->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    Ok(chain.Submit("recycler", rec));
    Ok(chain.Move("recycler", "rec-co", "oem"));
    Ok(chain.Submit(
        "oem",
        Transform("plant-1", v1::PROCESS_KIND_PACK, {{"sulphate", 600'000}, {"rec-co", 40'000}},
                  {Produce("pack", 500'000,
                           {Element(v1::ELEMENT_CO, 95'000), Element(v1::ELEMENT_NI, 45'000),
                            Element(v1::ELEMENT_GRAPHITE, 10'000)},
                           "NMC811 pack")},
                  1'000'000)));
    v1::TxBody battery;
    auto* b = battery.mutable_register_battery();
    b->set_lot_id("pack");
    b->set_prev_event_hash(chain.LastEvent("pack"));
    b->set_serial("SN-1");
    b->set_chemistry("NMC811");
    b->set_rated_capacity_wh(50'000);
    b->set_expected_lifetime_wh(40'000'000);
    Ok(chain.Submit("oem", battery));
  }

  v1::TxBody Transform(const std::string& facility, v1::ProcessKind process,
                       std::vector<std::pair<std::string, uint64_t>> inputs,
                       std::vector<v1::LotProduction> outputs, uint64_t co2e) {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id(facility);
    t->set_process(process);
    for (const auto& [lot, mass] : inputs)
      *t->add_inputs() = Consume(lot, chain.LastEvent(lot), mass);
    for (auto& out : outputs) *t->add_outputs() = std::move(out);
    t->mutable_process_emissions()->set_co2e_grams(co2e);
    t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    return body;
  }

  core::Result<std::string> Render(const std::string& format, const std::string& lot,
                                   const core::ExportDeclarations& declared) {
    trace = core::QueryTrace(chain.state(), lot, v1::TRACE_DIRECTION_UPSTREAM, 100).value();
    trace.set_as_of_height(chain.height());
    trace.set_as_of_time_unix_ms(chain.time_unix_ms);
    passport = core::BuildPassport(trace, &chain.genesis(), chain.time_unix_ms);
    core::ExportSource source{.upstream = &trace,
                              .passport = &passport,
                              .genesis = &chain.genesis(),
                              .chain_id = "",
                              .declarations = &declared};
    return core::FindExportFormat(format).value()->Render(source);
  }

  json RenderJson(const std::string& format, const std::string& lot,
                  const core::ExportDeclarations& declared = {}) {
    auto text = Render(format, lot, declared);
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    last_text = text.ok() ? *text : "{}";
    // tests/integration/export_schemas_test.sh validates these against the published schemas.
    if (const char* dir = std::getenv("LOTCHAIN_EXPORT_DUMP_DIR"); dir != nullptr && text.ok()) {
      std::ofstream(std::string(dir) + "/" + format + "-" + lot + ".json") << last_text;
    }
    return json::parse(last_text);
  }

  std::string Time(const std::string& lot, uint64_t seq) {
    return core::exports::IsoTime(chain.Event(lot, seq).time_unix_ms());
  }

  TestChain chain;
  v1::Trace trace;
  core::Passport passport;
  std::string last_text;
  const core::ExportDeclarations pcf_declared = {{"ipcc", {"AR6"}},
                                                 {"standard", {"ISO14067"}},
                                                 {"fossil-carbon-content", {"0"}},
                                                 {"ccs", {"false"}},
                                                 {"packaging-included", {"false"}}};
};

// pack: 1,480,000 g CO2e (sulphate 470,000 + recovered cobalt 10,000 + pack 1,000,000) over
// 500,000 g: 2.96 kg CO2e per kg; primary 1,460,000 g of it: 98.6486 % (rounded down to ppm).
TEST_F(PublishedExports, PactStatesTheRollUpPerKgExactly) {
  json j = RenderJson("pact", "pack", pcf_declared);
  EXPECT_EQ(passport.roll_up.footprint_co2e_grams(), 1'480'000u);
  EXPECT_EQ(j["specVersion"], "3.0.3");
  EXPECT_EQ(j["status"], "Active");
  EXPECT_EQ(j["productIds"], json({"urn:lotchain:lotchain-test:lot:pack"}));
  EXPECT_EQ(j["companyIds"], json({"urn:lotchain:lotchain-test:org:oem"}));
  EXPECT_EQ(j["productNameCompany"], "NMC811 pack");
  EXPECT_TRUE(std::regex_match(
      j["id"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  const json& pcf = j["pcf"];
  EXPECT_EQ(pcf["declaredUnitOfMeasurement"], "kilogram");
  EXPECT_EQ(pcf["declaredUnitAmount"], "1");
  EXPECT_EQ(pcf["pcfExcludingBiogenicUptake"], "2.96");
  EXPECT_EQ(pcf["pcfIncludingBiogenicUptake"], "2.96");
  EXPECT_EQ(pcf["fossilGhgEmissions"], "2.96");
  EXPECT_EQ(pcf["primaryDataShare"], "98.6486");
  EXPECT_EQ(pcf["geographyCountry"], "DE");
  EXPECT_EQ(pcf["referencePeriodStart"], Time("ore", 0));
  EXPECT_EQ(pcf["referencePeriodEnd"], Time("pack", 0));
  EXPECT_EQ(pcf["ipccCharacterizationFactors"], json({"AR6"}));
  EXPECT_EQ(pcf["crossSectoralStandards"], json({"ISO14067"}));
  EXPECT_EQ(pcf["fossilCarbonContent"], "0");
  EXPECT_EQ(pcf["exemptedEmissionsPercent"], "0");
}

TEST_F(PublishedExports, PactNamesEachDeclarationItNeeds) {
  auto missing = Render("pact", "pack", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), "EXPORT_INPUT_MISSING");
  EXPECT_NE(missing.status().message().find("--declare ipcc=AR6"), std::string::npos);
  auto bad =
      Render("pact", "pack",
             {{"ipcc", {"6"}}, {"standard", {"ISO14067"}}, {"fossil-carbon-content", {"0"}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("AR4, AR5, AR6"), std::string::npos);
  core::ExportDeclarations with_ids = pcf_declared;
  with_ids["company-id"] = {"urn:BPNL000000000DWF"};
  json j = RenderJson("pact", "pack", with_ids);
  EXPECT_EQ(j["companyIds"], json({"urn:lotchain:lotchain-test:org:oem", "urn:BPNL000000000DWF"}));
  with_ids["company-id"] = {"BPNL000000000DWF"};
  EXPECT_EQ(Render("pact", "pack", with_ids).status().code(), "EXPORT_INPUT_MISSING");
}

TEST_F(PublishedExports, CatenaxPcfWritesExactNumbers) {
  json j = RenderJson("catenax-pcf", "pack", pcf_declared);
  EXPECT_NE(last_text.find("\"pcfExcludingBiogenicUptake\": 2.96,"), std::string::npos)
      << last_text;
  EXPECT_NE(last_text.find("\"primaryDataShare\": 98.6486"), std::string::npos);
  const json& stage = j["productLifeCycleStagesAndEmissions"][0]["productionStage"][0];
  EXPECT_EQ(stage["pcfIncludingBiogenicUptake"], 2.96);
  const json& info = j["pcfAssessmentAndMethodology"][0]["pcfAssessmentInformation"][0];
  EXPECT_EQ(info["geography"][0]["geographyCountry"], "DE");
  EXPECT_EQ(info["geography"][0]["geographyRegionOrSubregion"], "Europe");
  EXPECT_EQ(info["time"][0]["referencePeriodEnd"], Time("pack", 0));
  EXPECT_EQ(info["technology"][0]["ccsTechnologicalCO2CaptureIncluded"], false);
  EXPECT_EQ(j["pcfAssessmentAndMethodology"][0]["pcfMethodology"][0]
             ["gwpCharacterizationFactorDetails"][0]["ipccCharacterizationFactors"],
            "AR6");
  EXPECT_EQ(j["companyAndProductInformation"][0]["productInformation"][0]["productIds"][0],
            "urn:lotchain:lotchain-test:lot:pack");
  auto missing = Render("catenax-pcf", "pack", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("--declare ccs=false"), std::string::npos);
}

// A lot whose whole mass went into a transform has no footprint per kg.
TEST_F(PublishedExports, AConsumedLotHasNoPcf) {
  auto consumed = Render("pact", "ore", pcf_declared);
  ASSERT_FALSE(consumed.ok());
  EXPECT_EQ(consumed.status().code(), "EXPORT_NOT_APPLICABLE");
}

// kg CO2e per kWh over the service life: 1,480,000 g / 40,000 kWh = 0.037; cobalt 5,000 of
// 95,000 g recycled from production scrap: 5.2631 % (rounded down to ppm), none post-consumer.
TEST_F(PublishedExports, BatterypassCarriesTheChainsFiguresAndNamesWhatItDoesNotHold) {
  json j = RenderJson("batterypass", "pack");
  EXPECT_NE(last_text.find("\"batteryCarbonFootprint\": 0.037"), std::string::npos) << last_text;
  EXPECT_EQ(j["carbonFootprint"]["absoluteCarbonFootprint"], 1480);
  EXPECT_EQ(j["generalProductInformation"]["productIdentifier"], "SN-1");
  EXPECT_EQ(j["generalProductInformation"]["batteryMass"], 500);
  EXPECT_EQ(j["generalProductInformation"]["batteryStatus"], "Original");
  EXPECT_EQ(j["generalProductInformation"]["manufacturingPlace"]["addressCountry"], "DE");
  EXPECT_TRUE(std::regex_match(
      j["generalProductInformation"]["batteryPassportIdentifier"].get<std::string>(),
      std::regex("^urn:[a-z0-9]+:[a-z0-9]+$")));
  const json& recycled = j["circularity"]["recycledContent"];
  ASSERT_EQ(recycled.size(), 2u);
  EXPECT_EQ(recycled[0]["recycledMaterial"], "Cobalt");
  EXPECT_NE(last_text.find("\"preConsumerShare\": 5.2631"), std::string::npos);
  EXPECT_EQ(recycled[0]["postConsumerShare"], 0);
  EXPECT_EQ(recycled[1]["recycledMaterial"], "Nickel");
  EXPECT_EQ(recycled[1]["preConsumerShare"], 0);
  const json& materials = j["materialComposition"]["batteryMaterials"];
  EXPECT_EQ(materials[0]["batteryMaterialIdentifier"], "7440-48-4");
  EXPECT_EQ(materials[0]["batteryMaterialMass"], 95);
  EXPECT_EQ(j["lotchain"]["notHeld"]["carbonFootprint"][0], "carbonFootprintPerLifecycleStage");
  // Graphite: the CRM list names natural graphite; the chain does not hold which it is.
  EXPECT_EQ(materials[2]["batteryMaterialName"], "Graphite");
  EXPECT_FALSE(materials[2].contains("isCriticalRawMaterial"));
  EXPECT_EQ(j["lotchain"]["notHeld"]["materialComposition"].back(),
            "batteryMaterials/2/isCriticalRawMaterial");
  EXPECT_EQ(j["lotchain"]["asOfHeight"], chain.height());
  auto ore = Render("batterypass", "sulphate", {});
  ASSERT_FALSE(ore.ok());
  EXPECT_EQ(ore.status().code(), "EXPORT_NOT_APPLICABLE");
}

// The same figures as batterypass in Catena-X's model; cobalt's recycled share is the
// roll-up's (5,000 of 95,000 g: 5.2631 %), lead is not in the pack, so not held.
TEST_F(PublishedExports, CatenaxBatteryPassCarriesTheChainsFigures) {
  json j = RenderJson("catenax-battery-pass", "pack", {{"battery-category", {"ev"}}});
  EXPECT_EQ(j["specVersion"], "urn:io.catenax.battery.battery_pass:6.1.0");
  EXPECT_EQ(j["identification"]["category"], "EV");
  EXPECT_EQ(j["identification"]["identification"]["serial"][0]["value"], "SN-1");
  EXPECT_EQ(j["characteristics"]["physicalDimension"]["weight"]["value"], 500);
  EXPECT_NE(last_text.find("\"value\": 0.037\n"), std::string::npos) << last_text;
  EXPECT_EQ(j["sustainability"]["status"], "original");
  EXPECT_NE(last_text.find("\"recycled\": 5.2631,"), std::string::npos);
  EXPECT_EQ(j["materials"]["active"]["nickel"]["recycled"], 0);
  EXPECT_FALSE(j["materials"]["active"].contains("lead"));
  EXPECT_EQ(j["materials"]["composition"][0]["concentration"], 190'000);  // Co 95 of 500 kg
  EXPECT_EQ(j["performance"]["rated"]["energy"]["value"], 50);
  const json& not_held = j["lotchain"]["notHeld"];
  EXPECT_NE(std::find(not_held.begin(), not_held.end(), "materials/active/lead"), not_held.end());
  EXPECT_NE(std::find(not_held.begin(), not_held.end(), "materials/composition/2/critical"),
            not_held.end());
}

TEST_F(PublishedExports, EpcisTellsTheStoryWithQuantitiesInKg) {
  json j = RenderJson("epcis", "pack");
  EXPECT_EQ(j["type"], "EPCISDocument");
  EXPECT_EQ(j["schemaVersion"], "2.0");
  std::map<std::string, int> kinds;
  const json* pack_event = nullptr;
  for (const json& e : j["epcisBody"]["eventList"]) {
    kinds[e["type"].get<std::string>() + "/" + e.value("action", "") + "/" +
          e["bizStep"].get<std::string>()]++;
    if (e["type"] == "TransformationEvent" &&
        e["outputQuantityList"][0]["epcClass"] == "urn:lotchain:lotchain-test:lot:pack") {
      pack_event = &e;
    }
  }
  // ore, ore2 created; 5 transfers offered and accepted; refining, precursor, recovery, pack.
  // ore and ore2 created, the pack's battery serial commissioned.
  EXPECT_EQ(kinds["ObjectEvent/ADD/commissioning"], 3);
  EXPECT_EQ(kinds["ObjectEvent/OBSERVE/shipping"], 5);
  EXPECT_EQ(kinds["ObjectEvent/OBSERVE/receiving"], 5);
  EXPECT_EQ(kinds["TransformationEvent//commissioning"], 4);
  ASSERT_NE(pack_event, nullptr);
  EXPECT_EQ((*pack_event)["inputQuantityList"][0]["quantity"], 600);
  EXPECT_EQ((*pack_event)["inputQuantityList"][1]["quantity"], 40);
  EXPECT_EQ((*pack_event)["outputQuantityList"][0]["quantity"], 500);
  EXPECT_EQ((*pack_event)["outputQuantityList"][0]["uom"], "KGM");
  EXPECT_EQ((*pack_event)["bizLocation"]["id"], "urn:lotchain:lotchain-test:facility:plant-1");
  EXPECT_EQ((*pack_event)["eventTime"], Time("pack", 0));
  const json& events = j["epcisBody"]["eventList"];
  EXPECT_EQ(events[0]["certificationInfo"], json({core::exports::NiUri(core::Sha256("cert/ore"))}));
  EXPECT_EQ(events.back()["epcList"], json({"urn:lotchain:lotchain-test:battery:SN-1"}));
  EXPECT_EQ(events.back()["quantityList"][0]["epcClass"], "urn:lotchain:lotchain-test:lot:pack");
}

TEST(ExportSupport, DecimalsAndTimesAreExact) {
  using namespace core::exports;
  EXPECT_EQ(Decimal(1'234'567, 3), "1234.567");
  EXPECT_EQ(Decimal(0, 6), "0");
  EXPECT_EQ(Decimal(100, 3), "0.1");
  EXPECT_EQ(Decimal(UINT64_MAX, 3), "18446744073709551.615");
  EXPECT_EQ(PercentOfPpm(986'486), "98.6486");
  // RFC 6920 section 3's example; RFC 3986 percent-encoding.
  EXPECT_EQ(NiUri(core::Sha256("Hello World!")),
            "ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk");
  EXPECT_EQ(PercentEncode("VIN 1/a:b~-._"), "VIN%201%2Fa%3Ab~-._");
  EXPECT_EQ(IsoTime(1'767'225'600'000), "2026-01-01T00:00:00Z");
  EXPECT_EQ(IsoTime(951'782'400'123), "2000-02-29T00:00:00.123Z");
  EXPECT_EQ(IsoTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(IsoTime(AddYears(951'782'400'123, 3)), "2003-02-28T00:00:00.123Z");
  EXPECT_EQ(IsoTime(AddYears(1'767'225'600'000, 3)), "2029-01-01T00:00:00Z");
  ExactNumbers n;
  json doc = {{"a", n.Number(100, 3)}, {"b", n.Number(UINT64_MAX, 3)}};
  EXPECT_EQ(n.Dump(doc).value(), "{\n  \"a\": 0.1,\n  \"b\": 18446744073709551.615\n}\n");
  ExactNumbers m;
  json forged = {{"a", m.Number(1, 0)}, {"b", std::string("\x01lotchain-exact:0")}};
  EXPECT_FALSE(m.Dump(forged).ok());
}

}  // namespace
}  // namespace lotchain::testing
