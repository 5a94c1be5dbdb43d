// Pieces the JSON API's files share (json_api.cc: parsing, errors, dispatch, lots and exports;
// json_api_chain.cc: blocks, transactions, listings, search, status). Not a public interface.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "consensus/core/result.h"
#include "node/api/backend.h"
#include "node/http/json_api.h"

namespace lotchain::node::api_internal {

// The query string of a request, percent-decoded. Each route names the parameters it takes;
// any other is refused (a typo must not be silently ignored).
class Query {
 public:
  static core::Result<Query> Parse(std::string_view query_string);

  core::Status AllowOnly(std::initializer_list<std::string_view> names) const;
  std::optional<std::string> One(std::string_view name) const;  // the last value given
  std::vector<std::string> All(std::string_view name) const;
  // "true"/"1" or "false"/"0"; absent = false.
  core::Result<bool> Bool(std::string_view name) const;
  // A decimal number in [0, max]; absent = `fallback`.
  core::Result<uint64_t> Number(std::string_view name, uint64_t fallback, uint64_t max) const;

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

struct Request {
  LedgerBackend& backend;
  const ApiLimits& limits;
  std::vector<std::string> path;  // segments after /api/v1/, percent-decoded
  Query query;
};

// A 200 answer with `body` (compact JSON), or RESPONSE_TOO_LARGE past the limit.
ApiResponse JsonOk(const nlohmann::json& body, const ApiLimits& limits);
ApiResponse TextOk(std::string body, std::string content_type, const ApiLimits& limits);

// Routes of json_api_chain.cc; each answers NOT_FOUND (the route list) for a path it does not
// serve.
ApiResponse ServeStatus(const Request& r);
ApiResponse ServeGenesis(const Request& r);
ApiResponse ServeBlock(const Request& r);
ApiResponse ServeTx(const Request& r);
ApiResponse ServeList(const Request& r);  // members, facilities, lots (no id), flags, proposals
ApiResponse ServeFacility(const Request& r);
ApiResponse ServeMember(const Request& r);
ApiResponse ServeSearch(const Request& r);

// The error for a path no route serves, listing the routes.
core::Status UnknownRoute(const std::vector<std::string>& path);

}  // namespace lotchain::node::api_internal
