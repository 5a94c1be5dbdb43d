#include "node/http/json_api.h"

#include <charconv>
#include <memory>

#include "consensus/core/crypto.h"
#include "consensus/core/error_codes.h"
#include "consensus/core/export_format.h"
#include "consensus/core/ids.h"
#include "consensus/core/passport.h"
#include "consensus/core/proto_json.h"
#include "consensus/core/trace_figures.h"
#include "node/api/ledger_reads.h"
#include "node/http/json_api_internal.h"

namespace lotchain::node {

namespace api_internal {

namespace {

// Percent-decoding of one path segment or query component; '+' is a space only in queries.
core::Result<std::string> Unescape(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      core::Result<std::string> byte =
          i + 2 < in.size() ? core::FromHex(in.substr(i + 1, 2)) : core::Result<std::string>(
                                  core::Status("BAD_HEX", "cut short"));
      if (!byte.ok()) {
        return core::Status("INVALID_ARGUMENT",
                            "bad percent-encoding in \"" + std::string(in) +
                                "\": '%' must be followed by two hex digits");
      }
      out += *byte;
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return out;
}

}  // namespace

core::Result<Query> Query::Parse(std::string_view query_string) {
  Query q;
  while (!query_string.empty()) {
    size_t amp = query_string.find('&');
    std::string_view part = query_string.substr(0, amp);
    query_string = amp == std::string_view::npos ? "" : query_string.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    LOTCHAIN_ASSIGN_OR_RETURN(std::string name, Unescape(part.substr(0, eq), true));
    std::string value;
    if (eq != std::string_view::npos) {
      LOTCHAIN_ASSIGN_OR_RETURN(value, Unescape(part.substr(eq + 1), true));
    }
    q.params_.emplace_back(std::move(name), std::move(value));
  }
  return q;
}

core::Status Query::AllowOnly(std::initializer_list<std::string_view> names) const {
  for (const auto& [name, value] : params_) {
    bool known = false;
    for (std::string_view allowed : names) known = known || name == allowed;
    if (known) continue;
    std::string list;
    for (std::string_view allowed : names) list += (list.empty() ? "" : ", ") + std::string(allowed);
    return core::Status("INVALID_ARGUMENT",
                        "unknown query parameter \"" + name + "\"; this path takes " +
                            (list.empty() ? std::string("none") : list));
  }
  return core::Status::Ok();
}

std::optional<std::string> Query::One(std::string_view name) const {
  std::optional<std::string> found;
  for (const auto& [key, value] : params_) {
    if (key == name) found = value;
  }
  return found;
}

std::vector<std::string> Query::All(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : params_) {
    if (key == name) out.push_back(value);
  }
  return out;
}

core::Result<bool> Query::Bool(std::string_view name) const {
  std::optional<std::string> v = One(name);
  if (!v) return false;
  if (*v == "true" || *v == "1" || v->empty()) return true;
  if (*v == "false" || *v == "0") return false;
  return core::Status("INVALID_ARGUMENT", "query parameter " + std::string(name) +
                                              " takes true or false, got \"" + *v + "\"");
}

core::Result<uint64_t> Query::Number(std::string_view name, uint64_t fallback,
                                     uint64_t max) const {
  std::optional<std::string> v = One(name);
  if (!v) return fallback;
  uint64_t n = 0;
  auto [end, error] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (error != std::errc() || end != v->data() + v->size() || v->empty() || n > max) {
    return core::Status("INVALID_ARGUMENT", "query parameter " + std::string(name) +
                                                " takes a whole number from 0 to " +
                                                std::to_string(max) + ", got \"" + *v + "\"");
  }
  return n;
}

ApiResponse TextOk(std::string body, std::string content_type, const ApiLimits& limits) {
  if (body.size() > limits.response_bytes_max) {
    return ApiError(core::Status(
        "RESPONSE_TOO_LARGE",
        "the answer would be " + std::to_string(body.size()) + " bytes, over the HTTP API's " +
            std::to_string(limits.response_bytes_max) +
            "-byte limit; ask for less (max_nodes, page_size) or use the gRPC API"));
  }
  ApiResponse response;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

ApiResponse JsonOk(const nlohmann::json& body, const ApiLimits& limits) {
  return TextOk(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                "application/json", limits);
}

core::Status UnknownRoute(const std::vector<std::string>& path) {
  std::string joined;
  for (const auto& s : path) joined += "/" + s;
  return core::Status(
      "NOT_FOUND",
      "no API route " + std::string(kApiPrefix.substr(0, kApiPrefix.size() - 1)) + joined +
          "; routes: status, genesis, formats, search?q=, lots, lots/ID, lots/ID/history, "
          "lots/ID/trace, lots/ID/passport, lots/ID/exports/FORMAT, blocks/HEIGHT|latest, "
          "txs/HASH, members, members/ORG, facilities, facilities/ID, facilities/ID/audits, flags, proposals "
          "(docs/API.md)");
}

namespace {

// The upstream trace of `lot_id` (max_nodes from the query) and the passport over it, with the
// policy of the node's genesis, as of the snapshot the trace was read at.
struct LotDocuments {
  v1::Trace trace;
  core::Passport passport;
};

core::Result<LotDocuments> ReadLotDocuments(const Request& r, const std::string& lot_id) {
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t max_nodes,
                            r.query.Number("max_nodes", r.limits.trace_nodes_default,
                                           core::kTraceNodesMax));
  LotDocuments out;
  LOTCHAIN_ASSIGN_OR_RETURN(
      out.trace, ReadTrace(r.backend.store(), r.backend.genesis(), lot_id,
                           v1::TRACE_DIRECTION_UPSTREAM, static_cast<uint32_t>(max_nodes)));
  out.passport = core::BuildPassport(out.trace, &r.backend.genesis(),
                                     out.trace.as_of_time_unix_ms());
  return out;
}

core::Result<core::ExportDeclarations> Declarations(const Query& query) {
  core::ExportDeclarations out;
  for (const std::string& item : query.All("declare")) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      return core::Status("INVALID_ARGUMENT", "declare takes KEY=VALUE, got \"" + item + "\"");
    }
    out[item.substr(0, eq)].push_back(item.substr(eq + 1));
  }
  return out;
}

core::Result<ApiResponse> ServeExport(const Request& r, const std::string& lot_id,
                                      std::string_view format_name) {
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"max_nodes", "declare"}));
  LOTCHAIN_ASSIGN_OR_RETURN(const core::ExportFormat* format,
                            core::FindExportFormat(format_name));
  LOTCHAIN_ASSIGN_OR_RETURN(core::ExportDeclarations declared, Declarations(r.query));
  LOTCHAIN_ASSIGN_OR_RETURN(LotDocuments docs, ReadLotDocuments(r, lot_id));
  core::ExportSource source{.upstream = &docs.trace,
                            .passport = &docs.passport,
                            .genesis = &r.backend.genesis(),
                            .chain_id = r.backend.genesis().chain_id,
                            .declarations = &declared};
  LOTCHAIN_ASSIGN_OR_RETURN(std::string document, format->Render(source));
  // JSON documents start with a brace; a credential is a compact JWS (VC-JOSE-COSE).
  const bool json = !document.empty() && (document[0] == '{' || document[0] == '[');
  return TextOk(std::move(document), json ? "application/json" : "application/vc+jwt",
                r.limits);
}

core::Result<ApiResponse> ServeLot(const Request& r) {
  const std::string& lot_id = r.path[1];
  if (!core::IsValidId(lot_id)) {
    return core::Status("BAD_ID", "lot id \"" + lot_id + "\" breaks the id rule [A-Za-z0-9._:-]{1,64}");
  }
  if (r.path.size() == 2 || (r.path.size() == 3 && r.path[2] == "history")) {
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({}));
    std::unique_ptr<StateSnapshot> snapshot = r.backend.store().Snapshot();
    nlohmann::json body;
    if (r.path.size() == 2) {
      LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, core::QueryLot(*snapshot, lot_id));
      body = core::ProtoToJson(lot);
    } else {
      LOTCHAIN_ASSIGN_OR_RETURN(v1::LotHistory history, core::QueryLotHistory(*snapshot, lot_id));
      body = core::ProtoToJson(history);
    }
    body["as_of_height"] = snapshot->tip().height;
    return JsonOk(body, r.limits);
  }
  if (r.path.size() == 3 && r.path[2] == "trace") {
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"direction", "max_nodes"}));
    std::string direction = r.query.One("direction").value_or("upstream");
    if (direction != "upstream" && direction != "downstream") {
      return core::Status("INVALID_ARGUMENT",
                          "direction takes upstream or downstream, got \"" + direction + "\"");
    }
    LOTCHAIN_ASSIGN_OR_RETURN(uint64_t max_nodes,
                              r.query.Number("max_nodes", r.limits.trace_nodes_default,
                                             core::kTraceNodesMax));
    LOTCHAIN_ASSIGN_OR_RETURN(
        v1::Trace trace,
        ReadTrace(r.backend.store(), r.backend.genesis(), lot_id,
                  direction == "upstream" ? v1::TRACE_DIRECTION_UPSTREAM
                                          : v1::TRACE_DIRECTION_DOWNSTREAM,
                  static_cast<uint32_t>(max_nodes)));
    return JsonOk(core::TraceToJson(trace), r.limits);
  }
  if (r.path.size() == 3 && r.path[2] == "passport") {
    return ServeExport(r, lot_id, core::LotchainPassportFormat().name());
  }
  if (r.path.size() == 4 && r.path[2] == "exports") return ServeExport(r, lot_id, r.path[3]);
  return UnknownRoute(r.path);
}

ApiResponse ServeFormats(const Request& r) {
  if (core::Status s = r.query.AllowOnly({}); !s.ok()) return ApiError(s);
  nlohmann::json formats = nlohmann::json::array();
  for (const core::ExportFormat* f : core::ExportFormats()) {
    formats.push_back({{"name", f->name()}, {"summary", f->summary()}});
  }
  return JsonOk({{"formats", formats}}, r.limits);
}

ApiResponse Dispatch(const Request& r) {
  const std::vector<std::string>& p = r.path;
  const std::string first = p.empty() ? "" : p[0];
  if (first == "status" && p.size() == 1) return ServeStatus(r);
  if (first == "genesis" && p.size() == 1) return ServeGenesis(r);
  if (first == "formats" && p.size() == 1) return ServeFormats(r);
  if (first == "search" && p.size() == 1) return ServeSearch(r);
  if (first == "blocks" && p.size() == 2) return ServeBlock(r);
  if (first == "txs" && p.size() == 2) return ServeTx(r);
  if (first == "lots" && p.size() >= 2) {
    core::Result<ApiResponse> out = ServeLot(r);
    return out.ok() ? std::move(out).value() : ApiError(out.status());
  }
  if (first == "facilities" && p.size() >= 2) return ServeFacility(r);
  if (first == "members" && p.size() == 2) return ServeMember(r);
  if (p.size() == 1 && (first == "members" || first == "facilities" || first == "lots" ||
                        first == "flags" || first == "proposals")) {
    return ServeList(r);
  }
  return ApiError(UnknownRoute(p));
}

}  // namespace

}  // namespace api_internal

ApiResponse ApiError(const core::Status& status) {
  const core::CodeInfo* info = core::FindCode(status.code());
  const core::GrpcClass kind = info == nullptr ? core::GrpcClass::kInternal : info->grpc;
  const bool retryable = info != nullptr && info->retryable;
  unsigned http = 500;
  switch (kind) {
    case core::GrpcClass::kInvalidArgument:
    case core::GrpcClass::kOutOfRange: http = 400; break;
    case core::GrpcClass::kPermissionDenied: http = 403; break;
    case core::GrpcClass::kNotFound: http = 404; break;
    case core::GrpcClass::kAlreadyExists:
    case core::GrpcClass::kFailedPrecondition: http = 409; break;
    // Retrying helps only some exhausted bounds (a busy pool); a too-large answer is the
    // request's fault.
    case core::GrpcClass::kResourceExhausted: http = retryable ? 429 : 400; break;
    case core::GrpcClass::kUnavailable: http = 503; break;
    case core::GrpcClass::kDeadlineExceeded: http = 504; break;
    case core::GrpcClass::kUnimplemented: http = 501; break;
    case core::GrpcClass::kCancelled:
    case core::GrpcClass::kDataLoss:
    case core::GrpcClass::kInternal: http = 500; break;
  }
  ApiResponse response;
  response.status = http;
  response.retry_after_seconds = retryable && (http == 429 || http == 503) ? 1 : 0;
  nlohmann::json body = {{"error",
                          {{"code", status.code()},
                           {"message", status.message()},
                           {"retryable", retryable},
                           {"http_status", http}}}};
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return response;
}

ApiResponse HandleApiGet(LedgerBackend& backend, std::string_view target,
                         const ApiLimits& limits) {
  using api_internal::Unescape;
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  LOTCHAIN_ASSERT(path.substr(0, kApiPrefix.size()) == kApiPrefix);
  path.remove_prefix(kApiPrefix.size());
  std::vector<std::string> segments;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
    if (part.empty()) continue;  // "lots//x" and a trailing slash name the same thing
    core::Result<std::string> decoded = Unescape(part, false);
    if (!decoded.ok()) return ApiError(decoded.status());
    segments.push_back(std::move(decoded).value());
  }
  core::Result<api_internal::Query> parsed = api_internal::Query::Parse(query);
  if (!parsed.ok()) return ApiError(parsed.status());
  api_internal::Request request{backend, limits, std::move(segments), std::move(parsed).value()};
  return api_internal::Dispatch(request);
}

}  // namespace lotchain::node
