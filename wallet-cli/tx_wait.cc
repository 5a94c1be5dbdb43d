#include "wallet-cli/tx_wait.h"

#include <unistd.h>

#include <csignal>
#include <cstring>

#include "wallet-cli/errors.h"

namespace lotchain::wallet {

namespace {

// Written by the constructor before the handler is installed, read only by the handler.
char g_interrupt_message[512];
size_t g_interrupt_length = 0;

extern "C" void OnInterrupt(int) {
  // Only async-signal-safe calls here: write(2) and _exit(2).
  ssize_t ignored = write(STDERR_FILENO, g_interrupt_message, g_interrupt_length);
  (void)ignored;
  _exit(130);
}

std::string Seconds(uint32_t ms) {
  return std::to_string(ms / 1000) + (ms % 1000 != 0 ? "." + std::to_string(ms % 1000 / 100) : "") +
         " s";
}

}  // namespace

InterruptNotice::InterruptNotice(const std::string& tx_hash_hex) {
  std::string text = "\ninterrupted: stopped waiting, but tx " + tx_hash_hex +
                     " was submitted and is not withdrawn; check its fate with `lotchain tx "
                     "status " + tx_hash_hex + "`\n";
  g_interrupt_length = std::min(text.size(), sizeof(g_interrupt_message));
  std::memcpy(g_interrupt_message, text.data(), g_interrupt_length);
  std::signal(SIGINT, OnInterrupt);
}

InterruptNotice::~InterruptNotice() { std::signal(SIGINT, SIG_DFL); }

core::Status ExplainPending(Session& s, const std::string& tx_hash_hex, uint32_t wait_ms) {
  const std::string check = "; check it later with `lotchain tx status " + tx_hash_hex + "`";
  const std::string head = "tx " + tx_hash_hex + " is still pending after " + Seconds(wait_ms);
  core::Result<v1::NodeStatus> status = s.client().GetStatus();
  if (!status.ok()) {
    return core::Status(kTxPending, head + ", and node " + s.client().target() +
                                        " no longer answers; the transaction stays submitted" +
                                        check);
  }
  uint32_t total = 0;
  std::string unreachable;
  uint32_t down = 0;
  for (const auto& v : status->validators()) {
    total += 1;
    if (v.connected()) continue;
    down += 1;
    unreachable += (unreachable.empty() ? "" : ", ") + v.id();
  }
  // A commit needs the votes of more than two thirds of the validators (docs/CONSENSUS.md).
  const uint32_t up = total - down;
  if (total > 0 && 3 * up <= 2 * total) {
    return core::Status(kTxPending, head + ": " + std::to_string(down) + " of " +
                                        std::to_string(total) + " validators (" + unreachable +
                                        ") are unreachable from node " + s.client().target() +
                                        ", so there is no quorum and nothing commits. The "
                                        "transaction stays pending and commits once they are "
                                        "back" + check);
  }
  return core::Status(kTxPending, head + " although the node reaches " + std::to_string(up) +
                                      " of " + std::to_string(total) +
                                      " validators (a quorum): the network may be overloaded, "
                                      "or the wait too short (--wait-ms)" + check);
}

}  // namespace lotchain::wallet
