#include "wallet-cli/preflight.h"

#include <algorithm>

#include "consensus/core/crypto.h"
#include "consensus/core/custody.h"
#include "consensus/core/executor.h"
#include "consensus/core/state_keys.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

constexpr std::string_view kLotKeyPrefix = "l/";  // core::keys::Lot

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

std::optional<std::string> RemoteState::Get(std::string_view key) const {
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  if (!error_.ok()) return std::nullopt;
  core::Result<v1::ReadStateResponse> response = client_.ReadState({std::string(key)});
  if (!response.ok()) {
    error_ = response.status();
    return std::nullopt;
  }
  Note(*response);
  const v1::StateEntry& entry = response->entries(0);
  std::optional<std::string> value;
  if (entry.present()) value = entry.value();
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
    if (core::Status anchored = state.Anchor(); !anchored.ok()) return CannotCheck(anchored);
    core::TxContext ctx;
    ctx.height = state.height() + 1;
    ctx.time_unix_ms = std::max(now_unix_ms, state.block_time_unix_ms() + 1);
    ctx.tx_hash = core::TxHash(signed_tx);
    ctx.signature_verified = signature_checked;
    core::Result<core::StateDelta> delta = core::ApplyTx(genesis, state, ctx, signed_tx);
    if (!state.error().ok()) return CannotCheck(state.error());
    if (state.moved() && attempt < kPreflightAttempts) continue;  // a block landed meanwhile
    if (!delta.ok()) {
      return core::Status(kTxRejected,
                          delta.status().code() + ": " + delta.status().message() +
                              " (refused before sending by the custody rules, checked against "
                              "height " + std::to_string(state.height()) +
                              "; nothing was sent; --no-preflight sends it anyway)");
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
    if (!key.starts_with(kLotKeyPrefix) || !value.has_value()) continue;
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
