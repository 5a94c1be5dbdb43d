// Shared helpers for the engine tests: four validator keys, a block app whose blocks are
// opaque (valid unless listed as invalid), and signed votes/proposals built by hand.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "consensus/bft/engine.h"
#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/merkle.h"

namespace lotchain::bft::testing {

inline const std::string kChain = "bft-test";

class KeySigner final : public Signer {
 public:
  explicit KeySigner(core::SecretKey key) : key_(std::move(key)) {}
  std::string PublicKey() const override { return key_.PublicKey(); }
  std::string Sign(std::string_view domain, std::string_view chain_id,
                   std::string_view bytes) const override {
    return key_.Sign(domain, chain_id, bytes);
  }
  const core::SecretKey& key() const { return key_; }

 private:
  core::SecretKey key_;
};

class PlainVerifier final : public SignatureVerifier {
 public:
  bool Verify(std::string_view public_key, std::string_view domain, std::string_view chain_id,
              std::string_view bytes, std::string_view signature) const override {
    return core::VerifySignature(public_key, domain, chain_id, bytes, signature);
  }
};

inline v1::Block MakeBlock(uint64_t height, const std::string& tag) {
  v1::BlockHeader header;
  header.set_chain_id(kChain);
  header.set_height(height);
  // One transaction, the tag: blocks with different tags differ in tx_root and so in hash.
  header.set_tx_count(1);
  header.set_tx_root(core::MerkleRoot({tag}));
  v1::Block block;
  block.set_header(header.SerializeAsString());
  block.add_txs(tag);
  return block;
}

class FakeApp final : public BlockApp {
 public:
  v1::Block BuildBlock(uint64_t height, uint32_t round) override {
    ++built;
    return MakeBlock(height, next_tag);
  }
  bool ValidateBlock(uint64_t height, const v1::Block& block) override {
    return invalid.count(core::BlockHash(block)) == 0;
  }
  std::string next_tag = "A";
  std::set<std::string> invalid;
  int built = 0;
};

struct Keys {
  Keys() {
    core::InitCrypto();
    std::vector<std::string> public_keys;
    for (int i = 0; i < 4; ++i) {
      signers.push_back(std::make_unique<KeySigner>(
          core::SecretKey::FromSeed(core::Sha256("bft-test/" + std::to_string(i))).value()));
      public_keys.push_back(signers.back()->PublicKey());
    }
    validators = core::ValidatorSet::Create(kChain, public_keys).value();
  }
  EngineConfig Config() const {
    EngineConfig config;
    config.validators = validators;
    return config;
  }
  v1::Vote Vote(size_t who, uint64_t height, uint32_t round, v1::VoteType type,
                const std::string& hash) const {
    v1::VoteBody body;
    body.set_chain_id(kChain);
    body.set_height(height);
    body.set_round(round);
    body.set_type(type);
    body.set_block_hash(hash);
    v1::Vote vote;
    vote.set_body(body.SerializeAsString());
    vote.set_validator(signers[who]->PublicKey());
    vote.set_signature(signers[who]->Sign(core::kVoteDomain, kChain, vote.body()));
    return vote;
  }
  v1::Proposal Proposal(uint64_t height, uint32_t round, int32_t valid_round,
                        const v1::Block& block) const {
    const size_t who = validators.ProposerIndex(height, round);
    v1::ProposalBody body;
    body.set_chain_id(kChain);
    body.set_height(height);
    body.set_round(round);
    body.set_valid_round(valid_round);
    body.set_block_hash(core::BlockHash(block));
    v1::Proposal proposal;
    proposal.set_body(body.SerializeAsString());
    proposal.set_validator(signers[who]->PublicKey());
    proposal.set_signature(signers[who]->Sign(core::kProposalDomain, kChain, proposal.body()));
    *proposal.mutable_block() = block;
    return proposal;
  }
  std::vector<std::unique_ptr<KeySigner>> signers;
  core::ValidatorSet validators;
};

inline v1::VoteBody BodyOf(const v1::Vote& vote) {
  v1::VoteBody body;
  body.ParseFromString(vote.body());
  return body;
}

}  // namespace lotchain::bft::testing
