#include "support/text.h"

#include <gtest/gtest.h>

namespace microkit {
namespace {

TEST(Text, HexIsLowerCaseWithPrefixAndNoPadding) {
  EXPECT_EQ(hex(0), "0x0");
  EXPECT_EQ(hex(0x1000), "0x1000");
  EXPECT_EQ(hex(0xDEADBEEF), "0xdeadbeef");
  EXPECT_EQ(hex(UINT64_MAX), "0xffffffffffffffff");
}

TEST(Text, JoinPutsTheSeparatorBetweenItemsOnly) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(join({"a", "b"}, " | "), "a | b");
}

TEST(Text, CountOfUsesTheSingularForExactlyOne) {
  EXPECT_EQ(count_of(0, "channel"), "0 channels");
  EXPECT_EQ(count_of(1, "channel"), "1 channel");
  EXPECT_EQ(count_of(2, "memory region"), "2 memory regions");
  EXPECT_EQ(count_of(1, "child", "children"), "1 child");
  EXPECT_EQ(count_of(3, "child", "children"), "3 children");
}

}  // namespace
}  // namespace microkit
