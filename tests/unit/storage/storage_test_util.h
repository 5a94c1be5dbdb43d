// Test support for the block store: temporary directories and a deterministic synthetic chain.
//
// The synthetic chain stands in for the custody executor where a test is about storage, not
// custody rules: block h carries a fixed list of tiny "transactions" (put / del / inc on state
// keys, including "e/" lot-event keys), and SyntheticExecute turns them into a core::ExecutedBlock
// exactly the way the real executor's output is shaped (one result per tx, delta, state root
// committed by core::StateTree). Everything is a pure function of the height and the state,
// so a parent process can recompute what a killed child must have committed.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/core/assert.h"
#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/merkle.h"
#include "consensus/core/state.h"
#include "lotchain/v1/block.pb.h"
#include "node/storage/block_store.h"

namespace lotchain::node::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/lotchain-storage-XXXXXX";
    LOTCHAIN_ASSERT(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code error;
    std::filesystem::remove_all(path_, error);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

// A genesis with a few member-like records; `tag` varies the hash.
inline GenesisState SyntheticGenesis(std::string_view tag = "genesis-1") {
  GenesisState genesis;
  genesis.hash = core::Sha256(tag);
  genesis.delta.Put("m/cobalt-mine-co", "member:cobalt-mine-co");
  genesis.delta.Put("m/refiner-co", "member:refiner-co");
  genesis.delta.Put("c/counter", "0");
  genesis.state_root = core::StateTree().Apply(genesis.delta).Root();
  return genesis;
}

// Transactions of synthetic block `height`: "put|key|value", "del|key" or "inc|key".
inline std::vector<std::string> SyntheticTxs(uint64_t height, uint32_t tx_count = 6) {
  std::vector<std::string> txs;
  const std::string h = std::to_string(height);
  for (uint32_t i = 0; i < tx_count; ++i) {
    const std::string lot = "lot-" + std::to_string((height * 7 + i) % 40);
    switch (i % 6) {
      case 0:
        txs.push_back("put|l/" + lot + "|mass=" + h + "/" + std::to_string(i));
        break;
      case 1:
        txs.push_back("inc|c/counter");
        break;
      case 2:
        txs.push_back("put|e/" + lot + "/" + h + "." + std::to_string(i) + "|event@" + h);
        break;
      case 3:
        txs.push_back("del|l/lot-" + std::to_string((height + 13) % 40));
        break;
      case 4:
        txs.push_back("put|f/facility-" + std::to_string(height % 5) + "|" + std::string(64, 'x') +
                      h);
        break;
      default:
        txs.push_back("inc|e/lot-" + std::to_string(height % 3) + "/count");
        break;
    }
  }
  return txs;
}

// The synthetic executor: applies `txs` in order on `state`, reading its own earlier writes.
inline core::ExecutedBlock SyntheticExecute(const core::StateReader& state,
                                            std::string_view prev_root,
                                            const std::vector<std::string>& txs) {
  core::ExecutedBlock out;
  std::vector<std::string> result_leaves;
  for (const std::string& tx : txs) {
    const core::OverlayState view(state, out.delta);
    const size_t first = tx.find('|');
    const size_t second = tx.find('|', first + 1);
    const std::string op = tx.substr(0, first);
    const std::string key =
        tx.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    if (op == "put") out.delta.Put(key, tx.substr(second + 1));
    if (op == "del") out.delta.Delete(key);
    if (op == "inc") {
      const std::optional<std::string> value = view.Get(key);
      out.delta.Put(key, std::to_string(value.has_value() ? std::stoull(*value) + 1 : 1));
    }
    v1::TxResult& result = out.results.emplace_back();
    result.set_tx_hash(core::Sha256(tx));
    result.set_code(v1::TX_CODE_OK);
    result_leaves.push_back(result.SerializeAsString());
  }
  // The tree of `state`, rebuilt from all of it (test states are small).
  core::StateTree::Builder builder;
  for (const auto& [key, value] : state.Scan("", SIZE_MAX)) builder.Put(key, value);
  const core::StateTree prev = builder.Finish();
  LOTCHAIN_ASSERT(prev.Root() == prev_root);
  out.prev_state_root = prev.Root();
  out.tree = prev.Apply(out.delta);
  out.state_root = out.tree.Root();
  out.tx_root = core::MerkleRoot(txs);
  out.results_root = core::MerkleRoot(result_leaves);
  return out;
}

struct BlockParts {
  v1::Block block;
  v1::CommitCertificate certificate;
  core::ExecutedBlock executed;
};

// Block `tip.height + 1` carrying `txs` whose execution gave `executed`, with its certificate.
inline BlockParts MakeBlock(const Tip& tip, const std::vector<std::string>& txs,
                            core::ExecutedBlock executed, int64_t time_unix_ms) {
  BlockParts parts;
  parts.executed = std::move(executed);
  v1::BlockHeader header;
  header.set_chain_id("lotchain-storage-test");
  header.set_height(tip.height + 1);
  header.set_time_unix_ms(time_unix_ms);
  header.set_prev_block_hash(tip.last_block_hash);
  header.set_tx_root(parts.executed.tx_root);
  header.set_results_root(parts.executed.results_root);
  header.set_state_root(parts.executed.state_root);
  header.set_tx_count(static_cast<uint32_t>(txs.size()));
  parts.block.set_header(header.SerializeAsString());
  for (const std::string& tx : txs) parts.block.add_txs(tx);
  parts.certificate.set_height(header.height());
  parts.certificate.set_block_hash(core::Sha256(parts.block.header()));
  v1::Vote* vote = parts.certificate.add_precommits();
  vote->set_validator(std::string(32, 'v'));
  vote->set_signature(std::string(64, 's'));
  return parts;
}

// Block `tip.height + 1` with synthetic `txs`, executed on `state` (the state at `tip`).
inline BlockParts BuildBlock(const Tip& tip, const core::StateReader& state,
                             const std::vector<std::string>& txs) {
  return MakeBlock(tip, txs, SyntheticExecute(state, tip.state_root, txs),
                   static_cast<int64_t>(tip.height + 1) * 1000);
}

// The expected chain, kept in memory: what a store must contain after blocks 1..height().
class ModelChain {
 public:
  explicit ModelChain(const GenesisState& genesis) {
    state_.Apply(genesis.delta);
    tip_ = Tip{0, genesis.state_root, genesis.hash};
  }

  // Builds the next block from SyntheticTxs and applies it to the model.
  BlockParts Next(uint32_t tx_count = 6) { return Apply(SyntheticTxs(tip_.height + 1, tx_count)); }
  BlockParts Apply(const std::vector<std::string>& txs) {
    BlockParts parts = BuildBlock(tip_, state_, txs);
    state_.Apply(parts.executed.delta);
    tip_ = Tip{tip_.height + 1, parts.executed.state_root, core::Sha256(parts.block.header())};
    blocks_.push_back(parts.block.SerializeAsString());
    return parts;
  }

  const Tip& tip() const { return tip_; }
  const core::MemState& state() const { return state_; }
  // Serialized block at `height` (1-based).
  const std::string& BlockBytes(uint64_t height) const { return blocks_.at(height - 1); }

 private:
  core::MemState state_;
  Tip tip_;
  std::vector<std::string> blocks_;
};

inline constexpr size_t kScanAll = 1u << 20;

}  // namespace lotchain::node::testing
