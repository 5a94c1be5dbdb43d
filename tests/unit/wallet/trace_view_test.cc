// Trace rendering and passports over a real supply chain executed by TestChain: ore from a mine
// is refined at an audited refinery, recovered cobalt is added at a pack plant, and the pack's
// upstream trace (core::QueryTrace) is rendered as a tree, Graphviz and JSON. Checks that each
// view names organisations, facilities, audit status, edge masses and CO2e; that the per-step
// "added" CO2e recovers the process emissions; and that the passport compares recycled content
// with the genesis targets and summarises due diligence.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "consensus/core/queries.h"
#include "tests/support/test_chain.h"
#include "wallet-cli/passport.h"
#include "wallet-cli/trace_view.h"

namespace lotchain::wallet {
namespace {

using testing::Consume;
using testing::Element;
using testing::Produce;
using testing::TestChain;

void Ok(const v1::TxResult& r) { ASSERT_EQ(r.code(), v1::TX_CODE_OK) << r.reason() << " " << r.message(); }

class TraceViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok(chain.RegisterFacility("miner", "mine-co", v1::FACILITY_KIND_MINE, "CD"));
    Ok(chain.RegisterFacility("miner2", "mine-eol", v1::FACILITY_KIND_MINE, "ID"));
    Ok(chain.RegisterFacility("refiner", "ref-co", v1::FACILITY_KIND_REFINERY, "FI"));
    Ok(chain.RegisterFacility("oem", "pack-plant", v1::FACILITY_KIND_PLANT, "DE"));
    Ok(chain.RegisterFacility("recycler", "rec-1", v1::FACILITY_KIND_RECYCLING, "DE"));
    Ok(chain.CreateOrigin("miner", "ore-co", "mine-co", 1'000'000,
                          {Element(v1::ELEMENT_CO, 200'000)}, 2'000'000));
    Ok(chain.CreateOrigin("miner2", "eol-ore", "mine-eol", 400'000,
                          {Element(v1::ELEMENT_CO, 40'000)}, 100'000));
    v1::TxBody audit;
    auto* a = audit.mutable_record_audit();
    a->set_audit_id("rmi-1");
    a->set_facility_id("ref-co");
    a->set_standard("RMI RMAP");
    a->set_status(v1::AUDIT_STATUS_CONFORMANT);
    a->set_audit_date_unix_ms(chain.time_unix_ms);
    a->set_valid_until_unix_ms(chain.time_unix_ms + 365LL * 86'400'000);
    a->set_report_sha256(core::Sha256("report"));
    Ok(chain.Submit("auditor", audit));
    Ok(chain.Move("miner", "ore-co", "refiner"));
    Transform("refiner", "ref-co", v1::PROCESS_KIND_REFINING,
              {Consume("ore-co", chain.LastEvent("ore-co"), 1'000'000)},
              {Produce("co-sulphate", 500'000, {Element(v1::ELEMENT_CO, 190'000)})}, 1'000'000);
    Ok(chain.Move("refiner", "co-sulphate", "oem"));
    // An older pack ("eol") reaches end of life: only such waste may be recovered.
    Ok(chain.Move("miner2", "eol-ore", "oem"));
    Transform("oem", "pack-plant", v1::PROCESS_KIND_PACK,
              {Consume("eol-ore", chain.LastEvent("eol-ore"), 400'000)},
              {Produce("eol", 400'000, {Element(v1::ELEMENT_CO, 40'000)})}, 0);
    v1::TxBody old_battery;
    old_battery.mutable_register_battery()->set_lot_id("eol");
    old_battery.mutable_register_battery()->set_prev_event_hash(chain.LastEvent("eol"));
    old_battery.mutable_register_battery()->set_serial("SN-0");
    old_battery.mutable_register_battery()->set_chemistry("NMC622");
    old_battery.mutable_register_battery()->set_rated_capacity_wh(60'000);
    old_battery.mutable_register_battery()->set_expected_lifetime_wh(60'000'000);
    Ok(chain.Submit("oem", old_battery));
    Ok(chain.Move("oem", "eol", "collector"));  // collection marks it end of life
    Ok(chain.Move("collector", "eol", "recycler"));
    v1::TxBody recover;
    auto* r = recover.mutable_recover();
    r->set_facility_id("rec-1");
    r->set_source(v1::RECYCLED_SOURCE_POST_CONSUMER);
    *r->add_inputs() = Consume("eol", chain.LastEvent("eol"), 400'000);
    *r->add_outputs() = Produce("rec-co", 100'000, {Element(v1::ELEMENT_CO, 30'000)});
    r->mutable_process_emissions()->set_co2e_grams(50'000);
    r->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    Ok(chain.Submit("recycler", recover));
    Ok(chain.Move("recycler", "rec-co", "oem"));
    Transform("oem", "pack-plant", v1::PROCESS_KIND_PACK,
              {Consume("co-sulphate", chain.LastEvent("co-sulphate"), 500'000),
               Consume("rec-co", chain.LastEvent("rec-co"), 100'000)},
              {Produce("pack-1", 300'000, {Element(v1::ELEMENT_CO, 200'000)})}, 5'000'000);
    v1::TxBody battery;
    auto* b = battery.mutable_register_battery();
    b->set_lot_id("pack-1");
    b->set_prev_event_hash(chain.LastEvent("pack-1"));
    b->set_serial("SN-1");
    b->set_chemistry("NMC811");
    b->set_rated_capacity_wh(75'000);
    b->set_expected_lifetime_wh(100'000'000);
    Ok(chain.Submit("oem", battery));
    v1::TxBody flag;
    auto* f = flag.mutable_raise_risk_flag();
    f->set_flag_id("flag-1");
    f->set_facility_id("mine-co");
    f->set_category(v1::RISK_CATEGORY_LABOUR_RIGHTS);
    f->set_severity(v1::SEVERITY_HIGH);
    f->set_evidence_sha256(core::Sha256("evidence"));
    Ok(chain.Submit("auditor", flag));
    auto t = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 0);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    trace = std::move(t).value();
  }

  void Transform(const std::string& org, const std::string& facility, v1::ProcessKind process,
                 std::vector<v1::LotConsumption> inputs, std::vector<v1::LotProduction> outputs,
                 uint64_t co2e) {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id(facility);
    t->set_process(process);
    for (auto& i : inputs) *t->add_inputs() = i;
    for (auto& o : outputs) *t->add_outputs() = o;
    t->mutable_process_emissions()->set_co2e_grams(co2e);
    t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    Ok(chain.Submit(org, body));
  }

  int IndexOf(const std::string& lot) const {
    for (int i = 0; i < trace.nodes_size(); ++i) {
      if (trace.nodes(i).lot().lot_id() == lot) return i;
    }
    return -1;
  }

  TestChain chain;
  v1::Trace trace;
};

TEST_F(TraceViewTest, TreeShowsEveryStepBackToTheMines) {
  std::string tree = RenderTraceTree(trace);
  for (const char* expected : {"pack-1", "co-sulphate", "ore-co", "rec-co", "eol",
                               "[oem @ pack-plant, plant, DE]", "[refiner @ ref-co, refinery, FI]",
                               "audit: conformant", "(500 kg) co-sulphate", "origin CD",
                               "recycled 100 % (recovered)", "OPEN FLAGS: 1"}) {
    EXPECT_NE(tree.find(expected), std::string::npos) << expected << "\n" << tree;
  }
  EXPECT_EQ(tree.find("pack-1"), 0u);  // the root first
}

TEST_F(TraceViewTest, AddedCo2eRecoversEachStepsEmissions) {
  EXPECT_EQ(FiguresOf(trace, IndexOf("ore-co")).added_co2e_grams, 2'000'000u);
  EXPECT_EQ(FiguresOf(trace, IndexOf("rec-co")).added_co2e_grams, 50'000u);  // cut-off rule
  EXPECT_EQ(FiguresOf(trace, IndexOf("co-sulphate")).added_co2e_grams, 1'000'000u);
  TraceFigures pack = FiguresOf(trace, IndexOf("pack-1"));
  EXPECT_EQ(pack.added_co2e_grams, 5'000'000u);
  EXPECT_EQ(pack.accumulated_co2e_grams, 2'000'000u + 1'000'000u + 50'000u + 5'000'000u);
}

// The "added CO2e" of a lot is defined once, on the chain (the creating event's step share plus
// accepted transports): an upstream, a downstream and a truncated trace show the same figure for
// every lot they share (found from outside: cam-1 read 1.728 t, 2.985 t or 5.050 t by view).
TEST_F(TraceViewTest, AddedCo2eIsTheSameInEveryView) {
  auto down = core::QueryTrace(chain.state(), "ore-co", v1::TRACE_DIRECTION_DOWNSTREAM, 0);
  auto cut = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 2);
  ASSERT_TRUE(down.ok() && cut.ok());
  ASSERT_TRUE(cut->truncated());
  size_t shared = 0;
  for (const v1::Trace* other : {&*down, &*cut}) {
    for (int i = 0; i < other->nodes_size(); ++i) {
      int mine = IndexOf(other->nodes(i).lot().lot_id());
      ASSERT_GE(mine, 0);
      EXPECT_EQ(FiguresOf(*other, i).added_co2e_grams, FiguresOf(trace, mine).added_co2e_grams)
          << other->nodes(i).lot().lot_id();
      EXPECT_EQ(FiguresOf(*other, i).accumulated_co2e_grams,
                FiguresOf(trace, mine).accumulated_co2e_grams);
      shared += 1;
    }
  }
  EXPECT_GE(shared, 5u);  // ore-co, co-sulphate, pack-1 downstream; pack-1 and one parent cut
}

// A truncated view never reads as clean: it says so first, and the graph figures (refiners,
// flags, countries) are lower bounds, not "every refiner was conformant" / "none recorded".
TEST_F(TraceViewTest, TruncatedViewsSayTheyAreIncomplete) {
  auto cut = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 2);
  ASSERT_TRUE(cut.ok() && cut->truncated());
  std::string passport = RenderPassportText(BuildPassport(*cut, &chain.genesis(), 0));
  EXPECT_EQ(passport.rfind("INCOMPLETE VIEW: the trace stopped at 2 lots", 0), 0u) << passport;
  EXPECT_EQ(passport.find("Every upstream refiner"), std::string::npos) << passport;
  EXPECT_NE(passport.find("refiners beyond the incomplete view were not checked"), std::string::npos);
  EXPECT_EQ(passport.find("(none recorded)"), std::string::npos) << passport;
  EXPECT_NE(passport.find("Countries of origin: (none among the lots shown; incomplete view)"),
            std::string::npos) << passport;
  EXPECT_NE(passport.find("Open risk flags: none among the lots shown"), std::string::npos);
  EXPECT_EQ(RenderTraceTree(*cut).rfind("INCOMPLETE VIEW", 0), 0u);
  EXPECT_NE(RenderTraceDot(*cut, {}).value().find("INCOMPLETE VIEW: the trace stopped at 2 lots"),
            std::string::npos);
  auto j = nlohmann::json::parse(RenderPassportJson(BuildPassport(*cut, nullptr, 0), nullptr));
  EXPECT_EQ(j["complete"], false);
  EXPECT_EQ(GraphCount(3, true), "at least 3 (incomplete view)");
  EXPECT_EQ(GraphCount(3, false), "3");
  // The whole trace is not marked.
  std::string whole = RenderPassportText(BuildPassport(trace, &chain.genesis(), 0));
  EXPECT_EQ(whole.find("INCOMPLETE"), std::string::npos);
  EXPECT_EQ(TruncationBanner(trace), "");
}

TEST_F(TraceViewTest, DotAndJson) {
  DotOptions options;
  options.chain_id = "test-chain";
  options.height = 9;
  options.time_unix_ms = 1'767'225'600'000;
  std::string dot = RenderTraceDot(trace, options).value();
  EXPECT_EQ(dot.rfind("digraph trace {", 0), 0u);
  EXPECT_NE(dot.find("\"ore-co\" -> \"co-sulphate\" [label=\"1 t\"]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("color=red"), std::string::npos);  // the flagged mine
  EXPECT_NE(dot.find("label=\"Custody of pack-1 back to the mines\\nchain test-chain, height 9, "
                     "block time 2026-01-01"),
            std::string::npos) << dot;
  EXPECT_NE(dot.find("subgraph cluster_legend"), std::string::npos);
  EXPECT_EQ(dot.find("cluster_org_"), std::string::npos);
  options.group_by_org = true;
  std::string grouped = RenderTraceDot(trace, options).value();
  EXPECT_NE(grouped.find("subgraph cluster_org_0 {"), std::string::npos) << grouped;
  options.max_lots = 2;
  core::Result<std::string> big = RenderTraceDot(trace, options);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), "GRAPH_TOO_LARGE");
  EXPECT_NE(big.status().message().find("--max-nodes"), std::string::npos);
  auto j = nlohmann::json::parse(RenderTraceJson(trace));
  EXPECT_EQ(j["root_lot_id"], "pack-1");
  EXPECT_EQ(j["direction"], "TRACE_DIRECTION_UPSTREAM");
  EXPECT_EQ(j["nodes"][0]["figures"]["added_co2e_grams"], 5'000'000u);
  EXPECT_EQ(j["nodes"][0]["lot"]["last_event_hash"].get<std::string>().size(), 64u);
}

TEST_F(TraceViewTest, PassportAgainstGenesisTargets) {
  const int64_t k2032 = 1'956'528'000'000;
  Passport p = BuildPassport(trace, &chain.genesis(), k2032);
  ASSERT_EQ(p.targets.size(), 1u);  // TestChain's policy: Co 16 % from 2031
  EXPECT_TRUE(p.targets[0].in_force);
  EXPECT_TRUE(p.targets[0].element_present);
  EXPECT_FALSE(p.targets[0].met);
  EXPECT_EQ(p.targets[0].actual_ppm, p.roll_up.recycled(0).recycled_ppm());
  EXPECT_TRUE(p.refiners_not_conformant.empty());
  ASSERT_EQ(p.open_flags.size(), 1u);
  EXPECT_EQ(p.open_flags[0].category, v1::RISK_CATEGORY_LABOUR_RIGHTS);
  EXPECT_NE(RenderPassportText(p).find("labour_rights"), std::string::npos);
  std::string text = RenderPassportText(p);
  for (const char* expected : {"BATTERY PASSPORT", "Per kWh capacity", "BELOW TARGET",
                               "EU 2023/1542", "Open risk flags: 1", "Countries of origin: CD, ID"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  Passport early = BuildPassport(trace, &chain.genesis(), 1'767'225'600'000);
  EXPECT_FALSE(early.targets[0].in_force);
  EXPECT_NE(RenderPassportText(early).find("not yet in force"), std::string::npos);
  Passport no_policy = BuildPassport(trace, nullptr, k2032);
  EXPECT_NE(RenderPassportText(no_policy).find("--genesis"), std::string::npos);
  auto j = nlohmann::json::parse(RenderPassportJson(p, nullptr));
  EXPECT_EQ(j["targets"][0]["met"], false);
}

}  // namespace
}  // namespace lotchain::wallet
