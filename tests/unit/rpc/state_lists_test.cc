// ListRecords and ReadStateEntries (node/api/state_lists.h) over a real BlockStore holding the
// small supply chain of rpc_test_backend.h: filters, paging, the scan budget and refusals.
#include "node/api/state_lists.h"

#include <gtest/gtest.h>

#include <set>

#include "consensus/core/state_keys.h"
#include "tests/unit/rpc/rpc_test_backend.h"

namespace lotchain::node::testing {
namespace {

class StateListsTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildSupplyChain(backend); }

  v1::ListResponse List(const v1::ListRequest& request) {
    std::unique_ptr<StateSnapshot> snapshot = backend.store().Snapshot();
    core::Result<v1::ListResponse> list = ListRecords(*snapshot, request);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? *list : v1::ListResponse();
  }
  core::Status ListError(const v1::ListRequest& request) {
    std::unique_ptr<StateSnapshot> snapshot = backend.store().Snapshot();
    return ListRecords(*snapshot, request).status();
  }
  static v1::ListRequest Kind(v1::ListKind kind) {
    v1::ListRequest request;
    request.set_kind(kind);
    return request;
  }
  // Registers `count` plant facilities of `org` named fac-00000.. in blocks of 2,000.
  void AddFacilities(const std::string& org, int count) {
    TxFactory tx{backend};
    std::vector<std::string> block;
    for (int i = 0; i < count; ++i) {
      char id[32];
      std::snprintf(id, sizeof id, "fac-%05d", i);
      block.push_back(tx.Facility(org, id, v1::FACILITY_KIND_PLANT));
      if (block.size() == 2000 || i + 1 == count) {
        ExpectApplied(backend.CommitBlock(block));
        block.clear();
      }
    }
  }

  TestBackend backend;
};

TEST_F(StateListsTest, MembersFacilitiesAuditsFlags) {
  v1::ListResponse members = List(Kind(v1::LIST_KIND_MEMBERS));
  ASSERT_GE(members.members_size(), 4);
  EXPECT_TRUE(std::is_sorted(members.members().begin(), members.members().end(),
                             [](const auto& a, const auto& b) { return a.org_id() < b.org_id(); }));
  EXPECT_EQ(members.height(), backend.store().height());
  EXPECT_TRUE(members.next_page_token().empty());

  v1::ListRequest facilities = Kind(v1::LIST_KIND_FACILITIES);
  facilities.set_org("miner");
  v1::ListResponse mine = List(facilities);
  ASSERT_EQ(mine.facilities_size(), 1);
  EXPECT_EQ(mine.facilities(0).facility_id(), "mine-co");
  EXPECT_EQ(List(Kind(v1::LIST_KIND_FACILITIES)).facilities_size(), 4);

  v1::ListRequest audits = Kind(v1::LIST_KIND_AUDITS);
  audits.set_facility_id("ref-co");
  v1::ListResponse ref = List(audits);
  ASSERT_EQ(ref.audits_size(), 2);
  EXPECT_EQ(ref.audits(0).record().facility_id(), "ref-co");

  v1::ListRequest open = Kind(v1::LIST_KIND_FLAGS);
  open.set_open_only(true);
  open.set_facility_id("mine-co");
  ASSERT_EQ(List(open).flags_size(), 1);
  open.set_facility_id("ref-co");
  EXPECT_EQ(List(open).flags_size(), 0);
}

TEST_F(StateListsTest, LotsByCustodianOfferAndSerial) {
  v1::ListRequest held = Kind(v1::LIST_KIND_LOTS);
  held.set_org("oem");
  std::set<std::string> ids;
  const v1::ListResponse oem_lots = List(held);
  for (const auto& lot : oem_lots.lots()) ids.insert(lot.lot_id());
  EXPECT_TRUE(ids.count("pack-1"));
  EXPECT_FALSE(ids.count("co-ore"));  // consumed by the refiner, its custodian
  EXPECT_TRUE(ids.count("co-sulphate"));  // wholly consumed into pack-1, still listed
  held.set_live_only(true);
  const v1::ListResponse live = List(held);
  std::set<std::string> live_ids;
  for (const auto& lot : live.lots()) live_ids.insert(lot.lot_id());
  EXPECT_EQ(live_ids, (std::set<std::string>{"ni-ore", "pack-1"}));  // half of ni-ore remains

  TxFactory tx{backend};
  ExpectApplied(backend.CommitBlock({tx.Offer("oem", "pack-1", "refiner")}));
  v1::ListRequest inbox = Kind(v1::LIST_KIND_LOTS);
  inbox.set_offered_to("refiner");
  v1::ListResponse offers = List(inbox);
  ASSERT_EQ(offers.lots_size(), 1);
  EXPECT_EQ(offers.lots(0).lot_id(), "pack-1");
  inbox.set_offered_to("miner");
  EXPECT_EQ(List(inbox).lots_size(), 0);

  v1::ListRequest outbox = Kind(v1::LIST_KIND_LOTS);
  outbox.set_org("oem");
  outbox.set_in_transit_only(true);
  ASSERT_EQ(List(outbox).lots_size(), 1);

  v1::ListRequest serial = Kind(v1::LIST_KIND_LOTS);
  serial.set_battery_serial("no-such-serial");
  EXPECT_EQ(List(serial).lots_size(), 0);
}

// Pages of a listing partition it: every record once, in key order, and the last page has no
// token. A filter that matches nothing among more than kListScanMax records still returns
// within the budget, with a token to go on.
TEST_F(StateListsTest, PagesPartitionTheListingAndTheScanIsBounded) {
  AddFacilities("oem", static_cast<int>(kListScanMax) + 500);
  v1::ListRequest request = Kind(v1::LIST_KIND_FACILITIES);
  request.set_page_size(kListPageMax);
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    v1::ListResponse page = List(request);
    ++pages;
    for (const auto& f : page.facilities()) seen.push_back(f.facility_id());
    if (page.next_page_token().empty()) break;
    ASSERT_EQ(page.facilities_size(), static_cast<int>(kListPageMax));
    request.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(seen.size(), kListScanMax + 500 + 4);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(pages, static_cast<int>((seen.size() + kListPageMax - 1) / kListPageMax));

  v1::ListRequest none = Kind(v1::LIST_KIND_FACILITIES);
  none.set_org("nobody");
  v1::ListResponse first = List(none);
  EXPECT_EQ(first.facilities_size(), 0);
  ASSERT_FALSE(first.next_page_token().empty()) << "the budget stops the scan, not the end";
  none.set_page_token(first.next_page_token());
  v1::ListResponse second = List(none);
  EXPECT_EQ(second.facilities_size(), 0);
  EXPECT_TRUE(second.next_page_token().empty());
}

TEST_F(StateListsTest, RefusesWhatDoesNotFit) {
  EXPECT_EQ(ListError(Kind(v1::LIST_KIND_UNSPECIFIED)).code(), "INVALID_ARGUMENT");
  v1::ListRequest r = Kind(v1::LIST_KIND_MEMBERS);
  r.set_offered_to("oem");
  core::Status wrong_filter = ListError(r);
  EXPECT_EQ(wrong_filter.code(), "INVALID_ARGUMENT");
  EXPECT_NE(wrong_filter.message().find("offered_to"), std::string::npos);
  r = Kind(v1::LIST_KIND_MEMBERS);
  r.set_page_size(kListPageMax + 1);
  EXPECT_EQ(ListError(r).code(), "INVALID_ARGUMENT");
  r.set_page_size(0);
  r.set_page_token(core::keys::Lot("pack-1"));  // a LOTS token on a MEMBERS listing
  EXPECT_NE(ListError(r).message().find("not from this listing"), std::string::npos);
  v1::ListRequest audits = Kind(v1::LIST_KIND_AUDITS);
  EXPECT_NE(ListError(audits).message().find("needs facility_id"), std::string::npos);
  audits.set_facility_id("no-such-facility");
  EXPECT_EQ(ListError(audits).code(), "NOT_FOUND");
  v1::ListRequest both = Kind(v1::LIST_KIND_FLAGS);
  both.set_facility_id("mine-co");
  both.set_lot_id("pack-1");
  EXPECT_EQ(ListError(both).code(), "INVALID_ARGUMENT");
}

// Governance proposals: every one, or only those still open at the listing's height.
TEST_F(StateListsTest, ProposalsOpenOrAll) {
  auto propose = [this](const std::string& id) {
    v1::TxBody body;
    body.mutable_propose_change()->set_proposal_id(id);
    body.mutable_propose_change()->mutable_change()->mutable_suspend_member()->set_org_id("miner2");
    ExpectApplied(backend.CommitBlock({backend.Sign("miner", body)}));
  };
  propose("p-open");
  propose("p-rejected");
  // Rejections until the quorum can no longer be met (the proposal is then REJECTED).
  for (const char* org : {"refiner", "refiner2", "precursor", "cathode", "cell", "oem", "recycler"}) {
    std::unique_ptr<StateSnapshot> snapshot = backend.store().Snapshot();
    v1::GovernanceProposal p;
    ASSERT_TRUE(p.ParseFromString(*snapshot->Get(core::keys::Proposal("p-rejected"))));
    if (p.status() == v1::PROPOSAL_STATUS_REJECTED) break;
    v1::TxBody body;
    body.mutable_reject_proposal()->set_proposal_id("p-rejected");
    ExpectApplied(backend.CommitBlock({backend.Sign(org, body)}));
  }
  v1::ListResponse all = List(Kind(v1::LIST_KIND_PROPOSALS));
  ASSERT_EQ(all.proposals_size(), 2);
  EXPECT_EQ(all.proposals(0).proposal_id(), "p-open");
  EXPECT_EQ(all.proposals(1).proposal_id(), "p-rejected");
  EXPECT_EQ(all.proposals(1).status(), v1::PROPOSAL_STATUS_REJECTED);
  v1::ListRequest open = Kind(v1::LIST_KIND_PROPOSALS);
  open.set_open_only(true);
  v1::ListResponse only = List(open);
  ASSERT_EQ(only.proposals_size(), 1);
  EXPECT_EQ(only.proposals(0).proposal_id(), "p-open");
  EXPECT_EQ(only.proposals(0).approvals_size(), 1);
  v1::ListRequest wrong = Kind(v1::LIST_KIND_PROPOSALS);
  wrong.set_org("miner");
  EXPECT_EQ(ListError(wrong).code(), "INVALID_ARGUMENT");
}

TEST_F(StateListsTest, ReadStateReadsOneSnapshot) {
  std::unique_ptr<StateSnapshot> snapshot = backend.store().Snapshot();
  v1::ReadStateRequest request;
  request.add_keys(core::keys::Lot("pack-1"));
  request.add_keys(core::keys::Lot("no-such-lot"));
  core::Result<v1::ReadStateResponse> read = ReadStateEntries(*snapshot, 1234, request);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->height(), snapshot->tip().height);
  EXPECT_EQ(read->state_root(), snapshot->tip().state_root);
  EXPECT_EQ(read->block_time_unix_ms(), 1234);
  ASSERT_EQ(read->entries_size(), 2);
  v1::Lot lot;
  ASSERT_TRUE(read->entries(0).present());
  ASSERT_TRUE(lot.ParseFromString(read->entries(0).value()));
  EXPECT_EQ(lot.lot_id(), "pack-1");
  EXPECT_FALSE(read->entries(1).present());

  v1::ReadStateRequest too_many;
  for (size_t i = 0; i <= kReadStateKeysMax; ++i) too_many.add_keys("l/x");
  EXPECT_EQ(ReadStateEntries(*snapshot, 0, too_many).status().code(), "INVALID_ARGUMENT");
  v1::ReadStateRequest empty_key;
  empty_key.add_keys("");
  EXPECT_EQ(ReadStateEntries(*snapshot, 0, empty_key).status().code(), "INVALID_ARGUMENT");
}

// A key's member and committed nonce; a stranger's key is NOT_FOUND, a short one refused.
TEST_F(StateListsTest, SignerInfo) {
  v1::SignedTx envelope;
  ASSERT_TRUE(envelope.ParseFromString(backend.Sign("miner", v1::TxBody())));  // its public key
  std::unique_ptr<StateSnapshot> snapshot = backend.store().Snapshot();
  core::Result<v1::SignerInfo> miner = ReadSigner(*snapshot, envelope.signer());
  ASSERT_TRUE(miner.ok()) << miner.status().ToString();
  EXPECT_EQ(miner->org_id(), "miner");
  EXPECT_EQ(miner->last_nonce(), 3u);  // facility, origin lot, offer
  EXPECT_EQ(miner->next_nonce(), 4u);
  EXPECT_EQ(miner->height(), snapshot->tip().height);
  EXPECT_EQ(ReadSigner(*snapshot, std::string(32, 'x')).status().code(), "NOT_FOUND");
  EXPECT_EQ(ReadSigner(*snapshot, "short").status().code(), "INVALID_ARGUMENT");
}

}  // namespace
}  // namespace lotchain::node::testing
