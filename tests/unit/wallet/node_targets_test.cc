// --node lists (wallet-cli/client.h SplitNodeTargets).
#include <gtest/gtest.h>

#include "wallet-cli/client.h"

namespace lotchain::wallet {
namespace {

TEST(SplitNodeTargets, ListsInOrderWithoutBlanks) {
  EXPECT_EQ(SplitNodeTargets("127.0.0.1:26700"), (std::vector<std::string>{"127.0.0.1:26700"}));
  EXPECT_EQ(SplitNodeTargets("a:1, b:2,,c:3 "), (std::vector<std::string>{"a:1", "b:2", "c:3"}));
}

}  // namespace
}  // namespace lotchain::wallet
