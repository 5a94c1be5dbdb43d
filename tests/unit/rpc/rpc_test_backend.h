// Test support for the rpc suite: a LedgerBackend over a REAL BlockStore in a temporary
// directory, filled by executing real blocks (core::ExecuteBlock) and committing them with real
// commit certificates (precommits signed by the genesis validators' keys, derived as in
// tests/support: SeedFor("validator/v<i>")). The test thread plays the node's event loop: it
// commits blocks and delivers CommitEvents to subscribers.
#pragma once

#include <stdlib.h>

#include <cstdio>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "consensus/core/certificate.h"
#include "consensus/core/custody.h"
#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "consensus/core/queries.h"
#include "node/api/backend.h"
#include "node/metrics/node_metrics.h"
#include "node/storage/block_store.h"
#include "tests/support/test_chain.h"

namespace lotchain::node::testing {

class RpcTempDir {
 public:
  RpcTempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/lotchain-rpc-XXXXXX";
    LOTCHAIN_ASSERT(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~RpcTempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  RpcTempDir(const RpcTempDir&) = delete;
  RpcTempDir& operator=(const RpcTempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class TestBackend final : public LedgerBackend {
 public:
  static constexpr size_t kValidators = 4;

  TestBackend() {
    core::InitCrypto();
    auto genesis = core::ParseGenesis(lotchain::testing::GenesisJson(
        lotchain::testing::DefaultMembers(), kValidators, "lotchain-rpc-test"));
    LOTCHAIN_ASSERT(genesis.ok());
    genesis_ = std::move(genesis).value();
    auto store = BlockStore::Open(dir_.path() + "/store", genesis_);
    LOTCHAIN_ASSERT(store.ok());
    store_ = std::move(store).value();
    for (size_t i = 0; i < kValidators; ++i) {
      auto key = core::SecretKey::FromSeed(
          lotchain::testing::SeedFor("validator/v" + std::to_string(i)));
      LOTCHAIN_ASSERT(key.ok());
      validator_keys_.push_back(std::move(key).value());
    }
    for (const auto& member : lotchain::testing::DefaultMembers()) {
      auto key = core::SecretKey::FromSeed(lotchain::testing::SeedFor(member.org_id));
      LOTCHAIN_ASSERT(key.ok());
      member_keys_.emplace(member.org_id, std::move(key).value());
    }
  }

  // LedgerBackend.
  const core::Genesis& genesis() const override { return genesis_; }
  const BlockStore& store() const override { return *store_; }

  core::Result<v1::TxStatus> SubmitTx(std::string signed_tx_bytes) override {
    v1::SignedTx envelope;
    auto body = core::CheckTxStateless(genesis_, signed_tx_bytes, false, &envelope);
    if (!body.ok()) return body.status();
    const std::string hash = core::TxHash(signed_tx_bytes);
    v1::TxStatus status = GetTxStatus(hash).value();
    if (status.status() != v1::TX_STATUS_UNKNOWN) return status;
    // Like the node's mempool: a known signer and a fresh nonce (UNKNOWN_SIGNER, ...).
    core::TxContext ctx;
    ctx.height = store_->height() + 1;
    ctx.tx_hash = hash;
    auto authenticated = core::AuthenticateTx(genesis_, store_->state(), ctx, signed_tx_bytes);
    if (!authenticated.ok()) return authenticated.status();
    std::lock_guard<std::mutex> lock(mutex_);
    if (pending_.size() >= mempool_txs_max) {
      return core::Status("RESOURCE_EXHAUSTED", "mempool is full; retry later");
    }
    pending_.emplace(hash, std::move(signed_tx_bytes));
    status.set_tx_hash(hash);
    status.set_status(v1::TX_STATUS_PENDING);
    return status;
  }

  core::Result<v1::TxStatus> GetTxStatus(std::string_view tx_hash) override {
    v1::TxStatus status;
    status.set_tx_hash(std::string(tx_hash));
    auto record = store_->GetTx(tx_hash);
    if (record.ok()) {
      bool applied = record->result.code() == v1::TX_CODE_OK;
      status.set_status(applied ? v1::TX_STATUS_APPLIED : v1::TX_STATUS_REJECTED);
      status.set_height(record->height);
      status.set_index(record->index);
      *status.mutable_result() = record->result;
      return status;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    bool pending = pending_.count(std::string(tx_hash)) != 0;
    status.set_status(pending ? v1::TX_STATUS_PENDING : v1::TX_STATUS_UNKNOWN);
    return status;
  }

  v1::NodeStatus GetStatus() override {
    v1::NodeStatus status = CommittedNodeStatus(genesis_, genesis_.validators, *store_);
    std::lock_guard<std::mutex> lock(mutex_);
    status.set_mempool_txs(static_cast<uint32_t>(pending_.size()));
    return status;
  }

  uint64_t SubscribeCommits(CommitCallback on_commit) override {
    std::lock_guard<std::mutex> lock(mutex_);
    uint64_t handle = ++next_handle_;
    subscribers_.emplace(handle, std::move(on_commit));
    return handle;
  }
  void UnsubscribeCommits(uint64_t handle) override {
    std::lock_guard<std::mutex> lock(mutex_);
    subscribers_.erase(handle);
  }
  bool Healthy() override { return healthy.load(); }
  bool Ready() override { return ready.load(); }
  std::string MetricsText() override { return metrics.Render(); }

  // Test driver.
  size_t subscribers() {
    std::lock_guard<std::mutex> lock(mutex_);
    return subscribers_.size();
  }
  size_t pending() {
    std::lock_guard<std::mutex> lock(mutex_);
    return pending_.size();
  }

  // Signs `body` as `org` (chain id and its next nonce filled in).
  std::string Sign(const std::string& org, v1::TxBody body) {
    body.set_chain_id(genesis_.chain_id);
    body.set_nonce(++nonces_[org]);
    v1::SignedTx tx;
    tx.set_body(body.SerializeAsString());
    const core::SecretKey& key = member_keys_.at(org);
    tx.set_signer(key.PublicKey());
    tx.set_signature(key.Sign(core::kTxDomain, genesis_.chain_id, tx.body()));
    return tx.SerializeAsString();
  }

  // Executes `txs` as the next block, commits it with a quorum certificate (validators 0..2 of
  // 4) and delivers the CommitEvent to every subscriber (as the node's loop would).
  std::vector<v1::TxResult> CommitBlock(const std::vector<std::string>& txs) {
    const Tip tip = store_->tip();
    time_unix_ms_ += 1000;
    core::BlockContext ctx{.height = tip.height + 1, .time_unix_ms = time_unix_ms_};
    core::ExecutedBlock executed =
        core::ExecuteBlock(genesis_, store_->state(), store_->tree(), ctx, txs);
    v1::BlockHeader header;
    header.set_chain_id(genesis_.chain_id);
    header.set_height(ctx.height);
    header.set_time_unix_ms(ctx.time_unix_ms);
    header.set_prev_block_hash(tip.last_block_hash);
    header.set_tx_root(executed.tx_root);
    header.set_results_root(executed.results_root);
    header.set_state_root(executed.state_root);
    header.set_tx_count(static_cast<uint32_t>(txs.size()));
    header.set_proposer(validator_keys_[0].PublicKey());
    std::string validator_keys;  // docs/FORMAT.md: keys concatenated in genesis order
    for (const auto& v : genesis_.validators) validator_keys += v.public_key;
    header.set_validators_hash(core::Sha256(validator_keys));
    header.set_next_validators_hash(core::Sha256(validator_keys));
    v1::Block block;
    block.set_header(header.SerializeAsString());
    for (const auto& tx : txs) block.add_txs(tx);
    v1::CommitCertificate certificate = Certify(ctx.height, core::BlockHash(block));
    core::Status committed = store_->CommitBlock(block, certificate, executed);
    LOTCHAIN_ASSERT(committed.ok());
    v1::CommitEvent event;
    event.set_height(ctx.height);
    event.set_block_hash(core::BlockHash(block));
    event.set_state_root(executed.state_root);
    for (const auto& result : executed.results) *event.add_results() = result;
    std::vector<CommitCallback> callbacks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& result : executed.results) pending_.erase(result.tx_hash());
      for (const auto& [handle, callback] : subscribers_) callbacks.push_back(callback);
    }
    for (const auto& callback : callbacks) callback(event);
    metrics.BlockCommitted(ctx.height);
    for (const auto& result : executed.results) metrics.TxCommitted(result.reason());
    return executed.results;
  }

  // Commits the mempool's transactions as one block.
  std::vector<v1::TxResult> CommitPending() {
    std::vector<std::string> txs;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (const auto& [hash, bytes] : pending_) txs.push_back(bytes);
    }
    return CommitBlock(txs);
  }

  v1::TxResult Commit(const std::string& org, v1::TxBody body) {
    return CommitBlock({Sign(org, std::move(body))}).front();
  }

  std::string LastEvent(const std::string& lot_id) const {
    auto lot = core::QueryLot(store_->state(), lot_id);
    return lot.ok() ? lot->last_event_hash() : std::string(32, '\0');
  }
  int64_t time_unix_ms() const { return time_unix_ms_; }

  core::ValidatorSet Validators() const {
    auto set = core::ValidatorSet::FromGenesis(genesis_);
    LOTCHAIN_ASSERT(set.ok());
    return std::move(set).value();
  }

  std::atomic<bool> healthy{true};
  std::atomic<bool> ready{true};
  size_t mempool_txs_max = 1000;
  NodeMetrics metrics;

 private:
  v1::CommitCertificate Certify(uint64_t height, const std::string& block_hash) const {
    v1::CommitCertificate certificate;
    certificate.set_height(height);
    certificate.set_round(0);
    certificate.set_block_hash(block_hash);
    v1::VoteBody body;
    body.set_chain_id(genesis_.chain_id);
    body.set_height(height);
    body.set_round(0);
    body.set_type(v1::VOTE_TYPE_PRECOMMIT);
    body.set_block_hash(block_hash);
    const std::string body_bytes = body.SerializeAsString();
    for (size_t i = 0; i < genesis_.Quorum(); ++i) {
      v1::Vote* vote = certificate.add_precommits();
      vote->set_body(body_bytes);
      vote->set_validator(validator_keys_[i].PublicKey());
      vote->set_signature(validator_keys_[i].Sign(core::kVoteDomain, genesis_.chain_id, body_bytes));
    }
    return certificate;
  }

  RpcTempDir dir_;
  core::Genesis genesis_;
  std::unique_ptr<BlockStore> store_;
  std::vector<core::SecretKey> validator_keys_;
  std::map<std::string, core::SecretKey> member_keys_;
  std::map<std::string, uint64_t> nonces_;  // test thread only
  int64_t time_unix_ms_ = 1'767'225'600'000;
  std::mutex mutex_;
  std::map<std::string, std::string> pending_;                // guarded: hash -> bytes
  std::map<uint64_t, CommitCallback> subscribers_;            // guarded
  uint64_t next_handle_ = 0;                                  // guarded
};

// Signed transactions for `backend` (each takes the signer's next nonce).
struct TxFactory {
  TestBackend& backend;

  std::string Facility(const std::string& org, const std::string& id, v1::FacilityKind kind) {
    v1::TxBody body;
    auto* f = body.mutable_register_facility();
    f->set_facility_id(id);
    f->set_kind(kind);
    f->set_country(kind == v1::FACILITY_KIND_MINE ? "CD" : "FI");
    f->set_name(id + " site");
    return backend.Sign(org, body);
  }
  std::string Origin(const std::string& org, const std::string& lot, const std::string& mine,
                     v1::Element element) {
    v1::TxBody body;
    auto* c = body.mutable_create_origin_lot();
    c->set_lot_id(lot);
    c->set_facility_id(mine);
    c->set_material("ore concentrate");
    c->set_mass_grams(1'000'000);
    *c->add_composition() = lotchain::testing::Element(element, 200'000);
    c->mutable_certificate()->set_document_sha256(core::Sha256("cert/" + lot));
    c->mutable_certificate()->set_issuer("Ministry of Mines");
    c->mutable_certificate()->set_number("CERT-" + lot);
    c->mutable_emissions()->set_co2e_grams(2'000'000);
    c->mutable_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    return backend.Sign(org, body);
  }
  std::string Audit(const std::string& id, const std::string& facility_id) {
    v1::TxBody body;
    auto* a = body.mutable_record_audit();
    a->set_audit_id(id);
    a->set_facility_id(facility_id);
    a->set_standard("RMI RMAP");
    a->set_status(v1::AUDIT_STATUS_CONFORMANT);
    a->set_audit_date_unix_ms(backend.time_unix_ms());
    a->set_valid_until_unix_ms(backend.time_unix_ms() + 365LL * 86'400'000);
    a->set_report_sha256(core::Sha256("report/" + id));
    return backend.Sign("auditor", body);
  }
  std::string Offer(const std::string& org, const std::string& lot, const std::string& to) {
    v1::TxBody body;
    body.mutable_offer_transfer()->set_lot_id(lot);
    body.mutable_offer_transfer()->set_prev_event_hash(backend.LastEvent(lot));
    body.mutable_offer_transfer()->set_to_org(to);
    return backend.Sign(org, body);
  }
  std::string Accept(const std::string& org, const std::string& lot) {
    v1::TxBody body;
    body.mutable_accept_transfer()->set_lot_id(lot);
    body.mutable_accept_transfer()->set_prev_event_hash(backend.LastEvent(lot));
    return backend.Sign(org, body);
  }
  // A transform at `facility` consuming (lot, grams) pairs into `outputs`.
  std::string Transform(const std::string& org, const std::string& facility,
                        v1::ProcessKind process,
                        const std::vector<std::pair<std::string, uint64_t>>& inputs,
                        const std::vector<v1::LotProduction>& outputs) {
    v1::TxBody body;
    auto* t = body.mutable_transform();
    t->set_facility_id(facility);
    t->set_process(process);
    for (const auto& [lot, grams] : inputs) {
      *t->add_inputs() = lotchain::testing::Consume(lot, backend.LastEvent(lot), grams);
    }
    for (const auto& output : outputs) *t->add_outputs() = output;
    t->mutable_process_emissions()->set_co2e_grams(1'000'000);
    t->mutable_process_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
    return backend.Sign(org, body);
  }
};

inline void ExpectApplied(const std::vector<v1::TxResult>& results) {
  for (const auto& r : results) {
    if (r.code() != v1::TX_CODE_OK) {
      std::fprintf(stderr, "test chain: tx rejected: %s: %s\n", r.reason().c_str(),
                   r.message().c_str());
    }
    LOTCHAIN_ASSERT(r.code() == v1::TX_CODE_OK);
  }
}

// A small supply chain on `backend`: two mines, a refinery (audited twice), a plant; cobalt ore
// refined, moved to the OEM with nickel ore and packed into "pack-1"; an open risk flag on the
// cobalt mine. Several blocks hold more than one transaction, so inclusion paths are non-trivial.
inline void BuildSupplyChain(TestBackend& backend) {
  using lotchain::testing::Element;
  using lotchain::testing::Produce;
  TxFactory tx{backend};
  ExpectApplied(backend.CommitBlock({tx.Facility("miner", "mine-co", v1::FACILITY_KIND_MINE),
                                     tx.Facility("miner2", "mine-ni", v1::FACILITY_KIND_MINE),
                                     tx.Facility("refiner", "ref-co", v1::FACILITY_KIND_REFINERY),
                                     tx.Facility("oem", "pack-plant", v1::FACILITY_KIND_PLANT)}));
  ExpectApplied(backend.CommitBlock({tx.Origin("miner", "co-ore", "mine-co", v1::ELEMENT_CO),
                                     tx.Origin("miner2", "ni-ore", "mine-ni", v1::ELEMENT_NI),
                                     tx.Audit("rmi-1", "ref-co")}));
  ExpectApplied(backend.CommitBlock({tx.Offer("miner", "co-ore", "refiner"),
                                     tx.Offer("miner2", "ni-ore", "oem"),
                                     tx.Audit("rmi-2", "ref-co")}));
  ExpectApplied(backend.CommitBlock({tx.Accept("refiner", "co-ore"), tx.Accept("oem", "ni-ore")}));
  ExpectApplied(backend.CommitBlock({tx.Transform(
      "refiner", "ref-co", v1::PROCESS_KIND_REFINING, {{"co-ore", 1'000'000}},
      {Produce("co-sulphate", 500'000, {Element(v1::ELEMENT_CO, 190'000)})})}));
  ExpectApplied(backend.CommitBlock({tx.Offer("refiner", "co-sulphate", "oem")}));
  ExpectApplied(backend.CommitBlock({tx.Accept("oem", "co-sulphate")}));
  v1::TxBody flag;
  auto* r = flag.mutable_raise_risk_flag();
  r->set_flag_id("flag-1");
  r->set_facility_id("mine-co");
  r->set_category(v1::RISK_CATEGORY_LABOUR_RIGHTS);
  r->set_severity(v1::SEVERITY_HIGH);
  r->set_evidence_sha256(core::Sha256("evidence"));
  r->set_description("report of underage labour");
  ExpectApplied(backend.CommitBlock(
      {tx.Transform("oem", "pack-plant", v1::PROCESS_KIND_PACK,
                    {{"co-sulphate", 500'000}, {"ni-ore", 500'000}},
                    {Produce("pack-1", 400'000,
                             {Element(v1::ELEMENT_CO, 190'000), Element(v1::ELEMENT_NI, 90'000)})}),
       backend.Sign("auditor", flag)}));
}

}  // namespace lotchain::node::testing
