// DescribeTxBody / EventName (declared in tx_builder.h): what `lotchain tx sign` shows the
// signer before it signs, with every quantity in human units.
#include <google/protobuf/descriptor.h>

#include <deque>

#include "wallet-cli/output.h"
#include "wallet-cli/tx_builder.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A scalar field rendered by its unit suffix (docs: units are part of every field name).
std::string ScalarText(const Message& m, const FieldDescriptor* f) {
  const auto* r = m.GetReflection();
  const std::string& name = f->name();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v = r->GetUInt64(m, f);
      if (EndsWith(name, "co2e_grams")) return FormatCo2e(v);
      if (EndsWith(name, "_grams")) return FormatMass(v);
      if (EndsWith(name, "_wh")) return FormatEnergy(v);
      return std::to_string(v);
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v = r->GetUInt32(m, f);
      return EndsWith(name, "_ppm") ? FormatPpm(v) : std::to_string(v);
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = r->GetInt64(m, f);
      return EndsWith(name, "_unix_ms") ? FormatDate(v) : std::to_string(v);
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = r->GetInt32(m, f);
      if (EndsWith(name, "_microdeg")) {
        std::string sign = v < 0 ? "-" : "";
        int64_t a = v < 0 ? -static_cast<int64_t>(v) : v;
        std::string frac = std::to_string(a % 1'000'000);
        return sign + std::to_string(a / 1'000'000) + "." +
               std::string(6 - frac.size(), '0') + frac + "°";
      }
      return std::to_string(v);
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      return r->GetEnum(m, f)->name();
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string s = r->GetString(m, f);
      return f->type() == FieldDescriptor::TYPE_BYTES ? core::ToHex(s) : "\"" + s + "\"";
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      return r->GetBool(m, f) ? "true" : "false";
    default:
      return "?";
  }
}

}  // namespace

std::string EventName(const v1::TxBody& body) {
  switch (body.event_case()) {
    case v1::TxBody::kRegisterFacility: return "facility register";
    case v1::TxBody::kCreateOriginLot: return "lot create";
    case v1::TxBody::kOfferTransfer: return "transfer offer";
    case v1::TxBody::kAcceptTransfer: return "transfer accept";
    case v1::TxBody::kRejectTransfer: return "transfer reject";
    case v1::TxBody::kCancelTransfer: return "transfer cancel";
    case v1::TxBody::kTransform: return "transform";
    case v1::TxBody::kRecover: return "recover";
    case v1::TxBody::kRecordAudit: return "audit";
    case v1::TxBody::kRaiseRiskFlag: return "flag raise";
    case v1::TxBody::kResolveRiskFlag: return "flag resolve";
    case v1::TxBody::kRegisterBattery: return "battery register";
    case v1::TxBody::kUpdateStateOfHealth: return "battery update";
    case v1::TxBody::kRepurpose: return "battery repurpose";
    case v1::TxBody::kRetire: return "retire";
    case v1::TxBody::kProposeChange: return "gov propose";
    case v1::TxBody::kApproveProposal: return "gov approve";
    case v1::TxBody::kRejectProposal: return "gov reject";
    case v1::TxBody::kRotateKey: return "keys rotate";
    case v1::TxBody::EVENT_NOT_SET: return "(no event)";
  }
  return "(unknown event)";
}

// Iterative walk over the set fields; each line "path: value".
std::string DescribeTxBody(const v1::TxBody& body) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"event", EventName(body)},
      {"chain_id", body.chain_id()},
      {"nonce", std::to_string(body.nonce())}};
  if (!body.memo().empty()) fields.emplace_back("memo", body.memo());
  std::deque<std::pair<std::string, const Message*>> work;
  const auto* oneof = body.GetDescriptor()->FindOneofByName("event");
  if (const auto* f = body.GetReflection()->GetOneofFieldDescriptor(body, oneof)) {
    work.emplace_back("", &body.GetReflection()->GetMessage(body, f));
  }
  while (!work.empty()) {
    auto [path, m] = work.front();
    work.pop_front();
    const auto* d = m->GetDescriptor();
    const auto* r = m->GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      std::string name = path + f->name();
      if (f->is_repeated()) {
        if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;  // none in TxBody events
        for (int k = 0; k < r->FieldSize(*m, f); ++k) {
          work.emplace_back(name + "[" + std::to_string(k) + "].", &r->GetRepeatedMessage(*m, f, k));
        }
        continue;
      }
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (r->HasField(*m, f)) work.emplace_back(name + ".", &r->GetMessage(*m, f));
        continue;
      }
      if (f->containing_oneof() != nullptr && !r->HasField(*m, f)) continue;
      fields.emplace_back(name, ScalarText(*m, f));
    }
  }
  return RenderFields(fields);
}

}  // namespace lotchain::wallet
