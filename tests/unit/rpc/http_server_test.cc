// The HTTP server over real loopback connections with a Beast client: routes, status codes,
// and the limits on request size, connections and read time.
#include "node/http/http_server.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <thread>

#include "tests/unit/rpc/rpc_test_backend.h"

namespace lotchain::node::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

struct Reply {
  beast::error_code error;
  unsigned status = 0;
  std::string body;
  std::string content_type;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(HttpLimits{}); }

  void Start(const HttpLimits& limits) {
    server.reset();
    server = std::make_unique<HttpServer>(backend, limits);
    core::Status started = server->Start("127.0.0.1:0");
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  tcp::socket Open() {
    tcp::socket socket(io);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));
    return socket;
  }

  Reply Send(tcp::socket& socket, http::verb method, const std::string& target,
             size_t header_padding_bytes = 0) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    if (header_padding_bytes > 0) request.set("X-Padding", std::string(header_padding_bytes, 'p'));
    Reply reply;
    http::write(socket, request, reply.error);
    if (reply.error) return reply;
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response, reply.error);
    if (reply.error) return reply;
    reply.status = response.result_int();
    reply.body = response.body();
    auto content_type = response[http::field::content_type];
    reply.content_type = std::string(content_type.data(), content_type.size());
    return reply;
  }

  Reply Fetch(http::verb method, const std::string& target, size_t header_padding_bytes = 0) {
    tcp::socket socket = Open();
    return Send(socket, method, target, header_padding_bytes);
  }

  TestBackend backend;  // outlives the server
  asio::io_context io;
  std::unique_ptr<HttpServer> server;
};

// /metrics serves the Prometheus text format (content type 0.0.4) with lotchain_ metrics.
TEST_F(HttpServerTest, MetricsServed) {
  backend.metrics.SetHeight(42);
  Reply reply = Fetch(http::verb::get, "/metrics");
  ASSERT_FALSE(reply.error) << reply.error.message();
  EXPECT_EQ(reply.status, 200u);
  EXPECT_NE(reply.content_type.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(reply.body.find("lotchain_height 42"), std::string::npos) << reply.body;
  EXPECT_NE(reply.body.find("lotchain_commit_latency_seconds_bucket"), std::string::npos);
}

// /healthz and /readyz follow the backend: 200 when true, 503 when false.
TEST_F(HttpServerTest, HealthAndReadiness) {
  EXPECT_EQ(Fetch(http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(Fetch(http::verb::get, "/readyz").status, 200u);
  backend.ready = false;
  EXPECT_EQ(Fetch(http::verb::get, "/readyz").status, 503u);
  EXPECT_EQ(Fetch(http::verb::get, "/healthz").status, 200u);
  backend.healthy = false;
  EXPECT_EQ(Fetch(http::verb::get, "/healthz").status, 503u);
}

// The bodies are JSON naming every check and the failed ones, for people and scripts alike.
TEST_F(HttpServerTest, HealthBodiesNameTheFailedChecks) {
  Reply ready = Fetch(http::verb::get, "/readyz");
  EXPECT_EQ(ready.content_type, "application/json");
  nlohmann::json body = nlohmann::json::parse(ready.body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_TRUE(body["failed"].empty());
  backend.ready = false;
  body = nlohmann::json::parse(Fetch(http::verb::get, "/readyz").body);
  EXPECT_EQ(body["status"], "not ready");
  ASSERT_EQ(body["failed"].size(), 1u);
  EXPECT_EQ(body["failed"][0], "ready");
  backend.healthy = false;
  body = nlohmann::json::parse(Fetch(http::verb::get, "/healthz").body);
  EXPECT_EQ(body["status"], "not healthy");
  EXPECT_EQ(body["failed"][0], "event_loop");
}

// Unknown paths are 404; other methods on known paths are 405.
TEST_F(HttpServerTest, NotFoundAndMethodNotAllowed) {
  EXPECT_EQ(Fetch(http::verb::get, "/nope").status, 404u);
  EXPECT_EQ(Fetch(http::verb::post, "/metrics").status, 405u);
  EXPECT_EQ(Fetch(http::verb::delete_, "/healthz").status, 405u);
  EXPECT_EQ(Fetch(http::verb::get, "/metrics?x=1").status, 200u);
}

// Keep-alive: several requests share one connection.
TEST_F(HttpServerTest, KeepAlive) {
  tcp::socket socket = Open();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(socket, http::verb::get, "/healthz").status, 200u);
}

// A request header above the limit is refused (431, or the connection is closed), never served.
TEST_F(HttpServerTest, OversizedRequestRefused) {
  Reply reply = Fetch(http::verb::get, "/metrics", 20u << 10);
  EXPECT_TRUE(reply.error || reply.status == 431u) << reply.status;
  EXPECT_NE(reply.status, 200u);
  EXPECT_EQ(Fetch(http::verb::get, "/healthz").status, 200u);  // the server is still fine
}

// Beyond connections_max a new connection is closed at once; once one closes, it is served.
TEST_F(HttpServerTest, ConnectionsAreBounded) {
  HttpLimits limits;
  limits.connections_max = 2;
  Start(limits);
  tcp::socket first = Open();
  tcp::socket second = Open();
  EXPECT_EQ(Send(first, http::verb::get, "/healthz").status, 200u);
  EXPECT_EQ(Send(second, http::verb::get, "/healthz").status, 200u);
  Reply refused = Fetch(http::verb::get, "/healthz");
  EXPECT_TRUE(refused.error);
  first.close();
  bool served = false;
  for (int i = 0; i < 200 && !served; ++i) {  // the server notices the close asynchronously
    served = Fetch(http::verb::get, "/healthz").status == 200u;
    if (!served) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(served);
}

// A connection that sends nothing is closed after the read timeout.
TEST_F(HttpServerTest, IdleConnectionTimesOut) {
  HttpLimits limits;
  limits.read_timeout = 200ms;
  Start(limits);
  tcp::socket socket = Open();
  char byte = 0;
  beast::error_code error;
  auto started = std::chrono::steady_clock::now();
  socket.read_some(asio::buffer(&byte, 1), error);  // blocks until the server closes
  EXPECT_TRUE(error);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

// Stop closes open connections and returns; a second Stop is harmless.
TEST_F(HttpServerTest, StopWithOpenConnections) {
  tcp::socket socket = Open();
  EXPECT_EQ(Send(socket, http::verb::get, "/healthz").status, 200u);
  server->Stop();
  server->Stop();
  EXPECT_TRUE(Send(socket, http::verb::get, "/healthz").error);
}

// A bad address is an HTTP_LISTEN error naming it, not a crash.
TEST_F(HttpServerTest, BadAddressRefused) {
  HttpServer bad(backend);
  core::Status status = bad.Start("not-an-ip:80");
  EXPECT_EQ(status.code(), "HTTP_LISTEN");
  EXPECT_NE(status.message().find("not-an-ip:80"), std::string::npos);
  HttpServer taken(backend);
  EXPECT_EQ(taken.Start("127.0.0.1:" + std::to_string(server->port())).code(), "HTTP_LISTEN");
}

}  // namespace
}  // namespace lotchain::node::testing
