// What build this is: the project version (CMakeLists.txt) and the git revision it was built
// from ("unknown" outside a git checkout, "-dirty" with uncommitted changes). Defined in a
// source generated at build time (cmake/build_info.cmake) into the library lotchain_build_info,
// which `lotchaind version`, `lotchain version` and the lotchain_build_info metric use.
#pragma once

#include <string_view>

namespace lotchain {

std::string_view BuildVersion();
std::string_view BuildRevision();

}  // namespace lotchain
