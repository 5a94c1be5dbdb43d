// lotchain-sim: runs the deterministic cluster simulator over a range of seeds.
//
//   lotchain-sim --seeds 2000 [--first-seed 1] --validators 4 --byzantine 1 --faults all
//   lotchain-sim --seed 17 --validators 4 --byzantine 1 --faults all --trace   (replay one)
//   add --governance: a standby validator is voted in and out during the faults
//
// Prints one summary line; a failing seed prints its violations, the command that replays it and
// the trace of the events that led there. Exit code 0 iff no violation (with
// --expect-violation: iff at least one violation, which is how the bite tests use it).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <google/protobuf/stubs/logging.h>

#include "tests/sim/cluster.h"

namespace {

struct Args {
  uint64_t seeds = 1;
  uint64_t first_seed = 1;
  std::string faults = "all";
  bool expect_violation = false;
  lotchain::sim::RunOptions run;
};

bool ParseArgs(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    auto number = [&]() -> uint64_t { return std::strtoull(value().c_str(), nullptr, 10); };
    if (flag == "--seeds") {
      args->seeds = number();
    } else if (flag == "--first-seed") {
      args->first_seed = number();
    } else if (flag == "--seed") {
      args->first_seed = number();
      args->seeds = 1;
    } else if (flag == "--validators") {
      args->run.validators = static_cast<size_t>(number());
    } else if (flag == "--byzantine") {
      args->run.byzantine = static_cast<size_t>(number());
    } else if (flag == "--faults") {
      args->faults = value();
    } else if (flag == "--fault-ticks") {
      args->run.fault_phase_ticks = number();
    } else if (flag == "--liveness-bound") {
      args->run.liveness_bound_ticks = number();
    } else if (flag == "--governance") {
      args->run.governance = true;
    } else if (flag == "--trace") {
      args->run.trace_all = true;
    } else if (flag == "--expect-violation") {
      args->expect_violation = true;
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return false;
    }
  }
  if (!lotchain::sim::FaultSet::Parse(args->faults, &args->run.faults)) {
    std::fprintf(stderr, "bad --faults '%s' (all, none, or delay,loss,dup,partition,crash,"
                 "drift,byzantine)\n", args->faults.c_str());
    return false;
  }
  if (args->run.validators < 1 || args->run.validators > 40 ||
      args->run.byzantine * 3 >= args->run.validators) {
    std::fprintf(stderr, "need 1..40 validators and 3 * byzantine < validators\n");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // Garbage bytes from Byzantine validators make protobuf log parse errors; they are expected.
  google::protobuf::SetLogHandler(nullptr);
  Args args;
  if (!ParseArgs(argc, argv, &args)) return 2;
  const auto start = std::chrono::steady_clock::now();
  uint64_t heights = 0, txs = 0, evidence = 0, failed = 0, liveness_max = 0, events = 0;
  std::array<uint64_t, lotchain::sim::kFaultCount> faults{};
  uint64_t seeds_run = 0;
  for (uint64_t s = 0; s < args.seeds; ++s) {
    // A bite test only needs its first catch.
    if (args.expect_violation && failed > 0) break;
    args.run.seed = args.first_seed + s;
    ++seeds_run;
    lotchain::sim::RunResult r = lotchain::sim::RunSeed(args.run);
    heights += r.heights;
    txs += r.txs_committed;
    evidence += r.evidence;
    events += r.events;
    if (r.violations.empty()) liveness_max = std::max(liveness_max, r.liveness_delay_ticks);
    for (size_t f = 0; f < faults.size(); ++f) faults[f] += r.faults[f];
    if (r.violations.empty()) continue;
    ++failed;
    if (failed > 3) continue;  // the first few failures are enough to read
    std::printf("seed %" PRIu64 " FAILED:\n", args.run.seed);
    for (const std::string& v : r.violations) std::printf("  violation: %s\n", v.c_str());
    std::printf("  replay: %s --seed %" PRIu64 " --validators %zu --byzantine %zu --faults %s "
                "--fault-ticks %" PRIu64 " --liveness-bound %" PRIu64 "%s --trace\n",
                argv[0], args.run.seed, args.run.validators, args.run.byzantine,
                args.faults.c_str(), args.run.fault_phase_ticks, args.run.liveness_bound_ticks,
                args.run.governance ? " --governance" : "");
    std::printf("  last events before the violation:\n%s", r.trace.c_str());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string mix;
  uint64_t injected = 0;
  for (size_t f = 0; f < faults.size(); ++f) {
    injected += faults[f];
    if (faults[f] != 0) {
      mix += std::string(mix.empty() ? "" : " ") + lotchain::sim::FaultName(f) + "=" +
             std::to_string(faults[f]);
    }
  }
  std::printf("seeds=%" PRIu64 " (%" PRIu64 "..%" PRIu64 ") n=%zu byzantine=%zu heights=%" PRIu64
              " txs=%" PRIu64 " faults=%" PRIu64 " evidence=%" PRIu64
              " max_liveness_after_heal_ticks=%" PRIu64 " violations=%" PRIu64
              " seeds_per_s=%.1f events=%" PRIu64 " [%s]\n",
              seeds_run, args.first_seed, args.first_seed + seeds_run - 1,
              args.run.validators, args.run.byzantine, heights, txs, injected, evidence,
              liveness_max, failed, static_cast<double>(seeds_run) / seconds, events,
              mix.c_str());
  if (args.expect_violation) return failed > 0 ? 0 : 1;
  return failed == 0 ? 0 : 1;
}
