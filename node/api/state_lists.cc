#include "node/api/state_lists.h"
#include "consensus/core/proto_parse.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "consensus/core/governance.h"
#include "consensus/core/state_keys.h"

namespace lotchain::node {

namespace {

core::Status Invalid(const std::string& message) {
  return core::Status("INVALID_ARGUMENT", message);
}

// Which filters each kind accepts; a filter set for another kind is a mistake worth naming.
core::Status CheckFilters(const v1::ListRequest& r) {
  const v1::ListKind k = r.kind();
  auto refuse = [&](bool set, const char* filter) -> core::Status {
    if (!set) return core::Status::Ok();
    return Invalid(std::string("filter ") + filter + " does not apply to " +
                   v1::ListKind_Name(k) + " listings");
  };
  const bool lots = k == v1::LIST_KIND_LOTS;
  const bool flags = k == v1::LIST_KIND_FLAGS;
  LOTCHAIN_RETURN_IF_ERROR(refuse(!r.org().empty() && !lots && k != v1::LIST_KIND_FACILITIES, "org"));
  LOTCHAIN_RETURN_IF_ERROR(refuse(!r.offered_to().empty() && !lots, "offered_to"));
  LOTCHAIN_RETURN_IF_ERROR(refuse(r.in_transit_only() && !lots, "in_transit_only"));
  LOTCHAIN_RETURN_IF_ERROR(refuse(r.live_only() && !lots, "live_only"));
  LOTCHAIN_RETURN_IF_ERROR(refuse(!r.battery_serial().empty() && !lots, "battery_serial"));
  LOTCHAIN_RETURN_IF_ERROR(
      refuse(!r.facility_id().empty() && !flags && k != v1::LIST_KIND_AUDITS, "facility_id"));
  LOTCHAIN_RETURN_IF_ERROR(refuse(!r.lot_id().empty() && !flags, "lot_id"));
  LOTCHAIN_RETURN_IF_ERROR(
      refuse(r.open_only() && !flags && k != v1::LIST_KIND_PROPOSALS, "open_only"));
  if (flags && !r.facility_id().empty() && !r.lot_id().empty()) {
    return Invalid("a flag is on a lot or on a facility: give facility_id or lot_id, not both");
  }
  if (k == v1::LIST_KIND_AUDITS && r.facility_id().empty()) {
    return Invalid("an AUDITS listing needs facility_id (the facility whose audits to list)");
  }
  return core::Status::Ok();
}

template <typename Record>
Record Parse(const std::string& bytes) {
  Record record;
  // State written by the custody rules always parses; anything else is store corruption.
  core::ParseOwnOrDie(record, bytes);
  return record;
}

bool LotMatches(const v1::ListRequest& r, const v1::Lot& lot) {
  if (!r.org().empty() && lot.custodian_org() != r.org()) return false;
  const bool in_transit = lot.status() == v1::LOT_STATUS_IN_TRANSIT;
  if (r.in_transit_only() && !in_transit) return false;
  if (r.live_only() && !in_transit && lot.status() != v1::LOT_STATUS_ACTIVE) return false;
  if (!r.offered_to().empty() && (!in_transit || lot.pending_offer().to_org() != r.offered_to())) {
    return false;
  }
  if (!r.battery_serial().empty() &&
      (!lot.has_battery() || lot.battery().serial() != r.battery_serial())) {
    return false;
  }
  return true;
}

bool FlagMatches(const v1::ListRequest& r, const v1::RiskFlag& flag) {
  if (r.open_only() && flag.resolved()) return false;
  if (!r.facility_id().empty() && flag.raised().facility_id() != r.facility_id()) return false;
  if (!r.lot_id().empty() && flag.raised().lot_id() != r.lot_id()) return false;
  return true;
}

// Adds the record under `value` to the response when it passes the filters; true if added.
using Collect = std::function<bool(const std::string& value, v1::ListResponse& out)>;

struct Listing {
  std::string prefix;
  Collect collect;
};

// Open proposals are those the chain would still let members approve or reject in the next
// block (height + 1: the first in which a vote could apply).
Listing ProposalListing(const v1::ListRequest& r, uint64_t height) {
  return {"p/", [&r, height](const std::string& v, v1::ListResponse& out) {
            v1::GovernanceProposal proposal = Parse<v1::GovernanceProposal>(v);
            if (r.open_only() &&
                core::EffectiveStatus(proposal, height + 1) != v1::PROPOSAL_STATUS_OPEN) {
              return false;
            }
            *out.add_proposals() = std::move(proposal);
            return true;
          }};
}

Listing ListingOf(const v1::ListRequest& r, uint64_t height) {
  switch (r.kind()) {
    case v1::LIST_KIND_PROPOSALS:
      return ProposalListing(r, height);
    case v1::LIST_KIND_MEMBERS:
      return {"m/", [](const std::string& v, v1::ListResponse& out) {
                *out.add_members() = Parse<v1::Member>(v);
                return true;
              }};
    case v1::LIST_KIND_FACILITIES:
      return {"f/", [&r](const std::string& v, v1::ListResponse& out) {
                v1::Facility facility = Parse<v1::Facility>(v);
                if (!r.org().empty() && facility.owner_org() != r.org()) return false;
                *out.add_facilities() = std::move(facility);
                return true;
              }};
    case v1::LIST_KIND_LOTS:
      return {"l/", [&r](const std::string& v, v1::ListResponse& out) {
                v1::Lot lot = Parse<v1::Lot>(v);
                if (!LotMatches(r, lot)) return false;
                *out.add_lots() = std::move(lot);
                return true;
              }};
    case v1::LIST_KIND_AUDITS:
      return {core::keys::FacilityAuditPrefix(r.facility_id()),
              [](const std::string& v, v1::ListResponse& out) {
                *out.add_audits() = Parse<v1::Audit>(v);
                return true;
              }};
    default: {
      // Open flags of one target have their own index; everything else scans all flags.
      std::string prefix = "r/";
      if (r.open_only() && !r.facility_id().empty()) {
        prefix = core::keys::OpenFlagPrefix('F', r.facility_id());
      } else if (r.open_only() && !r.lot_id().empty()) {
        prefix = core::keys::OpenFlagPrefix('L', r.lot_id());
      }
      return {prefix, [&r](const std::string& v, v1::ListResponse& out) {
                v1::RiskFlag flag = Parse<v1::RiskFlag>(v);
                if (!FlagMatches(r, flag)) return false;
                *out.add_flags() = std::move(flag);
                return true;
              }};
    }
  }
}

}  // namespace

core::Result<v1::ListResponse> ListRecords(const StateSnapshot& snapshot,
                                           const v1::ListRequest& request) {
  if (request.kind() == v1::LIST_KIND_UNSPECIFIED || !v1::ListKind_IsValid(request.kind())) {
    return Invalid("kind " + std::to_string(request.kind()) +
                   " is not one of MEMBERS (1), FACILITIES (2), LOTS (3), AUDITS (4), FLAGS (5), "
                   "PROPOSALS (6)");
  }
  if (request.page_size() > kListPageMax) {
    return Invalid("page_size " + std::to_string(request.page_size()) + " is above " +
                   std::to_string(kListPageMax));
  }
  LOTCHAIN_RETURN_IF_ERROR(CheckFilters(request));
  if (request.kind() == v1::LIST_KIND_AUDITS &&
      !snapshot.Get(core::keys::Facility(request.facility_id())).has_value()) {
    return core::Status("NOT_FOUND", "facility \"" + request.facility_id() +
                                         "\" does not exist; `lotchain facility list` lists them");
  }
  const Listing listing = ListingOf(request, snapshot.tip().height);
  std::string last = request.page_token();
  if (last.size() > kReadStateKeyBytesMax ||
      (!last.empty() && !last.starts_with(listing.prefix))) {
    return Invalid("page_token is not from this listing (kind and filters must stay the same)");
  }
  const size_t page = request.page_size() == 0 ? kListPageDefault : request.page_size();
  v1::ListResponse out;
  out.set_height(snapshot.tip().height);
  size_t added = 0;
  size_t scanned = 0;
  while (added < page && scanned < kListScanMax) {
    const size_t chunk = std::min<size_t>(kListPageMax, kListScanMax - scanned);
    std::vector<core::KeyValue> entries = snapshot.ScanAfter(listing.prefix, last, chunk);
    for (const auto& [key, value] : entries) {
      last = key;
      ++scanned;
      if (listing.collect(value, out)) ++added;
      if (added == page) break;
    }
    if (entries.size() < chunk && added < page) return out;  // reached the end
  }
  // Stopped on a full page or the scan budget: say where to go on, unless nothing follows.
  if (!snapshot.ScanAfter(listing.prefix, last, 1).empty()) out.set_next_page_token(last);
  return out;
}

core::Result<v1::ReadStateResponse> ReadStateEntries(const StateSnapshot& snapshot,
                                                     int64_t block_time_unix_ms,
                                                     const v1::ReadStateRequest& request) {
  if (request.keys_size() > static_cast<int>(kReadStateKeysMax)) {
    return Invalid("at most " + std::to_string(kReadStateKeysMax) + " keys per ReadState call, not " +
                   std::to_string(request.keys_size()));
  }
  v1::ReadStateResponse out;
  out.set_height(snapshot.tip().height);
  out.set_state_root(snapshot.tip().state_root);
  out.set_block_time_unix_ms(block_time_unix_ms);
  for (const std::string& key : request.keys()) {
    if (key.empty() || key.size() > kReadStateKeyBytesMax) {
      return Invalid("a state key must be 1.." + std::to_string(kReadStateKeyBytesMax) +
                     " bytes (docs/FORMAT.md \"State keys\")");
    }
    v1::StateEntry* entry = out.add_entries();
    entry->set_key(key);
    if (std::optional<std::string> value = snapshot.Get(key)) {
      entry->set_present(true);
      entry->set_value(std::move(*value));
    }
  }
  return out;
}

core::Result<v1::SignerInfo> ReadSigner(const StateSnapshot& snapshot,
                                        const std::string& public_key) {
  if (public_key.size() != 32) {
    return Invalid("public_key must be 32 bytes (an Ed25519 key), not " +
                   std::to_string(public_key.size()));
  }
  std::optional<std::string> org = snapshot.Get(core::keys::SignerOrg(public_key));
  if (!org.has_value()) {
    return core::Status("NOT_FOUND", "the key belongs to no member of this chain; "
                                     "`lotchain members list` shows the members");
  }
  v1::SignerInfo info;
  info.set_public_key(public_key);
  info.set_org_id(*org);
  info.set_height(snapshot.tip().height);
  if (std::optional<std::string> bytes = snapshot.Get(core::keys::SignerNonce(public_key))) {
    v1::SignerNonce nonce;
    core::ParseOwnOrDie(nonce, *bytes);
    info.set_last_nonce(nonce.last_nonce());
  }
  info.set_next_nonce(info.last_nonce() == UINT64_MAX ? 0 : info.last_nonce() + 1);
  return info;
}

}  // namespace lotchain::node
