// The deterministic cluster simulator: N engines with the real custody executor on a simulated
// clock and network, every random choice drawn from one seed, invariants checked as it runs.
// A run is a pure function of RunOptions, so a failing seed replays exactly.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace lotchain::sim {

enum Fault : size_t {
  kFaultDelayTail = 0,  // a message delayed far beyond the usual latency (reordering)
  kFaultLoss,
  kFaultDuplicate,
  kFaultPartition,
  kFaultPartitionDrop,
  kFaultCrash,
  kFaultCrashAfterPersist,
  kFaultDrift,
  kFaultEquivocateProposal,
  kFaultDoubleVote,
  kFaultBadSignature,
  kFaultUnknownBlockVote,
  kFaultGarbage,
  kFaultTwin,
  kFaultValidatorChange,        // a validator-set change submitted (add or remove the standby)
  kFaultChangeInPartition,      // ... while a partition was in force
  kFaultCount,
};
const char* FaultName(size_t fault);

struct FaultSet {
  bool delay = false, loss = false, duplicate = false, partition = false, crash = false,
       drift = false, byzantine = false;
  // "all", "none", or a comma list of: delay,loss,dup,partition,crash,drift,byzantine.
  static bool Parse(const std::string& text, FaultSet* out);
};

struct RunOptions {
  uint64_t seed = 1;
  size_t validators = 4;
  size_t byzantine = 1;
  FaultSet faults;
  uint64_t fault_phase_ticks = 10'000;     // faults stop (last heal) at this time; 1 tick = 1 ms
  uint64_t liveness_bound_ticks = 30'000;  // every honest validator decides within this after
  bool trace_all = false;                  // print every event as it happens
  // Validator-set changes by governance (docs/GOVERNANCE.md): a standby validator outside the
  // genesis set follows the chain, is voted in during the fault phase and voted out again.
  bool governance = false;
};

struct RunResult {
  uint64_t heights = 0;  // highest height decided by every honest validator
  uint64_t txs_committed = 0;
  std::array<uint64_t, kFaultCount> faults{};
  uint64_t evidence = 0;
  uint64_t liveness_delay_ticks = 0;  // after the last heal, until all honest decided a new height
  uint64_t events = 0;
  std::vector<std::string> violations;
  std::string trace;  // the last events before the first violation
};

RunResult RunSeed(const RunOptions& options);

}  // namespace lotchain::sim
