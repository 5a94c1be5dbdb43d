// Queries: history, upstream/downstream traces and roll-ups over a small real supply chain.
#include <gtest/gtest.h>

#include "consensus/core/queries.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {
namespace {

class QueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Ok(chain.RegisterFacility("miner", "mine-co", v1::FACILITY_KIND_MINE, "CD"));
    Ok(chain.RegisterFacility("miner2", "mine-ni", v1::FACILITY_KIND_MINE, "ID"));
    Ok(chain.RegisterFacility("refiner", "ref-co", v1::FACILITY_KIND_REFINERY, "FI"));
    Ok(chain.RegisterFacility("oem", "pack-plant", v1::FACILITY_KIND_PLANT, "DE"));
    Ok(chain.CreateOrigin("miner", "co-ore", "mine-co", 1'000'000,
                          {Element(v1::ELEMENT_CO, 200'000)}, 2'000'000));
    Ok(chain.CreateOrigin("miner2", "ni-ore", "mine-ni", 1'000'000,
                          {Element(v1::ELEMENT_NI, 300'000)}, 3'000'000));
    // Refiner audited Conformant; then it refines the cobalt.
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
    Ok(chain.Move("miner", "co-ore", "refiner"));
    v1::TxBody refine;
    auto* t = refine.mutable_transform();
    t->set_facility_id("ref-co");
    t->set_process(v1::PROCESS_KIND_REFINING);
    *t->add_inputs() = Consume("co-ore", chain.LastEvent("co-ore"), 1'000'000);
    *t->add_outputs() = Produce("co-sulphate", 500'000, {Element(v1::ELEMENT_CO, 190'000)});
    t->mutable_process_emissions()->set_co2e_grams(1'000'000);
    t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    Ok(chain.Submit("refiner", refine));
    Ok(chain.Move("refiner", "co-sulphate", "oem"));
    Ok(chain.Move("miner2", "ni-ore", "oem"));
    v1::TxBody pack;
    auto* p = pack.mutable_transform();
    p->set_facility_id("pack-plant");
    p->set_process(v1::PROCESS_KIND_PACK);
    *p->add_inputs() = Consume("co-sulphate", chain.LastEvent("co-sulphate"), 500'000);
    *p->add_inputs() = Consume("ni-ore", chain.LastEvent("ni-ore"), 500'000);
    *p->add_outputs() = Produce("pack-1", 400'000,
                                {Element(v1::ELEMENT_CO, 190'000), Element(v1::ELEMENT_NI, 150'000)});
    t->mutable_process_emissions()->set_co2e_grams(0);
    Ok(chain.Submit("oem", pack));
    v1::TxBody battery;
    auto* b = battery.mutable_register_battery();
    b->set_lot_id("pack-1");
    b->set_prev_event_hash(chain.LastEvent("pack-1"));
    b->set_serial("P1");
    b->set_chemistry("NMC811");
    b->set_rated_capacity_wh(50'000);
    b->set_expected_lifetime_wh(50'000'000);
    Ok(chain.Submit("oem", battery));
  }
  static void Ok(const v1::TxResult& r) { ASSERT_EQ(r.code(), v1::TX_CODE_OK) << r.reason() << r.message(); }
  TestChain chain;
};

// History lists every event of a lot in order, hash-linked.
TEST_F(QueriesTest, HistoryIsHashLinked) {
  auto history = core::QueryLotHistory(chain.state(), "co-ore");
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->events_size(), 4);  // created, offered, accepted, consumed
  for (int i = 1; i < history->events_size(); ++i) {
    EXPECT_EQ(history->events(i).prev_event_hash(), history->events(i - 1).event_hash());
  }
  EXPECT_EQ(history->events(3).kind(), v1::EVENT_KIND_CONSUMED);
  EXPECT_EQ(core::QueryLotHistory(chain.state(), "nope").status().code(), "NOT_FOUND");
  EXPECT_EQ(core::QueryLot(chain.state(), "bad id").status().code(), "INVALID_ARGUMENT");
}

// The upstream trace reaches both mines with the mass on each edge and rolls up the footprint.
TEST_F(QueriesTest, UpstreamTraceAndRollUp) {
  auto trace = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 0);
  ASSERT_TRUE(trace.ok());
  ASSERT_EQ(trace->nodes_size(), 4);  // pack, co-sulphate, ni-ore, co-ore
  EXPECT_EQ(trace->nodes(0).lot().lot_id(), "pack-1");
  EXPECT_EQ(trace->edges_size(), 3);
  const v1::RollUp& roll = trace->roll_up();
  // Footprint: 2e6 + 1e6 (all of co-sulphate) + 1.5e6 (half of ni-ore) = 4.5e6 g.
  EXPECT_EQ(roll.footprint_co2e_grams(), 4'500'000u);
  EXPECT_EQ(roll.co2e_mg_per_kwh(), 90'000'000u);  // 4.5e6 g / 50 kWh = 90 kg/kWh
  EXPECT_EQ(roll.origin_countries_size(), 2);
  EXPECT_EQ(roll.origin_countries(0), "CD");
  EXPECT_EQ(roll.facilities_not_conformant(), 0u);
  EXPECT_EQ(trace->nodes(1).facility_audit_at_creation().status(), v1::AUDIT_STATUS_CONFORMANT);
}

// The downstream trace from a mine's lot reaches the pack.
TEST_F(QueriesTest, DownstreamTrace) {
  auto trace = core::QueryTrace(chain.state(), "co-ore", v1::TRACE_DIRECTION_DOWNSTREAM, 0);
  ASSERT_TRUE(trace.ok());
  ASSERT_EQ(trace->nodes_size(), 3);
  EXPECT_EQ(trace->nodes(2).lot().lot_id(), "pack-1");
}

// A trace stops at max_nodes and says so.
TEST_F(QueriesTest, TraceIsBounded) {
  auto trace = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 2);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->nodes_size(), 2);
  EXPECT_TRUE(trace->truncated());
}

// Open flags on an upstream facility show up in the roll-up.
TEST_F(QueriesTest, OpenFlagsCounted) {
  v1::TxBody raise;
  auto* r = raise.mutable_raise_risk_flag();
  r->set_flag_id("f1");
  r->set_facility_id("mine-co");
  r->set_category(v1::RISK_CATEGORY_LABOUR_RIGHTS);
  r->set_severity(v1::SEVERITY_CRITICAL);
  r->set_evidence_sha256(core::Sha256("ev"));
  Ok(chain.Submit("auditor", raise));
  auto trace = core::QueryTrace(chain.state(), "pack-1", v1::TRACE_DIRECTION_UPSTREAM, 0);
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->roll_up().open_flags(), 1u);
}

// An expired audit counts as no valid audit.
TEST(AuditStatusTest, ExpiredAuditIsNotValid) {
  v1::AuditRef audit;
  audit.set_audit_id("a");
  audit.set_status(v1::AUDIT_STATUS_CONFORMANT);
  audit.set_audit_date_unix_ms(100);
  audit.set_valid_until_unix_ms(200);
  EXPECT_EQ(core::EffectiveAuditStatus(audit, 150), v1::AUDIT_STATUS_CONFORMANT);
  EXPECT_EQ(core::EffectiveAuditStatus(audit, 201), v1::AUDIT_STATUS_UNSPECIFIED);
  EXPECT_EQ(core::EffectiveAuditStatus(audit, 99), v1::AUDIT_STATUS_UNSPECIFIED);
  EXPECT_EQ(core::EffectiveAuditStatus(v1::AuditRef(), 150), v1::AUDIT_STATUS_UNSPECIFIED);
}

}  // namespace
}  // namespace lotchain::testing

namespace lotchain::testing {
namespace {

// An overlay scan asked for "everything" (SIZE_MAX) still sees base entries when the delta
// deletes some (the base limit must saturate, not wrap).
TEST(OverlayScanTest, UnlimitedScanWithDeletes) {
  core::MemState base;
  core::StateDelta setup;
  setup.Put("a/1", "x");
  setup.Put("a/2", "y");
  base.Apply(setup);
  core::StateDelta delta;
  delta.Delete("a/1");
  core::OverlayState overlay(base, delta);
  auto entries = overlay.Scan("a/", SIZE_MAX);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].first, "a/2");
}

}  // namespace
}  // namespace lotchain::testing
