// TxStory (tx_builder.h): one sentence per event, naming what was done to which lot, for the
// line `lotchain` prints when a transaction applies and for `lotchain watch`.
#include <string>

#include "consensus/core/governance.h"
#include "consensus/core/crypto.h"
#include "wallet-cli/output.h"
#include "wallet-cli/tx_builder.h"
#include "wallet-cli/units.h"

namespace lotchain::wallet {

namespace {

template <typename Repeated>
std::string Ids(const Repeated& lots) {
  std::string out;
  for (const auto& lot : lots) out += (out.empty() ? "" : ", ") + lot.lot_id();
  return out;
}

std::string Label(const std::string& enum_name, const std::string& prefix) {
  return EnumLabel(enum_name, prefix);
}

}  // namespace

// Longer than most functions on purpose: one flat case per event kind, each a sentence, so
// that a new kind's sentence goes next to the others (and -Wswitch names a missing one).
std::string TxStory(const v1::TxBody& body) {
  switch (body.event_case()) {
    case v1::TxBody::kRegisterFacility: {
      const auto& f = body.register_facility();
      return "registered " + Label(v1::FacilityKind_Name(f.kind()), "FACILITY_KIND_") + " " +
             f.facility_id() + " (" + f.country() + ")";
    }
    case v1::TxBody::kCreateOriginLot: {
      const auto& c = body.create_origin_lot();
      return "created origin lot " + c.lot_id() + ": " + FormatMass(c.mass_grams()) + " of " +
             c.material() + " at " + c.facility_id();
    }
    case v1::TxBody::kOfferTransfer:
      return "offered lot " + body.offer_transfer().lot_id() + " to " +
             body.offer_transfer().to_org();
    case v1::TxBody::kAcceptTransfer:
      return "accepted lot " + body.accept_transfer().lot_id();
    case v1::TxBody::kRejectTransfer:
      return "rejected lot " + body.reject_transfer().lot_id();
    case v1::TxBody::kCancelTransfer:
      return "withdrew the offer of lot " + body.cancel_transfer().lot_id();
    case v1::TxBody::kTransform: {
      const auto& t = body.transform();
      return "transformed " + Ids(t.inputs()) + " into " + Ids(t.outputs()) + " (" +
             Label(v1::ProcessKind_Name(t.process()), "PROCESS_KIND_") + " at " + t.facility_id() +
             ")";
    }
    case v1::TxBody::kRecover: {
      const auto& r = body.recover();
      return "recovered " + Ids(r.outputs()) + " from " + Ids(r.inputs()) + " (" +
             Label(v1::RecycledSource_Name(r.source()), "RECYCLED_SOURCE_") + " at " +
             r.facility_id() + ")";
    }
    case v1::TxBody::kRecordAudit: {
      const auto& a = body.record_audit();
      return "recorded audit " + a.audit_id() + " of " + a.facility_id() + ": " +
             Label(v1::AuditStatus_Name(a.status()), "AUDIT_STATUS_");
    }
    case v1::TxBody::kRaiseRiskFlag: {
      const auto& r = body.raise_risk_flag();
      return "raised risk flag " + r.flag_id() + " (" +
             Label(v1::RiskCategory_Name(r.category()), "RISK_CATEGORY_") + ") on " +
             (r.has_lot_id() ? "lot " + r.lot_id() : "facility " + r.facility_id());
    }
    case v1::TxBody::kProposeChange:
      return "proposed " + std::string(core::ChangeKindName(body.propose_change().change())) +
             " (proposal " + body.propose_change().proposal_id() + ")";
    case v1::TxBody::kApproveProposal:
      return "approved proposal " + body.approve_proposal().proposal_id();
    case v1::TxBody::kRejectProposal:
      return "rejected proposal " + body.reject_proposal().proposal_id();
    case v1::TxBody::kRotateKey:
      return "rotated its signing key to " +
             core::ToHex(body.rotate_key().new_public_key()).substr(0, 16) + "...";
    case v1::TxBody::kResolveRiskFlag:
      return "resolved risk flag " + body.resolve_risk_flag().flag_id();
    case v1::TxBody::kRegisterBattery: {
      const auto& b = body.register_battery();
      return "registered battery " + b.serial() + " (" + b.chemistry() + ", " +
             FormatEnergy(b.rated_capacity_wh()) + ") on lot " + b.lot_id();
    }
    case v1::TxBody::kUpdateStateOfHealth: {
      const auto& u = body.update_state_of_health();
      return "recorded state of health " + FormatPpm(u.state_of_health_ppm()) + " of lot " +
             u.lot_id();
    }
    case v1::TxBody::kRepurpose:
      return "took lot " + body.repurpose().lot_id() + " into second life (" +
             body.repurpose().application() + ")";
    case v1::TxBody::kRetire:
      return "retired lot " + body.retire().lot_id();
    case v1::TxBody::EVENT_NOT_SET:
      break;
  }
  return "an empty event";
}

}  // namespace lotchain::wallet
