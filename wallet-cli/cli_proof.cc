// `lotchain proof export LOT -o FILE` and `lotchain proof verify FILE --genesis genesis.json`.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include <nlohmann/json.hpp>

#include "wallet-cli/cli.h"
#include "wallet-cli/progress.h"
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

// The largest bundle `proof export` writes and `proof verify` reads: the node's streamed limit
// (kProofBytesMax, node/api/proof_builder.h), which is also the verifier's
// (core::kProofBundleBytesMax).
constexpr size_t kBundleFileBytesMax = 160u << 20;
#ifdef LOTCHAIN_WALLET_HAS_PROOF_VERIFY
static_assert(kBundleFileBytesMax == core::kProofBundleBytesMax);
#endif

struct ProofArgs {
  std::string lot_id;
  std::string out;
  std::string file;
  std::string genesis;
  uint64_t min_height = 0;
};

// Writes a file from appended pieces to PATH.tmp, renamed to PATH only by Commit(); dropped
// (unlinked) otherwise, so a failed export never leaves a partial bundle under the name.
class PartialFile {
 public:
  explicit PartialFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {}
  ~PartialFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
  }
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  core::Status Open() {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) return core::Status("FILE_IO", "cannot write " + tmp_ + ": " + std::strerror(errno));
    (void)::fchmod(fd_, 0644);
    return core::Status::Ok();
  }
  core::Status Append(const std::string& data) {
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = ::write(fd_, data.data() + written, data.size() - written);
      if (n <= 0) return core::Status("FILE_IO", "cannot write " + tmp_ + ": " + std::strerror(errno));
      written += static_cast<size_t>(n);
    }
    bytes_ += data.size();
    return core::Status::Ok();
  }
  core::Status Commit() {
    const int fd = fd_;
    fd_ = -1;
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
      return core::Status("FILE_IO", "cannot sync " + tmp_ + ": " + std::strerror(errno));
    }
    if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      return core::Status("FILE_IO", "cannot rename " + tmp_ + " to " + path_ + ": " +
                                         std::strerror(errno));
    }
    committed_ = true;
    return core::Status::Ok();
  }
  size_t bytes() const { return bytes_; }

 private:
  std::string path_;
  std::string tmp_;
  int fd_ = -1;
  bool committed_ = false;
  size_t bytes_ = 0;
};

// Streams the bundle (StreamLotProof) straight to the file: the CLI holds one fragment (about
// 1 MiB) at a time, whatever the bundle's size.
core::Status Export(Session& s, const ProofArgs& a) {
  if (a.out.empty() || a.out == "-") {
    return core::Status("BAD_INPUT", "give -o FILE: the bundle is binary (a ProofBundle encoding)");
  }
  PartialFile file(a.out);
  LOTCHAIN_RETURN_IF_ERROR(file.Open());
  std::string lot_id;
  std::string chain_id;
  size_t txs = 0;
  size_t blocks = 0;
  ProgressLine progress;
  std::optional<ProgressTicker> waiting;  // until the first fragment arrives
  waiting.emplace("the node is building the proof of " + a.lot_id);
  LOTCHAIN_RETURN_IF_ERROR(s.client().StreamLotProof(
      a.lot_id, [&](const v1::ProofBundle& fragment) -> core::Status {
        waiting.reset();
        progress.Show("exporting the proof of " + a.lot_id + ": " + std::to_string(txs) +
                      " transactions, " + std::to_string(file.bytes() >> 20) + " MiB");
        if (!fragment.lot_id().empty()) lot_id = fragment.lot_id();
        if (!fragment.chain_id().empty()) chain_id = fragment.chain_id();
        txs += static_cast<size_t>(fragment.txs_size());
        blocks += static_cast<size_t>(fragment.blocks_size());
        std::string bytes = fragment.SerializeAsString();
        if (file.bytes() + bytes.size() > kBundleFileBytesMax) {
          return core::Status("PROOF_TOO_LARGE",
                              "the node sent more than " + std::to_string(kBundleFileBytesMax) +
                                  " bytes of proof, more than `proof verify` reads");
        }
        return file.Append(bytes);
      }));
  progress.Clear();
  LOTCHAIN_RETURN_IF_ERROR(file.Commit());
  if (s.options.json) {
    s.Print(nlohmann::json({{"lot_id", lot_id},
                            {"chain_id", chain_id},
                            {"txs", txs},
                            {"blocks", blocks},
                            {"bytes", file.bytes()},
                            {"file", a.out}})
                .dump(2) + "\n");
  } else {
    s.Print("wrote proof of lot " + lot_id + " (" + std::to_string(txs) + " transactions in " +
            std::to_string(blocks) + " blocks, " + std::to_string(file.bytes()) +
            " bytes) to " + a.out + "\nverify it offline with `lotchain proof verify " + a.out +
            " --genesis genesis.json`\n");
  }
  return core::Status::Ok();
}

#ifdef LOTCHAIN_WALLET_HAS_PROOF_VERIFY

// The bundle file's bytes, read into a buffer of the file's size (ReadInput sizes its buffer
// for the largest allowed file, which would touch 160 MiB of memory for any bundle).
core::Result<std::string> ReadBundleFile(const std::string& path) {
  if (path == "-") return ReadInput(path, kBundleFileBytesMax);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return core::Status("FILE_IO", "cannot read " + path + ": " + std::strerror(errno));
  }
  if (static_cast<uint64_t>(st.st_size) > kBundleFileBytesMax) {
    return core::Status("FILE_IO", path + " is larger than " +
                                       std::to_string(kBundleFileBytesMax) +
                                       " bytes, the largest bundle this verifier reads");
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return core::Status("FILE_IO", "cannot read " + path + ": " + std::strerror(errno));
  }
  std::string data(static_cast<size_t>(st.st_size), '\0');
  const size_t got = std::fread(data.data(), 1, data.size(), file);
  const bool more = std::fgetc(file) != EOF;
  std::fclose(file);
  if (got != data.size() || more) {
    return core::Status("FILE_IO", path + " changed while it was read");
  }
  return data;
}

std::string FailureLine(const core::ProofFailure& f) {
  std::string where = f.tx_index >= 0      ? "tx #" + std::to_string(f.tx_index)
                      : f.block_index >= 0 ? "block #" + std::to_string(f.block_index)
                                           : "bundle";
  if (!f.tx_hash_hex.empty()) where += " (" + f.tx_hash_hex.substr(0, 16) + "…)";
  return "  FAIL " + where + " [" + f.check + "] " + f.message + "\n";
}

std::string ReportText(const core::ProofReport& r, const std::string& lot_id) {
  std::string out = std::string(r.ok ? "VALID" : "INVALID") + ": proof of lot " + lot_id;
  if (r.anchor_height > 0) {
    out += " as of height " + std::to_string(r.anchor_height) + " (block time " +
           FormatDate(r.anchor_time_unix_ms) + ")";
  }
  out += "\n";
  out += RenderFields({{"transactions checked", std::to_string(r.txs_checked)},
                       {"transactions replayed", std::to_string(r.txs_replayed)},
                       {"certified blocks", std::to_string(r.blocks)},
                       {"as of height", r.anchor_height > 0 ? std::to_string(r.anchor_height)
                                                            : "unknown (no usable anchor)"}});
  if (r.ok) {
    out += "The bundle holds the lot's whole history, every upstream lot that feeds its figures,\n"
           "and every audit and open risk flag of the facilities on its path, as of that height.\n";
  }
  for (const auto& f : r.failures) out += FailureLine(f);
  if (r.ok || !r.lot.lot_id().empty()) {
    const v1::RollUp& roll = r.roll_up;
    std::string countries;
    for (const auto& c : roll.origin_countries()) countries += (countries.empty() ? "" : ", ") + c;
    out += "Recomputed from the bundle:\n" +
           RenderFields({{"  mass", FormatMass(roll.mass_grams())},
                         {"  footprint", FormatCo2e(roll.footprint_co2e_grams())},
                         {"  per kWh", r.lot.has_battery()
                                           ? FormatMgPer(roll.co2e_mg_per_kwh(), "kWh")
                                           : "n/a: no battery registered for this lot"},
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
  core::ProofReport report;
  std::string lot_id;
  {
    // The file's bytes are freed once parsed: the verifier then holds the parsed bundle, its
    // per-entry checks and the replayed state (docs/PROOF-VERIFY.md "Resources").
    v1::ProofBundle bundle;
    bool parsed = false;
    {
      LOTCHAIN_ASSIGN_OR_RETURN(std::string bytes, ReadBundleFile(a.file));
      parsed = bundle.ParseFromString(bytes);
      if (!parsed) report = core::VerifyProofBundleBytes(genesis, bytes);  // "bundle" failure
    }
    if (parsed) {
      ProgressLine progress;
      core::ProofVerifyOptions options{.min_height = a.min_height, .progress = {}};
      options.progress = [&progress](std::string_view stage, size_t done, size_t total) {
        progress.Show("verifying: " + std::string(stage) +
                      (total > 1 ? " " + std::to_string(done) + " / " + std::to_string(total)
                                 : std::string()));
      };
      report = core::VerifyProofBundle(genesis, bundle, options);
    }
    lot_id = report.lot.lot_id().empty() ? bundle.lot_id() : report.lot.lot_id();
  }
  const std::string lot_text = lot_id.empty() ? "(unknown: the bundle names no lot)" : lot_id;
  if (s.options.json) {
    nlohmann::json j = {{"ok", report.ok},
                        {"lot_id", lot_id},
                        {"txs_checked", report.txs_checked},
                        {"txs_replayed", report.txs_replayed},
                        {"blocks", report.blocks},
                        {"height_max", report.height_max},
                        {"anchor_height", report.anchor_height},
                        {"anchor_time_unix_ms", report.anchor_time_unix_ms},
                        {"failures", nlohmann::json::array()},
                        {"roll_up", ProtoToJson(report.roll_up)}};
    for (const auto& f : report.failures) {
      j["failures"].push_back({{"tx_index", f.tx_index},
                               {"block_index", f.block_index},
                               {"tx_hash", f.tx_hash_hex},
                               {"check", f.check},
                               {"message", f.message}});
    }
    s.Print(j.dump(2) + "\n");
  } else {
    s.Print(ReportText(report, lot_text));
  }
  if (report.ok) return core::Status::Ok();
  return core::Status(kProofInvalid, std::to_string(report.failures.size()) +
                                         " check(s) failed; the bundle does not prove lot " + lot_text);
}

#else

core::Status Verify(Session&, const ProofArgs&) {
  return core::Status("UNSUPPORTED", "this build has no proof verifier "
                                     "(consensus/core/proof_verify.h); update and rebuild");
}

#endif

// The chain identity an auditor compares with the one a bundle names (docs/FORMAT.md "Genesis
// hash"): it does not depend on whitespace, key order or validator addresses.
core::Status GenesisHash(Session& s, const std::string& file) {
  LOTCHAIN_ASSIGN_OR_RETURN(core::Genesis genesis, LoadGenesis(file));
  if (s.options.json) {
    nlohmann::json j = {{"chain_id", genesis.chain_id},
                        {"genesis_hash", core::ToHex(genesis.hash)},
                        {"members", genesis.members.size()},
                        {"validators", genesis.validators.size()}};
    s.Print(j.dump(2) + "\n");
  } else {
    s.Print("chain " + genesis.chain_id + "  genesis hash " + core::ToHex(genesis.hash) + "  (" +
            std::to_string(genesis.members.size()) + " members, " +
            std::to_string(genesis.validators.size()) + " validators)\n");
  }
  return core::Status::Ok();
}

}  // namespace

void AddProofCommands(CLI::App& app, Session& session, Action& action) {
  auto genesis_file = std::make_shared<std::string>();
  CLI::App* genesis = app.add_subcommand("genesis", "the consortium's genesis file");
  genesis->require_subcommand(1);
  CLI::App* hash = genesis->add_subcommand(
      "hash", "print a genesis file's chain id and hash (the chain's identity; offline)");
  hash->add_option("FILE", *genesis_file, "genesis.json")->required();
  hash->callback([&session, &action, genesis_file] {
    action = [&session, genesis_file] { return GenesisHash(session, *genesis_file); };
  });

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
  verify->add_option("--min-height", args->min_height,
                     "refuse a bundle that speaks for an earlier height than this one (e.g. the "
                     "chain height you saw yourself): an old proof presented as current");
  verify->callback([&session, &action, args] { action = [&session, args] { return Verify(session, *args); }; });
}

}  // namespace lotchain::wallet
