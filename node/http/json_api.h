// The node's read-only JSON API over HTTP (docs/API.md "HTTP JSON API"): lots, histories,
// traces, passports, every export format, blocks, transactions, listings and search, under the
// versioned prefix /api/v1/, so web pages (the explorer) and partners need no gRPC.
//
// HandleApiGet is a pure function of the backend's committed data and the request target
// ("/api/v1/lots/pack-a/trace?direction=downstream"): it is tested without a server, and the
// HTTP server runs it on its bounded worker pool (api_workers.h). Every answer is JSON except a
// credential export (a compact JWS). Errors are {"error": {"code", "message", "retryable",
// "http_status"}} with the lotchain code from the one table (consensus/core/error_codes.inc)
// and an HTTP status derived from the code's class (400, 403, 404, 409, 429, 500, 503, …).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "consensus/core/queries.h"
#include "consensus/core/result.h"
#include "node/api/backend.h"

namespace lotchain::node {

inline constexpr std::string_view kApiPrefix = "/api/v1/";

struct ApiLimits {
  // A rendered answer above this is refused with RESPONSE_TOO_LARGE (ask for fewer nodes or a
  // smaller page) instead of building a document no browser should load.
  size_t response_bytes_max = 64u << 20;
  uint32_t trace_nodes_default = core::kTraceNodesDefault;
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  unsigned retry_after_seconds = 0;  // > 0 for 429 / 503: sent as Retry-After
};

// Answers GET `target` (path and query string, percent-encoded as sent).
ApiResponse HandleApiGet(LedgerBackend& backend, std::string_view target, const ApiLimits& limits);

// The error document and HTTP status for a failed request.
ApiResponse ApiError(const core::Status& status);

}  // namespace lotchain::node
