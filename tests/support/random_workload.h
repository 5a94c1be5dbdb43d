// RandomWorkload: a seeded generator of realistic, mostly valid custody blocks.
//
// Used by the custody property tests, the consensus simulator and the benchmarks. Given a seed
// and a TestChain, NextBlock() reads the chain's committed state and returns the next block's
// transactions, already signed with TestChain::Sign (so TestChain's nonce counters advance).
// The mix follows a battery supply chain: facilities, origin lots with element compositions,
// transfers (offer / accept / reject / cancel), transforms with 1-4 inputs (partial and full
// consumption) and 1-4 outputs holding a random fraction of the consumed element grams,
// recoveries, audits, risk flags (raise / resolve), battery data (register / state of health /
// repurpose) and retirement.
//
// About `invalid_percent` of the transactions are deliberately invalid (wrong custodian, stale
// prev hash, too much mass, element increase, replayed nonce, bad signature, unknown lot, ...).
// Every transaction carries the outcome the generator predicts: `expected_reason` is empty for a
// transaction meant to apply and the exact rejection code (custody_codes.h) otherwise. The
// prediction is exact as long as the block is executed as produced on top of the state the
// generator read, i.e. `chain.SubmitBlock(SignedTxs(block))` before the next NextBlock call.
//
// Determinism: the output is a pure function of the seed, the options and the chain's state
// (same seed + same chain history = byte-identical signed transactions). No clock, no
// std::random_device; the PRNG is xoshiro256** seeded through splitmix64.
//
// Not thread-safe; one workload drives one chain.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lotchain/v1/state.pb.h"
#include "lotchain/v1/tx.pb.h"
#include "tests/support/test_chain.h"

namespace lotchain::testing {

// xoshiro256** (Blackman & Vigna), state seeded with splitmix64 so any 64-bit seed works.
class Prng {
 public:
  explicit Prng(uint64_t seed);
  uint64_t Next();
  // Uniform in [0, bound); bound > 0. Unbiased (rejection sampling).
  uint64_t Below(uint64_t bound);
  // Uniform in [min, max]; min <= max.
  uint64_t Between(uint64_t min, uint64_t max);
  // True with probability percent / 100.
  bool Percent(uint32_t percent) { return Below(100) < percent; }

 private:
  uint64_t s_[4];
};

struct WorkloadOptions {
  size_t block_txs_min = 1;
  size_t block_txs_max = 8;
  uint32_t invalid_percent = 15;  // share of deliberately invalid transactions
  size_t live_lots_target = 150;  // above this, fewer origin lots and more consumption / retirement
  std::string id_prefix;          // prepended to every generated id (lots, facilities, ...)
};

struct WorkloadTx {
  std::string org;           // the signing organisation
  v1::TxBody body;           // as signed (chain id and nonce filled in)
  std::string signed_bytes;  // the SignedTx encoding that goes into the block
  std::string action;        // e.g. "transform", "offer"; for invalid ones the fault, e.g. "stale_prev"
  std::string expected_reason;  // "" = expected to apply; otherwise the expected rejection code
};

class RandomWorkload {
 public:
  explicit RandomWorkload(uint64_t seed, WorkloadOptions options = {});

  // The next block for `chain` (between block_txs_min and block_txs_max transactions; fewer only
  // while nothing sensible can be built). Signs with chain.Sign, which advances its nonces.
  std::vector<WorkloadTx> NextBlock(TestChain& chain);

  // The signed bytes of `block`, in order: what ExecuteBlock / TestChain::SubmitBlock take.
  static std::vector<std::string> SignedTxs(const std::vector<WorkloadTx>& block);

  uint64_t seed() const { return seed_; }

 private:
  struct Fac {
    std::string id;
    std::string owner;
    v1::FacilityKind kind = v1::FACILITY_KIND_UNSPECIFIED;
  };
  struct Flag {
    std::string id;
    std::string raiser;
  };
  struct Replayable {
    std::string org;
    std::string signer;
    uint64_t nonce = 0;
    std::string bytes;
  };
  class Builder;  // one NextBlock call (random_workload.cc)
  friend class Builder;

  void Refresh(const TestChain& chain);
  std::string NewId(const char* kind);

  uint64_t seed_;
  WorkloadOptions options_;
  Prng prng_;
  uint64_t id_count_ = 0;
  std::map<std::string, std::vector<v1::Role>> roles_;  // org -> roles, from genesis
  std::vector<Fac> facilities_;                         // confirmed on chain
  std::vector<Fac> facilities_pending_;                 // submitted in the last block
  std::vector<std::string> live_lot_ids_;               // ACTIVE or IN_TRANSIT, confirmed
  std::vector<std::string> lots_pending_;               // created in the last block
  std::vector<std::string> dead_lot_ids_;               // consumed or retired (a bounded sample)
  std::vector<Flag> open_flags_;
  std::vector<Flag> flags_pending_;
  std::vector<Replayable> replayable_;    // committed-nonce txs of the last blocks
  std::vector<Replayable> replay_pending_;
  std::map<std::string, v1::Lot> lots_;   // live lots as of the last Refresh
  std::map<std::string, std::string> lot_bytes_;  // their encodings, to skip re-parsing
};

}  // namespace lotchain::testing
