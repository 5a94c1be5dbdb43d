// The export seam: the registry, unknown names, and the lotchain-passport document rendered
// from a real trace and passport (the figures are the passport's, as of the trace's block).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "consensus/core/export_format.h"
#include "consensus/core/passport.h"
#include "consensus/core/queries.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

void Ok(const v1::TxResult& r) { ASSERT_EQ(r.code(), v1::TX_CODE_OK) << r.reason() << r.message(); }

TEST(ExportFormats, NamesAreUniqueAndEveryFormatSaysWhatItIs) {
  std::set<std::string> names;
  ASSERT_FALSE(core::ExportFormats().empty());
  for (const core::ExportFormat* format : core::ExportFormats()) {
    EXPECT_TRUE(names.insert(std::string(format->name())).second) << format->name();
    EXPECT_FALSE(format->summary().empty()) << format->name();
    auto found = core::FindExportFormat(format->name());
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(*found, format);
  }
}

TEST(ExportFormats, AnUnknownNameListsTheKnownOnes) {
  auto found = core::FindExportFormat("batterypas");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.status().code(), "UNKNOWN_FORMAT");
  EXPECT_NE(found.status().message().find("lotchain-passport"), std::string::npos);
}

TEST(ExportFormats, LotchainPassportStatesItsBlockAndThePassportsFigures) {
  TestChain chain;
  Ok(chain.RegisterFacility("miner", "mine-co", v1::FACILITY_KIND_MINE, "CD"));
  Ok(chain.CreateOrigin("miner", "co-ore", "mine-co", 1'000'000,
                        {Element(v1::ELEMENT_CO, 200'000)}, 2'000'000));
  v1::Trace trace =
      core::QueryTrace(chain.state(), "co-ore", v1::TRACE_DIRECTION_UPSTREAM, 100).value();
  trace.set_as_of_height(chain.height());
  trace.set_as_of_time_unix_ms(chain.time_unix_ms);
  core::Passport passport = core::BuildPassport(trace, &chain.genesis(), chain.time_unix_ms);
  core::ExportSource source;
  source.upstream = &trace;
  source.passport = &passport;
  source.genesis = &chain.genesis();
  auto document = core::FindExportFormat("lotchain-passport").value()->Render(source);
  ASSERT_TRUE(document.ok()) << document.status().ToString();
  nlohmann::json j = nlohmann::json::parse(*document);
  EXPECT_EQ(j["format"], "lotchain-passport/1");
  EXPECT_EQ(j["as_of_height"], chain.height());
  EXPECT_EQ(j["as_of_time_unix_ms"], chain.time_unix_ms);
  EXPECT_EQ(j["chain_id"], chain.genesis().chain_id);
  EXPECT_EQ(j["lot"]["lot_id"], "co-ore");
  EXPECT_EQ(j["roll_up"]["footprint_co2e_grams"], passport.roll_up.footprint_co2e_grams());
  EXPECT_EQ(j["roll_up"]["mass_grams"], 1'000'000u);
  EXPECT_TRUE(j["policy_known"]);
  EXPECT_TRUE(j["complete"]);
}

}  // namespace
}  // namespace lotchain::testing
