// `lotchain keys rotate --key NAME` (docs/WALLET.md "Rotating a key"): a new key replaces NAME
// on the chain (RotateKey, signed by the old key) and in the keystore.
//
// Crash-safe: the new key is sealed and written as NAME.next before anything is sent, so a
// crash never loses the key the chain now expects. Only after the commit is NAME renamed to
// NAME.rotated-<height> (kept, never deleted) and NAME.next to NAME. A rotation that finds
// NAME.next already there stops and says how to finish or undo the earlier one.
#include "consensus/core/crypto.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/tx_wait.h"

namespace lotchain::wallet {

namespace {

struct RotateArgs {
  uint64_t nonce = 0;
  uint32_t wait_ms = 30'000;
  bool no_preflight = false;
};

std::string NextName(const std::string& name) { return name + ".next"; }

core::Status Unfinished(const std::string& name) {
  return core::Status(
      "KEY_EXISTS",
      "key \"" + NextName(name) + "\" exists: an earlier rotation of \"" + name +
          "\" did not finish. If `lotchain keys show " + NextName(name) +
          "` names a member, it committed: `lotchain keys rename " + name + " " + name +
          ".rotated-old` then `lotchain keys rename " + NextName(name) + " " + name +
          "`; if it names none, `lotchain keys delete " + NextName(name) +
          " --yes` and rotate again");
}

// After the commit: the old key keeps its file under a new name, the new key takes NAME.
core::Status Swap(Session& s, const std::string& name, uint64_t height) {
  Keystore store = s.keystore();
  const std::string kept = name + ".rotated-" + std::to_string(height);
  LOTCHAIN_RETURN_IF_ERROR(store.Rename(name, kept).status());
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo now, store.Rename(NextName(name), name));
  s.Print("rotated  key \"" + name + "\" is now " + core::ToHex(now.public_key) + " (height " +
          std::to_string(height) + "); the old key is kept as \"" + kept +
          "\" and the chain refuses it from now on (KEY_REVOKED)\n");
  return core::Status::Ok();
}

// Sends the signed rotation and waits; on a refusal the never-used NAME.next is removed.
core::Status SendAndSwap(Session& s, const KeyInfo& old, const SignedTxFile& tx,
                         uint32_t wait_ms) {
  const std::string hash = core::ToHex(tx.tx_hash);
  s.Note("submitting tx " + hash + " to " + s.client().target() + " and waiting for its commit\n");
  InterruptNotice notice(hash);
  core::Result<v1::TxStatus> status = s.client().SubmitTx(tx.signed_tx, wait_ms);
  const bool pending = (!status.ok() && status.status().code() == kTxPending) ||
                       (status.ok() && status->status() == v1::TX_STATUS_PENDING);
  if (!status.ok() && !pending) return status.status();
  if (pending || (status->status() != v1::TX_STATUS_APPLIED &&
                  status->status() != v1::TX_STATUS_REJECTED)) {
    s.Note("the new key stays stored as \"" + NextName(old.name) + "\"; once `lotchain tx status " +
           hash + "` says applied, finish with `lotchain keys rename " + old.name + " " +
           old.name + ".rotated-old` and `lotchain keys rename " + NextName(old.name) + " " +
           old.name + "`\n");
    return ExplainPending(s, hash, wait_ms);
  }
  if (status->status() == v1::TX_STATUS_REJECTED) {
    LOTCHAIN_RETURN_IF_ERROR(s.keystore().Delete(NextName(old.name)));
    return core::Status(kTxRejected, status->result().reason() + ": " +
                                         status->result().message() + " (tx " + hash +
                                         "; key \"" + old.name + "\" is unchanged)");
  }
  return Swap(s, old.name, status->height());
}

core::Status Rotate(Session& s, const RotateArgs& a) {
  Keystore store = s.keystore();
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo old, store.Choose(s.KeyName()));
  if (store.Info(NextName(old.name)).ok()) return Unfinished(old.name);
  LOTCHAIN_ASSIGN_OR_RETURN(std::string chain_id, s.ChainId());
  LOTCHAIN_ASSIGN_OR_RETURN(std::string passphrase, s.Passphrase(/*confirm=*/false));
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey secret, store.Unlock(old.name, passphrase));
  // Sealed with the same passphrase and KDF limits as the key it replaces, before sending.
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo next, store.Create(NextName(old.name), passphrase, old.kdf));
  auto discard = [&](const core::Status& why) {
    core::Status removed = store.Delete(next.name);
    return removed.ok() ? why : removed;
  };
  v1::TxBody body = BuildRotateKey(next.public_key);
  core::Result<uint64_t> nonce = NextNonce(s, old, a.nonce);
  if (!nonce.ok()) return discard(nonce.status());
  core::Status finished = FinishBody(chain_id, *nonce, "", body);
  if (!finished.ok()) return discard(finished);
  const std::string bytes = body.SerializeAsString();
  if (!a.no_preflight) {
    core::Result<std::string> checked = PreflightBody(s, bytes, old);
    if (!checked.ok()) return discard(checked.status());
  }
  SignedTxFile tx = SignBody(bytes, chain_id, secret);
  LOTCHAIN_RETURN_IF_ERROR(store.RecordNonce(old.name, *nonce));
  return SendAndSwap(s, old, tx, a.wait_ms);
}

}  // namespace

void AddKeyRotateCommand(CLI::App* keys, Session& session, Action& action) {
  auto args = std::make_shared<RotateArgs>();
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "replace the key (--key NAME) by a new one on the chain and in the keystore");
  rotate->add_option("--nonce", args->nonce, "transaction nonce (default as for every event)");
  rotate->add_option("--wait-ms", args->wait_ms, "how long to wait for the commit")
      ->capture_default_str();
  rotate->add_flag("--no-preflight", args->no_preflight,
                   "send without first checking the rules against the node's state");
  rotate->callback([&session, &action, args] {
    action = [&session, args] { return Rotate(session, *args); };
  });
}

}  // namespace lotchain::wallet
