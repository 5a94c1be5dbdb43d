#include "wallet-cli/client.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "consensus/core/crypto.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "wallet-cli/errors.h"

namespace lotchain::wallet {

namespace {

// The lotchain code of a node's error: the google.rpc.ErrorInfo detail lotchaind attaches
// (reason, domain "lotchain"), or "" when there is none.
std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info) && info.domain() == "lotchain") return info.reason();
  }
  return "";
}

// Nodes older than the ErrorInfo detail start refusal messages with the code: "REPLAYED_NONCE: …".
bool StartsWithCode(const std::string& message) {
  // Node messages for refused transactions start with a stable code: "REPLAYED_NONCE: ...".
  size_t colon = message.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 40) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = message[i];
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  return true;
}

// SubmitTxRequest carries the SignedTx encoding as bytes (exactly what was signed and hashed);
// older schemas nested the message instead. Compiles against either.
template <typename Request>
core::Status SetSignedTx(Request& request, const std::string& signed_tx_bytes) {
  if constexpr (requires { request.set_signed_tx(signed_tx_bytes); }) {
    request.set_signed_tx(signed_tx_bytes);
  } else {
    if (!request.mutable_tx()->ParseFromString(signed_tx_bytes)) {
      return core::Status("BAD_INPUT", "the signed transaction does not decode as a SignedTx");
    }
  }
  return core::Status::Ok();
}

}  // namespace

std::string ResolveNodeTarget(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("LOTCHAIN_NODE"); env != nullptr && *env != '\0') return env;
  return "127.0.0.1:26700";
}

std::vector<std::string> SplitNodeTargets(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  if (out.empty()) out.push_back(list);
  return out;
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
  LOTCHAIN_ASSERT(!options_.target.empty());
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kClientReceiveBytesMax);
  // Fail fast when the node is down rather than retrying until the deadline.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  channel_ = grpc::CreateCustomChannel(options_.target, grpc::InsecureChannelCredentials(), args);
  stub_ = v1::Ledger::NewStub(channel_);
}

void Client::Prepare(grpc::ClientContext& context, uint32_t extra_ms) const {
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(options_.timeout_ms + extra_ms));
}

core::Status Client::ToStatus(const grpc::Status& status, const std::string& what) const {
  LOTCHAIN_ASSERT(!status.ok());
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return core::Status(kNodeUnreachable,
                          "cannot reach node " + options_.target + " (" + message +
                              "); is lotchaind running there? Use --node HOST:PORT or "
                              "LOTCHAIN_NODE to pick another node");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return core::Status(kRpcFailed, what + " timed out at node " + options_.target + ": " +
                                          message + "; retry, or raise --timeout-ms");
    case grpc::StatusCode::NOT_FOUND:
      return core::Status("NOT_FOUND", message);
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::PERMISSION_DENIED:
      return core::Status("INVALID_ARGUMENT", message);
    default:
      return core::Status(kRpcFailed, what + " failed at node " + options_.target + ": " +
                                          "gRPC code " + std::to_string(static_cast<int>(status.error_code())) + ": " +
                                          message);
  }
}

core::Result<v1::NodeStatus> Client::GetStatus() {
  return Call(&v1::Ledger::Stub::GetStatus, v1::GetStatusRequest(), "GetStatus");
}

core::Result<v1::ReadStateResponse> Client::ReadState(const std::vector<std::string>& keys) {
  grpc::ClientContext context;
  Prepare(context);
  v1::ReadStateRequest request;
  for (const std::string& key : keys) request.add_keys(key);
  v1::ReadStateResponse response;
  grpc::Status s = stub_->ReadState(&context, request, &response);
  if (!s.ok()) return ToStatus(s, "ReadState");
  if (response.entries_size() != request.keys_size()) {
    return core::Status(kRpcFailed, "node " + options_.target + " answered ReadState with " +
                                        std::to_string(response.entries_size()) + " entries for " +
                                        std::to_string(request.keys_size()) + " keys");
  }
  return response;
}

core::Result<core::Genesis> Client::GetGenesis() {
  grpc::ClientContext context;
  Prepare(context);
  v1::GenesisDocument response;
  grpc::Status s = stub_->GetGenesis(&context, v1::GetGenesisRequest(), &response);
  if (!s.ok()) return ToStatus(s, "GetGenesis");
  core::Result<core::Genesis> genesis = core::ParseGenesis(response.json());
  if (!genesis.ok()) {
    return core::Status(kRpcFailed, "node " + options_.target + " serves a genesis that does not "
                                        "parse: " + genesis.status().message());
  }
  if (genesis->hash != response.genesis_hash()) {
    return core::Status("GENESIS_MISMATCH", "node " + options_.target + " serves a genesis that "
                                                "hashes to " + core::ToHex(genesis->hash) +
                                                " but names " + core::ToHex(response.genesis_hash()));
  }
  return genesis;
}

core::Result<v1::SignerInfo> Client::GetSigner(const std::string& public_key) {
  v1::GetSignerRequest request;
  request.set_public_key(public_key);
  return Call(&v1::Ledger::Stub::GetSigner, request, "GetSigner");
}

core::Result<v1::ListResponse> Client::List(const v1::ListRequest& request) {
  return Call(&v1::Ledger::Stub::List, request, "List");
}

core::Result<v1::Lot> Client::GetLot(const std::string& lot_id) {
  v1::GetLotRequest request;
  request.set_lot_id(lot_id);
  return Call(&v1::Ledger::Stub::GetLot, request, "GetLot");
}

core::Result<v1::LotHistory> Client::GetLotHistory(const std::string& lot_id) {
  v1::GetLotHistoryRequest request;
  request.set_lot_id(lot_id);
  return Call(&v1::Ledger::Stub::GetLotHistory, request, "GetLotHistory");
}

core::Result<v1::Trace> Client::Trace(const std::string& lot_id, v1::TraceDirection direction,
                                      uint32_t max_nodes) {
  grpc::ClientContext context;
  Prepare(context);
  v1::TraceRequest request;
  request.set_lot_id(lot_id);
  request.set_direction(direction);
  request.set_max_nodes(max_nodes);
  v1::Trace response;
  grpc::Status s = stub_->Trace(&context, request, &response);
  if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    // The node could not send (or we could not receive) a trace of this many lots in one
    // message (the node sends at most 64 MiB).
    return core::Status(kTraceTooLarge,
                        "the trace of " + lot_id + " from node " + options_.target +
                            " is too large for one response (" + s.error_message() +
                            "); ask for fewer lots with --max-nodes N (the view is then marked "
                            "truncated)");
  }
  if (!s.ok()) return ToStatus(s, "Trace");
  return response;
}

core::Result<v1::TxStatus> Client::GetTxStatus(const std::string& tx_hash) {
  v1::GetTxStatusRequest request;
  request.set_tx_hash(tx_hash);
  return Call(&v1::Ledger::Stub::GetTxStatus, request, "GetTxStatus");
}

core::Result<v1::ProofBundle> Client::GetLotProof(const std::string& lot_id) {
  grpc::ClientContext context;
  Prepare(context, 50'000);  // building a proof walks the lot's whole ancestry
  v1::GetLotProofRequest request;
  request.set_lot_id(lot_id);
  v1::ProofBundle response;
  grpc::Status s = stub_->GetLotProof(&context, request, &response);
  if (!s.ok()) return ToStatus(s, "GetLotProof");
  return response;
}

core::Status Client::StreamLotProof(
    const std::string& lot_id, const std::function<core::Status(const v1::ProofBundle&)>& sink) {
  v1::GetLotProofRequest request;
  request.set_lot_id(lot_id);
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    Prepare(context, 290'000);  // the node cancels a proof stream after 300 s
    std::unique_ptr<grpc::ClientReader<v1::ProofBundle>> reader =
        stub_->StreamLotProof(&context, request);
    v1::ProofBundle fragment;
    size_t fragments = 0;
    core::Status sunk = core::Status::Ok();
    while (reader->Read(&fragment)) {
      fragments += 1;
      sunk = sink(fragment);
      if (!sunk.ok()) {
        context.TryCancel();
        break;
      }
    }
    grpc::Status s = reader->Finish();
    if (!sunk.ok()) return sunk;
    if (s.ok()) return core::Status::Ok();
    const bool busy = s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
                      s.error_message().starts_with("PROOF_BUSY");
    if (busy && fragments == 0 && attempt < kProofBusyAttempts) {
      std::this_thread::sleep_for(std::chrono::seconds(1 << (attempt - 1)));
      continue;
    }
    return ToStatus(s, "StreamLotProof");
  }
}

core::Status Client::WatchCommits(
    uint64_t from_height, const std::function<core::Status(const v1::CommitEvent&)>& sink) {
  grpc::ClientContext context;  // no deadline
  v1::WatchCommitsRequest request;
  request.set_from_height(from_height);
  std::unique_ptr<grpc::ClientReader<v1::CommitEvent>> reader =
      stub_->WatchCommits(&context, request);
  v1::CommitEvent event;
  core::Status sunk = core::Status::Ok();
  while (reader->Read(&event)) {
    sunk = sink(event);
    if (!sunk.ok()) {
      context.TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  if (!sunk.ok()) return sunk;
  if (s.ok()) return core::Status("STREAM_ENDED", "node " + options_.target + " ended the stream");
  if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
    return core::Status("STREAM_BEHIND", s.error_message());
  }
  if (s.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
    return core::Status("OUT_OF_RANGE", "node " + options_.target + ": " + s.error_message());
  }
  return ToStatus(s, "WatchCommits");
}

core::Result<v1::BlockWithCert> Client::GetBlock(uint64_t height) {
  v1::GetBlockRequest request;
  request.set_height(height);
  return Call(&v1::Ledger::Stub::GetBlock, request, "GetBlock");
}

core::Result<v1::TxStatus> Client::SubmitTx(const std::string& signed_tx_bytes, uint32_t wait_ms) {
  grpc::ClientContext context;
  Prepare(context, wait_ms);
  v1::SubmitTxRequest request;
  LOTCHAIN_RETURN_IF_ERROR(SetSignedTx(request, signed_tx_bytes));
  request.set_wait_for_commit(wait_ms > 0);
  request.set_wait_timeout_ms(wait_ms);
  v1::TxStatus response;
  grpc::Status s = stub_->SubmitTx(&context, request, &response);
  if (s.ok()) return response;
  bool refused = s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
                 s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
  // A refusal of the transaction itself carries an envelope or custody code; the generic
  // request codes (a bad wait timeout, a malformed request) are usage errors, not refusals.
  const std::string reason = ReasonOf(s);
  const bool generic = reason == "INVALID_ARGUMENT" || reason == "PERMISSION_DENIED" ||
                       reason == "BAD_REQUEST" || reason == "MALFORMED_REQUEST" ||
                       reason == "TOO_LARGE";
  const bool tx_refusal = reason.empty() ? StartsWithCode(s.error_message()) : !generic;
  if (refused && tx_refusal) {
    return core::Status(kTxRejected, "refused by node " + options_.target + ": " +
                                         s.error_message());
  }
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && !reason.empty()) {
    // The node's wait ran out with the tx admitted but not final; the caller explains why.
    return core::Status(kTxPending, "no commit within the wait; the transaction stays submitted");
  }
  if (s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    // Our own deadline: the node may never have received it.
    return core::Status(kRpcFailed, "node " + options_.target + " did not answer in time; the "
                                    "transaction may or may not have arrived: check with "
                                    "`lotchain tx status HASH`, or submit it again (a "
                                    "committed one is reported, not repeated)");
  }
  return ToStatus(s, "SubmitTx");
}

}  // namespace lotchain::wallet
