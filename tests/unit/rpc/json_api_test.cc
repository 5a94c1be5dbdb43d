// The HTTP JSON API (node/http/json_api.h): every route over a real BlockStore holding a small
// certified supply chain (BuildSupplyChain: two mines, a refiner, a pack), its errors, limits,
// and — through a real HttpServer — the worker pool that keeps /healthz prompt while API
// requests are busy.
#include "node/http/json_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/export_format.h"
#include "node/http/http_server.h"
#include "tests/unit/rpc/rpc_test_backend.h"

namespace lotchain::node::testing {
namespace {

using nlohmann::json;

class JsonApiTest : public ::testing::Test {
 protected:
  void SetUp() override { BuildSupplyChain(backend); }

  ApiResponse Get(const std::string& path) { return HandleApiGet(backend, "/api/v1/" + path, limits); }

  json GetJson(const std::string& path, unsigned expected_status = 200) {
    ApiResponse r = Get(path);
    EXPECT_EQ(r.status, expected_status) << path << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json") << path;
    return json::parse(r.body);
  }

  std::string ErrorCode(const std::string& path, unsigned expected_status) {
    json body = GetJson(path, expected_status);
    EXPECT_EQ(body["error"]["http_status"], expected_status);
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    return body["error"]["code"];
  }

  static std::set<std::string> LotIds(const json& trace) {
    std::set<std::string> ids;
    for (const auto& node : trace["nodes"]) ids.insert(node["lot"]["lot_id"]);
    return ids;
  }

  TestBackend backend;
  ApiLimits limits;
};

TEST_F(JsonApiTest, LotAndHistoryNameTheHeightTheyHoldAsOf) {
  json lot = GetJson("lots/pack-1");
  EXPECT_EQ(lot["lot_id"], "pack-1");
  EXPECT_EQ(lot["mass_grams"], 400'000u);
  EXPECT_EQ(lot["as_of_height"], backend.store().height());
  json history = GetJson("lots/co-ore/history");
  ASSERT_EQ(history["events"].size(), 4u);  // created, offered, accepted, consumed
  EXPECT_EQ(history["events"][0]["kind"], "EVENT_KIND_CREATED_ORIGIN");
  EXPECT_EQ(history["as_of_height"], backend.store().height());
}

TEST_F(JsonApiTest, TraceUpstreamAndDownstreamWithFigures) {
  json up = GetJson("lots/pack-1/trace");
  EXPECT_EQ(LotIds(up), (std::set<std::string>{"pack-1", "co-sulphate", "co-ore", "ni-ore"}));
  EXPECT_EQ(up["nodes"][0]["lot"]["lot_id"], "pack-1");
  EXPECT_EQ(up["as_of_height"], backend.store().height());
  EXPECT_GT(up["as_of_time_unix_ms"].get<int64_t>(), 0);
  EXPECT_EQ(up["nodes"][0]["figures"]["element_grams"], 280'000u);
  EXPECT_FALSE(up["truncated"].get<bool>());
  json down = GetJson("lots/co-ore/trace?direction=downstream");
  EXPECT_EQ(LotIds(down), (std::set<std::string>{"co-ore", "co-sulphate", "pack-1"}));
  json cut = GetJson("lots/pack-1/trace?max_nodes=1");
  EXPECT_TRUE(cut["truncated"].get<bool>());
  EXPECT_EQ(cut["nodes"].size(), 1u);
}

TEST_F(JsonApiTest, PassportAndEveryExportFormatRenderOrNameWhatIsMissing) {
  json passport = GetJson("lots/pack-1/passport");
  EXPECT_EQ(passport.dump().find("pack-1") != std::string::npos, true);
  for (const core::ExportFormat* format : core::ExportFormats()) {
    ApiResponse r = Get("lots/pack-1/exports/" + std::string(format->name()));
    if (r.status == 200) {
      EXPECT_FALSE(r.body.empty()) << format->name();
      continue;
    }
    // A format that needs a fact the chain lacks says which (never invents it).
    json error = json::parse(r.body);
    EXPECT_EQ(r.status, 409u) << format->name() << ": " << r.body;
    EXPECT_TRUE(error["error"]["code"] == "EXPORT_INPUT_MISSING" ||
                error["error"]["code"] == "EXPORT_NOT_APPLICABLE")
        << r.body;
  }
  json formats = GetJson("formats");
  EXPECT_EQ(formats["formats"].size(), core::ExportFormats().size());
  EXPECT_EQ(ErrorCode("lots/pack-1/exports/xml", 400), "UNKNOWN_FORMAT");
  EXPECT_EQ(ErrorCode("lots/pack-1/exports/pact?declare=novalue", 400), "INVALID_ARGUMENT");
}

TEST_F(JsonApiTest, BlocksAndTransactionsDecoded) {
  json block = GetJson("blocks/2");
  EXPECT_EQ(block["height"], 2u);
  EXPECT_EQ(block["header"]["height"], 2u);
  ASSERT_EQ(block["txs"].size(), 3u);
  EXPECT_EQ(block["txs"][0]["body"]["create_origin_lot"]["lot_id"], "co-ore");
  EXPECT_EQ(block["txs"][0]["result"]["code"], "TX_CODE_OK");
  EXPECT_EQ(block["block_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(GetJson("blocks/latest")["height"], backend.store().height());
  EXPECT_EQ(ErrorCode("blocks/0", 400), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorCode("blocks/99", 404), "NOT_FOUND");
  EXPECT_EQ(ErrorCode("blocks/two", 400), "INVALID_ARGUMENT");

  const std::string hash = block["txs"][0]["hash"];
  json tx = GetJson("txs/" + hash);
  EXPECT_EQ(tx["status"], "TX_STATUS_APPLIED");
  EXPECT_EQ(tx["height"], 2u);
  EXPECT_EQ(tx["tx"]["body"]["create_origin_lot"]["lot_id"], "co-ore");
  EXPECT_EQ(ErrorCode("txs/" + std::string(64, '0'), 404), "NOT_FOUND");
  EXPECT_EQ(ErrorCode("txs/abc", 400), "INVALID_ARGUMENT");
}

TEST_F(JsonApiTest, ListingsWithFiltersAndPages) {
  EXPECT_GE(GetJson("members")["members"].size(), 5u);
  EXPECT_EQ(GetJson("members/refiner")["org_id"], "refiner");
  EXPECT_EQ(ErrorCode("members/nobody", 404), "NOT_FOUND");
  json facilities = GetJson("facilities?org=refiner");
  ASSERT_EQ(facilities["facilities"].size(), 1u);
  EXPECT_EQ(facilities["facilities"][0]["facility_id"], "ref-co");
  EXPECT_EQ(GetJson("facilities/ref-co/audits")["audits"].size(), 2u);
  json mine = GetJson("facilities/mine-co");
  EXPECT_EQ(mine["open_flags"].size(), 1u);
  EXPECT_EQ(GetJson("flags?open_only=true")["flags"].size(), 1u);
  // The oem holds pack-1 and what is left of ni-ore; co-sulphate was consumed whole.
  const json live = GetJson("lots?org=oem&live_only=true");
  std::set<std::string> live_ids;
  for (const auto& lot : live["lots"]) live_ids.insert(lot["lot_id"]);
  EXPECT_EQ(live_ids, (std::set<std::string>{"ni-ore", "pack-1"}));

  // Pages of one lot each, following next_page_token, give every lot once.
  std::set<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    json body = GetJson("lots?page_size=1" + (token.empty() ? "" : "&page_token=" + token));
    for (const auto& lot : body["lots"]) seen.insert(lot["lot_id"]);
    token = body["next_page_token"];
    if (token.empty()) break;
  }
  EXPECT_EQ(seen, (std::set<std::string>{"co-ore", "co-sulphate", "ni-ore", "pack-1"}));
  EXPECT_EQ(ErrorCode("lots?page_token=zz", 400), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorCode("members?org=refiner", 400), "INVALID_ARGUMENT");  // names the parameter
}

TEST_F(JsonApiTest, SearchFindsEachKindOfId) {
  auto kinds = [&](const std::string& q) {
    std::set<std::string> out;
    const json found = GetJson("search?q=" + q);  // named: the loop must not outlive it
    for (const auto& m : found["matches"]) out.insert(m["kind"]);
    return out;
  };
  EXPECT_EQ(kinds("pack-1"), std::set<std::string>{"lot"});
  EXPECT_EQ(kinds("ref-co"), std::set<std::string>{"facility"});
  EXPECT_EQ(kinds("refiner"), std::set<std::string>{"member"});
  EXPECT_EQ(kinds("3"), std::set<std::string>{"block"});
  EXPECT_EQ(kinds("nothing-here"), std::set<std::string>{});
  const std::string hash = GetJson("blocks/1")["txs"][0]["hash"];
  EXPECT_EQ(kinds(hash), std::set<std::string>{"tx"});
  EXPECT_EQ(GetJson("search?q=pack-1")["matches"][0]["path"], "/api/v1/lots/pack-1");
  EXPECT_EQ(ErrorCode("search", 400), "INVALID_ARGUMENT");
}

TEST_F(JsonApiTest, BadRequestsAreNamed) {
  EXPECT_EQ(ErrorCode("lots/no-such-lot", 404), "NOT_FOUND");
  EXPECT_EQ(ErrorCode("lots/bad%20id", 400), "BAD_ID");
  EXPECT_EQ(ErrorCode("lots/pack-1/trace?direction=sideways", 400), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorCode("lots/pack-1/trace?max_nodes=999999999", 400), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorCode("lots/pack-1/trace?maxnodes=5", 400), "INVALID_ARGUMENT");
  EXPECT_EQ(ErrorCode("lots/pack-1?x=%zz", 400), "INVALID_ARGUMENT");
  json unknown = GetJson("teleport", 404);
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("lots/ID/trace"),
            std::string::npos);
  // Percent-encoded path segments are decoded: "pack%2D1" is pack-1.
  EXPECT_EQ(GetJson("lots/pack%2D1")["lot_id"], "pack-1");
}

TEST_F(JsonApiTest, OversizedAnswerRefusedWithAdvice) {
  limits.response_bytes_max = 200;
  ApiResponse r = Get("lots/pack-1/trace");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "RESPONSE_TOO_LARGE");
  EXPECT_NE(r.body.find("max_nodes"), std::string::npos);
}

// A backend whose GetStatus blocks until released: a stand-in for a long export, so the test
// can hold the API's workers busy on purpose. Everything else goes to the real TestBackend.
class GatedBackend final : public LedgerBackend {
 public:
  explicit GatedBackend(TestBackend& real) : real_(real) {}
  const core::Genesis& genesis() const override { return real_.genesis(); }
  const BlockStore& store() const override { return real_.store(); }
  core::Result<v1::TxStatus> SubmitTx(std::string tx) override { return real_.SubmitTx(tx); }
  core::Result<v1::TxStatus> GetTxStatus(std::string_view h) override { return real_.GetTxStatus(h); }
  v1::NodeStatus GetStatus() override {
    std::unique_lock<std::mutex> lock(mu_);
    entered_ += 1;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    return real_.GetStatus();
  }
  uint64_t SubscribeCommits(CommitCallback c) override { return real_.SubscribeCommits(c); }
  void UnsubscribeCommits(uint64_t h) override { real_.UnsubscribeCommits(h); }
  bool Healthy() override { return real_.Healthy(); }
  bool Ready() override { return real_.Ready(); }
  std::string MetricsText() override { return real_.MetricsText(); }

  void WaitEntered(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return entered_ >= n; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  TestBackend& real_;
  std::mutex mu_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpAnswer {
  unsigned status = 0;
  std::string body, retry_after;
};

HttpAnswer HttpGet(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(socket, buffer, response);
  auto retry = response[http::field::retry_after];
  return {response.result_int(), response.body(), std::string(retry.data(), retry.size())};
}

TEST_F(JsonApiTest, ServedOverHttpWithMethodsChecked) {
  HttpServer server(backend);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  HttpAnswer lot = HttpGet(server.port(), "/api/v1/lots/pack-1");
  EXPECT_EQ(lot.status, 200u);
  EXPECT_EQ(json::parse(lot.body)["lot_id"], "pack-1");
  EXPECT_EQ(HttpGet(server.port(), "/api/v1/lots/pack-1", http::verb::post).status, 405u);
  EXPECT_EQ(HttpGet(server.port(), "/api/v1/lots/nope").status, 404u);
}

// With every worker busy and the queue full, the next API request gets 429 API_BUSY with
// Retry-After, while /healthz and /metrics still answer at once; the busy requests complete
// once their work can finish.
TEST_F(JsonApiTest, BusyWorkersRefuseWith429AndHealthStaysPrompt) {
  GatedBackend gated(backend);
  HttpLimits http_limits;
  http_limits.api_workers = 1;
  http_limits.api_queue_max = 1;
  HttpServer server(gated, http_limits);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  const uint16_t port = server.port();
  auto status = [port] { return HttpGet(port, "/api/v1/status"); };
  auto running = std::async(std::launch::async, status);
  gated.WaitEntered(1);  // the one worker is now busy
  // Of the next two, one is queued and one refused at once (which is which is a race).
  std::future<HttpAnswer> next[2] = {std::async(std::launch::async, status),
                                     std::async(std::launch::async, status)};
  int refused_index = -1;
  for (int i = 0; i < 1000 && refused_index < 0; ++i) {
    for (int k = 0; k < 2; ++k) {
      if (next[k].wait_for(std::chrono::milliseconds(5)) == std::future_status::ready) {
        refused_index = k;
      }
    }
  }
  ASSERT_GE(refused_index, 0) << "neither request was refused while the pool was full";
  HttpAnswer refused = next[refused_index].get();
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(refused.retry_after, "1");
  EXPECT_EQ(json::parse(refused.body)["error"]["code"], "API_BUSY");
  EXPECT_EQ(HttpGet(port, "/healthz").status, 200u);  // not behind the busy API
  EXPECT_EQ(HttpGet(port, "/metrics").status, 200u);
  gated.Open();
  EXPECT_EQ(running.get().status, 200u);
  EXPECT_EQ(next[1 - refused_index].get().status, 200u);
}

// Stop() with a request still running waits for it and returns; nothing is left behind.
TEST_F(JsonApiTest, StopWhileARequestRuns) {
  GatedBackend gated(backend);
  auto server = std::make_unique<HttpServer>(gated);
  ASSERT_TRUE(server->Start("127.0.0.1:0").ok());
  const uint16_t port = server->port();
  auto running = std::async(std::launch::async, [&] {
    try {
      return HttpGet(port, "/api/v1/status").status;
    } catch (const std::exception&) {
      return 0u;  // the connection was closed by Stop: also fine
    }
  });
  gated.WaitEntered(1);
  auto stopping = std::async(std::launch::async, [&] { server->Stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  gated.Open();
  stopping.get();
  unsigned status = running.get();
  EXPECT_TRUE(status == 0u || status == 200u) << status;
}

}  // namespace
}  // namespace lotchain::node::testing
