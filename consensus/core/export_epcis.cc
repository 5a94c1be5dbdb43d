// Format "epcis": the lot's history and upstream as a GS1 EPCIS 2.0 JSON-LD document.
// Creations are ObjectEvents (ADD), transfers ObjectEvents (OBSERVE: shipping, receiving,
// void_shipping), retirements ObjectEvents (DELETE); every transform and recovery is one
// TransformationEvent whose input and output quantityLists are in kg (KGM). Lots are EPC
// classes "urn:lotchain:<chain>:lot:<id>", facilities and members URNs of the same form; times
// are the blocks' (UTC). docs/EXPORTS.md has the mapping and what is left out.
#include <algorithm>
#include <map>
#include <set>

#include "consensus/core/crypto.h"
#include "consensus/core/export_support.h"
#include "consensus/core/queries.h"

namespace lotchain::core {
namespace {

using nlohmann::json;
using namespace exports;

constexpr std::string_view kContext =
    "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

struct Ordered {
  const v1::LotEvent* event;
  const v1::TraceNode* node;
};

bool Creates(v1::EventKind kind) {
  return kind == v1::EVENT_KIND_CREATED_ORIGIN || kind == v1::EVENT_KIND_PRODUCED ||
         kind == v1::EVENT_KIND_RECOVERED;
}

// The events that belong to the exported lot's story: every event of the root, and each
// upstream lot's events up to its last consumption into a lot of the trace.
std::vector<Ordered> StoryEvents(const v1::Trace& trace) {
  std::set<std::string> producing_txs;
  for (const auto& node : trace.nodes()) {
    if (node.events_size() > 0 && Creates(node.events(0).kind()))
      producing_txs.insert(node.events(0).tx_hash());
  }
  std::vector<Ordered> out;
  for (int i = 0; i < trace.nodes_size(); ++i) {
    const v1::TraceNode& node = trace.nodes(i);
    uint64_t last = UINT64_MAX;
    if (i > 0) {
      last = 0;
      for (const auto& e : node.events()) {
        if (e.kind() == v1::EVENT_KIND_CONSUMED && producing_txs.count(e.tx_hash())) last = e.seq();
      }
    }
    for (const auto& e : node.events()) {
      if (e.seq() <= last) out.push_back({&e, &node});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const Ordered& a, const Ordered& b) {
    return std::make_pair(a.event->height(), a.event->tx_index()) <
           std::make_pair(b.event->height(), b.event->tx_index());
  });
  return out;
}

class Writer {
 public:
  Writer(std::string chain_id, ExactNumbers& n) : chain_(std::move(chain_id)), n_(n) {}

  json Base(const v1::LotEvent& e, std::string_view type, std::string id) const {
    return {{"type", type},
            {"eventTime", IsoTime(e.time_unix_ms())},
            {"eventTimeZoneOffset", "+00:00"},
            {"eventID", std::move(id)}};
  }
  json Quantity(const std::string& lot_id, uint64_t grams) {
    return {{"epcClass", Urn(chain_, "lot", lot_id)},
            {"quantity", n_.Number(grams, 3)},
            {"uom", "KGM"}};
  }
  json Party(std::string_view org) const {
    return json::array({{{"type", "owning_party"}, {"source", Urn(chain_, "org", org)}}});
  }
  void Place(json& event, const std::string& facility_id) const {
    if (facility_id.empty()) return;
    event["readPoint"] = {{"id", Urn(chain_, "facility", facility_id)}};
    event["bizLocation"] = {{"id", Urn(chain_, "facility", facility_id)}};
  }
  std::string EventId(const v1::LotEvent& e) const {
    return Urn(chain_, "event", ToHex(e.event_hash()));
  }
  std::string TxId(const v1::LotEvent& e) const { return Urn(chain_, "tx", ToHex(e.tx_hash())); }
  const std::string& chain() const { return chain_; }

 private:
  std::string chain_;
  ExactNumbers& n_;
};

// certificationInfo: the origin certificate of an origin lot (RFC 6920 name of its document's
// SHA-256) and the facility's audit when it was Conformant or Cross-recognized at the event.
void AddCertification(const Writer& w, const v1::LotEvent& e, const v1::Lot& lot, json& event) {
  json out = json::array();
  if (e.kind() == v1::EVENT_KIND_CREATED_ORIGIN &&
      lot.origin_certificate().document_sha256().size() == 32) {
    out.push_back(NiUri(lot.origin_certificate().document_sha256()));
  }
  if (e.has_facility_audit() && !e.facility_audit().audit_id().empty()) {
    v1::AuditStatus status = EffectiveAuditStatus(e.facility_audit(), e.time_unix_ms());
    if (status == v1::AUDIT_STATUS_CONFORMANT || status == v1::AUDIT_STATUS_CROSS_RECOGNIZED) {
      out.push_back(Urn(w.chain(), "audit", e.facility_audit().audit_id()));
    }
  }
  if (!out.empty()) event["certificationInfo"] = std::move(out);
}

// The battery's instance EPC: "urn:lotchain:<chain>:battery:<serial, percent-encoded>".
json BatteryEpc(const Writer& w, const v1::Lot& lot) {
  return json::array({Urn(w.chain(), "battery", PercentEncode(lot.battery().serial()))});
}

json Destination(const Writer& w, std::string_view org) {
  json list = w.Party(org);
  list[0]["destination"] = list[0]["source"];
  list[0].erase("source");
  return list;
}

// The organisation an offer went to: the actor of the answer to it, or the pending offer's.
std::string OfferRecipient(const v1::TraceNode& node, const v1::LotEvent& offer) {
  for (const auto& e : node.events()) {
    if (e.seq() != offer.seq() + 1) continue;
    if (e.kind() == v1::EVENT_KIND_ACCEPTED || e.kind() == v1::EVENT_KIND_REJECTED)
      return e.actor_org();
    return "";
  }
  return node.lot().has_pending_offer() ? node.lot().pending_offer().to_org() : "";
}

// The sender of the offer answered by `e` (the actor of the event before it).
std::string OfferSender(const v1::TraceNode& node, const v1::LotEvent& e) {
  for (const auto& prior : node.events()) {
    if (prior.seq() + 1 == e.seq()) return prior.actor_org();
  }
  return "";
}

std::optional<json> ObjectEvent(Writer& w, const Ordered& o) {
  const v1::LotEvent& e = *o.event;
  const std::string& lot_id = o.node->lot().lot_id();
  json ev = w.Base(e, "ObjectEvent", w.EventId(e));
  switch (e.kind()) {
    case v1::EVENT_KIND_CREATED_ORIGIN:
      ev.update({{"action", "ADD"}, {"bizStep", "commissioning"}, {"disposition", "active"}});
      ev["quantityList"] = {w.Quantity(lot_id, e.mass_grams())};
      w.Place(ev, e.facility_id());
      AddCertification(w, e, o.node->lot(), ev);
      return ev;
    case v1::EVENT_KIND_OFFERED: {
      ev.update({{"action", "OBSERVE"}, {"bizStep", "shipping"}, {"disposition", "in_transit"}});
      ev["quantityList"] = {{{"epcClass", Urn(w.chain(), "lot", lot_id)}}};
      ev["sourceList"] = w.Party(e.actor_org());
      std::string to = OfferRecipient(*o.node, e);
      if (!to.empty()) ev["destinationList"] = Destination(w, to);
      return ev;
    }
    case v1::EVENT_KIND_ACCEPTED:
      ev.update({{"action", "OBSERVE"}, {"bizStep", "receiving"}, {"disposition", "in_progress"}});
      ev["quantityList"] = {{{"epcClass", Urn(w.chain(), "lot", lot_id)}}};
      ev["sourceList"] = w.Party(OfferSender(*o.node, e));
      ev["destinationList"] = Destination(w, e.actor_org());
      return ev;
    case v1::EVENT_KIND_REJECTED:
    case v1::EVENT_KIND_CANCELLED:
      ev.update({{"action", "OBSERVE"}, {"bizStep", "void_shipping"}, {"disposition", "active"}});
      ev["quantityList"] = {{{"epcClass", Urn(w.chain(), "lot", lot_id)}}};
      return ev;
    case v1::EVENT_KIND_RETIRED:
      ev.update(
          {{"action", "DELETE"}, {"bizStep", "decommissioning"}, {"disposition", "inactive"}});
      ev["quantityList"] = {{{"epcClass", Urn(w.chain(), "lot", lot_id)}}};
      return ev;
    case v1::EVENT_KIND_BATTERY_REGISTERED:  // the battery's serial is commissioned on the lot
      ev.update({{"action", "ADD"}, {"bizStep", "commissioning"}, {"disposition", "active"}});
      ev["epcList"] = BatteryEpc(w, o.node->lot());
      ev["quantityList"] = {{{"epcClass", Urn(w.chain(), "lot", lot_id)}}};
      return ev;
    case v1::EVENT_KIND_STATE_OF_HEALTH:
      ev.update({{"action", "OBSERVE"}, {"bizStep", "inspecting"}, {"disposition", "active"}});
      ev["epcList"] = BatteryEpc(w, o.node->lot());
      return ev;
    default:
      return std::nullopt;  // repurposing: not mapped yet
  }
}

// One TransformationEvent per transform or recovery transaction in the story.
json Transformation(Writer& w, const std::vector<Ordered>& story, const std::string& tx_hash) {
  json inputs = json::array(), outputs = json::array();
  const v1::LotEvent* first_output = nullptr;
  for (const Ordered& o : story) {
    const v1::LotEvent& e = *o.event;
    if (e.tx_hash() != tx_hash) continue;
    if (e.kind() == v1::EVENT_KIND_CONSUMED)
      inputs.push_back(w.Quantity(o.node->lot().lot_id(), e.mass_grams()));
    if (Creates(e.kind())) {
      outputs.push_back(w.Quantity(o.node->lot().lot_id(), e.mass_grams()));
      if (first_output == nullptr) first_output = &e;
    }
  }
  LOTCHAIN_ASSERT(first_output != nullptr);
  json ev = w.Base(*first_output, "TransformationEvent", w.TxId(*first_output));
  if (!inputs.empty()) ev["inputQuantityList"] = std::move(inputs);
  ev["outputQuantityList"] = std::move(outputs);
  ev["bizStep"] = "commissioning";
  ev["disposition"] = "active";
  w.Place(ev, first_output->facility_id());
  AddCertification(w, *first_output, v1::Lot(), ev);
  return ev;
}

json EventList(Writer& w, const std::vector<Ordered>& story) {
  json events = json::array();
  std::set<std::string> done_txs;
  for (const Ordered& o : story) {
    const v1::LotEvent& e = *o.event;
    bool transformation = e.kind() == v1::EVENT_KIND_PRODUCED ||
                          e.kind() == v1::EVENT_KIND_RECOVERED ||
                          e.kind() == v1::EVENT_KIND_CONSUMED;
    if (transformation) {
      // An input consumed into a lot outside the trace has no output here: not this story.
      bool has_output = std::any_of(story.begin(), story.end(), [&](const Ordered& x) {
        return x.event->tx_hash() == e.tx_hash() && Creates(x.event->kind());
      });
      if (has_output && done_txs.insert(e.tx_hash()).second)
        events.push_back(Transformation(w, story, e.tx_hash()));
      continue;
    }
    if (auto ev = ObjectEvent(w, o)) events.push_back(std::move(*ev));
  }
  return events;
}

class Epcis final : public ExportFormat {
 public:
  std::string_view name() const override { return "epcis"; }
  std::string_view summary() const override {
    return "GS1 EPCIS 2.0 JSON-LD document of the lot's history and upstream: creations, "
           "transfers, transforms and recoveries (quantities in kg)";
  }
  Result<std::string> Render(const ExportSource& source) const override {
    LOTCHAIN_ASSIGN_OR_RETURN(std::string chain_id, ChainIdOf(source, name()));
    ExactNumbers n;
    Writer w(chain_id, n);
    json doc = {{"@context", {kContext}},
                {"type", "EPCISDocument"},
                {"schemaVersion", "2.0"},
                {"creationDate", IsoTime(source.passport->as_of_time_unix_ms)}};
    doc["epcisBody"] = {{"eventList", EventList(w, StoryEvents(*source.upstream))}};
    return n.Dump(doc);
  }
};

}  // namespace

const ExportFormat& EpcisFormat() {
  static const Epcis format;
  return format;
}

}  // namespace lotchain::core
