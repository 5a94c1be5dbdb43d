// HttpServer: the node's operational HTTP/1.1 endpoint on Boost.Beast (docs/API.md).
//
//   GET /api/v1/… the read-only JSON API (json_api.h), run on a bounded worker pool
//   GET /metrics  200, Prometheus text format 0.0.4 (backend.MetricsText())
//   GET /healthz  200 "ok" if backend.Healthy(), else 503
//   GET /readyz   200 "ready" if backend.Ready(), else 503
//   other paths   404;  other methods on these paths  405 (Allow: GET)
//   oversized request header 431, oversized body 413, malformed request 400 (then close)
//
// Threads: the server owns its io_context and runs it on ONE thread it starts (never on the
// node's event loop: the backend's Healthy/Ready/MetricsText may post to that loop and wait, so
// running there could deadlock). The operational endpoints are answered on that thread (each is
// a quick backend call), so they stay prompt while big API requests run: those go to
// `api_workers` threads with a queue of `api_queue_max` (beyond it 429 API_BUSY), and their
// answer is written back from the HTTP thread.
//
// Bounds (HttpLimits): open connections (beyond the limit a new connection is closed at once),
// request header and body bytes, time to read a whole request (also the keep-alive idle time),
// time to write a response, requests per connection.
//
// Lifecycle (owned by the node app, all from one thread):
//   HttpServer http(backend);                      // or HttpServer(backend, limits)
//   LOTCHAIN_RETURN_IF_ERROR(http.Start("0.0.0.0:26660"));  // binds, starts the thread
//   http.Stop();                                   // closes everything, joins the thread
// Start is called once (error HTTP_LISTEN if the address is bad or cannot be bound). Stop is
// idempotent and run by the destructor. The backend must outlive the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "consensus/core/result.h"
#include "node/api/backend.h"
#include "node/http/json_api.h"

namespace lotchain::node {

struct HttpLimits {
  size_t connections_max = 64;
  size_t header_bytes_max = 8u << 10;
  size_t body_bytes_max = 4u << 10;  // GET needs none; a larger body is refused with 413
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds write_timeout{10'000};
  uint32_t requests_per_connection_max = 1000;
  size_t api_workers = 2;
  size_t api_queue_max = 16;
  std::chrono::milliseconds api_write_timeout{120'000};  // API answers may be tens of MB
  ApiLimits api;
};

class HttpServer {
 public:
  explicit HttpServer(LedgerBackend& backend, const HttpLimits& limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `address` (host:port, "[::1]:26660" for IPv6; port 0 picks a free port) and starts
  // the HTTP thread.
  core::Status Start(const std::string& address);
  uint16_t port() const;  // the bound port; 0 before Start
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lotchain::node
