// The JSON API's routes over the chain itself and its listings: status, genesis, blocks,
// transactions, members / facilities / lots / flags / proposals pages, a facility, and search.
#include <charconv>
#include <memory>

#include "consensus/core/certificate.h"
#include "consensus/core/crypto.h"
#include "consensus/core/executor.h"
#include "consensus/core/ids.h"
#include "consensus/core/proto_json.h"
#include "consensus/core/state_keys.h"
#include "node/api/ledger_reads.h"
#include "node/api/state_lists.h"
#include "node/http/json_api_internal.h"

namespace lotchain::node::api_internal {

namespace {

ApiResponse OrError(core::Result<ApiResponse> result) {
  return result.ok() ? std::move(result).value() : ApiError(result.status());
}

// A committed transaction as the explorer shows it: hash, signer, the decoded body, its result.
nlohmann::json TxJson(const std::string& signed_tx_bytes) {
  nlohmann::json out = {{"hash", core::ToHex(core::TxHash(signed_tx_bytes))}};
  v1::SignedTx tx;
  v1::TxBody body;
  if (!tx.ParseFromString(signed_tx_bytes) || !body.ParseFromString(tx.body())) {
    out["malformed"] = true;  // a block may hold a refused tx; its result says why
    return out;
  }
  out["signer"] = core::ToHex(tx.signer());
  out["body"] = core::ProtoToJson(body);
  return out;
}

core::Result<uint64_t> HeightParam(const Request& r, const std::string& text) {
  if (text == "latest") return r.backend.store().height();
  uint64_t height = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), height);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return core::Status("INVALID_ARGUMENT",
                        "block height must be a whole number or \"latest\", got \"" + text + "\"");
  }
  return height;
}

core::Result<ApiResponse> Block(const Request& r) {
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({}));
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t height, HeightParam(r, r.path[1]));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::BlockWithCert found, ReadBlock(r.backend.store(), height));
  v1::BlockHeader header;
  if (!header.ParseFromString(found.block().header())) {
    return core::Status("STORE_CORRUPT", "the header of stored block " +
                                             std::to_string(height) + " does not decode");
  }
  nlohmann::json txs = nlohmann::json::array();
  for (int i = 0; i < found.block().txs_size(); ++i) {
    nlohmann::json tx = TxJson(found.block().txs(i));
    if (i < found.results_size()) tx["result"] = core::ProtoToJson(found.results(i));
    txs.push_back(std::move(tx));
  }
  nlohmann::json body = {{"height", height},
                         {"block_hash", core::ToHex(core::BlockHash(found.block()))},
                         {"header", core::ProtoToJson(header)},
                         {"txs", std::move(txs)},
                         {"certificate", core::ProtoToJson(found.certificate())},
                         {"tip", r.backend.store().height()}};
  return JsonOk(body, r.limits);
}

core::Result<ApiResponse> Tx(const Request& r) {
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({}));
  core::Result<std::string> hash = core::FromHex(r.path[1]);
  if (!hash.ok() || hash->size() != core::kHashBytes) {
    return core::Status("INVALID_ARGUMENT", "a transaction hash is 64 hex digits (SHA-256 of the "
                                            "SignedTx encoding), got \"" + r.path[1] + "\"");
  }
  LOTCHAIN_ASSIGN_OR_RETURN(v1::TxStatus status, r.backend.GetTxStatus(*hash));
  if (status.status() == v1::TX_STATUS_UNKNOWN) {
    return core::Status("NOT_FOUND", "transaction " + r.path[1] +
                                         " is neither pending nor committed on this node");
  }
  nlohmann::json body = core::ProtoToJson(status);
  if (status.height() > 0) {  // committed: show what it said
    LOTCHAIN_ASSIGN_OR_RETURN(v1::Block block, r.backend.store().GetBlock(status.height()));
    if (status.index() < static_cast<uint32_t>(block.txs_size())) {
      body["tx"] = TxJson(block.txs(static_cast<int>(status.index())));
    }
  }
  return JsonOk(body, r.limits);
}

core::Result<v1::ListRequest> ListRequestOf(const Request& r) {
  v1::ListRequest request;
  const std::string& kind = r.path[0];
  if (kind == "members") {
    request.set_kind(v1::LIST_KIND_MEMBERS);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"page_size", "page_token"}));
  } else if (kind == "facilities" && r.path.size() == 1) {
    request.set_kind(v1::LIST_KIND_FACILITIES);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"org", "page_size", "page_token"}));
  } else if (kind == "facilities") {
    request.set_kind(v1::LIST_KIND_AUDITS);
    request.set_facility_id(r.path[1]);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"page_size", "page_token"}));
  } else if (kind == "lots") {
    request.set_kind(v1::LIST_KIND_LOTS);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"org", "offered_to", "in_transit_only",
                                                "battery_serial", "live_only", "page_size",
                                                "page_token"}));
    request.set_offered_to(r.query.One("offered_to").value_or(""));
    request.set_battery_serial(r.query.One("battery_serial").value_or(""));
    LOTCHAIN_ASSIGN_OR_RETURN(bool in_transit, r.query.Bool("in_transit_only"));
    LOTCHAIN_ASSIGN_OR_RETURN(bool live, r.query.Bool("live_only"));
    request.set_in_transit_only(in_transit);
    request.set_live_only(live);
  } else if (kind == "flags") {
    request.set_kind(v1::LIST_KIND_FLAGS);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly(
        {"open_only", "facility_id", "lot_id", "page_size", "page_token"}));
    request.set_facility_id(r.query.One("facility_id").value_or(""));
    request.set_lot_id(r.query.One("lot_id").value_or(""));
  } else {
    LOTCHAIN_ASSERT(kind == "proposals");
    request.set_kind(v1::LIST_KIND_PROPOSALS);
    LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"open_only", "page_size", "page_token"}));
  }
  request.set_org(r.query.One("org").value_or(""));
  LOTCHAIN_ASSIGN_OR_RETURN(bool open_only, r.query.Bool("open_only"));
  request.set_open_only(open_only);
  LOTCHAIN_ASSIGN_OR_RETURN(uint64_t page_size, r.query.Number("page_size", 0, kListPageMax));
  request.set_page_size(static_cast<uint32_t>(page_size));
  core::Result<std::string> token = core::FromHex(r.query.One("page_token").value_or(""));
  if (!token.ok()) {
    return core::Status("INVALID_ARGUMENT",
                        "page_token is the hex next_page_token of the previous page");
  }
  request.set_page_token(*token);
  return request;
}

core::Result<ApiResponse> List(const Request& r) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::ListRequest request, ListRequestOf(r));
  std::unique_ptr<StateSnapshot> snapshot = r.backend.store().Snapshot();
  LOTCHAIN_ASSIGN_OR_RETURN(v1::ListResponse page, ListRecords(*snapshot, request));
  return JsonOk(core::ProtoToJson(page), r.limits);
}

core::Result<ApiResponse> Facility(const Request& r) {
  if (r.path.size() == 3 && r.path[2] == "audits") return List(r);
  if (r.path.size() != 2) return UnknownRoute(r.path);
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({}));
  std::unique_ptr<StateSnapshot> snapshot = r.backend.store().Snapshot();
  std::optional<v1::Facility> facility = core::QueryFacility(*snapshot, r.path[1]);
  if (!facility) return core::Status("NOT_FOUND", "no facility \"" + r.path[1] + "\"");
  nlohmann::json body = core::ProtoToJson(*facility);
  body["open_flags"] = nlohmann::json::array();
  for (const v1::RiskFlag& flag : core::QueryOpenFlags(*snapshot, 'F', r.path[1])) {
    body["open_flags"].push_back(core::ProtoToJson(flag));
  }
  body["as_of_height"] = snapshot->tip().height;
  return JsonOk(body, r.limits);
}

core::Result<ApiResponse> MemberRecord(const Request& r) {
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({}));
  std::unique_ptr<StateSnapshot> snapshot = r.backend.store().Snapshot();
  std::optional<std::string> bytes = snapshot->Get(core::keys::Member(r.path[1]));
  if (!bytes) return core::Status("NOT_FOUND", "no member organisation \"" + r.path[1] + "\"");
  v1::Member member;
  if (!member.ParseFromString(*bytes)) {
    return core::Status("STORE_CORRUPT", "the record of member " + r.path[1] + " does not decode");
  }
  nlohmann::json body = core::ProtoToJson(member);
  body["as_of_height"] = snapshot->tip().height;
  return JsonOk(body, r.limits);
}

// What `q` names: a lot, facility or member id, a block height, a transaction hash. Each
// match has the API path that shows it.
core::Result<ApiResponse> Search(const Request& r) {
  LOTCHAIN_RETURN_IF_ERROR(r.query.AllowOnly({"q"}));
  const std::string q = r.query.One("q").value_or("");
  if (q.empty() || q.size() > 128) {
    return core::Status("INVALID_ARGUMENT", "search needs q= with 1 to 128 characters");
  }
  std::unique_ptr<StateSnapshot> snapshot = r.backend.store().Snapshot();
  nlohmann::json matches = nlohmann::json::array();
  auto add = [&](const char* kind, const std::string& path) {
    matches.push_back({{"kind", kind}, {"id", q}, {"path", std::string(kApiPrefix) + path}});
  };
  if (core::IsValidId(q)) {
    if (snapshot->Get(core::keys::Lot(q))) add("lot", "lots/" + q);
    if (snapshot->Get(core::keys::Facility(q))) add("facility", "facilities/" + q);
    if (snapshot->Get(core::keys::Member(q))) add("member", "members/" + q);
  }
  core::Result<uint64_t> height = HeightParam(r, q);
  if (height.ok() && q != "latest" && *height >= 1 && *height <= snapshot->tip().height) {
    add("block", "blocks/" + q);
  }
  core::Result<std::string> hash = core::FromHex(q);
  if (hash.ok() && hash->size() == core::kHashBytes) {
    core::Result<v1::TxStatus> status = r.backend.GetTxStatus(*hash);
    if (status.ok() && status->status() != v1::TX_STATUS_UNKNOWN) add("tx", "txs/" + q);
  }
  return JsonOk({{"query", q}, {"matches", matches}, {"as_of_height", snapshot->tip().height}},
                r.limits);
}

}  // namespace

ApiResponse ServeStatus(const Request& r) {
  if (core::Status s = r.query.AllowOnly({}); !s.ok()) return ApiError(s);
  return JsonOk(core::ProtoToJson(r.backend.GetStatus()), r.limits);
}

ApiResponse ServeGenesis(const Request& r) {
  if (core::Status s = r.query.AllowOnly({}); !s.ok()) return ApiError(s);
  const core::Genesis& genesis = r.backend.genesis();
  nlohmann::json body = {{"chain_id", genesis.chain_id},
                         {"genesis_hash", core::ToHex(genesis.hash)},
                         {"genesis", nlohmann::json::parse(genesis.canonical_json)}};
  return JsonOk(body, r.limits);
}

ApiResponse ServeBlock(const Request& r) { return OrError(Block(r)); }
ApiResponse ServeTx(const Request& r) { return OrError(Tx(r)); }
ApiResponse ServeList(const Request& r) { return OrError(List(r)); }
ApiResponse ServeFacility(const Request& r) { return OrError(Facility(r)); }
ApiResponse ServeSearch(const Request& r) { return OrError(Search(r)); }
ApiResponse ServeMember(const Request& r) { return OrError(MemberRecord(r)); }

}  // namespace lotchain::node::api_internal
