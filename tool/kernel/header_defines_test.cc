#include "kernel/header_defines.h"

#include <gtest/gtest.h>

namespace microkit::kernel {
namespace {

TEST(HeaderDefines, ConditionalsPickTheConfiguredBranch) {
  HeaderDefines d;
  ASSERT_TRUE(d.scan(R"(
#define CONFIG_KERNEL_MCS 1
/* disabled: CONFIG_HARDWARE_DEBUG_API */
#define CONFIG_ARM_PA_SIZE_BITS_40 1
#define CONFIG_XSAVE_SIZE 576
#ifdef CONFIG_KERNEL_MCS
#define seL4_NotificationBits 6
#else
#define seL4_NotificationBits 5
#endif
#if defined(CONFIG_HARDWARE_DEBUG_API) || \
    (defined(CONFIG_KERNEL_MCS) && !defined(CONFIG_ENABLE_SMP_SUPPORT) && 0)
#define seL4_TCBBits 12
#else
#define seL4_TCBBits 11
#endif
#if CONFIG_XSAVE_SIZE >= 832
#define seL4_X 1
#elif defined (CONFIG_ARM_PA_SIZE_BITS_40)
#define seL4_X 2
#else
#define seL4_X 3
#endif
#ifndef __ASSEMBLER__
#define seL4_InC 1
#endif
)"));
  EXPECT_EQ(d.value("seL4_NotificationBits"), 6u);
  EXPECT_EQ(d.value("seL4_TCBBits"), 11u);
  EXPECT_EQ(d.value("seL4_X"), 2u);
  EXPECT_EQ(d.value("seL4_InC"), 1u);
}

TEST(HeaderDefines, NestedInactiveBlocksStayInactive) {
  HeaderDefines d;
  ASSERT_TRUE(d.scan(R"(
#if 0
#if 1
#define A 1
#else
#define A 2
#endif
#elif 1
#define B 3
#else
#define B 4
#endif
)"));
  EXPECT_FALSE(d.defined("A"));
  EXPECT_EQ(d.value("B"), 3u);
}

TEST(HeaderDefines, ValuesFollowOtherMacrosAndArithmetic) {
  HeaderDefines d;
  ASSERT_TRUE(d.scan(R"(
#define seL4_PageTableBits     12
#define seL4_VSpaceBits        seL4_PageTableBits
#define seL4_UserTop 0x0000003ffffff000lu  // a comment
#define seL4_UserVSpaceTop (seL4_UserTop - 1)
#define seL4_Shifted (1ull << 20)
#define LIBSEL4_BIT(n) (1ul << (n))
#define seL4_LogBufferSize (LIBSEL4_BIT(20))
#define seL4_WordBits (sizeof(seL4_Word) * 8)
#define seL4_Cycle seL4_Cycle
)"));
  EXPECT_EQ(d.value("seL4_VSpaceBits"), 12u);
  EXPECT_EQ(d.value("seL4_UserTop"), 0x3ffffff000u);
  EXPECT_EQ(d.value("seL4_UserVSpaceTop"), 0x3fffffefffu);
  EXPECT_EQ(d.value("seL4_Shifted"), 1u << 20);
  EXPECT_FALSE(d.defined("LIBSEL4_BIT"));         // function-like: not recorded
  EXPECT_FALSE(d.value("seL4_LogBufferSize"));    // uses a function-like macro
  EXPECT_FALSE(d.value("seL4_WordBits"));         // sizeof is not preprocessor arithmetic
  EXPECT_FALSE(d.value("seL4_Cycle"));            // self-reference ends, without a value
  EXPECT_FALSE(d.value("seL4_Undefined"));
}

TEST(HeaderDefines, UndefAndCommentsSpanningLines) {
  HeaderDefines d;
  ASSERT_TRUE(d.scan("#define A 1\n/* #define A 2\n#define B 2 */\n#undef A\n#define C 3\n"));
  EXPECT_FALSE(d.defined("A"));
  EXPECT_FALSE(d.defined("B"));
  EXPECT_EQ(d.value("C"), 3u);
}

TEST(HeaderDefines, UnbalancedConditionalsAreReported) {
  HeaderDefines a;
  EXPECT_FALSE(a.scan("#if 1\n#define X 1\n"));
  HeaderDefines b;
  EXPECT_FALSE(b.scan("#endif\n"));
  HeaderDefines c;
  EXPECT_FALSE(c.scan("#else\n"));
}

TEST(HeaderDefines, ConditionOperators) {
  HeaderDefines d;
  d.define("N", "64");
  EXPECT_EQ(d.evaluate_condition("N == 64 && !defined(M)"), 1);
  EXPECT_EQ(d.evaluate_condition("N != 64 || M"), 0);
  EXPECT_EQ(d.evaluate_condition("(N / 8) % 3 == 2"), 1);
  EXPECT_EQ(d.evaluate_condition("1 + 2 * 3"), 7);
  EXPECT_EQ(d.evaluate_condition("N > 32 ? 5 : 6"), 5);
  EXPECT_EQ(d.evaluate_condition("~0 & 0xff"), 0xff);
  EXPECT_FALSE(d.evaluate_condition("1 / 0"));
  EXPECT_FALSE(d.evaluate_condition("(1"));
  EXPECT_FALSE(d.evaluate_condition("1 $ 2"));
}

}  // namespace
}  // namespace microkit::kernel
