// Parsing bytes this program wrote itself — state records, the engine's own messages, stored
// blocks already checked: a failure means a bug or a corrupt store, never bad input, so it
// aborts like LOTCHAIN_ASSERT. The parse is not inside an assertion (whose argument should have
// no effects), and input from outside must never come here: decode that with a Status.
#pragma once

#include <string>

#include "consensus/core/assert.h"

namespace lotchain::core {

template <typename Message>
void ParseOwnOrDie(Message& message, const std::string& bytes) {
  const bool parsed = message.ParseFromString(bytes);
  LOTCHAIN_ASSERT(parsed);
}

}  // namespace lotchain::core
