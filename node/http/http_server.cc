#include "node/http/http_server.h"

#include <nlohmann/json.hpp>

#include "node/http/api_workers.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <map>
#include <thread>
#include <vector>

namespace lotchain::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

core::Result<Endpoint> ParseAddress(const std::string& address) {
  auto bad = [&](const std::string& why) {
    return core::Status("HTTP_LISTEN", "HTTP address \"" + address + "\" " + why +
                                           "; expected host:port, e.g. 127.0.0.1:26660");
  };
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("has no host:port form");
  Endpoint out;
  out.host = address.substr(0, colon);
  if (out.host.size() >= 2 && out.host.front() == '[' && out.host.back() == ']') {
    out.host = out.host.substr(1, out.host.size() - 2);
  }
  std::string_view port = std::string_view(address).substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
  if (error != std::errc() || end != port.data() + port.size() || port.empty()) {
    return bad("has no valid port");
  }
  return out;
}

http::response<http::string_body> TextResponse(http::status status, unsigned version,
                                               std::string body,
                                               std::string_view content_type = "text/plain") {
  http::response<http::string_body> response{status, version};
  response.set(http::field::server, "lotchaind");
  response.set(http::field::content_type,
               beast::string_view(content_type.data(), content_type.size()));
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// A parse error of the request itself (not a closed or timed-out connection).
bool IsMalformed(const beast::error_code& error) {
  if (!error) return false;
  if (error.category() != http::make_error_code(http::error::bad_method).category()) return false;
  return error != http::error::end_of_stream && error != http::error::partial_message;
}

}  // namespace

struct HttpServer::Impl {
  Impl(LedgerBackend& backend_in, const HttpLimits& limits_in)
      : backend(backend_in), limits(limits_in), acceptor(io), retry_timer(io),
        workers(limits_in.api_workers, limits_in.api_queue_max) {}

  class Session;

  void Accept();
  http::response<http::string_body> Route(const http::request<http::string_body>& request);

  LedgerBackend& backend;
  const HttpLimits limits;
  // Member order matters for destruction: `sessions` outlives `io` (whose destructor may still
  // destroy handlers that own sessions), and the I/O objects die before `io`.
  std::map<uint64_t, std::weak_ptr<Session>> sessions;  // io thread only
  uint64_t next_session_id = 0;                         // io thread only
  asio::io_context io{1};
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  // Keeps `io` running until the workers, which post answers to it, have stopped.
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  uint16_t port = 0;
  std::thread thread;
  ApiWorkers workers;  // declared last: stopped (joined) first
};

class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, uint64_t id, tcp::socket socket)
      : server_(server), id_(id), stream_(std::move(socket)),
        buffer_(server.limits.header_bytes_max + server.limits.body_bytes_max) {}
  ~Session() { server_.sessions.erase(id_); }

  void Start() { Read(); }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.limits.header_bytes_max));
    parser_->body_limit(server_.limits.body_bytes_max);
    stream_.expires_after(server_.limits.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, size_t) {
                       self->OnRead(error);
                     });
  }

  void OnRead(beast::error_code error) {
    if (error == http::error::header_limit || error == http::error::buffer_overflow) {
      return Reply(TextResponse(http::status::request_header_fields_too_large, 11,
                                "request header larger than " +
                                    std::to_string(server_.limits.header_bytes_max) + " bytes\n"),
                   false);
    }
    if (error == http::error::body_limit) {
      return Reply(TextResponse(http::status::payload_too_large, 11,
                                "request body larger than " +
                                    std::to_string(server_.limits.body_bytes_max) + " bytes\n"),
                   false);
    }
    if (IsMalformed(error)) {
      return Reply(TextResponse(http::status::bad_request, 11, "malformed HTTP request\n"), false);
    }
    if (error) return Close();  // peer closed, timeout, shutdown
    const http::request<http::string_body>& request = parser_->get();
    requests_ += 1;
    bool keep_alive =
        request.keep_alive() && requests_ < server_.limits.requests_per_connection_max;
    std::string_view target(request.target().data(), request.target().size());
    if (target.substr(0, kApiPrefix.size()) == kApiPrefix && request.method() == http::verb::get) {
      return ServeApi(std::string(target), request.version(), keep_alive);
    }
    http::response<http::string_body> response = server_.Route(request);
    response.version(request.version());
    Reply(std::move(response), keep_alive);
  }

  // Runs the API request on a worker; the answer comes back to this session on the HTTP
  // thread. The session pointer moves into the posted handler, so the last reference is never
  // dropped on a worker thread (the session map belongs to the HTTP thread).
  void ServeApi(std::string target, unsigned version, bool keep_alive) {
    std::function<void()> job = [self = shared_from_this(), target = std::move(target), version,
                                 keep_alive]() mutable {
      ApiResponse answer = HandleApiGet(self->server_.backend, target, self->server_.limits.api);
      auto response = ApiHttpResponse(std::move(answer), version);
      Session* session = self.get();
      asio::post(session->stream_.get_executor(),
                 [self = std::move(self), response = std::move(response), keep_alive]() mutable {
                   self->Reply(std::move(response), keep_alive, true);
                 });
    };
    if (!server_.workers.TryPost(job)) {
      ApiResponse busy = ApiError(core::Status(
          "API_BUSY", "all " + std::to_string(server_.limits.api_workers) +
                          " API workers are busy and " +
                          std::to_string(server_.limits.api_queue_max) +
                          " requests are queued; retry in a second"));
      Reply(ApiHttpResponse(std::move(busy), version), keep_alive);
    }
  }

  static http::response<http::string_body> ApiHttpResponse(ApiResponse answer, unsigned version) {
    auto response = TextResponse(static_cast<http::status>(answer.status), version,
                                 std::move(answer.body), answer.content_type);
    if (answer.retry_after_seconds > 0) {
      response.set(http::field::retry_after, std::to_string(answer.retry_after_seconds));
    }
    return response;
  }

  void Reply(http::response<http::string_body> response, bool keep_alive, bool api = false) {
    response.keep_alive(keep_alive);
    response_ = std::move(response);
    stream_.expires_after(api ? server_.limits.api_write_timeout : server_.limits.write_timeout);
    http::async_write(stream_, response_,
                      [self = shared_from_this(), keep_alive](beast::error_code error, size_t) {
                        if (error || !keep_alive) return self->Close();
                        self->Read();
                      });
  }

  Impl& server_;
  const uint64_t id_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  uint32_t requests_ = 0;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept([this](beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !acceptor.is_open()) return;  // stopping
    if (error) {
      // E.g. out of file descriptors: back off instead of spinning.
      retry_timer.expires_after(kAcceptRetryDelay);
      retry_timer.async_wait([this](beast::error_code timer_error) {
        if (!timer_error) Accept();
      });
      return;
    }
    if (sessions.size() >= limits.connections_max) {
      beast::error_code ignored;
      socket.close(ignored);  // over the limit: refuse by closing at once
    } else {
      uint64_t id = next_session_id++;
      auto session = std::make_shared<Session>(*this, id, std::move(socket));
      sessions.emplace(id, session);
      session->Start();
    }
    LOTCHAIN_ASSERT(sessions.size() <= limits.connections_max);
    Accept();
  });
}

namespace {

// {"status": "ready" | "not ready", "failed": ["quorum"], "checks": [{"name", "ok", "detail"}]}
// with 200 when every check passed, 503 otherwise: probes read the code, people the body.
http::response<http::string_body> HealthResponse(const std::string& good,
                                                 const std::vector<HealthCheck>& checks) {
  nlohmann::json body = {{"checks", nlohmann::json::array()}, {"failed", nlohmann::json::array()}};
  bool ok = true;
  for (const HealthCheck& check : checks) {
    nlohmann::json item = {{"name", check.name}, {"ok", check.ok}};
    if (!check.detail.empty()) item["detail"] = check.detail;
    body["checks"].push_back(item);
    if (!check.ok) body["failed"].push_back(check.name);
    ok = ok && check.ok;
  }
  body["status"] = ok ? good : "not " + good;
  return TextResponse(ok ? http::status::ok : http::status::service_unavailable, 11,
                      body.dump() + "\n", "application/json");
}

}  // namespace

http::response<http::string_body> HttpServer::Impl::Route(
    const http::request<http::string_body>& request) {
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));
  const bool known = target == "/metrics" || target == "/healthz" || target == "/readyz" ||
                     target.substr(0, kApiPrefix.size()) == kApiPrefix;  // non-GET only here
  if (!known) return TextResponse(http::status::not_found, 11, "not found\n");
  if (request.method() != http::verb::get) {
    auto response = TextResponse(http::status::method_not_allowed, 11, "only GET is allowed\n");
    response.set(http::field::allow, "GET");
    return response;
  }
  if (target == "/metrics") {
    return TextResponse(http::status::ok, 11, backend.MetricsText(), kMetricsContentType);
  }
  std::vector<HealthCheck> checks;
  if (target == "/healthz") {
    checks.push_back({"event_loop", backend.Healthy(), ""});
  } else {
    LOTCHAIN_ASSERT(target == "/readyz");
    checks = backend.ReadinessChecks();
  }
  return HealthResponse(target == "/healthz" ? "healthy" : "ready", checks);
}

HttpServer::HttpServer(LedgerBackend& backend, const HttpLimits& limits)
    : impl_(std::make_unique<Impl>(backend, limits)) {
  LOTCHAIN_ASSERT(limits.connections_max > 0);
  LOTCHAIN_ASSERT(limits.header_bytes_max > 0);
  LOTCHAIN_ASSERT(limits.header_bytes_max <= UINT32_MAX);
}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->port; }

core::Status HttpServer::Start(const std::string& address) {
  LOTCHAIN_ASSERT(!impl_->thread.joinable());
  LOTCHAIN_ASSERT(!impl_->acceptor.is_open());
  LOTCHAIN_ASSIGN_OR_RETURN(Endpoint endpoint, ParseAddress(address));
  Impl& impl = *impl_;
  beast::error_code error;
  asio::ip::address ip = asio::ip::make_address(endpoint.host, error);
  if (error) {
    return core::Status("HTTP_LISTEN",
                        "HTTP address \"" + address + "\": host is not an IP address");
  }
  tcp::endpoint where(ip, endpoint.port);
  impl.acceptor.open(where.protocol(), error);
  if (!error) impl.acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) impl.acceptor.bind(where, error);
  if (!error) impl.acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    return core::Status("HTTP_LISTEN", "cannot serve HTTP on " + address + ": " + error.message());
  }
  impl.port = impl.acceptor.local_endpoint().port();
  impl.Accept();
  impl.keep_running.emplace(impl.io.get_executor());
  // The HTTP thread. Intentionally runs until Stop() releases it.
  impl.thread = std::thread([&impl] { impl.io.run(); });
  return core::Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_->thread.joinable()) return;
  Impl* impl = impl_.get();
  asio::post(impl->io, [impl] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
    impl->retry_timer.cancel();
    // Collect first: a session may die (and leave the map) when its last owner lets go.
    std::vector<std::shared_ptr<Impl::Session>> open;
    for (auto& [id, weak] : impl->sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
    for (auto& session : open) session->Close();
  });
  // Workers finish their running request (its answer is posted to `io`, which still runs);
  // queued ones are dropped here.
  impl_->workers.Stop();
  asio::post(impl->io, [impl] { impl->keep_running.reset(); });
  impl_->thread.join();
  LOTCHAIN_ASSERT(impl_->sessions.empty());
}

}  // namespace lotchain::node
