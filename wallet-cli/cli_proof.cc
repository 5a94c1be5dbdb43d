// `lotchain proof export LOT -o FILE` and `lotchain proof verify FILE --genesis genesis.json`.
#include <nlohmann/json.hpp>

#include "wallet-cli/cli.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

// The offline verifier lives in the core (shared with nothing else, but pure and reviewed there).
#if __has_include("consensus/core/proof_verify.h")
#include "consensus/core/proof_verify.h"
#define LOTCHAIN_WALLET_HAS_PROOF_VERIFY 1
#endif

namespace lotchain::wallet {

namespace {

constexpr size_t kBundleFileBytesMax = 64u << 20;

struct ProofArgs {
  std::string lot_id;
  std::string out;
  std::string file;
  std::string genesis;
};

core::Status Export(Session& s, const ProofArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::ProofBundle bundle, s.client().GetLotProof(a.lot_id));
  std::string bytes = bundle.SerializeAsString();
  if (a.out.empty() || a.out == "-") {
    return core::Status("BAD_INPUT", "give -o FILE: the bundle is binary (a ProofBundle encoding)");
  }
  LOTCHAIN_RETURN_IF_ERROR(WriteFileAtomic(a.out, bytes, 0644));
  if (s.options.json) {
    s.Print(nlohmann::json({{"lot_id", bundle.lot_id()},
                            {"chain_id", bundle.chain_id()},
                            {"txs", bundle.txs_size()},
                            {"bytes", bytes.size()},
                            {"file", a.out}})
                .dump(2) + "\n");
  } else {
    s.Print("wrote proof of lot " + bundle.lot_id() + " (" + std::to_string(bundle.txs_size()) +
            " transactions, " + std::to_string(bytes.size()) + " bytes) to " + a.out +
            "\nverify it offline with `lotchain proof verify " + a.out +
            " --genesis genesis.json`\n");
  }
  return core::Status::Ok();
}

#ifdef LOTCHAIN_WALLET_HAS_PROOF_VERIFY

std::string FailureLine(const core::ProofFailure& f) {
  std::string where = f.tx_index < 0 ? "bundle" : "tx #" + std::to_string(f.tx_index);
  if (!f.tx_hash_hex.empty()) where += " (" + f.tx_hash_hex.substr(0, 16) + "…)";
  return "  FAIL " + where + " [" + f.check + "] " + f.message + "\n";
}

std::string ReportText(const core::ProofReport& r, const std::string& lot_id) {
  std::string out = std::string(r.ok ? "VALID" : "INVALID") + ": proof of lot " + lot_id + "\n";
  out += RenderFields({{"transactions checked", std::to_string(r.txs_checked)},
                       {"transactions replayed", std::to_string(r.txs_replayed)},
                       {"certified blocks", std::to_string(r.blocks)},
                       {"up to height", std::to_string(r.height_max)}});
  for (const auto& f : r.failures) out += FailureLine(f);
  if (r.ok || !r.lot.lot_id().empty()) {
    const v1::RollUp& roll = r.roll_up;
    std::string countries;
    for (const auto& c : roll.origin_countries()) countries += (countries.empty() ? "" : ", ") + c;
    out += "Recomputed from the bundle:\n" +
           RenderFields({{"  mass", FormatMass(roll.mass_grams())},
                         {"  footprint", FormatCo2e(roll.footprint_co2e_grams())},
                         {"  per kWh", FormatMgPer(roll.co2e_mg_per_kwh(), "kWh")},
                         {"  origins", countries},
                         {"  refiners not conformant", std::to_string(roll.facilities_not_conformant())},
                         {"  open flags", std::to_string(roll.open_flags())}});
  }
  return out;
}

core::Status Verify(Session& s, const ProofArgs& a) {
  if (a.genesis.empty()) {
    return core::Status("BAD_INPUT", "--genesis FILE is required: the proof is checked against "
                                     "the consortium's genesis, which you must hold yourself");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis genesis, LoadGenesis(a.genesis));
  LOTCHAIN_ASSIGN_OR_RETURN(std::string bytes, ReadInput(a.file, kBundleFileBytesMax));
  core::ProofReport report = core::VerifyProofBundleBytes(genesis, bytes);
  std::string lot_id = report.lot.lot_id();
  v1::ProofBundle bundle;
  if (lot_id.empty() && bundle.ParseFromString(bytes)) lot_id = bundle.lot_id();
  if (s.options.json) {
    nlohmann::json j = {{"ok", report.ok},
                        {"lot_id", lot_id},
                        {"txs_checked", report.txs_checked},
                        {"txs_replayed", report.txs_replayed},
                        {"blocks", report.blocks},
                        {"height_max", report.height_max},
                        {"failures", nlohmann::json::array()},
                        {"roll_up", ProtoToJson(report.roll_up)}};
    for (const auto& f : report.failures) {
      j["failures"].push_back({{"tx_index", f.tx_index},
                               {"tx_hash", f.tx_hash_hex},
                               {"check", f.check},
                               {"message", f.message}});
    }
    s.Print(j.dump(2) + "\n");
  } else {
    s.Print(ReportText(report, lot_id));
  }
  if (report.ok) return core::Status::Ok();
  return core::Status(kProofInvalid, std::to_string(report.failures.size()) +
                                         " check(s) failed; the bundle does not prove lot " + lot_id);
}

#else

core::Status Verify(Session&, const ProofArgs&) {
  return core::Status("UNSUPPORTED", "this build has no proof verifier "
                                     "(consensus/core/proof_verify.h); update and rebuild");
}

#endif

}  // namespace

void AddProofCommands(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<ProofArgs>();
  CLI::App* proof = app.add_subcommand("proof", "proof bundles for auditors");
  proof->require_subcommand(1);
  CLI::App* exp = proof->add_subcommand("export", "fetch a lot's proof bundle from the node");
  exp->add_option("LOT", args->lot_id, "lot id")->required();
  exp->add_option("-o,--out", args->out, "bundle file to write")->required();
  exp->callback([&session, &action, args] { action = [&session, args] { return Export(session, *args); }; });
  CLI::App* verify = proof->add_subcommand(
      "verify", "verify a proof bundle offline (no network): exit 0 valid, 5 invalid");
  verify->add_option("FILE", args->file, "bundle file (- = stdin)")->required();
  verify->add_option("--genesis", args->genesis, "the consortium's genesis.json")->required();
  verify->callback([&session, &action, args] { action = [&session, args] { return Verify(session, *args); }; });
}

}  // namespace lotchain::wallet
