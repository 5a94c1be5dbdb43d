// From command-line flags to a TxBody, and the offline signing file formats.
//
// Builders validate and convert every flag (quantities through units.h, enums by their short
// lower-case names, document digests from a file or hex) and return the TxBody event; errors
// (code BAD_INPUT / BAD_QUANTITY) name the flag and what to type. Events on an existing lot need
// the lot's last event hash: `--prev HEX` (required offline), else `PrevLookup` (the node's
// GetLot). The caller fills chain_id, nonce and memo (FinishBody).
//
// Files (docs/WALLET.md):
//   unsigned  {"version":1, "chain_id", "signer_hint", "signer_public_key", "body_hex"}
//   signed    {"version":1, "signed_tx_hex", "tx_hash"}
// Pure except PrevLookup; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "consensus/core/crypto.h"
#include "consensus/core/result.h"
#include "lotchain/v1/tx.pb.h"

namespace lotchain::wallet {

// Returns the lot's last_event_hash (32 bytes).
using PrevLookup = std::function<core::Result<std::string>(const std::string& lot_id)>;

struct EmissionArgs {
  std::string co2e;              // "350kg"; empty = 0
  // primary (measured at the site) | secondary (database or estimate); empty = secondary, so
  // an unstated figure never raises a passport's primary-data share.
  std::string quality;
};

struct DigestArgs {
  std::string hex;   // --X-sha256
  std::string file;  // --X-file (hashed with SHA-256)
};

struct FacilityArgs {
  std::string facility_id, kind, country, name, location;  // location "lat,lon" in degrees
};

struct OriginLotArgs {
  std::string lot_id, facility_id, material, mass;
  std::vector<std::string> elements;  // "Co=120kg"
  DigestArgs certificate;
  std::string issuer, number;
  EmissionArgs emissions;
};

struct LotRef {
  std::string lot_id;
  std::string prev_hex;  // --prev; empty = look up
};

struct OfferArgs {
  LotRef lot;
  std::string to_org;
  EmissionArgs transport;
};

struct TransformArgs {
  std::string facility_id;
  std::string process;  // transform only
  std::string source;   // recover only: pre_consumer | post_consumer
  std::vector<std::string> inputs;   // "LOT=MASS" or "LOT=MASS@PREVHEX"
  std::vector<std::string> outputs;  // "id=LOT;material=TEXT;mass=2t;Co=120kg;Ni=1t"
  // "material=TEXT;mass=QTY;co2e=QTY[;quality=primary|secondary]"
  std::vector<std::string> reagents;
  EmissionArgs emissions;
};

struct AuditArgs {
  std::string audit_id, facility_id, standard, status, date, valid_until;
  DigestArgs report;
};

struct FlagRaiseArgs {
  std::string flag_id, lot_id, facility_id, category, severity, description;
  DigestArgs evidence;
};

struct FlagResolveArgs {
  std::string flag_id, note;
  DigestArgs resolution;
};

struct BatteryRegisterArgs {
  LotRef lot;
  std::string serial, chemistry, capacity, lifetime;
};

struct BatteryUpdateArgs {
  LotRef lot;
  std::string state_of_health, delivered;
};

core::Result<v1::TxBody> BuildRegisterFacility(const FacilityArgs& args);
core::Result<v1::TxBody> BuildCreateOriginLot(const OriginLotArgs& args);
core::Result<v1::TxBody> BuildOffer(const OfferArgs& args, const PrevLookup& lookup);
core::Result<v1::TxBody> BuildAccept(const LotRef& lot, const PrevLookup& lookup);
core::Result<v1::TxBody> BuildReject(const LotRef& lot, const std::string& reason,
                                     const PrevLookup& lookup);
core::Result<v1::TxBody> BuildCancel(const LotRef& lot, const PrevLookup& lookup);
core::Result<v1::TxBody> BuildTransform(const TransformArgs& args, const PrevLookup& lookup);
core::Result<v1::TxBody> BuildRecover(const TransformArgs& args, const PrevLookup& lookup);
core::Result<v1::TxBody> BuildAudit(const AuditArgs& args);
core::Result<v1::TxBody> BuildRaiseFlag(const FlagRaiseArgs& args);
core::Result<v1::TxBody> BuildResolveFlag(const FlagResolveArgs& args);
core::Result<v1::TxBody> BuildRegisterBattery(const BatteryRegisterArgs& args,
                                              const PrevLookup& lookup);
core::Result<v1::TxBody> BuildUpdateBattery(const BatteryUpdateArgs& args,
                                            const PrevLookup& lookup);
core::Result<v1::TxBody> BuildRepurpose(const LotRef& lot, const std::string& application,
                                        const PrevLookup& lookup);
core::Result<v1::TxBody> BuildRetire(const LotRef& lot, const std::string& reason,
                                     const PrevLookup& lookup);

// Governance (tx_governance.cc). `gov propose` takes exactly one change flag; --roles and
// --member-key are comma lists.
struct GovChangeArgs {
  std::string proposal_id, rationale;
  std::string add_member, name;  // --add-member ORG --name NAME --roles .. --member-key ..
  std::vector<std::string> roles, member_keys;
  std::string set_roles, suspend, reinstate, remove, revoke_key;  // revoke: "ORG:HEX"
  std::string add_validator, remove_validator, rekey_validator;
  std::string validator_key, address, operator_org;
};
core::Result<v1::TxBody> BuildProposeChange(const GovChangeArgs& args);
core::Result<v1::TxBody> BuildApproveProposal(const std::string& proposal_id);
core::Result<v1::TxBody> BuildRejectProposal(const std::string& proposal_id,
                                             const std::string& reason);
v1::TxBody BuildRotateKey(const std::string& new_public_key);

// Nonces must only increase (gaps allowed): the larger of the key's last used nonce + 1 and
// the current time in ms, so two wallets holding one key rarely collide and a lost cache never
// makes a nonce go backwards (docs/WALLET.md).
uint64_t ChooseNonce(uint64_t last_used, int64_t now_unix_ms);

core::Status FinishBody(const std::string& chain_id, uint64_t nonce, const std::string& memo,
                        v1::TxBody& body);

// "Co=120kg" -> ElementMass; compositions are returned sorted by element.
core::Result<std::vector<v1::ElementMass>> ParseComposition(const std::vector<std::string>& specs);

struct UnsignedTx {
  std::string chain_id;
  std::string signer_hint;        // key name, may be empty
  std::string signer_public_key;  // 32 bytes, may be empty
  std::string body;               // serialized TxBody
};
std::string EncodeUnsignedTx(const UnsignedTx& tx);
core::Result<UnsignedTx> DecodeUnsignedTx(const std::string& json_text);

struct SignedTxFile {
  std::string signed_tx;  // SignedTx encoding
  std::string tx_hash;    // SHA-256 of it
};
std::string EncodeSignedTx(const SignedTxFile& tx);
core::Result<SignedTxFile> DecodeSignedTx(const std::string& json_text);

// Signs the exact body bytes over "lotchain/tx/v1" 0 chain_id 0 body.
SignedTxFile SignBody(const std::string& body, const std::string& chain_id,
                      const core::SecretKey& key);

// A human summary of a body for review before signing: one "field: value" per line, units shown.
std::string DescribeTxBody(const v1::TxBody& body);
// The event's name as the CLI spells it ("transfer offer").
std::string EventName(const v1::TxBody& body);
// One sentence saying what the event does to which lot ("offered lot ore-1 to refine-co"),
// without the actor: the applied line and `watch` put the organisation in front (tx_story.cc).
std::string TxStory(const v1::TxBody& body);

}  // namespace lotchain::wallet
