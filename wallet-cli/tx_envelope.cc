// Transaction envelopes: nonces, the unsigned and signed transaction files (tx_builder.h
// "Envelopes"), and signing a body.
#include <nlohmann/json.hpp>

#include "consensus/core/executor.h"
#include "consensus/core/genesis.h"
#include "wallet-cli/keystore.h"
#include "wallet-cli/output.h"
#include "wallet-cli/tx_builder.h"

namespace lotchain::wallet {

using core::Result;
using core::Status;
using nlohmann::json;

namespace {

constexpr size_t kTxFileBytesMax = 1u << 20;

Status BadInput(const std::string& message) { return Status("BAD_INPUT", message); }

}  // namespace

uint64_t ChooseNonce(uint64_t last_used, int64_t now_unix_ms) {
  uint64_t now = now_unix_ms > 0 ? static_cast<uint64_t>(now_unix_ms) : 0;
  // A key at the largest nonce can sign no more; the chain says so when it sees this one.
  if (last_used == UINT64_MAX) return UINT64_MAX;
  return std::max(last_used + 1, now);
}

Status FinishBody(const std::string& chain_id, uint64_t nonce, const std::string& memo,
                  v1::TxBody& body) {
  if (chain_id.empty()) return BadInput("no chain id: give --chain-id or reach a node");
  if (nonce == 0) return BadInput("--nonce must be at least 1");
  if (memo.size() > 256) return BadInput("--memo is limited to 256 bytes");
  body.set_chain_id(chain_id);
  body.set_nonce(nonce);
  body.set_memo(memo);
  return Status::Ok();
}

std::string EncodeUnsignedTx(const UnsignedTx& tx) {
  json j = {{"version", 1},
            {"chain_id", tx.chain_id},
            {"signer_hint", tx.signer_hint},
            {"signer_public_key", core::ToHex(tx.signer_public_key)},
            {"body_hex", core::ToHex(tx.body)}};
  return j.dump(2) + "\n";
}

Result<UnsignedTx> DecodeUnsignedTx(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("body_hex") ||
      !j["body_hex"].is_string() || !j.contains("chain_id") || !j["chain_id"].is_string()) {
    return BadInput("not an unsigned transaction file (expected JSON with \"chain_id\" and "
                    "\"body_hex\", as written by `lotchain tx build`)");
  }
  UnsignedTx tx;
  tx.chain_id = j["chain_id"].get<std::string>();
  tx.signer_hint = j.value("signer_hint", "");
  auto signer = core::FromHex(j.value("signer_public_key", ""));
  if (signer.ok()) tx.signer_public_key = *signer;
  LOTCHAIN_ASSIGN_OR_RETURN(tx.body, core::FromHex(j["body_hex"].get<std::string>()));
  v1::TxBody body;
  if (!body.ParseFromString(tx.body)) return BadInput("body_hex is not a TxBody encoding");
  if (body.chain_id() != tx.chain_id) {
    return BadInput("the body's chain id \"" + body.chain_id() + "\" differs from the file's \"" +
                    tx.chain_id + "\"; the file was altered");
  }
  return tx;
}

std::string EncodeSignedTx(const SignedTxFile& tx) {
  json j = {{"version", 1},
            {"signed_tx_hex", core::ToHex(tx.signed_tx)},
            {"tx_hash", core::ToHex(tx.tx_hash)}};
  return j.dump(2) + "\n";
}

Result<SignedTxFile> DecodeSignedTx(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("signed_tx_hex") ||
      !j["signed_tx_hex"].is_string()) {
    return BadInput("not a signed transaction file (expected JSON with \"signed_tx_hex\", as "
                    "written by `lotchain tx sign`)");
  }
  SignedTxFile tx;
  LOTCHAIN_ASSIGN_OR_RETURN(tx.signed_tx, core::FromHex(j["signed_tx_hex"].get<std::string>()));
  if (tx.signed_tx.size() > kTxFileBytesMax) return BadInput("signed transaction too large");
  tx.tx_hash = core::TxHash(tx.signed_tx);
  if (j.contains("tx_hash") && j["tx_hash"] != core::ToHex(tx.tx_hash)) {
    return BadInput("\"tx_hash\" does not match signed_tx_hex; the file was altered");
  }
  return tx;
}

SignedTxFile SignBody(const std::string& body, const std::string& chain_id,
                      const core::SecretKey& key) {
  LOTCHAIN_ASSERT(key.valid());
  v1::SignedTx tx;
  tx.set_body(body);
  tx.set_signer(key.PublicKey());
  tx.set_signature(key.Sign(core::kTxDomain, chain_id, body));
  SignedTxFile file;
  file.signed_tx = tx.SerializeAsString();
  file.tx_hash = core::TxHash(file.signed_tx);
  LOTCHAIN_ASSERT(core::VerifySignature(tx.signer(), core::kTxDomain, chain_id, body,
                                        tx.signature()));
  return file;
}

}  // namespace lotchain::wallet
