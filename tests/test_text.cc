// The string helpers of harness/common/text.h.
#include <gtest/gtest.h>

#include "harness/common/text.h"

namespace ablate {
namespace {

TEST(Text, TrimRemovesWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b \n"), "a b");
  EXPECT_EQ(trim("\t\r\n\v\f"), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("x"), "x");
  EXPECT_EQ(trim(" model name\t"), "model name");
}

TEST(Text, EndsWith) {
  EXPECT_TRUE(ends_with("layers.0.o_proj.weight", "o_proj.weight"));
  EXPECT_TRUE(ends_with("abc", ""));
  EXPECT_TRUE(ends_with("abc", "abc"));
  EXPECT_FALSE(ends_with("bc", "abc"));
  EXPECT_FALSE(ends_with("abc", "ab"));
}

}  // namespace
}  // namespace ablate
