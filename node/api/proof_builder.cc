#include "node/api/proof_builder.h"
#include "consensus/core/proto_parse.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/merkle.h"
#include "consensus/core/proof_scope.h"
#include "consensus/core/proof_verify.h"
#include "consensus/core/queries.h"
#include "consensus/core/state_keys.h"
#include "lotchain/v1/tx.pb.h"

namespace lotchain::node {

// A bundle the builder emits must be one the verifier accepts.
static_assert(kProofTxsMax <= core::kProofBundleTxsMax);
static_assert(kProofBytesMax <= core::kProofBundleBytesMax);
static_assert(kProofLotsMax <= core::kTraceNodesMax);

namespace {

// A transaction found by what it did rather than by hash: the state records the height of the
// facility registration, audit or risk flag, and the block is searched for the applied tx.
struct Lookup {
  enum class Kind { kFacility, kAudit, kFlag };
  Kind kind = Kind::kFacility;
  std::string id;
  bool operator<(const Lookup& other) const {
    return kind != other.kind ? kind < other.kind : id < other.id;
  }
};

struct ProofPlan {
  // height -> index -> expected tx hash (from LotEvent.tx_hash).
  std::map<uint64_t, std::map<uint32_t, std::string>> by_index;
  std::map<uint64_t, std::set<Lookup>> lookups;
  size_t count = 0;  // upper bound on entries (before dedupe of lookups with events)
};

core::Status TooLarge(std::string_view lot_id, const std::string& what) {
  return core::Status("PROOF_TOO_LARGE", "the proof of lot \"" + std::string(lot_id) +
                                             "\" would exceed " + what +
                                             "; the server never sends a truncated proof");
}

core::Status Corrupt(uint64_t height, const std::string& what) {
  return core::Status("STORE_CORRUPT",
                      "block " + std::to_string(height) + " disagrees with the state: " + what);
}

bool Matches(const v1::TxBody& body, const Lookup& lookup) {
  switch (lookup.kind) {
    case Lookup::Kind::kFacility:
      return body.has_register_facility() && body.register_facility().facility_id() == lookup.id;
    case Lookup::Kind::kAudit:
      return body.has_record_audit() && body.record_audit().audit_id() == lookup.id;
    case Lookup::Kind::kFlag:
      return body.has_raise_risk_flag() && body.raise_risk_flag().flag_id() == lookup.id;
  }
  return false;
}

void AddLookup(ProofPlan& plan, uint64_t height, Lookup::Kind kind, const std::string& id) {
  if (plan.lookups[height].insert(Lookup{kind, id}).second) plan.count += 1;
}

// Facility registration and audits of `facility_id` (its open flags are in the scope).
core::Status PlanFacility(const core::StateReader& state, std::string_view lot_id,
                          const std::string& facility_id, ProofPlan& plan) {
  std::optional<v1::Facility> facility = core::QueryFacility(state, facility_id);
  if (!facility.has_value()) return core::Status::Ok();  // the rules never name a missing one
  AddLookup(plan, facility->registered_height(), Lookup::Kind::kFacility, facility_id);
  auto audits =
      state.Scan(core::keys::FacilityAuditPrefix(facility_id), kProofAuditsPerFacilityMax + 1);
  if (audits.size() > kProofAuditsPerFacilityMax) {
    return TooLarge(lot_id, std::to_string(kProofAuditsPerFacilityMax) + " audits of facility " +
                                facility_id);
  }
  for (const auto& [key, value] : audits) {
    v1::Audit audit;
    core::ParseOwnOrDie(audit, value);  // the state holds what the rules wrote
    AddLookup(plan, audit.height(), Lookup::Kind::kAudit, audit.record().audit_id());
  }
  return core::Status::Ok();
}

core::Result<ProofPlan> Plan(const core::StateReader& state, std::string_view lot_id,
                             const ProofLimits& limits, core::ProofScope& scope) {
  LOTCHAIN_ASSIGN_OR_RETURN(
      scope, core::ComputeProofScope(state, lot_id, {limits.lots_max, kProofChildrenMax}));
  // The node's own state names only lots that exist.
  LOTCHAIN_ASSERT(scope.missing_lots.empty());
  ProofPlan plan;
  std::vector<core::ProofEventRef> txs = scope.events;
  txs.insert(txs.end(), scope.governance.begin(), scope.governance.end());
  for (const core::ProofEventRef& event : txs) {
    auto [it, inserted] = plan.by_index[event.height].emplace(event.tx_index, event.tx_hash);
    if (inserted) plan.count += 1;
    if (!inserted && it->second != event.tx_hash) {
      return Corrupt(event.height, "two events name different txs at one index");
    }
    if (plan.count > limits.txs_max) {
      return TooLarge(lot_id, std::to_string(limits.txs_max) + " transactions");
    }
  }
  for (const std::string& flag_id : scope.open_flags) {
    std::optional<std::string> bytes = state.Get(core::keys::RiskFlag(flag_id));
    v1::RiskFlag flag;
    LOTCHAIN_ASSERT(bytes.has_value());
    core::ParseOwnOrDie(flag, *bytes);
    AddLookup(plan, flag.raised_height(), Lookup::Kind::kFlag, flag_id);
  }
  for (const std::string& facility_id : scope.facilities) {
    LOTCHAIN_RETURN_IF_ERROR(PlanFacility(state, lot_id, facility_id, plan));
    if (plan.count > limits.txs_max) {
      return TooLarge(lot_id, std::to_string(limits.txs_max) + " transactions");
    }
  }
  return plan;
}

struct StoredBlock {
  v1::Block block;
  v1::CommitCertificate certificate;
  std::vector<std::string> tx_leaves;
  std::vector<std::string> result_leaves;
  // Built on first use: a block whose only proof tx is a facility lookup pays O(n) once.
  std::optional<core::MerkleLevels> tx_tree;
  std::optional<core::MerkleLevels> result_tree;
};

core::Result<StoredBlock> LoadBlock(const BlockStore& store, uint64_t height) {
  StoredBlock out;
  LOTCHAIN_ASSIGN_OR_RETURN(out.block, store.GetBlock(height));
  LOTCHAIN_ASSIGN_OR_RETURN(out.certificate, store.GetCertificate(height));
  LOTCHAIN_ASSIGN_OR_RETURN(std::vector<v1::TxResult> results, store.GetBlockResults(height));
  if (results.size() != static_cast<size_t>(out.block.txs_size())) {
    return Corrupt(height, "result count differs from tx count");
  }
  out.tx_leaves.assign(out.block.txs().begin(), out.block.txs().end());
  out.result_leaves.reserve(results.size());
  // The stored results are the executor's TxResults; their encoding is the results_root leaf.
  for (const v1::TxResult& result : results) out.result_leaves.push_back(result.SerializeAsString());
  return out;
}

// Resolves the lookups of one block to tx indices: the applied tx that did the thing.
core::Status ResolveLookups(const StoredBlock& stored, uint64_t height,
                            const std::set<Lookup>& lookups,
                            std::map<uint32_t, std::string>& indices) {
  std::set<Lookup> open = lookups;
  for (size_t i = 0; i < stored.tx_leaves.size() && !open.empty(); ++i) {
    v1::TxResult result;
    core::ParseOwnOrDie(result, stored.result_leaves[i]);
    if (result.code() != v1::TX_CODE_OK) continue;
    v1::SignedTx envelope;
    v1::TxBody body;
    if (!envelope.ParseFromString(stored.tx_leaves[i]) || !body.ParseFromString(envelope.body())) {
      return Corrupt(height, "applied tx " + std::to_string(i) + " does not parse");
    }
    for (auto it = open.begin(); it != open.end();) {
      if (Matches(body, *it)) {
        indices.emplace(static_cast<uint32_t>(i), std::string());
        it = open.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!open.empty()) return Corrupt(height, "no applied tx recorded \"" + open.begin()->id + "\"");
  return core::Status::Ok();
}

v1::TxInclusion MakeInclusion(StoredBlock& stored, uint64_t height, uint32_t index) {
  if (!stored.tx_tree.has_value()) stored.tx_tree.emplace(stored.tx_leaves);
  if (!stored.result_tree.has_value()) stored.result_tree.emplace(stored.result_leaves);
  v1::TxInclusion inclusion;
  inclusion.set_signed_tx(stored.tx_leaves[index]);
  inclusion.set_height(height);
  inclusion.set_index(index);
  for (auto& node : stored.tx_tree->Path(index)) inclusion.add_tx_path(std::move(node));
  inclusion.set_result(stored.result_leaves[index]);
  for (auto& node : stored.result_tree->Path(index)) inclusion.add_result_path(std::move(node));
  return inclusion;
}

// Accumulates a bundle's fragments and hands each to the sink once it reaches the fragment
// size, keeping the whole bundle within the byte limit.
class FragmentWriter {
 public:
  FragmentWriter(std::string_view lot_id, const ProofLimits& limits, size_t fragment_bytes,
                 const ProofFragmentSink& sink)
      : lot_id_(lot_id), limits_(limits), fragment_bytes_(fragment_bytes), sink_(sink) {}

  v1::ProofBundle& fragment() { return fragment_; }
  bool started() const { return started_; }
  size_t entries() const { return entries_; }

  void Start(const std::string& chain_id, const std::string& genesis_hash) {
    fragment_.set_chain_id(chain_id);
    fragment_.set_genesis_hash(genesis_hash);
    fragment_.set_lot_id(std::string(lot_id_));
    fragment_.set_format(v1::PROOF_FORMAT_BLOCK_TABLE);
    started_ = true;
  }

  void AddRow(uint64_t height, const std::string& header, v1::CommitCertificate certificate) {
    v1::ProofBlock* row = fragment_.add_blocks();
    row->set_height(height);
    row->set_header(header);
    *row->mutable_certificate() = std::move(certificate);
    pending_bytes_ = fragment_.ByteSizeLong();
  }

  core::Status AddEntry(v1::TxInclusion inclusion) {
    *fragment_.add_txs() = std::move(inclusion);
    entries_ += 1;
    // Field tag, length prefix and the entry.
    pending_bytes_ += 1 + 5 + fragment_.txs(fragment_.txs_size() - 1).ByteSizeLong();
    if (bytes_ + pending_bytes_ > limits_.bytes_max) return TooLargeError();
    if (pending_bytes_ >= fragment_bytes_) return Flush();
    return core::Status::Ok();
  }

  core::Status Flush() {
    bytes_ += fragment_.ByteSizeLong();
    if (bytes_ > limits_.bytes_max) return TooLargeError();
    LOTCHAIN_RETURN_IF_ERROR(sink_(fragment_));
    fragment_.Clear();
    pending_bytes_ = 0;
    return core::Status::Ok();
  }

 private:
  core::Status TooLargeError() const {
    return TooLarge(lot_id_, std::to_string(limits_.bytes_max) + " bytes");
  }

  std::string_view lot_id_;
  const ProofLimits& limits_;
  size_t fragment_bytes_;
  const ProofFragmentSink& sink_;
  v1::ProofBundle fragment_;
  bool started_ = false;
  size_t bytes_ = 0;  // of the whole bundle so far (sum of the flushed fragments' encodings)
  size_t pending_bytes_ = 0;  // of the fragment being filled
  size_t entries_ = 0;
};

// One block's rows and entries: the block (header, certificate) and each transaction the plan
// names at this height, with its inclusion paths.
core::Status WriteHeight(const BlockStore& store, ProofPlan& plan, uint64_t height,
                         FragmentWriter& writer) {
  LOTCHAIN_ASSIGN_OR_RETURN(StoredBlock stored, LoadBlock(store, height));
  std::map<uint32_t, std::string> indices = plan.by_index[height];
  if (auto it = plan.lookups.find(height); it != plan.lookups.end()) {
    LOTCHAIN_RETURN_IF_ERROR(ResolveLookups(stored, height, it->second, indices));
  }
  if (indices.empty()) return core::Status::Ok();
  if (!writer.started()) {
    v1::BlockHeader header;
    if (!header.ParseFromString(stored.block.header())) return Corrupt(height, "bad header");
    writer.Start(header.chain_id(), store.genesis_hash());
  }
  writer.AddRow(height, stored.block.header(), std::move(stored.certificate));
  for (const auto& [index, expected_hash] : indices) {
    if (index >= stored.tx_leaves.size()) return Corrupt(height, "tx index out of range");
    if (!expected_hash.empty() && core::TxHash(stored.tx_leaves[index]) != expected_hash) {
      return Corrupt(height, "tx " + std::to_string(index) + " is not the one its event names");
    }
    LOTCHAIN_RETURN_IF_ERROR(writer.AddEntry(MakeInclusion(stored, height, index)));
  }
  return core::Status::Ok();
}

// The anchor: the snapshot's tip block (a table row even when no entry is in it) and the state
// proofs of the scope's records under its state root.
core::Status WriteAnchor(const BlockStore& store, const StateSnapshot& snapshot,
                         const core::ProofScope& scope, uint64_t last_entry_height,
                         FragmentWriter& writer) {
  const uint64_t anchor_height = snapshot.tip().height;
  LOTCHAIN_ASSERT(last_entry_height <= anchor_height);
  if (last_entry_height != anchor_height) {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Block block, store.GetBlock(anchor_height));
    LOTCHAIN_ASSIGN_OR_RETURN(v1::CommitCertificate certificate,
                              store.GetCertificate(anchor_height));
    writer.AddRow(anchor_height, block.header(), std::move(certificate));
  }
  v1::StateAnchor* anchor = writer.fragment().mutable_anchor();
  anchor->set_height(anchor_height);
  for (const std::string& key : scope.AnchorKeys()) {
    *anchor->add_proofs() = snapshot.tree().Prove(key, snapshot.Get(key));
  }
  return core::Status::Ok();
}

}  // namespace

core::Status StreamLotProof(const BlockStore& store, const StateSnapshot& snapshot,
                            std::string_view lot_id, const ProofLimits& limits,
                            size_t fragment_bytes, const ProofFragmentSink& sink) {
  core::ProofScope scope;
  LOTCHAIN_ASSIGN_OR_RETURN(ProofPlan plan, Plan(snapshot, lot_id, limits, scope));
  std::set<uint64_t> heights;
  for (const auto& [height, unused] : plan.by_index) heights.insert(height);
  for (const auto& [height, unused] : plan.lookups) heights.insert(height);
  FragmentWriter writer(lot_id, limits, fragment_bytes, sink);
  // Ascending heights, one block in memory at a time.
  for (uint64_t height : heights) LOTCHAIN_RETURN_IF_ERROR(WriteHeight(store, plan, height, writer));
  LOTCHAIN_ASSERT(writer.started() && writer.entries() > 0);  // a lot has its creating event
  LOTCHAIN_ASSERT(writer.entries() <= plan.count);
  LOTCHAIN_ASSERT(!heights.empty());
  LOTCHAIN_RETURN_IF_ERROR(WriteAnchor(store, snapshot, scope, *heights.rbegin(), writer));
  return writer.Flush();
}

core::Result<v1::ProofBundle> BuildLotProof(const BlockStore& store,
                                            const StateSnapshot& snapshot,
                                            std::string_view lot_id, const ProofLimits& limits) {
  v1::ProofBundle bundle;
  LOTCHAIN_RETURN_IF_ERROR(StreamLotProof(
      store, snapshot, lot_id, limits, kProofFragmentBytes,
      [&bundle](v1::ProofBundle& fragment) {
        // Merging appends the repeated fields: the same result as concatenating encodings.
        bundle.MergeFrom(fragment);
        return core::Status::Ok();
      }));
  return bundle;
}

}  // namespace lotchain::node
