// `lotchain export --format F LOT [-o FILE]`: a lot's documents for other systems, through the
// core's export seam (consensus/core/export_format.h), and the trace + passport inputs that
// `passport` shares.
#include <chrono>

#include "consensus/core/crypto.h"
#include "consensus/core/export_format.h"
#include "consensus/core/queries.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/passport.h"
#include "wallet-cli/progress.h"

namespace lotchain::wallet {

core::Result<PassportInputs> LoadPassportInputs(Session& s, const std::string& lot_id,
                                                const std::string& genesis_path,
                                                uint32_t max_nodes) {
  PassportInputs in;
  if (!genesis_path.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(in.genesis, LoadGenesis(genesis_path));
    LOTCHAIN_ASSIGN_OR_RETURN(v1::NodeStatus st, s.client().GetStatus());
    if (st.genesis_hash() != in.genesis->hash) {
      return core::Status("BAD_INPUT", genesis_path + " is not this chain's genesis (hash " +
                                           core::ToHex(in.genesis->hash) + ", node has " +
                                           core::ToHex(st.genesis_hash()) + ")");
    }
  }
  core::Result<v1::Trace> traced = [&] {
    ProgressTicker waiting("tracing " + lot_id + " back to the mines");
    return s.client().Trace(lot_id, v1::TRACE_DIRECTION_UPSTREAM, max_nodes);
  }();
  LOTCHAIN_ASSIGN_OR_RETURN(in.trace, std::move(traced));
  if (in.trace.nodes_size() == 0) return core::Status("NOT_FOUND", "empty trace for " + lot_id);
  // Targets are in force by the time of the block the trace holds as of, not the wall clock:
  // the same chain state gives the same document whenever it is exported.
  in.passport = BuildPassport(in.trace, in.genesis ? &*in.genesis : nullptr,
                              in.trace.as_of_time_unix_ms());
  return in;
}

namespace {

struct ExportArgs {
  std::string format;
  std::string lot_id;
  std::string out;
  std::string genesis;
  std::vector<std::string> declare;  // KEY=VALUE
  uint32_t max_nodes = core::kTraceNodesMax;
};

core::Result<core::ExportDeclarations> ParseDeclarations(const std::vector<std::string>& items) {
  core::ExportDeclarations out;
  for (const auto& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return core::Status("BAD_INPUT", "--declare takes KEY=VALUE, got \"" + item + "\"");
    }
    out[item.substr(0, eq)].push_back(item.substr(eq + 1));
  }
  return out;
}

core::Status ExportCmd(Session& s, const ExportArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(const core::ExportFormat* format, core::FindExportFormat(a.format));
  LOTCHAIN_ASSIGN_OR_RETURN(core::ExportDeclarations declared, ParseDeclarations(a.declare));
  LOTCHAIN_ASSIGN_OR_RETURN(PassportInputs in,
                            LoadPassportInputs(s, a.lot_id, a.genesis, a.max_nodes));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::NodeStatus status, s.client().GetStatus());
  core::ExportSource source{.upstream = &in.trace,
                            .passport = &in.passport,
                            .genesis = in.genesis ? &*in.genesis : nullptr,
                            .chain_id = status.chain_id(),
                            .declarations = &declared};
  LOTCHAIN_ASSIGN_OR_RETURN(std::string document, format->Render(source));
  if (a.out.empty() || a.out == "-") {
    s.Print(document);
    return core::Status::Ok();
  }
  return WriteOutput(a.out, document);
}

std::string FormatList() {
  std::string out = "Formats:\n";
  for (const core::ExportFormat* f : core::ExportFormats()) {
    out += "  " + std::string(f->name()) + "\n      " + std::string(f->summary()) + "\n";
  }
  return out +
         "\nMappings, declarations and licence notices (pact is derived from the PACT Technical "
         "Specifications, (c) WBCSD): docs/EXPORTS.md\n";
}

}  // namespace

void AddExportCommand(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* exp = app.add_subcommand("export", "write a lot's document in a format other systems read");
  exp->add_option("--format", args->format, "the document format (listed below)")->required();
  exp->add_option("LOT", args->lot_id, "lot id")->required();
  exp->add_option("-o,--out", args->out, "file to write (default: standard output)");
  exp->add_option("--genesis", args->genesis,
                  "the chain's genesis.json, for the policy (targets) and the chain's identity");
  exp->add_option("--declare", args->declare,
                  "KEY=VALUE: a fact the chain does not hold that the format requires, declared "
                  "by you (repeatable; each format names its keys, see docs/EXPORTS.md)")
      ->allow_extra_args(false);
  exp->add_option("--max-nodes", args->max_nodes,
                  "trace at most this many lots (default: all, up to the node's maximum)")
      ->capture_default_str()
      ->check(CLI::Range(1u, core::kTraceNodesMax));
  exp->footer(FormatList());
  exp->callback([&session, &action, args] {
    action = [&session, args] { return ExportCmd(session, *args); };
  });
}

}  // namespace lotchain::wallet
