// The close-match hint of UNKNOWN_ORG refusals (wallet-cli/cli_find.cc CloseMatches).
#include <gtest/gtest.h>

#include "wallet-cli/cli.h"

namespace lotchain::wallet {
namespace {

const std::vector<std::string> kMembers = {"audit-co",   "cobalt-mine-co", "collect-co",
                                           "pack-co",    "recycle-co",     "refine-co"};

TEST(CloseMatches, TyposAndFragmentsFindTheMember) {
  EXPECT_EQ(CloseMatches("recycle-c0", kMembers).front(), "recycle-co");
  EXPECT_EQ(CloseMatches("refine-co ", kMembers).front(), "refine-co");
  EXPECT_EQ(CloseMatches("cobalt", kMembers).front(), "cobalt-mine-co");  // a fragment
  EXPECT_EQ(CloseMatches("pakc-co", kMembers).front(), "pack-co");        // a transposition
}

TEST(CloseMatches, AtMostThreeClosestFirstAndNothingFarAway) {
  std::vector<std::string> close = CloseMatches("co", kMembers);  // a fragment of all six
  EXPECT_EQ(close.size(), 3u);
  EXPECT_TRUE(CloseMatches("zzzzzzzzzzzz", kMembers).empty());
  EXPECT_TRUE(CloseMatches("", kMembers).empty());
}

}  // namespace
}  // namespace lotchain::wallet
