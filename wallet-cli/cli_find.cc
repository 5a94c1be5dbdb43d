// Finding things (docs/WALLET.md "Finding things"): members, lots by custodian or battery
// serial, the transfer inbox and outbox, facilities, a facility's audits, risk flags. Each
// command pages through the node's List RPC (api.proto ListRequest) until --limit records.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "consensus/core/crypto.h"
#include "consensus/core/genesis.h"
#include "consensus/core/state_keys.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/output.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

struct FindArgs {
  std::string org;
  bool all = false;
  bool in_transit = false;
  bool spent = false;
  std::string serial;
  std::string facility;
  std::string lot;
  bool open = false;
  uint32_t limit = 100;
};

}  // namespace

core::Result<Listed> FetchAll(Session& s, v1::ListRequest request, uint32_t limit) {
  Listed out;
  auto count = [&out] {
    const v1::ListResponse& r = out.records;
    return static_cast<uint32_t>(r.members_size() + r.facilities_size() + r.lots_size() +
                                 r.audits_size() + r.flags_size() + r.proposals_size());
  };
  for (;;) {
    request.set_page_size(std::min<uint32_t>(1000, limit - count()));
    LOTCHAIN_ASSIGN_OR_RETURN(v1::ListResponse page, s.client().List(request));
    const uint64_t height = page.height();
    const std::string token = page.next_page_token();
    page.clear_next_page_token();
    out.records.MergeFrom(page);
    out.records.set_height(height);
    if (token.empty()) return out;
    if (count() >= limit) {
      out.more = true;
      return out;
    }
    request.set_page_token(token);
  }
}

namespace {

// The organisation of the CLI's key (--key / LOTCHAIN_KEY / the only key), read on the node.
core::Result<std::string> MyOrg(Session& s) {
  LOTCHAIN_ASSIGN_OR_RETURN(KeyInfo key, s.keystore().Choose(s.KeyName()));
  LOTCHAIN_ASSIGN_OR_RETURN(v1::ReadStateResponse read,
                            s.client().ReadState({core::keys::SignerOrg(key.public_key)}));
  if (!read.entries(0).present()) {
    return core::Status("UNKNOWN_SIGNER", "key \"" + key.name + "\" (" + core::ToHex(key.public_key) +
                                              ") belongs to no member of this chain; give the "
                                              "organisation with --custodian ORG, or --all");
  }
  return read.entries(0).value();
}

std::string Footer(const Listed& l, size_t shown, const std::string& what) {
  std::string out = std::to_string(shown) + " " + what + " at height " +
                    std::to_string(l.records.height());
  if (l.more) out += "; more exist (raise --limit)";
  return out + "\n";
}

template <typename Repeated>
core::Status PrintJson(Session& s, const Listed& l, const Repeated& records) {
  nlohmann::json out = {{"height", l.records.height()}, {"more", l.more},
                        {"records", nlohmann::json::array()}};
  for (const auto& record : records) out["records"].push_back(ProtoToJson(record));
  s.Print(out.dump(2) + "\n");
  return core::Status::Ok();
}

std::string Roles(const v1::Member& m) {
  std::string out;
  for (int role : m.roles()) {
    out += (out.empty() ? "" : ",") + std::string(core::RoleName(static_cast<v1::Role>(role)));
  }
  return out;
}

core::Status MembersList(Session& s, const FindArgs& a) {
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_MEMBERS);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, request, a.limit));
  if (s.options.json) return PrintJson(s, l, l.records.members());
  Table t({"org", "name", "status", "roles", "keys"});
  for (const auto& m : l.records.members()) {
    t.AddRow({m.org_id(), m.name(), EnumLabel(v1::MemberStatus_Name(m.status()), "MEMBER_STATUS_"),
              Roles(m), std::to_string(m.public_keys_size())});
  }
  s.Print(t.Render() + Footer(l, t.row_count(), "members"));
  return core::Status::Ok();
}

core::Status ShowLots(Session& s, v1::ListRequest request, const FindArgs& a,
                      const std::string& what) {
  request.set_kind(v1::LIST_KIND_LOTS);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, std::move(request), a.limit));
  if (s.options.json) return PrintJson(s, l, l.records.lots());
  Table t({"lot", "material", "mass", "status", "custodian", "offered to", "footprint"});
  for (const auto& lot : l.records.lots()) {
    t.AddRow({lot.lot_id(), lot.material(), FormatMass(lot.mass_grams()),
              EnumLabel(v1::LotStatus_Name(lot.status()), "LOT_STATUS_"), lot.custodian_org(),
              lot.has_pending_offer() ? lot.pending_offer().to_org() : "",
              FormatCo2e(lot.footprint_co2e_grams())});
  }
  s.Print(t.Render() + Footer(l, t.row_count(), what));
  return core::Status::Ok();
}

core::Status LotList(Session& s, const FindArgs& a) {
  v1::ListRequest request;
  if (!a.serial.empty()) {
    request.set_battery_serial(a.serial);
  } else if (!a.org.empty()) {
    request.set_org(a.org);
  } else if (!a.all) {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string mine, MyOrg(s));
    request.set_org(mine);
  }
  request.set_in_transit_only(a.in_transit);
  request.set_live_only(!a.spent && a.serial.empty());  // a serial finds the battery in any state
  return ShowLots(s, request, a, request.live_only() ? "live lots" : "lots");
}

core::Status Inbox(Session& s, const FindArgs& a, bool inbox) {
  std::string org = a.org;
  if (org.empty()) {
    LOTCHAIN_ASSIGN_OR_RETURN(org, MyOrg(s));
  }
  v1::ListRequest request;
  if (inbox) {
    request.set_offered_to(org);
  } else {
    request.set_org(org);
    request.set_in_transit_only(true);
  }
  return ShowLots(s, request, a, inbox ? "offers waiting for " + org : "offers sent by " + org);
}

core::Status FacilityList(Session& s, const FindArgs& a) {
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_FACILITIES);
  request.set_org(a.org);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, request, a.limit));
  if (s.options.json) return PrintJson(s, l, l.records.facilities());
  Table t({"facility", "owner", "kind", "country", "name", "latest audit", "open flags"});
  for (const auto& f : l.records.facilities()) {
    std::string audit = f.has_latest_audit()
                            ? EnumLabel(v1::AuditStatus_Name(f.latest_audit().status()),
                                        "AUDIT_STATUS_") + " (" +
                                  FormatDate(f.latest_audit().audit_date_unix_ms()) + ")"
                            : "none";
    t.AddRow({f.facility_id(), f.owner_org(), EnumLabel(v1::FacilityKind_Name(f.kind()), "FACILITY_KIND_"),
              f.country(), f.name(), audit, std::to_string(f.open_flag_count())});
  }
  s.Print(t.Render() + Footer(l, t.row_count(), "facilities"));
  return core::Status::Ok();
}

core::Status AuditList(Session& s, const FindArgs& a) {
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_AUDITS);
  request.set_facility_id(a.facility);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, request, a.limit));
  if (s.options.json) return PrintJson(s, l, l.records.audits());
  Table t({"audit", "status", "date", "valid until", "standard", "auditor", "height"});
  for (const auto& audit : l.records.audits()) {
    const v1::RecordAudit& r = audit.record();
    t.AddRow({r.audit_id(), EnumLabel(v1::AuditStatus_Name(r.status()), "AUDIT_STATUS_"),
              FormatDate(r.audit_date_unix_ms()), FormatDate(r.valid_until_unix_ms()), r.standard(),
              audit.auditor_org(), std::to_string(audit.height())});
  }
  s.Print(t.Render() + Footer(l, t.row_count(), "audit(s) of " + a.facility));
  return core::Status::Ok();
}

core::Status FlagList(Session& s, const FindArgs& a) {
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_FLAGS);
  request.set_open_only(a.open);
  request.set_facility_id(a.facility);
  request.set_lot_id(a.lot);
  LOTCHAIN_ASSIGN_OR_RETURN(Listed l, FetchAll(s, request, a.limit));
  if (s.options.json) return PrintJson(s, l, l.records.flags());
  Table t({"flag", "on", "category", "severity", "state", "raised by", "height"});
  for (const auto& f : l.records.flags()) {
    const v1::RaiseRiskFlag& r = f.raised();
    std::string target = r.has_lot_id() ? "lot " + r.lot_id() : "facility " + r.facility_id();
    t.AddRow({r.flag_id(), target, EnumLabel(v1::RiskCategory_Name(r.category()), "RISK_CATEGORY_"),
              EnumLabel(v1::Severity_Name(r.severity()), "SEVERITY_"),
              f.resolved() ? "resolved by " + f.resolved_by_org() : "open", f.raised_by_org(),
              std::to_string(f.raised_height())});
  }
  s.Print(t.Render() + Footer(l, t.row_count(), a.open ? "open flags" : "flags"));
  return core::Status::Ok();
}

void Bind(CLI::App* sub, Session& session, Action& action, std::shared_ptr<FindArgs> args,
          std::function<core::Status(Session&, const FindArgs&)> run) {
  sub->add_option("--limit", args->limit, "show at most this many records")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1'000'000u));
  sub->callback([&session, &action, args, run] {
    action = [&session, args, run] { return run(session, *args); };
  });
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::vector<std::string> CloseMatches(const std::string& wanted,
                                      const std::vector<std::string>& candidates) {
  std::vector<std::pair<size_t, std::string>> scored;
  const size_t allowed = std::max<size_t>(2, wanted.size() / 3);
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(wanted, c);
    const bool contains = !wanted.empty() && (c.find(wanted) != std::string::npos ||
                                              wanted.find(c) != std::string::npos);
    if (d <= allowed || contains) scored.emplace_back(d, c);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < 3; ++i) out.push_back(scored[i].second);
  return out;
}

core::Status WithMemberSuggestions(Session& s, core::Status refusal) {
  const std::string& message = refusal.message();
  const size_t at = message.find("UNKNOWN_ORG: organisation \"");
  if (at == std::string::npos) return refusal;
  const size_t start = message.find('"', at) + 1;
  const size_t end = message.find('"', start);
  if (end == std::string::npos) return refusal;
  v1::ListRequest request;
  request.set_kind(v1::LIST_KIND_MEMBERS);
  core::Result<Listed> members = FetchAll(s, request, 10'000);
  if (!members.ok()) return refusal;  // the refusal matters more than the hint
  std::vector<std::string> ids;
  for (const auto& m : members->records.members()) ids.push_back(m.org_id());
  std::vector<std::string> close = CloseMatches(message.substr(start, end - start), ids);
  std::string hint = close.empty() ? "no member id is close" : "close matches: ";
  for (size_t i = 0; i < close.size(); ++i) hint += (i ? ", " : "") + close[i];
  hint = "; " + hint + " (`lotchain members list` lists all)";
  std::string text = message;
  const size_t note = text.find(" (refused before sending");
  text.insert(note == std::string::npos ? text.size() : note, hint);
  return core::Status::FromCode(refusal.code(), text);
}

void AddFindCommands(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<FindArgs>();
  CLI::App* members = app.add_subcommand("members", "consortium members");
  members->require_subcommand(1);
  Bind(members->add_subcommand("list", "list the members, their roles and keys"), session,
       action, args, MembersList);

  CLI::App* lots = app.get_subcommand("lot")->add_subcommand(
      "list", "list lots held by your organisation (or --custodian ORG, --all, --serial S)");
  lots->add_option("--custodian", args->org, "lots held by this organisation");
  lots->add_flag("--all", args->all, "lots of every custodian");
  lots->add_flag("--in-transit", args->in_transit, "only lots with a pending offer");
  lots->add_option("--serial", args->serial, "the battery with this serial number");
  lots->add_flag("--spent", args->spent, "also consumed and retired lots");
  Bind(lots, session, action, args, LotList);

  CLI::App* transfer = app.get_subcommand("transfer");
  CLI::App* inbox = transfer->add_subcommand("inbox", "offers waiting for your acceptance");
  inbox->add_option("--org", args->org, "offers to this organisation instead of yours");
  Bind(inbox, session, action, args, [](Session& s, const FindArgs& a) { return Inbox(s, a, true); });
  CLI::App* outbox = transfer->add_subcommand("outbox", "your offers not yet answered");
  outbox->add_option("--org", args->org, "offers from this organisation instead of yours");
  Bind(outbox, session, action, args, [](Session& s, const FindArgs& a) { return Inbox(s, a, false); });

  CLI::App* facilities = app.get_subcommand("facility")->add_subcommand("list", "list facilities");
  facilities->add_option("--org", args->org, "only facilities of this organisation");
  Bind(facilities, session, action, args, FacilityList);

  CLI::App* audits = app.get_subcommand("audit")->add_subcommand("list", "a facility's audits");
  audits->add_option("--facility", args->facility, "facility id")->required();
  Bind(audits, session, action, args, AuditList);

  CLI::App* flags = app.get_subcommand("flag")->add_subcommand("list", "list risk flags");
  flags->add_flag("--open", args->open, "only flags not yet resolved");
  flags->add_option("--facility", args->facility, "only flags on this facility");
  flags->add_option("--lot", args->lot, "only flags on this lot");
  Bind(flags, session, action, args, FlagList);
}

}  // namespace lotchain::wallet
