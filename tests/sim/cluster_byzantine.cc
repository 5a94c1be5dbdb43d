// What the simulated validators send: honest ones exactly what their replica produced;
// Byzantine ones (Byz bits, chosen per seed) also equivocate, double-vote, forge signatures,
// vote for unknown blocks and babble.
#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "tests/sim/cluster_impl.h"

namespace lotchain::sim {
namespace {

PayloadPtr VotePayload(const v1::Vote& vote) {
  v1::P2pMessage message;
  *message.mutable_vote() = vote;
  return MessagePayload(std::move(message));
}

PayloadPtr ProposalPayload(const v1::Proposal& proposal) {
  v1::P2pMessage message;
  *message.mutable_proposal() = proposal;
  return MessagePayload(std::move(message));
}

}  // namespace

void Cluster::SendOut(size_t node, std::vector<node::Outbound>& messages) {
  // An equivocating or double-voting node shows each half of the cluster a different message.
  half_ = prng_.Below(1ULL << nodes_.size());
  for (node::Outbound& out : messages) {
    if (out.message.has_proposal()) {
      SendProposal(node, std::move(out.message));
    } else if (out.message.has_vote()) {
      SendVote(node, std::move(out.message));
    } else if (out.peer.empty()) {
      Broadcast(node, MessagePayload(std::move(out.message)), AllEndpoints());
    } else {
      Send(node, std::stoul(out.peer), MessagePayload(std::move(out.message)));
    }
  }
}

void Cluster::SendProposal(size_t node, v1::P2pMessage message) {
  const v1::Proposal proposal = message.proposal();
  PayloadPtr payload = MessagePayload(std::move(message));
  Trace("n" + std::to_string(node) + " proposal h" + std::to_string(payload->height) + " r" +
        std::to_string(payload->round) + " " + Short(payload->hash));
  if ((byz_[node] & kByzEquivocate) == 0 || payload->height != nodes_[node]->chain_height() + 1) {
    return Broadcast(node, payload, AllEndpoints());
  }
  ++result_.faults[kFaultEquivocateProposal];
  v1::ProposalBody body;
  LOTCHAIN_ASSERT(body.ParseFromString(proposal.body()));
  v1::Proposal other = proposal;
  *other.mutable_block() =
      nodes_[node]->BuildAlternative(body.height(), prng_.Below(2) == 0, LocalMs(node));
  body.set_block_hash(core::BlockHash(other.block()));
  other.set_body(body.SerializeAsString());
  other.set_signature(world_.validator_keys[nodes_[node]->validator_index()].Sign(
      core::kProposalDomain, world_.genesis.chain_id, other.body()));
  Trace("n" + std::to_string(node) + " EQUIVOCATES with " + Short(body.block_hash()));
  Broadcast(node, payload, half_);
  Broadcast(node, ProposalPayload(other), AllEndpoints() & ~half_);
}

void Cluster::SendVote(size_t node, v1::P2pMessage message) {
  const v1::Vote vote = message.vote();
  PayloadPtr payload = MessagePayload(std::move(message));
  std::string who = "n" + std::to_string(node);
  if (vote.validator() != world_.validator_keys[nodes_[node]->validator_index()].PublicKey()) {
    // A relayed vote (proof of lock): name the validator that signed it.
    std::optional<size_t> signer = world_.validators.IndexOf(vote.validator());
    who += " relays v" + (signer ? std::to_string(*signer) : std::string("?")) + "'s";
  }
  Trace(who + (payload->type == 1 ? " prevote" : " precommit") + " h" +
        std::to_string(payload->height) + " r" + std::to_string(payload->round) + " " +
        Short(payload->hash));
  const uint32_t byz = byz_[node];
  if ((byz & kByzDoubleVote) != 0) {
    ++result_.faults[kFaultDoubleVote];
    v1::VoteBody body;
    LOTCHAIN_ASSERT(body.ParseFromString(vote.body()));
    body.set_block_hash(body.block_hash().empty() ? prng_.Bytes(32) : "");
    Broadcast(node, payload, half_);
    Broadcast(node, VotePayload(SignVote(node, body, false)), AllEndpoints() & ~half_);
  } else {
    Broadcast(node, payload, AllEndpoints());
  }
  if (byz != 0) ByzantineExtras(node, vote);
}

v1::Vote Cluster::SignVote(size_t node, const v1::VoteBody& body, bool corrupt) {
  v1::Vote vote;
  vote.set_body(body.SerializeAsString());
  const core::SecretKey& key = world_.validator_keys[nodes_[node]->validator_index()];
  vote.set_validator(key.PublicKey());
  vote.set_signature(key.Sign(core::kVoteDomain, world_.genesis.chain_id, vote.body()));
  if (corrupt) vote.mutable_signature()->at(prng_.Below(64)) ^= 0x20;
  return vote;
}

void Cluster::ByzantineExtras(size_t node, const v1::Vote& vote) {
  const uint64_t all = AllEndpoints();
  const uint32_t byz = byz_[node];
  v1::VoteBody body;
  LOTCHAIN_ASSERT(body.ParseFromString(vote.body()));
  if ((byz & kByzBadSignature) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultBadSignature];
    v1::VoteBody forged = body;
    forged.set_block_hash(prng_.Bytes(32));
    v1::Vote bad = SignVote(node, forged, true);
    // Half the time, claim to be another validator (the signature then cannot verify).
    if (prng_.Below(2) == 0) {
      bad.set_validator(world_.validator_keys[prng_.Below(world_.validator_keys.size())]
                            .PublicKey());
    }
    Broadcast(node, VotePayload(bad), all);
  }
  if ((byz & kByzUnknownBlock) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultUnknownBlockVote];
    v1::VoteBody unknown = body;
    unknown.set_block_hash(prng_.Bytes(32));
    unknown.set_round(body.round() + static_cast<uint32_t>(prng_.Below(3)));
    Broadcast(node, VotePayload(SignVote(node, unknown, false)), all);
  }
  if ((byz & kByzGarbage) != 0 && prng_.Below(2) == 0) {
    ++result_.faults[kFaultGarbage];
    auto garbage = std::make_shared<Payload>();
    garbage->garbage = true;
    garbage->bytes = prng_.Bytes(static_cast<size_t>(prng_.Between(0, 200)));
    if (prng_.Below(2) == 0) {
      // Mutated real bytes get further into the decoder than pure noise.
      v1::P2pMessage real;
      *real.mutable_vote() = vote;
      garbage->bytes = real.SerializeAsString();
      garbage->bytes[prng_.Below(garbage->bytes.size())] ^=
          static_cast<char>(1u << prng_.Below(8));
    }
    Broadcast(node, garbage, all);
  }
}

}  // namespace lotchain::sim
