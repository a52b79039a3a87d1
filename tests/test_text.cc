// The string helpers of harness/common/text.h, and the characters of a run name (run_name.h).
#include <gtest/gtest.h>

#include <string>

#include "harness/common/run_name.h"
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

TEST(Text, RunNameCharacters) {
  for (char c : std::string("azAZ09_-.=+")) EXPECT_TRUE(is_run_name_char(c)) << c;
  for (char c : std::string(" /\\:*?\"<>|@#\n\0", 14)) EXPECT_FALSE(is_run_name_char(c)) << int(c);
  EXPECT_FALSE(is_run_name_char(static_cast<char>(0xC3)));  // no UTF-8 letters
}

}  // namespace
}  // namespace ablate
