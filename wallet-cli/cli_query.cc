// `lotchain status`, `lot show|history`, `trace`, `passport`.
#include <chrono>
#include <nlohmann/json.hpp>

#include "consensus/core/queries.h"
#include "wallet-cli/cli.h"
#include "wallet-cli/progress.h"
#include "wallet-cli/errors.h"
#include "wallet-cli/output.h"
#include "wallet-cli/passport.h"
#include "wallet-cli/trace_view.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

struct QueryArgs {
  std::string lot_id;
  bool down = false;
  std::string format = "tree";
  std::string genesis;
  // All of the DAG by default (the node's maximum): a passport or trace over a cut DAG would
  // miss origins, refiners and flags. The node's own default (core::kTraceNodesDefault) is lower.
  uint32_t max_nodes = core::kTraceNodesMax;
  std::string group_by;                  // dot: "" or "org"
  size_t dot_max_lots = kDotLotsDefault;  // dot: refuse bigger pictures
};

// The chain, height and block time a picture is titled with (read just before the trace, so
// the trace is as of that height or a little later).
core::Result<DotOptions> DotTitleFacts(Session& s, const QueryArgs& a) {
  DotOptions o;
  o.group_by_org = a.group_by == "org";
  o.max_lots = a.dot_max_lots;
  LOTCHAIN_ASSIGN_OR_RETURN(v1::NodeStatus st, s.client().GetStatus());
  o.chain_id = st.chain_id();
  o.height = st.height();
  if (st.height() > 0) {
    LOTCHAIN_ASSIGN_OR_RETURN(v1::BlockWithCert block, s.client().GetBlock(st.height()));
    v1::BlockHeader header;
    if (header.ParseFromString(block.block().header())) o.time_unix_ms = header.time_unix_ms();
  }
  return o;
}

std::string Label(const std::string& name, const std::string& prefix) {
  return EnumLabel(name, prefix);
}

core::Status StatusCmd(Session& s) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::NodeStatus st, s.client().GetStatus());
  if (s.options.json) {
    s.Print(ProtoToJson(st).dump(2) + "\n");
    return core::Status::Ok();
  }
  std::string out = RenderFields({{"node", s.client().target()},
                                  {"chain id", st.chain_id()},
                                  {"height", std::to_string(st.height())},
                                  {"last block", core::ToHex(st.last_block_hash())},
                                  {"state root", core::ToHex(st.state_root())},
                                  {"genesis hash", core::ToHex(st.genesis_hash())},
                                  {"peers", std::to_string(st.peers())},
                                  {"mempool", std::to_string(st.mempool_txs()) + " txs"}});
  Table t({"validator", "address", "connected", "public key"});
  for (const auto& v : st.validators()) {
    t.AddRow({v.id(), v.address(), v.connected() ? "yes" : "no", ShortHex(v.public_key())});
  }
  s.Print(out + "\n" + t.Render());
  return core::Status::Ok();
}

std::string CompositionText(const v1::Lot& lot) {
  std::string text;
  for (const auto& e : lot.composition()) {
    uint64_t recycled = e.recycled_pre_consumer_grams() + e.recycled_post_consumer_grams();
    text += (text.empty() ? "" : ", ") + std::string(core::ElementSymbol(e.element())) + " " +
            FormatMass(e.grams());
    if (recycled > 0) text += " (" + FormatMass(recycled) + " recycled)";
  }
  return text.empty() ? "(none tracked)" : text;
}

core::Status LotShow(Session& s, const QueryArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Lot lot, s.client().GetLot(a.lot_id));
  if (s.options.json) {
    s.Print(ProtoToJson(lot).dump(2) + "\n");
    return core::Status::Ok();
  }
  std::vector<std::pair<std::string, std::string>> f = {
      {"lot", lot.lot_id()},
      {"material", lot.material()},
      {"status", Label(v1::LotStatus_Name(lot.status()), "LOT_STATUS_")},
      {"custodian", lot.custodian_org()},
      {"mass", FormatMass(lot.mass_grams()) + " of " + FormatMass(lot.initial_mass_grams()) +
                   " at creation"},
      {"composition", CompositionText(lot)},
      {"footprint", FormatCo2e(lot.footprint_co2e_grams()) + " (" +
                        FormatCo2e(lot.footprint_primary_co2e_grams()) + " primary data)"},
      {"facility", lot.facility_id()},
      {"created", "height " + std::to_string(lot.created_height()) + ", " +
                      FormatDate(lot.created_time_unix_ms())},
      {"events", std::to_string(lot.event_count())},
      {"last event", core::ToHex(lot.last_event_hash())}};
  if (!lot.origin_country().empty()) f.emplace_back("origin", lot.origin_country());
  if (lot.has_origin_certificate()) {
    f.emplace_back("certificate", lot.origin_certificate().issuer() + " " +
                                      lot.origin_certificate().number());
  }
  for (const auto& p : lot.parents()) {
    f.emplace_back("parent", p.lot_id() + " (" + FormatMass(p.mass_grams()) + ")");
  }
  if (lot.has_pending_offer()) {
    f.emplace_back("offered to", lot.pending_offer().to_org());
  }
  if (lot.has_battery()) {
    const v1::Battery& b = lot.battery();
    f.emplace_back("battery", b.serial() + ", " + b.chemistry() + ", " +
                                  FormatEnergy(b.rated_capacity_wh()) + " rated");
    f.emplace_back("state of health", FormatPpm(b.state_of_health_ppm()) + ", " +
                                          FormatEnergy(b.delivered_energy_wh()) + " delivered");
    if (!b.second_life_application().empty()) f.emplace_back("second life", b.second_life_application());
    f.emplace_back("end of life", lot.end_of_life() ? "yes: collected (post-consumer recovery allowed)"
                                                    : "no (not yet in a collector's custody)");
  }
  s.Print(RenderFields(f));
  return core::Status::Ok();
}

core::Status LotHistory(Session& s, const QueryArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(v1::LotHistory history, s.client().GetLotHistory(a.lot_id));
  if (s.options.json) {
    s.Print(ProtoToJson(history).dump(2) + "\n");
    return core::Status::Ok();
  }
  Table t({"seq", "event", "height", "time", "by", "facility", "mass", "CO2e added", "event hash"});
  for (const auto& e : history.events()) {
    std::string kind = Label(v1::EventKind_Name(e.kind()), "EVENT_KIND_");
    if (e.end_of_life()) kind += " (collected: end of life)";
    t.AddRow({std::to_string(e.seq()), kind,
              std::to_string(e.height()), FormatDate(e.time_unix_ms()), e.actor_org(),
              e.facility_id(), e.mass_grams() ? FormatMass(e.mass_grams()) : "",
              e.co2e_added_grams() ? FormatCo2e(e.co2e_added_grams()) : "",
              ShortHex(e.event_hash())});
  }
  s.Print(t.Render());
  return core::Status::Ok();
}

core::Status TraceCmd(Session& s, const QueryArgs& a) {
  if (a.format != "tree" && a.format != "json" && a.format != "dot") {
    return core::Status("BAD_INPUT", "--format must be tree, json or dot");
  }
  if (!a.group_by.empty() && (a.group_by != "org" || a.format != "dot")) {
    return core::Status("BAD_INPUT", "--group-by takes \"org\" and applies to --format dot");
  }
  auto direction = a.down ? v1::TRACE_DIRECTION_DOWNSTREAM : v1::TRACE_DIRECTION_UPSTREAM;
  DotOptions dot;
  if (a.format == "dot") {
    LOTCHAIN_ASSIGN_OR_RETURN(dot, DotTitleFacts(s, a));
  }
  core::Result<v1::Trace> traced = [&] {
    ProgressTicker waiting("tracing " + a.lot_id + (a.down ? " downstream" : " upstream"));
    return s.client().Trace(a.lot_id, direction, a.max_nodes);
  }();
  LOTCHAIN_ASSIGN_OR_RETURN(v1::Trace trace, std::move(traced));
  if (a.format == "json" || s.options.json) {
    s.Print(RenderTraceJson(trace));
  } else if (a.format == "dot") {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string picture, RenderTraceDot(trace, dot));
    s.Print(picture);
  } else {
    std::string out = RenderTraceTree(trace);
    if (!a.down) {
      const v1::RollUp& r = trace.roll_up();
      const bool cut = trace.truncated();
      out += "\n" + RenderFields({{"footprint", FormatCo2e(r.footprint_co2e_grams()) + " (" +
                                                    FormatMgPer(r.co2e_mg_per_kg(), "kg") + ")"},
                                  {"origins", GraphCountries(r, cut)},
                                  {"refiners not conformant",
                                   GraphCount(r.facilities_not_conformant(), cut)},
                                  {"open flags", GraphCount(r.open_flags(), cut)}});
    }
    s.Print(out);
  }
  return core::Status::Ok();
}

core::Status PassportCmd(Session& s, const QueryArgs& a) {
  LOTCHAIN_ASSIGN_OR_RETURN(PassportInputs in,
                            LoadPassportInputs(s, a.lot_id, a.genesis, a.max_nodes));
  s.Print(s.options.json ? RenderPassportJson(in.passport, in.genesis ? &*in.genesis : nullptr)
                         : RenderPassportText(in.passport));
  return core::Status::Ok();
}

}  // namespace

void AddQueryCommands(CLI::App& app, Session& session, Action& action) {
  auto args = std::make_shared<QueryArgs>();
  CLI::App* status = app.add_subcommand("status", "show the node's chain, height and peers");
  status->callback([&session, &action] { action = [&session] { return StatusCmd(session); }; });

  CLI::App* lot = app.get_subcommand("lot");  // created with `lot create` by AddTxCommands
  CLI::App* show = lot->add_subcommand("show", "show a lot");
  show->add_option("LOT", args->lot_id, "lot id")->required();
  show->callback([&session, &action, args] { action = [&session, args] { return LotShow(session, *args); }; });
  CLI::App* history = lot->add_subcommand("history", "show a lot's hash-linked events");
  history->add_option("LOT", args->lot_id, "lot id")->required();
  history->callback([&session, &action, args] {
    action = [&session, args] { return LotHistory(session, *args); };
  });

  CLI::App* trace = app.add_subcommand("trace", "every step of a lot back to the mines (or --down)");
  trace->add_option("LOT", args->lot_id, "lot id")->required();
  trace->add_flag("--down", args->down, "follow the lot downstream to its products");
  trace->add_option("--format", args->format, "tree, json or dot (Graphviz)")->capture_default_str();
  trace->add_option("--max-nodes", args->max_nodes,
                    "at most this many lots (default: all, up to the node's maximum)")
      ->capture_default_str()
      ->check(CLI::Range(1u, core::kTraceNodesMax));
  trace->add_option("--group-by", args->group_by, "dot: draw one box per organisation (org)");
  trace->add_option("--dot-max-lots", args->dot_max_lots,
                    "dot: refuse pictures of more lots than this")
      ->capture_default_str();
  trace->callback([&session, &action, args] { action = [&session, args] { return TraceCmd(session, *args); }; });

  CLI::App* passport = app.add_subcommand("passport", "battery passport of a pack lot");
  passport->add_option("LOT", args->lot_id, "pack lot id")->required();
  passport->add_option("--genesis", args->genesis,
                       "the chain's genesis.json, to compare recycled content with its policy");
  passport->add_option("--max-nodes", args->max_nodes,
                       "trace at most this many lots (default: all, up to the node's maximum)")
      ->capture_default_str()
      ->check(CLI::Range(1u, core::kTraceNodesMax));
  passport->callback([&session, &action, args] {
    action = [&session, args] { return PassportCmd(session, *args); };
  });
}

}  // namespace lotchain::wallet
