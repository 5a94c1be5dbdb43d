// gRPC client of a lotchain node (service lotchain.v1.Ledger, proto/lotchain/v1/api.proto).
//
// Every call has a deadline; failures become a Status whose code is NODE_UNREACHABLE (connection
// refused, DNS, the node down: exit 3), RPC_FAILED (other gRPC errors: exit 3), TX_REJECTED (a
// submitted transaction refused at admission, e.g. REPLAYED_NONCE: exit 4) or NOT_FOUND (a lot
// that does not exist: exit 1). Messages name the node and say what to try next.
// Not thread-safe; one Client per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consensus/core/genesis.h"
#include "consensus/core/result.h"
#include "lotchain/v1/api.grpc.pb.h"

namespace lotchain::wallet {

// Traces, GetLotProof bundles and long histories can be large (the node allows 64 MiB
// responses). Proofs come through StreamLotProof in fragments of about 1 MiB, whatever the
// bundle's size, so this limit does not bound them (docs/PROOFS.md "Limits").
inline constexpr int kClientReceiveBytesMax = 80 << 20;
// Attempts of StreamLotProof while the node answers PROOF_BUSY (all its proof-build slots
// taken), with a back-off of 1, 2, 4, 8 s between them.
inline constexpr int kProofBusyAttempts = 5;
inline constexpr uint32_t kDefaultTimeoutMs = 10'000;

struct ClientOptions {
  std::string target;  // host:port of the node's gRPC listener
  uint32_t timeout_ms = kDefaultTimeoutMs;
};

// --node HOST:PORT, else $LOTCHAIN_NODE, else 127.0.0.1:26700 (node0 of `lotchaind testnet`).
std::string ResolveNodeTarget(const std::string& flag_value);
// "a:1, b:2" -> {"a:1", "b:2"}: the nodes of a --node list, in order (empty items dropped).
std::vector<std::string> SplitNodeTargets(const std::string& list);

class Client {
 public:
  explicit Client(ClientOptions options);

  const std::string& target() const { return options_.target; }

  core::Result<v1::NodeStatus> GetStatus();
  core::Result<v1::Lot> GetLot(const std::string& lot_id);
  core::Result<v1::LotHistory> GetLotHistory(const std::string& lot_id);
  // Asks for up to `max_nodes` lots (the node caps it at core::kTraceNodesMax; 0 = the node's
  // default, core::kTraceNodesDefault). A trace whose encoding exceeds the node's response limit
  // fails with TRACE_TOO_LARGE rather than arriving cut.
  core::Result<v1::Trace> Trace(const std::string& lot_id, v1::TraceDirection direction,
                                uint32_t max_nodes);
  core::Result<v1::TxStatus> GetTxStatus(const std::string& tx_hash);
  core::Result<v1::ProofBundle> GetLotProof(const std::string& lot_id);
  // Streams the lot's proof: `sink` gets each fragment in order (concatenating their encodings
  // gives the bundle's). A non-OK status from `sink` cancels the call and is returned. When the
  // node is busy (PROOF_BUSY) before the first fragment, retries kProofBusyAttempts times.
  core::Status StreamLotProof(const std::string& lot_id,
                              const std::function<core::Status(const v1::ProofBundle&)>& sink);
  // Raw state records by key, all from one snapshot (the preflight's reads; at most 256 keys).
  core::Result<v1::ReadStateResponse> ReadState(const std::vector<std::string>& keys);
  // The genesis the node runs, parsed; GENESIS_MISMATCH if its hash is not the one it names.
  core::Result<core::Genesis> GetGenesis();
  // The member and last committed nonce of a signing key (NOT_FOUND: no member's key).
  core::Result<v1::SignerInfo> GetSigner(const std::string& public_key);
  // One page of a listing (api.proto ListRequest).
  core::Result<v1::ListResponse> List(const v1::ListRequest& request);
  // Streams committed blocks from `from_height` (0 = the next block) to `sink` until the sink
  // returns an error (returned) or the stream ends (its status). No deadline: a watch is long.
  core::Status WatchCommits(uint64_t from_height,
                            const std::function<core::Status(const v1::CommitEvent&)>& sink);
  core::Result<v1::BlockWithCert> GetBlock(uint64_t height);
  // Submits a SignedTx encoding; with `wait_ms` > 0 waits up to that long for the commit.
  core::Result<v1::TxStatus> SubmitTx(const std::string& signed_tx_bytes, uint32_t wait_ms);

 private:
  // One unary call with the client's deadline; a failure becomes ToStatus(status, what).
  template <typename Request, typename Response>
  core::Result<Response> Call(grpc::Status (v1::Ledger::Stub::*method)(grpc::ClientContext*,
                                                                       const Request&, Response*),
                              const Request& request, const char* what) {
    grpc::ClientContext context;
    Prepare(context);
    Response response;
    grpc::Status s = (stub_.get()->*method)(&context, request, &response);
    if (!s.ok()) return ToStatus(s, what);
    return response;
  }
  core::Status ToStatus(const grpc::Status& status, const std::string& what) const;
  void Prepare(grpc::ClientContext& context, uint32_t extra_ms = 0) const;

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Ledger::Stub> stub_;
};

}  // namespace lotchain::wallet
