// TestChain: an in-memory lotchain for tests. Builds a genesis with one member per role (keys
// derived from fixed seeds), applies genesis, and executes one block per Submit with the real
// ExecuteBlock, so tests exercise exactly the code the node runs.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "consensus/core/state.h"
#include "lotchain/v1/state.pb.h"
#include "lotchain/v1/tx.pb.h"
#include <nlohmann/json.hpp>

namespace lotchain::testing {

struct TestMember {
  std::string org_id;
  std::vector<std::string> roles;
};

// Default consortium: org id = role name (+ a second miner, refiner and auditor).
std::vector<TestMember> DefaultMembers();

// Genesis JSON for `members` (keys from SeedFor(org_id)) and `validators` validator keys.
std::string GenesisJson(const std::vector<TestMember>& members, size_t validators = 4,
                        const std::string& chain_id = "lotchain-test");
std::string SeedFor(const std::string& name);  // 32 deterministic bytes

class TestChain {
 public:
  explicit TestChain(const std::vector<TestMember>& members = DefaultMembers());
  // With the genesis JSON edited first (e.g. a governance policy, validator operators).
  TestChain(const std::vector<TestMember>& members,
            const std::function<void(nlohmann::json&)>& edit_genesis);

  // Another signing identity for Sign/Submit: `name` signs with `key`, nonces from 1.
  void AddSigner(const std::string& name, core::SecretKey key) { keys_[name] = std::move(key); }

  const core::Genesis& genesis() const { return genesis_; }
  const core::MemState& state() const { return state_; }
  const std::string& state_root() const { return state_root_; }
  const core::StateTree& tree() const { return tree_; }
  uint64_t height() const { return height_; }
  const core::SecretKey& KeyOf(const std::string& org) const { return keys_.at(org); }

  // Signs `body` as `org` (chain id and next nonce filled in unless already set).
  std::string Sign(const std::string& org, v1::TxBody body);
  // Executes a one-transaction block and commits its delta.
  v1::TxResult Submit(const std::string& org, v1::TxBody body);
  // Executes a block of already signed transactions.
  std::vector<v1::TxResult> SubmitBlock(const std::vector<std::string>& signed_txs);

  v1::Lot Lot(const std::string& lot_id) const;
  bool HasLot(const std::string& lot_id) const;
  v1::LotEvent Event(const std::string& lot_id, uint64_t seq) const;  // asserts it exists
  // The lot's last event hash, or 32 zero bytes for a lot that does not exist.
  std::string LastEvent(const std::string& lot_id) const {
    return HasLot(lot_id) ? Lot(lot_id).last_event_hash() : std::string(32, '\0');
  }
  v1::Facility Facility(const std::string& facility_id) const;
  v1::Totals Totals() const;

  // Shortcuts that submit and return the result.
  v1::TxResult RegisterFacility(const std::string& org, const std::string& id,
                                v1::FacilityKind kind, const std::string& country = "CD");
  v1::TxResult CreateOrigin(const std::string& org, const std::string& lot_id,
                            const std::string& facility, uint64_t mass,
                            std::vector<v1::ElementMass> composition, uint64_t co2e);
  v1::TxResult Offer(const std::string& org, const std::string& lot_id, const std::string& to,
                     uint64_t transport_co2e = 0);
  v1::TxResult Accept(const std::string& org, const std::string& lot_id);
  v1::TxResult Move(const std::string& from, const std::string& lot_id, const std::string& to);

  int64_t time_unix_ms = 1'767'225'600'000;  // advanced by 1 s per block

 private:
  core::Genesis genesis_;
  core::MemState state_;
  core::StateTree tree_;
  std::string state_root_;
  uint64_t height_ = 0;
  std::map<std::string, core::SecretKey> keys_;
  std::map<std::string, uint64_t> nonces_;
};

v1::ElementMass Element(v1::Element element, uint64_t grams);
v1::LotConsumption Consume(const std::string& lot_id, const std::string& prev, uint64_t mass);
v1::LotProduction Produce(const std::string& lot_id, uint64_t mass,
                          std::vector<v1::ElementMass> composition,
                          const std::string& material = "material");

}  // namespace lotchain::testing
