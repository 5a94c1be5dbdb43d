// `lotchain watch` (docs/WALLET.md "Watching the chain"): every committed transaction as one
// JSON line on stdout, for integration scripts (an ERP bridge, an alerting job). Reads the
// node's WatchCommits stream and each block's transactions; resumes from the next height after
// a lost connection, a node restart or a slow consumer, so no committed transaction is skipped
// or repeated while the watch runs.
#include <chrono>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "consensus/core/crypto.h"
#include "consensus/core/state_keys.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

struct WatchArgs {
  uint64_t from_height = 0;   // 0 = the next block
  uint64_t until_height = 0;  // 0 = forever
};

constexpr int kBackoffMaxSeconds = 8;

class Watcher {
 public:
  Watcher(Session& s, const WatchArgs& a) : s_(s), a_(a) {}

  core::Status Run() {
    uint64_t next = a_.from_height;
    if (next == 0) {
      // "From the next block" is fixed now, so a reconnect before the first event resumes at
      // that height instead of skipping what committed meanwhile.
      LOTCHAIN_ASSIGN_OR_RETURN(v1::NodeStatus status, s_.client().GetStatus());
      next = status.height() + 1;
    }
    int backoff = 1;
    for (;;) {
      core::Status ended = s_.client().WatchCommits(next, [&](const v1::CommitEvent& event) {
        LOTCHAIN_RETURN_IF_ERROR(Emit(event));
        next = event.height() + 1;
        backoff = 1;
        if (a_.until_height != 0 && event.height() >= a_.until_height) {
          return core::Status("WATCH_DONE", "");
        }
        return core::Status::Ok();
      });
      if (ended.code() == "WATCH_DONE") return core::Status::Ok();
      // A node behind the one we watched answers OUT_OF_RANGE for a height we already reached;
      // a stalled stream is cancelled (RPC_FAILED); a GetBlock may time out: all pass.
      const bool resumed_range = ended.code() == "OUT_OF_RANGE" && next != a_.from_height;
      const bool transient = ended.code() == kNodeUnreachable || ended.code() == "STREAM_BEHIND" ||
                             ended.code() == "STREAM_ENDED" || ended.code() == kRpcFailed ||
                             resumed_range;
      if (!transient) return ended;
      const std::string before = s_.client().target();
      if (ended.code() == kNodeUnreachable && s_.FailOver() && s_.client().target() != before) {
        s_.Note("watch: " + ended.message() + "; continuing with node " + s_.client().target() +
                "\n");
        continue;
      }
      s_.Note("watch: " + ended.message() + "; resuming from height " + std::to_string(next) +
              " in " + std::to_string(backoff) + " s\n");
      std::this_thread::sleep_for(std::chrono::seconds(backoff));
      backoff = std::min(backoff * 2, kBackoffMaxSeconds);
    }
  }

 private:
  core::Status Emit(const v1::CommitEvent& event) {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::BlockWithCert block, s_.client().GetBlock(event.height()));
    v1::BlockHeader header;
    if (!header.ParseFromString(block.block().header()) ||
        block.block().txs_size() != event.results_size()) {
      return core::Status(kRpcFailed, "block " + std::to_string(event.height()) +
                                          " from node " + s_.client().target() +
                                          " does not match its commit event");
    }
    for (int i = 0; i < event.results_size(); ++i) {
      const v1::TxResult& result = event.results(i);
      nlohmann::json line = {{"height", event.height()},
                             {"block_hash", core::ToHex(event.block_hash())},
                             {"time", FormatDate(header.time_unix_ms())},
                             {"index", i},
                             {"tx_hash", core::ToHex(result.tx_hash())},
                             {"status", result.code() == v1::TX_CODE_OK ? "applied" : "rejected"}};
      if (result.code() != v1::TX_CODE_OK) {
        line["reason"] = result.reason();
        line["message"] = result.message();
      }
      v1::SignedTx tx;
      v1::TxBody body;
      if (tx.ParseFromString(block.block().txs(i)) && body.ParseFromString(tx.body())) {
        line["event"] = EventName(body);
        line["story"] = OrgOf(tx.signer()) + " " + TxStory(body);
        line["signer"] = core::ToHex(tx.signer());
        line["org"] = OrgOf(tx.signer());
        line["body"] = ProtoToJson(body);
      }
      std::cout << line.dump() << "\n" << std::flush;
    }
    return core::Status::Ok();
  }

  // The member organisation of a signing key, read once per key.
  std::string OrgOf(const std::string& key) {
    if (auto it = orgs_.find(key); it != orgs_.end()) return it->second;
    std::string org;
    core::Result<v1::ReadStateResponse> read = s_.client().ReadState({core::keys::SignerOrg(key)});
    if (read.ok() && read->entries(0).present()) org = read->entries(0).value();
    if (read.ok()) orgs_[key] = org;  // a failed read is retried next time
    return org;
  }

  Session& s_;
  const WatchArgs& a_;
  std::map<std::string, std::string> orgs_;
};

}  // namespace

void AddWatchCommand(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<WatchArgs>();
  CLI::App* watch = app.add_subcommand(
      "watch", "print every committed transaction as a JSON line (for scripts), until Ctrl-C");
  watch->add_option("--from-height", args->from_height,
                    "start at this height (replays stored blocks; default: the next block)");
  watch->add_option("--until-height", args->until_height, "stop after this height");
  watch->callback([&session, &action, args] {
    action = [&session, args] { return Watcher(session, *args).Run(); };
  });
}

}  // namespace lotchain::wallet
