#include "wallet-cli/preflight.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <set>
#include <optional>

#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/executor.h"
#include "consensus/core/state_keys.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

constexpr size_t kPrefetchKeysMax = 256;          // ReadState's limit per call

// Thrown out of the custody rules when a read cannot give the value the chain holds: the rules
// assume consistent, well-formed state (they assert on it), so they must not run on an absent
// or mixed answer. Caught in Preflight; never leaves this file.
struct ReadAborted {
  core::Status cause;
  bool moved = false;  // a block committed between two reads: retry on a fresh view
};

// The record type stored under each key prefix (state_keys.h), so a node's bytes are parsed
// before the rules see them.
bool ParsesAsItsRecord(std::string_view key, const std::string& value) {
  auto parses = [&value](auto record) { return record.ParseFromString(value); };
  if (key.starts_with("m/")) return parses(v1::Member());
  if (key.starts_with("n/")) return parses(v1::SignerNonce());
  if (key.starts_with("f/")) return parses(v1::Facility());
  if (key.starts_with("a/") || key.starts_with("A/")) return parses(v1::Audit());
  if (key.starts_with("l/")) return parses(v1::Lot());
  if (key.starts_with("e/")) return parses(v1::LotEvent());
  if (key.starts_with("c/")) return parses(v1::ChildEdge());
  if (key.starts_with("r/") || key.starts_with("o/")) return parses(v1::RiskFlag());
  if (key.starts_with("g/")) return parses(v1::Totals());
  if (key.starts_with("p/")) return parses(v1::GovernanceProposal());
  if (key.starts_with("V/")) return parses(v1::ValidatorSetRecord());
  if (key.starts_with("h/")) return parses(v1::GovernanceEvent());
  if (key.starts_with("G/")) return parses(v1::GovernanceHead());
  if (key.starts_with("x/")) return parses(v1::RevokedKey());
  return true;  // k/: an organisation id, plain bytes
}

// A refusal that an earlier transaction of the same member, still pending, may explain.
bool MayDependOnPending(const std::string& code) {
  return code == "UNKNOWN_LOT" || code == "UNKNOWN_FACILITY" || code == "UNKNOWN_FLAG" ||
         code == "STALE_EVENT" || code == "LOT_NOT_ACTIVE" || code == "NOT_IN_TRANSIT";
}

// The state keys a body names (lots, facilities, organisations, flags, audits), found by
// walking its fields, plus the signer's records: read in one ReadState call before the rules
// run, so a 64-input transform costs a few round trips instead of one per key.
void CollectKeys(const google::protobuf::Message& m, std::set<std::string>& keys) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) {
      if (f->is_repeated()) {
        for (int k = 0; k < r->FieldSize(m, f); ++k) CollectKeys(r->GetRepeatedMessage(m, f, k), keys);
      } else if (r->HasField(m, f)) {
        CollectKeys(r->GetMessage(m, f), keys);
      }
      continue;
    }
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING || f->is_repeated()) {
      continue;
    }
    const std::string value = r->GetString(m, f);
    if (value.empty()) continue;
    if (f->name() == "lot_id") keys.insert(core::keys::Lot(value));
    if (f->name() == "facility_id") keys.insert(core::keys::Facility(value));
    if (f->name() == "to_org") keys.insert(core::keys::Member(value));
    if (f->name() == "flag_id") keys.insert(core::keys::RiskFlag(value));
    if (f->name() == "audit_id") keys.insert(core::keys::Audit(value));
    if (f->name() == "proposal_id") keys.insert(core::keys::Proposal(value));
    if (f->name() == "org_id") keys.insert(core::keys::Member(value));
  }
}

std::vector<std::string> KeysNamedBy(const std::string& signed_tx) {
  v1::SignedTx envelope;
  v1::TxBody body;
  std::set<std::string> keys;
  if (!envelope.ParseFromString(signed_tx) || !body.ParseFromString(envelope.body())) return {};
  keys.insert(core::keys::SignerOrg(envelope.signer()));
  keys.insert(core::keys::SignerNonce(envelope.signer()));
  keys.insert(core::keys::Totals());
  keys.insert(core::keys::GovernanceHead());
  keys.insert(core::keys::RevokedKey(envelope.signer()));
  CollectKeys(body, keys);
  std::vector<std::string> out(keys.begin(), keys.end());
  if (out.size() > kPrefetchKeysMax) out.resize(kPrefetchKeysMax);
  return out;
}

core::Status CannotCheck(const core::Status& cause) {
  return core::Status::FromCode(cause.code(), "could not check the transaction against the chain's state "
                                    "before sending it: " + cause.message() +
                                        " (--no-preflight sends it unchecked)");
}

}  // namespace

void RemoteState::Note(const v1::ReadStateResponse& response) const {
  if (!height_.has_value()) {
    height_ = response.height();
    block_time_unix_ms_ = response.block_time_unix_ms();
  } else if (*height_ != response.height()) {
    moved_ = true;
  }
}

core::Status RemoteState::Anchor() const {
  core::Result<v1::ReadStateResponse> response = client_.ReadState({});
  if (!response.ok()) return response.status();
  Note(*response);
  return core::Status::Ok();
}

core::Status RemoteState::Prefetch(const std::vector<std::string>& keys) const {
  if (keys.empty()) return core::Status::Ok();
  core::Result<v1::ReadStateResponse> response = client_.ReadState(keys);
  if (!response.ok()) return response.status();
  Note(*response);
  LOTCHAIN_ASSERT(!moved_);  // called first, before any other read fixed a height
  for (const v1::StateEntry& entry : response->entries()) {
    std::optional<std::string> value;
    if (entry.present()) {
      if (!ParsesAsItsRecord(entry.key(), entry.value())) {
        return core::Status(kRpcFailed, "node " + client_.target() +
                                            " answered a state record that does not decode");
      }
      value = entry.value();
    }
    cache_.emplace(entry.key(), std::move(value));
  }
  return core::Status::Ok();
}

std::optional<std::string> RemoteState::Get(std::string_view key) const {
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  core::Result<v1::ReadStateResponse> response = client_.ReadState({std::string(key)});
  if (!response.ok()) throw ReadAborted{response.status()};
  Note(*response);
  if (moved_) {
    throw ReadAborted{core::Status("FAILED_PRECONDITION", "the chain moved on while checking"),
                      true};
  }
  const v1::StateEntry& entry = response->entries(0);
  std::optional<std::string> value;
  if (entry.present()) value = entry.value();
  if (value.has_value() && !ParsesAsItsRecord(key, *value)) {
    throw ReadAborted{core::Status(kRpcFailed, "node " + client_.target() +
                                                   " answered a state record that does not "
                                                   "decode")};
  }
  cache_.emplace(std::string(key), value);
  return value;
}

std::vector<core::KeyValue> RemoteState::Scan(std::string_view prefix, size_t) const {
  if (error_.ok()) {
    error_ = core::Status("INTERNAL", "the preflight cannot scan state (prefix \"" +
                                          std::string(prefix) + "\")");
  }
  return {};
}

core::Result<PreflightOutcome> Preflight(Client& client, const core::Genesis& genesis,
                                         const std::string& signed_tx, bool signature_checked,
                                         int64_t now_unix_ms) {
  for (int attempt = 1;; ++attempt) {
    RemoteState state(client);
    // The first read fixes the height: the keys the body names, in one call (or, for a body
    // that does not decode, just the tip, and the rules refuse it).
    const std::vector<std::string> named = KeysNamedBy(signed_tx);
    core::Status first = named.empty() ? state.Anchor() : state.Prefetch(named);
    if (!first.ok()) return CannotCheck(first);
    core::TxContext ctx;
    ctx.height = state.height() + 1;
    ctx.time_unix_ms = std::max(now_unix_ms, state.block_time_unix_ms() + 1);
    ctx.tx_hash = core::TxHash(signed_tx);
    ctx.signature_verified = signature_checked;
    std::optional<core::Result<core::StateDelta>> applied;
    try {
      applied.emplace(core::ApplyTx(genesis, state, ctx, signed_tx));
    } catch (const ReadAborted& aborted) {
      if (aborted.moved && attempt < kPreflightAttempts) continue;  // a block landed meanwhile
      return CannotCheck(aborted.moved
                             ? core::Status("FAILED_PRECONDITION",
                                            "the chain moved on during each of " +
                                                std::to_string(kPreflightAttempts) + " attempts")
                             : aborted.cause);
    }
    if (!state.error().ok()) return CannotCheck(state.error());
    core::Result<core::StateDelta>& delta = *applied;
    if (!delta.ok()) {
      const std::string& code = delta.status().code();
      const std::string pending_hint =
          MayDependOnPending(code)
              ? "; if an earlier transaction of yours that makes this possible is still "
                "pending, wait for it (--wait) or send this one with --no-preflight"
              : "";
      return core::Status(kTxRejected,
                          code + ": " + delta.status().message() +
                              " (refused before sending by the custody rules, checked against "
                              "height " + std::to_string(state.height()) +
                              "; nothing was sent; --no-preflight sends it anyway" +
                              pending_hint + ")");
    }
    PreflightOutcome outcome{state.height(), std::move(delta).value(), ""};
    v1::SignedTx envelope;
    if (envelope.ParseFromString(signed_tx)) {  // read by the rules already: from the cache
      outcome.actor_org = state.Get(core::keys::SignerOrg(envelope.signer())).value_or("");
    }
    return outcome;
  }
}

std::vector<v1::Lot> LotsWritten(const core::StateDelta& delta) {
  std::vector<v1::Lot> lots;
  for (const auto& [key, value] : delta.writes) {
    if (!key.starts_with(core::keys::Lot("")) || !value.has_value()) continue;
    v1::Lot lot;
    if (lot.ParseFromString(*value)) lots.push_back(std::move(lot));
  }
  return lots;
}

std::string DescribeOutcome(const PreflightOutcome& outcome) {
  std::string out;
  for (const v1::Lot& lot : LotsWritten(outcome.delta)) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"lot", lot.lot_id() + " (" + lot.material() + ")"},
        {"status", EnumLabel(v1::LotStatus_Name(lot.status()), "LOT_STATUS_")},
        {"custodian", lot.custodian_org() +
                          (lot.has_pending_offer() ? " (offered to " + lot.pending_offer().to_org() + ")"
                                                   : "")},
        {"mass", FormatMass(lot.mass_grams())},
        {"footprint", FormatCo2e(lot.footprint_co2e_grams()) + " (primary data " +
                          FormatCo2e(lot.footprint_primary_co2e_grams()) + ")"}};
    if (lot.end_of_life()) fields.emplace_back("end of life", "yes (collected)");
    out += "\n" + RenderFields(fields);
  }
  return out;
}

}  // namespace lotchain::wallet
