// One subcommand per custody event (signed and submitted at once), the same events under
// `tx build` (written unsigned for an air-gapped signer), and `tx sign|submit|status`.
#include <chrono>
#include <nlohmann/json.hpp>

#include "consensus/core/executor.h"
#include "consensus/core/proto_parse.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/preflight.h"
#include "wallet-cli/tx_wait.h"

namespace lotchain::wallet {

namespace {

constexpr size_t kTxFileBytesMax = 1u << 20;
// The most a node's "next nonce" may exceed this wallet's own choice (max(last + 1, now in ms))
// and still be used without --nonce: about 11 days of milliseconds.
constexpr uint64_t kNonceJumpMax = 1'000'000'000;

struct TxFlags {
  uint64_t nonce = 0;
  std::string memo;
  bool wait = false;
  uint32_t wait_ms = 30'000;
  std::string out = "-";
  bool no_preflight = false;
  bool dry_run = false;
};

struct EventArgs {
  FacilityArgs facility;
  OriginLotArgs origin;
  OfferArgs offer;
  LotRef lot;
  std::string text;  // reason / application
  TransformArgs transform;
  AuditArgs audit;
  FlagRaiseArgs raise;
  FlagResolveArgs resolve;
  BatteryRegisterArgs battery;
  BatteryUpdateArgs update;
  TxFlags tx;
};

enum class Mode { kSubmit, kBuild };

using BodyFn = std::function<core::Result<v1::TxBody>(Session&)>;

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `story`: who did what to which lot ("katanga-cobalt offered lot ore-1 to refine-co"), or ""
// when unknown (`tx status`).
core::Status Report(Session& s, const v1::TxStatus& status, const std::string& story = "") {
  std::string hash = core::ToHex(status.tx_hash());
  if (s.options.json) {
    s.Print(ProtoToJson(status).dump(2) + "\n");
  } else if (status.status() == v1::TX_STATUS_APPLIED && !story.empty()) {
    s.Print("applied  " + story + "  [height " + std::to_string(status.height()) + ", tx " +
            hash.substr(0, 16) + "…]\n");
  } else if (status.status() == v1::TX_STATUS_APPLIED) {
    s.Print("applied  tx " + hash + " at height " + std::to_string(status.height()) +
            " (index " + std::to_string(status.index()) + ")\n");
  } else if (status.status() == v1::TX_STATUS_PENDING) {
    s.Print("pending  tx " + hash + " (submitted to " + s.client().target() +
            "; `lotchain tx status " + hash + "` shows its fate)\n");
  } else if (status.status() != v1::TX_STATUS_REJECTED) {
    s.Print("unknown  tx " + hash + "\n");
  }
  if (status.status() == v1::TX_STATUS_REJECTED) {
    return core::Status(kTxRejected, status.result().reason() + ": " + status.result().message() +
                                         " (tx " + hash + ", height " +
                                         std::to_string(status.height()) + ")");
  }
  return core::Status::Ok();
}

core::Status Submit(Session& s, const SignedTxFile& file, bool wait, uint32_t wait_ms,
                    const std::string& story = "") {
  v1::SignedTx tx;
  if (!tx.ParseFromString(file.signed_tx)) {
    return core::Status("BAD_INPUT", "the signed transaction does not decode as a SignedTx");
  }
  if (!wait) {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::TxStatus status, s.client().SubmitTx(file.signed_tx, 0));
    return Report(s, status, story);
  }
  // The hash is known before sending: say it first, so an interrupted or failed wait can name it.
  const std::string hash = core::ToHex(core::TxHash(file.signed_tx));
  s.Note("submitting tx " + hash + " to " + s.client().target() + " and waiting for its commit\n");
  InterruptNotice notice(hash);
  core::Result<v1::TxStatus> status = s.client().SubmitTx(file.signed_tx, wait_ms);
  if ((!status.ok() && status.status().code() == kTxPending) ||
      (status.ok() && status->status() == v1::TX_STATUS_PENDING)) {
    return ExplainPending(s, hash, wait_ms);
  }
  if (!status.ok()) return status.status();
  return Report(s, *status, story);
}

// The custody rules on the node's state before anything is sent (preflight.h).
core::Result<PreflightOutcome> Check(Session& s, const std::string& signed_tx, bool unsigned_tx) {
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis genesis, s.client().GetGenesis());
  core::Result<PreflightOutcome> outcome =
      Preflight(s.client(), genesis, signed_tx, unsigned_tx, NowUnixMs());
  if (!outcome.ok()) return WithMemberSuggestions(s, outcome.status());
  return outcome;
}

// The envelope of a not-yet-signed body: signer set, signature zero (the check skips it).
std::string UnsignedEnvelope(const std::string& body, const KeyInfo& key) {
  v1::SignedTx tx;
  tx.set_body(body);
  tx.set_signer(key.public_key);
  tx.set_signature(std::string(64, '\0'));
  return tx.SerializeAsString();
}

core::Status DryRun(Session& s, const v1::TxBody& body, const KeyInfo& key) {
  const std::string envelope = UnsignedEnvelope(body.SerializeAsString(), key);
  LOTCHAIN_ASSIGN_OR_RETURN(PreflightOutcome outcome, Check(s, envelope, /*unsigned_tx=*/true));
  if (s.options.json) {
    nlohmann::json out = {{"dry_run", true}, {"checked_at_height", outcome.height},
                          {"body", ProtoToJson(body)}, {"lots", nlohmann::json::array()}};
    for (const v1::Lot& lot : LotsWritten(outcome.delta)) out["lots"].push_back(ProtoToJson(lot));
    s.Print(out.dump(2) + "\n");
    return core::Status::Ok();
  }
  s.Print("dry run: " + EventName(body) + " by key \"" + key.name + "\" passes the custody rules "
          "at height " + std::to_string(outcome.height) + "; nothing was signed or sent\n" +
          DescribeTxBody(body) + DescribeOutcome(outcome));
  return core::Status::Ok();
}

}  // namespace

core::Result<uint64_t> NextNonce(Session& s, const KeyInfo& key, uint64_t flag_nonce) {
  if (flag_nonce != 0) return flag_nonce;
  uint64_t nonce = ChooseNonce(s.keystore().LastNonce(key.name), NowUnixMs());
  // Above what the chain has committed for the key, whichever wallet used it (best effort:
  // offline, the local choice stands and a replay is refused with the nonce to use).
  // A node's figure far above this wallet's own choice is not taken on trust: a wrong one
  // could spend the key's nonces for good (at 2^64 - 1 it can sign no more).
  core::Result<v1::SignerInfo> signer = s.client().GetSigner(key.public_key);
  if (signer.ok() && signer->next_nonce() > nonce) {
    if (signer->next_nonce() - nonce > kNonceJumpMax) {
      return core::Status("BAD_INPUT",
                          "node " + s.client().target() + " says key \"" + key.name +
                              "\" must use nonce " + std::to_string(signer->next_nonce()) +
                              " or higher, far above this wallet's " + std::to_string(nonce) +
                              "; if that is right, pass --nonce " +
                              std::to_string(signer->next_nonce()));
    }
    nonce = signer->next_nonce();
  }
  return nonce;
}

core::Result<std::string> PreflightBody(Session& s, const std::string& body, const KeyInfo& key) {
  LOTCHAIN_ASSIGN_OR_RETURN(PreflightOutcome checked,
                            Check(s, UnsignedEnvelope(body, key), /*unsigned_tx=*/true));
  return checked.actor_org;
}

namespace {

core::Result<core::SecretKey> UnlockKey(Session& s, const KeyInfo& key) {
  auto passphrase = s.Passphrase(/*confirm=*/false);
  if (!passphrase.ok()) return passphrase.status();
  return s.keystore().Unlock(key.name, *passphrase);
}

core::Status Run(Session& s, Mode mode, const BodyFn& make, const TxFlags& f) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::TxBody body, make(s));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string chain_id, s.ChainId());
  Keystore store = s.keystore();
  core::Result<KeyInfo> key = store.Choose(s.KeyName());
  // Building needs no key, but a key named with --key / LOTCHAIN_KEY must exist.
  if (!key.ok() && (mode == Mode::kSubmit || !s.KeyName().empty())) return key.status();
  uint64_t nonce = f.nonce;
  if (mode == Mode::kSubmit) {
    LOTCHAIN_ASSIGN_OR_RETURN(nonce, NextNonce(s, *key, f.nonce));
  } else if (nonce == 0) {
    nonce = ChooseNonce(key.ok() ? store.LastNonce(key->name) : 0, NowUnixMs());
  }
  LOTCHAIN_RETURN_IF_ERROR(FinishBody(chain_id, nonce, f.memo, body));
  std::string bytes = body.SerializeAsString();
  if (mode == Mode::kBuild) {
    UnsignedTx unsigned_tx{chain_id, key.ok() ? key->name : "", key.ok() ? key->public_key : "",
                           bytes};
    if (key.ok()) LOTCHAIN_RETURN_IF_ERROR(store.RecordNonce(key->name, nonce));
    s.Note("built " + EventName(body) + " (nonce " + std::to_string(nonce) +
           "); sign it with `lotchain tx sign FILE`\n");
    return WriteOutput(f.out, EncodeUnsignedTx(unsigned_tx));
  }
  if (f.dry_run) return DryRun(s, body, *key);
  // Checked before the passphrase is asked for: a custody mistake costs nothing.
  std::string story = TxStory(body);
  if (!f.no_preflight) {
    LOTCHAIN_ASSIGN_OR_RETURN(PreflightOutcome checked,
                              Check(s, UnsignedEnvelope(bytes, *key), /*unsigned_tx=*/true));
    if (!checked.actor_org.empty()) story = checked.actor_org + " " + story;
  }
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey secret, UnlockKey(s, *key));
  SignedTxFile signed_tx = SignBody(bytes, chain_id, secret);
  LOTCHAIN_RETURN_IF_ERROR(store.RecordNonce(key->name, nonce));
  return Submit(s, signed_tx, f.wait, f.wait_ms, story);
}

// Registers `sub` to build its body with `make` and run it in `mode`.
void Bind(CLI::App* sub, Mode mode, Session& session, Action& action,
          std::shared_ptr<EventArgs> args, BodyFn make) {
  sub->add_option("--nonce", args->tx.nonce, "transaction nonce (default: max(last used + 1, now "
                                             "in ms))");
  sub->add_option("--memo", args->tx.memo, "free text carried in the transaction (<= 256 B)");
  if (mode == Mode::kSubmit) {
    sub->add_flag("--wait", args->tx.wait, "wait for the commit and print the outcome");
    sub->add_option("--wait-ms", args->tx.wait_ms, "how long --wait waits")->capture_default_str();
    sub->add_flag("--dry-run", args->tx.dry_run,
                  "check the event against the chain's state and show the lots it would write; "
                  "sign and send nothing");
    sub->add_flag("--no-preflight", args->tx.no_preflight,
                  "send without first checking the custody rules against the node's state");
  } else {
    sub->add_option("-o,--out", args->tx.out, "write the unsigned transaction to FILE (- = stdout)");
  }
  sub->callback([&session, &action, mode, args, make] {
    action = [&session, mode, args, make] { return Run(session, mode, make, args->tx); };
  });
}

void AddPrev(CLI::App* sub, LotRef& ref) {
  sub->add_option("LOT", ref.lot_id, "lot id")->required();
  sub->add_option("--prev", ref.prev_hex,
                  "the lot's last event hash (hex); default: read it from the node");
}

void AddEmission(CLI::App* sub, EmissionArgs& e, const std::string& what) {
  sub->add_option("--co2e", e.co2e, what + ", e.g. 350kg or 1.2t (CO2e)");
  sub->add_option("--quality", e.quality,
                  "data quality of --co2e: primary (measured at the site) or secondary "
                  "(database value or estimate; the default, so an unstated figure never "
                  "counts as primary data)");
}

void AddDigest(CLI::App* sub, DigestArgs& d, const std::string& flag, const std::string& what) {
  sub->add_option(flag + "-file", d.file, "file whose SHA-256 is recorded: " + what);
  sub->add_option(flag + "-sha256", d.hex, "SHA-256 (hex) of " + what);
}

void AddFacilityAndLots(CLI::App* root, Mode mode, Session& s, Action& action,
                        const std::shared_ptr<EventArgs>& a) {
  CLI::App* facility = root->add_subcommand("facility", "facilities");
  facility->require_subcommand(1);
  CLI::App* reg = facility->add_subcommand("register", "register a facility of your organisation");
  reg->add_option("--id", a->facility.facility_id, "facility id")->required();
  reg->add_option("--kind", a->facility.kind, "mine, refinery, plant or recycling")->required();
  reg->add_option("--country", a->facility.country, "ISO 3166-1 alpha-2 code")->required();
  reg->add_option("--name", a->facility.name, "facility name")->required();
  reg->add_option("--location", a->facility.location, "LAT,LON in decimal degrees");
  Bind(reg, mode, s, action, a, [a](Session&) { return BuildRegisterFacility(a->facility); });

  CLI::App* lot = root->add_subcommand("lot", "lots: create (and show/history when online)");
  lot->require_subcommand(1);
  CLI::App* create = lot->add_subcommand("create", "create an origin lot at your mine");
  create->add_option("--id", a->origin.lot_id, "new lot id")->required();
  create->add_option("--facility", a->origin.facility_id, "your mine")->required();
  create->add_option("--material", a->origin.material, "e.g. \"cobalt hydroxide\"")->required();
  create->add_option("--mass", a->origin.mass, "lot mass, e.g. 1.2t")->required();
  create->add_option("--element", a->origin.elements, "element mass SYMBOL=QTY, e.g. Co=120kg "
                                                      "(repeat)");
  AddDigest(create, a->origin.certificate, "--certificate", "the origin certificate document");
  create->add_option("--issuer", a->origin.issuer, "certificate issuer")->required();
  create->add_option("--cert-number", a->origin.number, "certificate number")->required();
  AddEmission(create, a->origin.emissions, "extraction emissions");
  Bind(create, mode, s, action, a, [a](Session&) { return BuildCreateOriginLot(a->origin); });
}

void AddTransfers(CLI::App* root, Mode mode, Session& s, Action& action,
                  const std::shared_ptr<EventArgs>& a) {
  CLI::App* transfer = root->add_subcommand("transfer", "transfers of custody between organisations");
  transfer->require_subcommand(1);
  CLI::App* offer = transfer->add_subcommand("offer", "offer a lot to another organisation");
  AddPrev(offer, a->offer.lot);
  offer->add_option("--to", a->offer.to_org, "receiving organisation id")->required();
  AddEmission(offer, a->offer.transport, "transport emissions");
  Bind(offer, mode, s, action, a,
       [a](Session& ss) { return BuildOffer(a->offer, ss.Lookup()); });
  CLI::App* accept = transfer->add_subcommand("accept", "accept a lot offered to you");
  AddPrev(accept, a->lot);
  Bind(accept, mode, s, action, a, [a](Session& ss) { return BuildAccept(a->lot, ss.Lookup()); });
  CLI::App* reject = transfer->add_subcommand("reject", "refuse a lot offered to you");
  AddPrev(reject, a->lot);
  reject->add_option("--reason", a->text, "why (<= 256 B)");
  Bind(reject, mode, s, action, a,
       [a](Session& ss) { return BuildReject(a->lot, a->text, ss.Lookup()); });
  CLI::App* cancel = transfer->add_subcommand("cancel", "withdraw your pending offer");
  AddPrev(cancel, a->lot);
  Bind(cancel, mode, s, action, a, [a](Session& ss) { return BuildCancel(a->lot, ss.Lookup()); });
}

void AddTransformations(CLI::App* root, Mode mode, Session& s, Action& action,
                        const std::shared_ptr<EventArgs>& a) {
  const std::string input_help = "consumed input LOT=MASS[@PREVHEX], e.g. ore-1=1.2t (repeat)";
  const std::string output_help =
      "produced output \"id=LOT;material=TEXT;mass=QTY[;SYMBOL=QTY...][;role=waste][;scrap=yes]\" "
      "(repeat; waste gets no footprint share)";
  const std::string reagent_help =
      "reagent from outside the chain \"material=TEXT;mass=QTY;co2e=QTY[;quality=secondary]\" "
      "(repeat; outputs may weigh at most the inputs plus the reagents)";
  CLI::App* transform = root->add_subcommand("transform", "consume input lots, produce new lots");
  transform->add_option("--facility", a->transform.facility_id, "your refinery or plant")->required();
  transform->add_option("--process", a->transform.process,
                        "refining, precursor, cathode, anode, cell, module, pack, split, merge, other")
      ->required();
  transform->add_option("--input", a->transform.inputs, input_help)->required();
  transform->add_option("--output", a->transform.outputs, output_help)->required();
  transform->add_option("--reagent", a->transform.reagents, reagent_help);
  AddEmission(transform, a->transform.emissions, "process emissions");
  Bind(transform, mode, s, action, a,
       [a](Session& ss) { return BuildTransform(a->transform, ss.Lookup()); });

  CLI::App* recover = root->add_subcommand("recover", "recover material from end-of-life lots");
  recover->add_option("--facility", a->transform.facility_id, "your recycling facility")->required();
  recover->add_option("--source", a->transform.source, "pre_consumer or post_consumer")->required();
  recover->add_option("--input", a->transform.inputs, input_help)->required();
  recover->add_option("--output", a->transform.outputs, output_help)->required();
  recover->add_option("--reagent", a->transform.reagents, reagent_help);
  AddEmission(recover, a->transform.emissions, "recovery process emissions");
  Bind(recover, mode, s, action, a,
       [a](Session& ss) { return BuildRecover(a->transform, ss.Lookup()); });

  CLI::App* retire = root->add_subcommand("retire", "remove a lot from circulation");
  AddPrev(retire, a->lot);
  retire->add_option("--reason", a->text, "why (<= 256 B)");
  Bind(retire, mode, s, action, a,
       [a](Session& ss) { return BuildRetire(a->lot, a->text, ss.Lookup()); });
}

void AddDueDiligence(CLI::App* root, Mode mode, Session& s, Action& action,
                     const std::shared_ptr<EventArgs>& a) {
  CLI::App* audits = root->add_subcommand("audit", "audits of facilities");
  audits->require_subcommand(1);
  CLI::App* audit = audits->add_subcommand("record", "record an audit of a facility (auditors)");
  audit->add_option("--id", a->audit.audit_id, "audit id")->required();
  audit->add_option("--facility", a->audit.facility_id, "audited facility")->required();
  audit->add_option("--standard", a->audit.standard, "e.g. \"RMI RMAP Cobalt Refiner DD Standard\"")
      ->required();
  audit->add_option("--status", a->audit.status,
                    "conformant, active, cross_recognized, eligible or non_conformant")
      ->required();
  audit->add_option("--date", a->audit.date, "audit date YYYY-MM-DD")->required();
  audit->add_option("--valid-until", a->audit.valid_until, "validity end YYYY-MM-DD")->required();
  AddDigest(audit, a->audit.report, "--report", "the audit report");
  Bind(audit, mode, s, action, a, [a](Session&) { return BuildAudit(a->audit); });

  CLI::App* flag = root->add_subcommand("flag", "risk flags (EU 2023/1542 Annex X categories)");
  flag->require_subcommand(1);
  CLI::App* raise = flag->add_subcommand("raise", "raise a risk flag on a lot or facility");
  raise->add_option("--id", a->raise.flag_id, "flag id")->required();
  raise->add_option("--lot", a->raise.lot_id, "flagged lot");
  raise->add_option("--facility", a->raise.facility_id, "flagged facility");
  raise->add_option("--category", a->raise.category,
                    "air, water, soil, biodiversity, human_health, occupational_health_safety, "
                    "labour_rights, human_rights, community_life")
      ->required();
  raise->add_option("--severity", a->raise.severity, "low, medium, high or critical")->required();
  raise->add_option("--description", a->raise.description, "what was found (<= 512 B)");
  AddDigest(raise, a->raise.evidence, "--evidence", "the evidence");
  Bind(raise, mode, s, action, a, [a](Session&) { return BuildRaiseFlag(a->raise); });
  CLI::App* resolve = flag->add_subcommand("resolve", "resolve an open risk flag");
  resolve->add_option("FLAG", a->resolve.flag_id, "flag id")->required();
  resolve->add_option("--note", a->resolve.note, "remediation note (<= 512 B)");
  AddDigest(resolve, a->resolve.resolution, "--resolution", "the remediation evidence");
  Bind(resolve, mode, s, action, a, [a](Session&) { return BuildResolveFlag(a->resolve); });
}

void AddBattery(CLI::App* root, Mode mode, Session& s, Action& action,
                const std::shared_ptr<EventArgs>& a) {
  CLI::App* battery = root->add_subcommand("battery", "battery data of pack lots");
  battery->require_subcommand(1);
  CLI::App* reg = battery->add_subcommand("register", "register battery data for a pack lot");
  AddPrev(reg, a->battery.lot);
  reg->add_option("--serial", a->battery.serial, "serial number")->required();
  reg->add_option("--chemistry", a->battery.chemistry, "e.g. NMC811, LFP")->required();
  reg->add_option("--capacity", a->battery.capacity, "rated capacity, e.g. 75kWh")->required();
  reg->add_option("--lifetime", a->battery.lifetime, "expected lifetime energy, e.g. 101.25MWh")
      ->required();
  Bind(reg, mode, s, action, a,
       [a](Session& ss) { return BuildRegisterBattery(a->battery, ss.Lookup()); });
  CLI::App* update = battery->add_subcommand("update", "record state of health and energy delivered");
  AddPrev(update, a->update.lot);
  update->add_option("--soh", a->update.state_of_health, "state of health, e.g. 92%")->required();
  update->add_option("--delivered", a->update.delivered, "energy delivered so far, e.g. 12MWh")
      ->required();
  Bind(update, mode, s, action, a,
       [a](Session& ss) { return BuildUpdateBattery(a->update, ss.Lookup()); });
  CLI::App* repurpose = battery->add_subcommand("repurpose", "take a battery into second life");
  AddPrev(repurpose, a->lot);
  repurpose->add_option("--application", a->text, "e.g. \"stationary storage\"")->required();
  Bind(repurpose, mode, s, action, a,
       [a](Session& ss) { return BuildRepurpose(a->lot, a->text, ss.Lookup()); });
}

void AddEvents(CLI::App* root, Mode mode, Session& s, Action& action) {
  auto args = std::make_shared<EventArgs>();
  AddFacilityAndLots(root, mode, s, action, args);
  AddTransfers(root, mode, s, action, args);
  AddTransformations(root, mode, s, action, args);
  AddDueDiligence(root, mode, s, action, args);
  AddBattery(root, mode, s, action, args);
  AddGovCommands(root, mode == Mode::kBuild, s, action);
}

struct FileArgs {
  std::string file;
  std::string out = "-";
  bool wait = false;
  uint32_t wait_ms = 30'000;
  bool no_preflight = false;
  std::string hash_hex;
};

core::Status Sign(Session& s, const FileArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadInput(a.file, kTxFileBytesMax));
  LOTCHAIN_ASSIGN_OR_RETURN(UnsignedTx tx, DecodeUnsignedTx(text));
  v1::TxBody body;
  core::ParseOwnOrDie(body, tx.body);  // DecodeUnsignedTx checked it parses
  Keystore store = s.keystore();
  std::string name = s.KeyName();
  if (name.empty() && !tx.signer_hint.empty() && store.Info(tx.signer_hint).ok()) {
    name = tx.signer_hint;
  }
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo key, store.Choose(name));
  if (!tx.signer_public_key.empty() && tx.signer_public_key != key.public_key) {
    return core::Status("BAD_INPUT", "the transaction was built for key " +
                                         core::ToHex(tx.signer_public_key) + " but key \"" +
                                         key.name + "\" is " + core::ToHex(key.public_key) +
                                         "; pass --key NAME of the intended signer");
  }
  s.Note("Signing with key \"" + key.name + "\":\n" + DescribeTxBody(body));
  LOTCHAIN_ASSIGN_OR_RETURN(core::SecretKey secret, UnlockKey(s, key));
  SignedTxFile signed_tx = SignBody(tx.body, tx.chain_id, secret);
  LOTCHAIN_RETURN_IF_ERROR(store.RecordNonce(key.name, body.nonce()));
  s.Note("tx hash " + core::ToHex(signed_tx.tx_hash) + "\n");
  return WriteOutput(a.out, EncodeSignedTx(signed_tx));
}

core::Status SubmitFile(Session& s, const FileArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(std::string text, ReadInput(a.file, kTxFileBytesMax));
  LOTCHAIN_ASSIGN_OR_RETURN(SignedTxFile tx, DecodeSignedTx(text));
  if (!a.no_preflight) LOTCHAIN_RETURN_IF_ERROR(Check(s, tx.signed_tx, /*unsigned_tx=*/false).status());
  return Submit(s, tx, a.wait, a.wait_ms);
}

core::Status TxStatus(Session& s, const FileArgs& a) {
  auto hash = core::FromHex(a.hash_hex);
  if (!hash.ok() || hash->size() != core::kHashBytes) {
    return core::Status("BAD_INPUT", "HASH must be a transaction hash, 64 hex digits");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(v1::TxStatus status, s.client().GetTxStatus(*hash));
  return Report(s, status);
}

}  // namespace

void BindTxCommand(CLI::App* sub, bool build, Session& session, Action& action, TxBodyFn make) {
  Bind(sub, build ? Mode::kBuild : Mode::kSubmit, session, action, std::make_shared<EventArgs>(),
       std::move(make));
}

void AddTxCommands(CLI::App& app, Session& session, Action& action) {
  AddEvents(&app, Mode::kSubmit, session, action);
  CLI::App* tx = app.add_subcommand("tx", "offline signing: build, sign, submit; status");
  tx->require_subcommand(1);
  CLI::App* build = tx->add_subcommand("build", "build an unsigned transaction for any event");
  build->require_subcommand(1);
  AddEvents(build, Mode::kBuild, session, action);

  auto args = std::make_shared<FileArgs>();
  CLI::App* sign = tx->add_subcommand("sign", "sign an unsigned transaction (works offline)");
  sign->add_option("FILE", args->file, "unsigned transaction (- = stdin)")->required();
  sign->add_option("-o,--out", args->out, "write the signed transaction to FILE (- = stdout)");
  sign->callback([&session, &action, args] { action = [&session, args] { return Sign(session, *args); }; });

  CLI::App* submit = tx->add_subcommand("submit", "submit a signed transaction");
  submit->add_option("FILE", args->file, "signed transaction (- = stdin)")->required();
  submit->add_flag("--wait", args->wait, "wait for the commit and print the outcome");
  submit->add_option("--wait-ms", args->wait_ms, "how long --wait waits")->capture_default_str();
  submit->add_flag("--no-preflight", args->no_preflight,
                   "send without first checking the custody rules against the node's state");
  submit->callback([&session, &action, args] {
    action = [&session, args] { return SubmitFile(session, *args); };
  });

  CLI::App* status = tx->add_subcommand("status", "show a transaction's fate");
  status->add_option("HASH", args->hash_hex, "transaction hash (hex)")->required();
  status->callback([&session, &action, args] {
    action = [&session, args] { return TxStatus(session, *args); };
  });
}

}  // namespace lotchain::wallet
