// The gRPC Ledger service end to end: a real RpcServer on 127.0.0.1:0 over a real BlockStore
// filled with executed, certified blocks, called through a real channel and stub.
#include <gtest/gtest.h>

#include <thread>

#include "consensus/core/certificate.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "node/rpc/ledger_service.h"
#include "node/rpc/status_map.h"
#include "node/rpc/rpc_server.h"
#include "tests/unit/rpc/rpc_client_util.h"
#include "tests/unit/rpc/rpc_test_backend.h"

namespace lotchain::node::testing {
namespace {

using namespace std::chrono_literals;

class LedgerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BuildSupplyChain(backend);
    StartServer(RpcLimits{});
  }
  void TearDown() override {
    if (server != nullptr) server->Shutdown(1s);
  }

  void StartServer(const RpcLimits& limits) {
    server = std::make_unique<RpcServer>(backend, limits);
    core::Status started = server->Start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.ToString();
    channel = Connect(server->port());
    stub = v1::Ledger::NewStub(channel);
  }

  // Waits (bounded) until `condition` holds; the server works on its own threads.
  template <typename Condition>
  static bool Eventually(Condition condition) {
    for (int i = 0; i < 1000; ++i) {
      if (condition()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return condition();
  }

  v1::SubmitTxRequest SubmitRequest(const std::string& signed_tx, bool wait,
                                    uint32_t wait_ms = 0) {
    v1::SubmitTxRequest request;
    request.set_signed_tx(signed_tx);
    request.set_wait_for_commit(wait);
    request.set_wait_timeout_ms(wait_ms);
    return request;
  }

  std::string FacilityTx(const std::string& org, const std::string& id) {
    v1::TxBody body;
    auto* f = body.mutable_register_facility();
    f->set_facility_id(id);
    f->set_kind(v1::FACILITY_KIND_PLANT);
    f->set_country("DE");
    f->set_name(id + " site");
    return backend.Sign(org, body);
  }

  TestBackend backend;  // outlives the server
  std::unique_ptr<RpcServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Ledger::Stub> stub;
};

// GetLot returns the committed lot; an unknown id is NOT_FOUND and a malformed one
// INVALID_ARGUMENT, each with a message naming the id.
TEST_F(LedgerServiceTest, GetLotFindsLotsAndNamesErrors) {
  v1::GetLotRequest request;
  request.set_lot_id("pack-1");
  v1::Lot lot;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub->GetLot(&context, request, &lot).ok());
  EXPECT_EQ(lot.custodian_org(), "oem");
  EXPECT_EQ(lot.mass_grams(), 400'000u);

  request.set_lot_id("no-such-lot");
  grpc::ClientContext missing;
  grpc::Status status = stub->GetLot(&missing, request, &lot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("no-such-lot"), std::string::npos);

  request.set_lot_id("bad id!");
  grpc::ClientContext malformed;
  status = stub->GetLot(&malformed, request, &lot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("bad id!"), std::string::npos);
}

// History is the lot's hash-linked event list; Trace walks the DAG both ways and refuses a
// direction outside the enum, a max_nodes above the limit, and unknown lots.
TEST_F(LedgerServiceTest, HistoryAndTrace) {
  v1::GetLotHistoryRequest history_request;
  history_request.set_lot_id("co-ore");
  v1::LotHistory history;
  grpc::ClientContext history_context;
  ASSERT_TRUE(stub->GetLotHistory(&history_context, history_request, &history).ok());
  ASSERT_EQ(history.events_size(), 4);
  EXPECT_EQ(history.events(3).kind(), v1::EVENT_KIND_CONSUMED);

  v1::TraceRequest trace_request;
  trace_request.set_lot_id("pack-1");
  trace_request.set_direction(v1::TRACE_DIRECTION_UPSTREAM);
  v1::Trace trace;
  grpc::ClientContext up;
  ASSERT_TRUE(stub->Trace(&up, trace_request, &trace).ok());
  EXPECT_EQ(trace.nodes_size(), 4);
  EXPECT_EQ(trace.roll_up().open_flags(), 1u);

  trace_request.set_lot_id("co-ore");
  trace_request.set_direction(v1::TRACE_DIRECTION_DOWNSTREAM);
  grpc::ClientContext down;
  ASSERT_TRUE(stub->Trace(&down, trace_request, &trace).ok());
  EXPECT_EQ(trace.nodes_size(), 3);

  trace_request.set_direction(static_cast<v1::TraceDirection>(7));
  grpc::ClientContext bad_direction;
  EXPECT_EQ(stub->Trace(&bad_direction, trace_request, &trace).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  trace_request.set_direction(v1::TRACE_DIRECTION_UPSTREAM);
  trace_request.set_max_nodes(core::kTraceNodesMax + 1);
  grpc::ClientContext too_many;
  EXPECT_EQ(stub->Trace(&too_many, trace_request, &trace).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  trace_request.set_max_nodes(0);
  trace_request.set_lot_id("ghost");
  grpc::ClientContext unknown;
  EXPECT_EQ(stub->Trace(&unknown, trace_request, &trace).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// GetBlock returns the block, a certificate that verifies against the genesis validators and
// one result per transaction; height 0 is INVALID_ARGUMENT, a height past the tip NOT_FOUND.
TEST_F(LedgerServiceTest, GetBlockReturnsCertifiedBlock) {
  v1::GetBlockRequest request;
  request.set_height(1);
  v1::BlockWithCert block;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->GetBlock(&context, request, &block).ok());
  EXPECT_EQ(block.block().txs_size(), 4);
  EXPECT_EQ(block.results_size(), 4);
  core::Status verified = core::VerifyCommitCertificate(
      backend.Validators(), block.certificate(), {1, core::BlockHash(block.block())});
  EXPECT_TRUE(verified.ok()) << verified.ToString();

  request.set_height(0);
  grpc::ClientContext zero;
  EXPECT_EQ(stub->GetBlock(&zero, request, &block).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_height(999);
  grpc::ClientContext future;
  grpc::Status status = stub->GetBlock(&future, request, &block);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("999"), std::string::npos);
}

// GetStatus reports the store's tip, the chain and the genesis validators.
TEST_F(LedgerServiceTest, GetStatusReportsTip) {
  v1::NodeStatus status;
  grpc::ClientContext context;
  ASSERT_TRUE(stub->GetStatus(&context, v1::GetStatusRequest(), &status).ok());
  EXPECT_EQ(status.height(), backend.store().height());
  EXPECT_EQ(status.state_root(), backend.store().state_root());
  EXPECT_EQ(status.chain_id(), "lotchain-rpc-test");
  EXPECT_EQ(status.validators_size(), 4);
}

// A submitted transaction is PENDING until committed, then APPLIED at its height; unknown
// hashes are NOT_FOUND and hashes of the wrong size INVALID_ARGUMENT.
TEST_F(LedgerServiceTest, SubmitThenStatus) {
  const std::string tx = FacilityTx("cell", "cell-plant");
  v1::TxStatus submitted;
  grpc::ClientContext submit;
  ASSERT_TRUE(stub->SubmitTx(&submit, SubmitRequest(tx, false), &submitted).ok());
  EXPECT_EQ(submitted.status(), v1::TX_STATUS_PENDING);
  EXPECT_EQ(submitted.tx_hash(), core::TxHash(tx));

  v1::GetTxStatusRequest request;
  request.set_tx_hash(core::TxHash(tx));
  v1::TxStatus status;
  grpc::ClientContext pending;
  ASSERT_TRUE(stub->GetTxStatus(&pending, request, &status).ok());
  EXPECT_EQ(status.status(), v1::TX_STATUS_PENDING);

  backend.CommitPending();
  grpc::ClientContext applied;
  ASSERT_TRUE(stub->GetTxStatus(&applied, request, &status).ok());
  EXPECT_EQ(status.status(), v1::TX_STATUS_APPLIED);
  EXPECT_EQ(status.height(), backend.store().height());

  request.set_tx_hash(core::Sha256("never submitted"));
  grpc::ClientContext unknown;
  EXPECT_EQ(stub->GetTxStatus(&unknown, request, &status).error_code(),
            grpc::StatusCode::NOT_FOUND);
  request.set_tx_hash("short");
  grpc::ClientContext malformed;
  EXPECT_EQ(stub->GetTxStatus(&malformed, request, &status).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Malformed or unauthorized submissions are refused at the edge with the stable code in the
// message: missing tx and garbage body -> INVALID_ARGUMENT, unknown signer -> PERMISSION_DENIED.
TEST_F(LedgerServiceTest, SubmitRefusesBadTransactions) {
  v1::TxStatus status;
  grpc::ClientContext missing;
  grpc::Status result = stub->SubmitTx(&missing, v1::SubmitTxRequest(), &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::SubmitTxRequest garbage;
  v1::SignedTx garbage_tx;
  garbage_tx.set_body("\xff\xff not a body");
  garbage_tx.set_signer(std::string(32, 'k'));
  garbage_tx.set_signature(std::string(64, 's'));
  garbage.set_signed_tx(garbage_tx.SerializeAsString());
  grpc::ClientContext malformed;
  result = stub->SubmitTx(&malformed, garbage, &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(result.error_message().empty());

  auto stranger = core::SecretKey::FromSeed(core::Sha256("stranger"));
  ASSERT_TRUE(stranger.ok());
  v1::TxBody body;
  body.set_chain_id(backend.genesis().chain_id);
  body.set_nonce(1);
  body.mutable_register_facility()->set_facility_id("x");
  v1::SubmitTxRequest unknown;
  v1::SignedTx unknown_tx;
  unknown_tx.set_body(body.SerializeAsString());
  unknown_tx.set_signer(stranger->PublicKey());
  unknown_tx.set_signature(
      stranger->Sign(core::kTxDomain, backend.genesis().chain_id, unknown_tx.body()));
  unknown.set_signed_tx(unknown_tx.SerializeAsString());
  grpc::ClientContext unauthorized;
  result = stub->SubmitTx(&unauthorized, unknown, &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(result.error_message().find("UNKNOWN_SIGNER"), std::string::npos);
  // Programs read the code from the structured detail, not from the message.
  google::rpc::Status details;
  ASSERT_TRUE(details.ParseFromString(result.error_details()));
  EXPECT_EQ(details.code(), static_cast<int32_t>(grpc::StatusCode::PERMISSION_DENIED));
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "UNKNOWN_SIGNER");
  EXPECT_EQ(info.domain(), "lotchain");
  EXPECT_EQ(info.metadata().at("retryable"), "false");
}

// Every code of the table travels as its gRPC class with its ErrorInfo; the message keeps the
// code as a prefix unless the code is the gRPC status's own name.
TEST(StatusMapTest, EveryCodeMapsFromTheTable) {
  for (const core::CodeInfo& code : core::AllCodes()) {
    grpc::Status s = ToGrpcStatus(core::Status::FromCode(std::string(code.name), "what happened"));
    EXPECT_NE(s.error_code(), grpc::StatusCode::OK) << code.name;
    google::rpc::Status details;
    ASSERT_TRUE(details.ParseFromString(s.error_details())) << code.name;
    google::rpc::ErrorInfo info;
    ASSERT_TRUE(details.details(0).UnpackTo(&info)) << code.name;
    EXPECT_EQ(info.reason(), code.name);
    EXPECT_EQ(info.metadata().at("retryable"), code.retryable ? "true" : "false");
    if (GrpcCodeName(s.error_code()) != code.name) {
      EXPECT_EQ(s.error_message(), std::string(code.name) + ": what happened");
    }
  }
  EXPECT_EQ(ToGrpcStatus(core::Status("NOT_CUSTODIAN", "x")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ToGrpcStatus(core::Status("STORE_CORRUPT", "x")).error_code(),
            grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(ToGrpcStatus(core::Status::FromCode("NOT_IN_THE_TABLE", "x")).error_code(),
            grpc::StatusCode::INTERNAL);
}

// SubmitTxBatch admits each transaction as SubmitTx would, independently, and answers one result
// per input in request order: admitted ones PENDING (then APPLIED once committed, on a resubmit),
// refused ones with the gRPC code name and the stable lotchain code in the message.
TEST_F(LedgerServiceTest, SubmitTxBatchResultsInRequestOrder) {
  const std::string first = FacilityTx("cell", "batch-plant-1");
  const std::string second = FacilityTx("cell", "batch-plant-2");
  auto stranger = core::SecretKey::FromSeed(core::Sha256("batch stranger"));
  ASSERT_TRUE(stranger.ok());
  v1::TxBody body;
  body.set_chain_id(backend.genesis().chain_id);
  body.set_nonce(1);
  body.mutable_register_facility()->set_facility_id("x");
  v1::SignedTx unknown;
  unknown.set_body(body.SerializeAsString());
  unknown.set_signer(stranger->PublicKey());
  unknown.set_signature(stranger->Sign(core::kTxDomain, backend.genesis().chain_id, unknown.body()));

  v1::SubmitTxBatchRequest request;
  request.add_signed_txs(first);
  request.add_signed_txs("");                       // empty
  request.add_signed_txs(unknown.SerializeAsString());  // unknown signer
  request.add_signed_txs("\xff\xff garbage");       // does not parse
  request.add_signed_txs(second);
  request.add_signed_txs(std::string(core::kSignedTxBytesMax + 1, 'x'));  // too large
  v1::SubmitTxBatchResponse response;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub->SubmitTxBatch(&context, request, &response).ok());
  ASSERT_EQ(response.results_size(), 6);
  EXPECT_EQ(response.results(0).error_code(), "");
  EXPECT_EQ(response.results(0).status().status(), v1::TX_STATUS_PENDING);
  EXPECT_EQ(response.results(0).status().tx_hash(), core::TxHash(first));
  EXPECT_EQ(response.results(1).error_code(), "INVALID_ARGUMENT");
  EXPECT_NE(response.results(1).error().find("signed_txs[1] is empty"), std::string::npos);
  EXPECT_EQ(response.results(2).error_code(), "PERMISSION_DENIED");
  EXPECT_EQ(response.results(2).error().rfind("UNKNOWN_SIGNER: ", 0), 0u)
      << response.results(2).error();
  EXPECT_FALSE(response.results(2).has_status());
  EXPECT_EQ(response.results(3).error_code(), "INVALID_ARGUMENT");
  EXPECT_FALSE(response.results(3).error().empty());
  EXPECT_EQ(response.results(4).status().status(), v1::TX_STATUS_PENDING);
  EXPECT_EQ(response.results(4).status().tx_hash(), core::TxHash(second));
  EXPECT_EQ(response.results(5).error_code(), "INVALID_ARGUMENT");
  EXPECT_EQ(response.results(5).error().rfind("TX_TOO_LARGE: ", 0), 0u);

  // Committed transactions resubmitted in a batch report their final status.
  backend.CommitPending();
  v1::SubmitTxBatchRequest again;
  again.add_signed_txs(first);
  again.add_signed_txs(second);
  grpc::ClientContext resubmit;
  SetDeadline(resubmit);
  ASSERT_TRUE(stub->SubmitTxBatch(&resubmit, again, &response).ok());
  ASSERT_EQ(response.results_size(), 2);
  EXPECT_EQ(response.results(0).status().status(), v1::TX_STATUS_APPLIED);
  EXPECT_EQ(response.results(1).status().status(), v1::TX_STATUS_APPLIED);
}

// A batch that is empty or over the count or byte limit fails as a whole, saying how to split it.
TEST_F(LedgerServiceTest, SubmitTxBatchLimits) {
  v1::SubmitTxBatchResponse response;
  grpc::ClientContext empty;
  SetDeadline(empty);
  grpc::Status result = stub->SubmitTxBatch(&empty, v1::SubmitTxBatchRequest(), &response);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::SubmitTxBatchRequest too_many;
  for (size_t i = 0; i <= kSubmitBatchTxsMax; ++i) too_many.add_signed_txs("x");
  grpc::ClientContext count;
  SetDeadline(count);
  result = stub->SubmitTxBatch(&count, too_many, &response);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(result.error_message().find("split it"), std::string::npos);

  v1::SubmitTxBatchRequest too_big;
  for (size_t i = 0; i < kSubmitBatchBytesMax / core::kSignedTxBytesMax; ++i) {
    too_big.add_signed_txs(std::string(core::kSignedTxBytesMax, 'x'));
  }
  too_big.add_signed_txs("x");  // one byte over, still within the server's receive limit
  grpc::ClientContext bytes;
  SetDeadline(bytes);
  result = stub->SubmitTxBatch(&bytes, too_big, &response);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(result.error_message().find("bytes"), std::string::npos);
}

// SubmitTx with wait_for_commit returns the final status once the block commits: APPLIED for a
// valid transaction, REJECTED (with the reason) for one the custody rules refuse; and the
// subscription is gone afterwards.
TEST_F(LedgerServiceTest, SubmitWaitReturnsFinalStatus) {
  for (bool valid : {true, false}) {
    v1::TxBody body;
    body.mutable_accept_transfer()->set_lot_id("pack-1");  // nothing offered: NOT_IN_TRANSIT
    body.mutable_accept_transfer()->set_prev_event_hash(backend.LastEvent("pack-1"));
    const std::string tx = valid ? FacilityTx("cell", "cell-" + std::to_string(valid))
                                 : backend.Sign("cell", body);
    v1::TxStatus status;
    grpc::Status result;
    std::thread client([&] {
      grpc::ClientContext context;
      SetDeadline(context);
      result = stub->SubmitTx(&context, SubmitRequest(tx, true), &status);
    });
    ASSERT_TRUE(Eventually([&] { return backend.pending() == 1 && backend.subscribers() == 1; }));
    backend.CommitPending();
    client.join();
    ASSERT_TRUE(result.ok()) << result.error_message();
    EXPECT_EQ(status.status(), valid ? v1::TX_STATUS_APPLIED : v1::TX_STATUS_REJECTED);
    EXPECT_EQ(status.height(), backend.store().height());
    EXPECT_EQ(status.tx_hash(), core::TxHash(tx));
    if (!valid) {
      EXPECT_EQ(status.result().reason(), "NOT_IN_TRANSIT");
    }
    EXPECT_TRUE(Eventually([&] { return backend.subscribers() == 0; }));
  }
}

// A wait that outlives its timeout ends with DEADLINE_EXCEEDED naming the pending status; an
// already committed transaction returns at once; a timeout above the maximum is refused.
TEST_F(LedgerServiceTest, SubmitWaitTimesOut) {
  const std::string tx = FacilityTx("cell", "slow-plant");
  v1::TxStatus status;
  grpc::ClientContext waiting;
  SetDeadline(waiting);
  grpc::Status result = stub->SubmitTx(&waiting, SubmitRequest(tx, true, 200), &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_NE(result.error_message().find("TX_STATUS_PENDING"), std::string::npos);
  EXPECT_EQ(backend.subscribers(), 0u);

  backend.CommitPending();
  grpc::ClientContext committed;
  SetDeadline(committed);
  ASSERT_TRUE(stub->SubmitTx(&committed, SubmitRequest(tx, true, 60'000), &status).ok());
  EXPECT_EQ(status.status(), v1::TX_STATUS_APPLIED);

  grpc::ClientContext too_long;
  result = stub->SubmitTx(&too_long, SubmitRequest(tx, true, 60'001), &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

// Waiters are bounded: with one waiter allowed, a second concurrent wait is RESOURCE_EXHAUSTED.
TEST_F(LedgerServiceTest, SubmitWaitersAreBounded) {
  server->Shutdown(1s);
  RpcLimits limits;
  limits.submit_waiters_max = 1;
  StartServer(limits);
  const std::string first = FacilityTx("cell", "plant-a");
  const std::string second = FacilityTx("oem", "plant-b");
  grpc::Status first_result;
  v1::TxStatus first_status;
  std::thread client([&] {
    grpc::ClientContext context;
    SetDeadline(context);
    first_result = stub->SubmitTx(&context, SubmitRequest(first, true, 30'000), &first_status);
  });
  ASSERT_TRUE(Eventually([&] { return backend.subscribers() == 1; }));
  v1::TxStatus status;
  grpc::ClientContext context;
  grpc::Status result = stub->SubmitTx(&context, SubmitRequest(second, true), &status);
  EXPECT_EQ(result.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  backend.CommitPending();
  client.join();
  EXPECT_TRUE(first_result.ok());
}

// WatchCommits replays stored blocks from from_height, then streams live commits; a
// from_height beyond the next block is OUT_OF_RANGE.
TEST_F(LedgerServiceTest, WatchCommitsReplaysThenStreamsLive) {
  const uint64_t tip = backend.store().height();
  v1::WatchCommitsRequest request;
  request.set_from_height(2);
  grpc::ClientContext context;
  SetDeadline(context);
  auto reader = stub->WatchCommits(&context, request);
  v1::CommitEvent event;
  for (uint64_t h = 2; h <= tip; ++h) {
    ASSERT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.height(), h);
    auto block = backend.store().GetBlock(h);
    ASSERT_TRUE(block.ok());
    EXPECT_EQ(event.block_hash(), core::BlockHash(*block));
    EXPECT_EQ(event.results_size(), block->txs_size());
  }
  const std::string tx = FacilityTx("cell", "live-plant");
  backend.CommitBlock({tx});
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.height(), tip + 1);
  ASSERT_EQ(event.results_size(), 1);
  EXPECT_EQ(event.results(0).tx_hash(), core::TxHash(tx));
  EXPECT_EQ(event.state_root(), backend.store().state_root());
  context.TryCancel();
  reader->Finish().IgnoreError();

  request.set_from_height(backend.store().height() + 2);
  grpc::ClientContext beyond;
  SetDeadline(beyond);
  auto refused = stub->WatchCommits(&beyond, request);
  EXPECT_FALSE(refused->Read(&event));
  EXPECT_EQ(refused->Finish().error_code(), grpc::StatusCode::OUT_OF_RANGE);
}

// from_height 0 streams only new commits; streams are bounded (the second of a one-stream
// limit is RESOURCE_EXHAUSTED).
TEST_F(LedgerServiceTest, WatchCommitsLiveOnlyAndBounded) {
  server->Shutdown(1s);
  RpcLimits limits;
  limits.watch_streams_max = 1;
  StartServer(limits);
  grpc::ClientContext context;
  SetDeadline(context);
  auto reader = stub->WatchCommits(&context, v1::WatchCommitsRequest());
  ASSERT_TRUE(Eventually([&] { return server->service().watch_streams() == 1; }));
  ASSERT_TRUE(Eventually([&] { return backend.subscribers() == 1; }));
  backend.CommitBlock({FacilityTx("cell", "new-plant")});
  v1::CommitEvent event;
  ASSERT_TRUE(reader->Read(&event));
  EXPECT_EQ(event.height(), backend.store().height());

  grpc::ClientContext second_context;
  SetDeadline(second_context);
  auto second = stub->WatchCommits(&second_context, v1::WatchCommitsRequest());
  EXPECT_FALSE(second->Read(&event));
  EXPECT_EQ(second->Finish().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  context.TryCancel();
  reader->Finish().IgnoreError();
  EXPECT_TRUE(Eventually([&] { return server->service().watch_streams() == 0; }));
}

// GetLotProof serves the bundle with the chain id and genesis hash; unknown lots NOT_FOUND.
TEST_F(LedgerServiceTest, GetLotProofServesBundle) {
  v1::GetLotProofRequest request;
  request.set_lot_id("pack-1");
  v1::ProofBundle bundle;
  grpc::ClientContext context;
  SetDeadline(context);
  ASSERT_TRUE(stub->GetLotProof(&context, request, &bundle).ok());
  EXPECT_EQ(bundle.chain_id(), "lotchain-rpc-test");
  EXPECT_EQ(bundle.genesis_hash(), backend.genesis().hash);
  EXPECT_EQ(bundle.txs_size(), 17);
  request.set_lot_id("ghost");
  grpc::ClientContext unknown;
  EXPECT_EQ(stub->GetLotProof(&unknown, request, &bundle).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// StreamLotProof sends the same bundle in fragments: their concatenated encodings parse to the
// GetLotProof bundle; unknown lots NOT_FOUND before any fragment.
TEST_F(LedgerServiceTest, StreamLotProofFragmentsConcatenateToTheBundle) {
  v1::GetLotProofRequest request;
  request.set_lot_id("pack-1");
  v1::ProofBundle bundle;
  grpc::ClientContext unary;
  SetDeadline(unary);
  ASSERT_TRUE(stub->GetLotProof(&unary, request, &bundle).ok());
  grpc::ClientContext context;
  SetDeadline(context);
  auto reader = stub->StreamLotProof(&context, request);
  std::string concatenated;
  v1::ProofBundle fragment;
  while (reader->Read(&fragment)) concatenated += fragment.SerializeAsString();
  ASSERT_TRUE(reader->Finish().ok());
  v1::ProofBundle parsed;
  ASSERT_TRUE(parsed.ParseFromString(concatenated));
  EXPECT_EQ(parsed.SerializeAsString(), bundle.SerializeAsString());
  EXPECT_EQ(parsed.chain_id(), "lotchain-rpc-test");
  EXPECT_EQ(parsed.txs_size(), 17);

  request.set_lot_id("ghost");
  grpc::ClientContext unknown;
  SetDeadline(unknown);
  auto ghost = stub->StreamLotProof(&unknown, request);
  EXPECT_FALSE(ghost->Read(&fragment));
  EXPECT_EQ(ghost->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(server->service().proof_builds(), 0u);
}

// Proof builds are bounded: beyond proof_builds_max (here 0, so every call is one too many)
// both proof calls get RESOURCE_EXHAUSTED with a PROOF_BUSY message that says to retry.
TEST_F(LedgerServiceTest, ProofBuildsBeyondTheLimitAreRefused) {
  RpcLimits limits;
  limits.proof_builds_max = 0;
  StartServer(limits);
  v1::GetLotProofRequest request;
  request.set_lot_id("pack-1");
  v1::ProofBundle bundle;
  grpc::ClientContext unary;
  SetDeadline(unary);
  grpc::Status status = stub->GetLotProof(&unary, request, &bundle);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(status.error_message().starts_with("PROOF_BUSY")) << status.error_message();
  EXPECT_NE(status.error_message().find("retry"), std::string::npos);
  grpc::ClientContext context;
  SetDeadline(context);
  auto reader = stub->StreamLotProof(&context, request);
  EXPECT_FALSE(reader->Read(&bundle));
  status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(status.error_message().starts_with("PROOF_BUSY")) << status.error_message();
}

// The standard health service reports SERVING for "" and the Ledger service, NOT_SERVING after
// SetServing(false), and NOT_FOUND for services it does not know.
TEST_F(LedgerServiceTest, HealthService) {
  uint64_t serving = 0;
  ASSERT_TRUE(HealthCheck(channel, "", &serving).ok());
  EXPECT_EQ(serving, 1u);
  ASSERT_TRUE(HealthCheck(channel, "lotchain.v1.Ledger", &serving).ok());
  EXPECT_EQ(serving, 1u);
  EXPECT_EQ(HealthCheck(channel, "no.such.Service", &serving).error_code(),
            grpc::StatusCode::NOT_FOUND);
  server->SetServing(false);
  ASSERT_TRUE(HealthCheck(channel, "lotchain.v1.Ledger", &serving).ok());
  EXPECT_EQ(serving, 2u);
}

// Server reflection lists the Ledger and health services.
TEST_F(LedgerServiceTest, ReflectionListsServices) {
  grpc::Status status;
  std::vector<std::string> names = ReflectionServices(channel, &status);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_NE(std::find(names.begin(), names.end(), "lotchain.v1.Ledger"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"), names.end());
}

// Requests above the receive limit are refused by gRPC itself (RESOURCE_EXHAUSTED).
TEST_F(LedgerServiceTest, OversizedRequestRefused) {
  v1::SubmitTxRequest request;
  request.set_signed_tx(std::string(kRpcReceiveBytesMax + 1, 'x'));
  v1::TxStatus status;
  grpc::ClientContext context;
  SetDeadline(context);
  EXPECT_EQ(stub->SubmitTx(&context, request, &status).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

// Shutdown ends a blocked SubmitTx wait promptly with UNAVAILABLE instead of waiting it out.
TEST_F(LedgerServiceTest, ShutdownEndsWaiters) {
  const std::string tx = FacilityTx("cell", "never-plant");
  grpc::Status result;
  v1::TxStatus status;
  std::thread client([&] {
    grpc::ClientContext context;
    SetDeadline(context);
    result = stub->SubmitTx(&context, SubmitRequest(tx, true, 60'000), &status);
  });
  ASSERT_TRUE(Eventually([&] { return backend.subscribers() == 1; }));
  auto started = std::chrono::steady_clock::now();
  server->Shutdown(5s);
  client.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
  EXPECT_TRUE(result.error_code() == grpc::StatusCode::UNAVAILABLE ||
              result.error_code() == grpc::StatusCode::CANCELLED)
      << result.error_code();
  EXPECT_EQ(backend.subscribers(), 0u);
}

}  // namespace
}  // namespace lotchain::node::testing
