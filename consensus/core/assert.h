// LOTCHAIN_ASSERT: invariant checks that stay on in every build (the build refuses NDEBUG).
// Use for broken invariants (bugs) only; never for bytes from the network or disk, which are
// validated and answered with a Status.
#pragma once

#include <cstdio>
#include <cstdlib>

#ifdef NDEBUG
#error "lotchain keeps assertions on: do not build with NDEBUG"
#endif

namespace lotchain::core::detail {
[[noreturn]] inline void AssertFail(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "lotchain: assertion failed: %s at %s:%d\n", cond, file, line);
  std::abort();
}
}  // namespace lotchain::core::detail

#define LOTCHAIN_ASSERT(cond)                                              \
  do {                                                                     \
    if (!(cond)) ::lotchain::core::detail::AssertFail(#cond, __FILE__, __LINE__); \
  } while (0)
