#include "tests/sim/world.h"

#include "consensus/core/validator_schedule.h"

#include <nlohmann/json.hpp>

#include "consensus/core/custody.h"
#include "consensus/core/executor.h"

namespace lotchain::sim {
namespace {

constexpr size_t kMiners = 3;
constexpr int64_t kGenesisTimeUnixMs = 1'767'225'600'000;

std::string SeedFor(const std::string& name) { return core::Sha256("lotchain-sim/" + name); }

std::string GenesisJson(const std::vector<core::SecretKey>& validators,
                        const std::vector<std::string>& orgs,
                        const std::vector<core::SecretKey>& members,
                        const core::SecretKey* governance_key) {
  nlohmann::json g;
  g["chain_id"] = "lotchain-sim";
  g["genesis_time_unix_ms"] = kGenesisTimeUnixMs;
  g["members"] = nlohmann::json::array();
  for (size_t i = 0; i < orgs.size(); ++i) {
    g["members"].push_back({{"org_id", orgs[i]},
                            {"name", orgs[i] + " Ltd"},
                            {"roles", {"miner"}},
                            {"public_keys", {core::ToHex(members[i].PublicKey())}}});
  }
  g["validators"] = nlohmann::json::array();
  for (size_t i = 0; i < validators.size(); ++i) {
    g["validators"].push_back({{"id", "v" + std::to_string(i)},
                               {"public_key", core::ToHex(validators[i].PublicKey())},
                               {"address", "127.0.0.1:" + std::to_string(26600 + i)}});
    if (governance_key != nullptr) g["validators"].back()["operator"] = World::kGovernanceOrg;
  }
  // Small blocks, so that a run of a few seconds spans many heights.
  g["policy"] = {{"recycled_content_targets", nlohmann::json::array()},
                 {"due_diligence_elements", {"Co"}},
                 {"block", {{"max_txs", 6}, {"max_bytes", 65536}}}};
  if (governance_key != nullptr) {
    g["members"].push_back({{"org_id", World::kGovernanceOrg},
                            {"name", "Consortium Board"},
                            {"roles", {"auditor"}},
                            {"public_keys", {core::ToHex(governance_key->PublicKey())}}});
    g["policy"]["governance"] = {{"member_quorum", {1, 100}}, {"validator_quorum", {2, 3}}};
  }
  return g.dump();
}

}  // namespace

bool CachingVerifier::Verify(std::string_view public_key, std::string_view domain,
                             std::string_view chain_id, std::string_view bytes,
                             std::string_view signature) const {
  std::string key;
  key.reserve(public_key.size() + domain.size() + chain_id.size() + bytes.size() +
              signature.size() + 8);
  for (std::string_view part : {public_key, domain, chain_id, bytes, signature}) {
    key.append(std::to_string(part.size())).push_back(':');
    key.append(part);
  }
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  const bool ok = core::VerifySignature(public_key, domain, chain_id, bytes, signature);
  cache_.emplace(std::move(key), ok);
  return ok;
}

World::World(size_t validator_count, bool governance) {
  core::InitCrypto();
  if (governance) {
    governance_key_ = core::SecretKey::FromSeed(SeedFor(kGovernanceOrg)).value();
  }
  for (size_t i = 0; i < validator_count + (governance ? 1 : 0); ++i) {
    validator_keys.push_back(core::SecretKey::FromSeed(SeedFor("validator/" + std::to_string(i)))
                                 .value());
  }
  for (size_t i = 0; i < kMiners; ++i) {
    miner_orgs.push_back("miner" + std::to_string(i));
    miner_keys.push_back(core::SecretKey::FromSeed(SeedFor(miner_orgs.back())).value());
  }
  const std::vector<core::SecretKey> genesis_validators(
      validator_keys.begin(), validator_keys.begin() + static_cast<long>(validator_count));
  core::Result<core::Genesis> parsed = core::ParseGenesis(
      GenesisJson(genesis_validators, miner_orgs, miner_keys,
                  governance_key_.has_value() ? &*governance_key_ : nullptr));
  if (!parsed.ok()) {
    std::fprintf(stderr, "genesis: %s\n", parsed.status().ToString().c_str());
    LOTCHAIN_ASSERT(false);
  }
  genesis = std::move(parsed).value();
  limits = {.tx_count_max = genesis.policy.block_max_txs,
            .bytes_max = genesis.policy.block_max_bytes};
  schedule.emplace(core::ChainValidatorSchedule::ForGenesis(genesis).value());
  validators = schedule->At(1);  // a fixed set
  validators_hash = validators.Hash();
}

std::string World::SignGovernance(v1::TxBody body) {
  LOTCHAIN_ASSERT(governance_key_.has_value());
  body.set_chain_id(genesis.chain_id);
  body.set_nonce(++governance_nonce_);
  v1::SignedTx tx;
  tx.set_body(body.SerializeAsString());
  tx.set_signer(governance_key_->PublicKey());
  tx.set_signature(governance_key_->Sign(core::kTxDomain, genesis.chain_id, tx.body()));
  return tx.SerializeAsString();
}

void World::Submit(std::string bytes) {
  v1::SignedTx envelope;
  // Mempool admission: the same stateless checks (and signature) a node applies.
  LOTCHAIN_ASSERT(core::CheckTxStateless(genesis, bytes, false, &envelope).ok());
  std::string hash = core::TxHash(bytes);
  if (!pool_hashes.insert(hash).second) return;
  pool.push_back({std::move(bytes), std::move(hash)});
}

Workload::Workload(const core::Genesis& genesis, std::vector<core::SecretKey> miner_keys,
                   std::vector<std::string> miner_orgs)
    : genesis_(genesis),
      keys_(std::move(miner_keys)),
      orgs_(std::move(miner_orgs)),
      nonces_(keys_.size(), 0),
      lots_(keys_.size(), 0) {}

std::string Workload::Sign(size_t miner, v1::TxBody body) {
  body.set_chain_id(genesis_.chain_id);
  body.set_nonce(++nonces_[miner]);
  v1::SignedTx tx;
  tx.set_body(body.SerializeAsString());
  tx.set_signer(keys_[miner].PublicKey());
  tx.set_signature(keys_[miner].Sign(core::kTxDomain, genesis_.chain_id, tx.body()));
  return tx.SerializeAsString();
}

// First a miner registers its mine, then creates origin lots there; one in twenty names a
// mine of another miner, which the custody rules reject (recorded, nonce consumed).
std::string Workload::Next(Prng& prng) {
  const size_t miner = static_cast<size_t>(prng.Below(keys_.size()));
  v1::TxBody body;
  if (nonces_[miner] == 0) {
    v1::RegisterFacility* f = body.mutable_register_facility();
    f->set_facility_id("mine-" + orgs_[miner]);
    f->set_kind(v1::FACILITY_KIND_MINE);
    f->set_country("CD");
    f->set_name(orgs_[miner] + " mine");
    return Sign(miner, body);
  }
  const std::string lot_id = orgs_[miner] + "-lot-" + std::to_string(++lots_[miner]);
  const size_t site = prng.ChancePpm(50'000) ? (miner + 1) % keys_.size() : miner;
  v1::CreateOriginLot* c = body.mutable_create_origin_lot();
  c->set_lot_id(lot_id);
  c->set_facility_id("mine-" + orgs_[site]);
  c->set_material("cobalt hydroxide");
  c->set_mass_grams(prng.Between(1'000, 1'000'000));
  c->mutable_certificate()->set_document_sha256(core::Sha256("cert/" + lot_id));
  c->mutable_certificate()->set_issuer("Ministry of Mines");
  c->mutable_certificate()->set_number("CERT-" + lot_id);
  c->mutable_emissions()->set_co2e_grams(prng.Between(0, 50'000));
  c->mutable_emissions()->set_quality(v1::DATA_QUALITY_PRIMARY);
  return Sign(miner, body);
}

}  // namespace lotchain::sim
