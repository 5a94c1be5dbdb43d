// Text and JSON renderings of a battery passport (core::BuildPassport): carbon footprint per
// kWh, recycled content per element against the policy's targets, a due-diligence summary
// (non-conformant or unaudited refiners upstream, open risk flags), countries of origin.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consensus/core/passport.h"
#include "lotchain/v1/api.pb.h"

namespace lotchain::wallet {

// The computation lives in the core (consensus/core/passport.h); the CLI renders it.
using core::BuildPassport;
using core::Passport;

std::string RenderPassportText(const Passport& passport);
// The "lotchain-passport" export format (consensus/core/export_lotchain_passport.cc).
std::string RenderPassportJson(const Passport& passport, const core::Genesis* genesis);

}  // namespace lotchain::wallet
