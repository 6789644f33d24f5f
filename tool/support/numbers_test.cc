#include "support/numbers.h"

#include <gtest/gtest.h>

namespace microkit {
namespace {

TEST(ParseU64, Decimal) {
  EXPECT_EQ(parse_u64("0").value, 0u);
  EXPECT_EQ(parse_u64("4096").value, 4096u);
  EXPECT_EQ(parse_u64("007").value, 7u);
  EXPECT_TRUE(parse_u64("4096").ok());
}

TEST(ParseU64, Hex) {
  EXPECT_EQ(parse_u64("0x1000").value, 0x1000u);
  EXPECT_EQ(parse_u64("0xdeadBEEF").value, 0xdeadbeefu);
  EXPECT_EQ(parse_u64("0x0").value, 0u);
}

TEST(ParseU64, Underscores) {
  EXPECT_EQ(parse_u64("1_000_000").value, 1000000u);
  EXPECT_EQ(parse_u64("0x8000_0000").value, 0x80000000u);
  EXPECT_EQ(parse_u64("1__0").value, 10u);
  EXPECT_EQ(parse_u64("_1").error, NumberError::BadSeparator);
  EXPECT_EQ(parse_u64("1_").error, NumberError::BadSeparator);
  EXPECT_EQ(parse_u64("0x_10").error, NumberError::BadSeparator);
  EXPECT_EQ(parse_u64("_").error, NumberError::Empty);
}

TEST(ParseU64, Limits) {
  EXPECT_EQ(parse_u64("18446744073709551615").value, UINT64_MAX);
  EXPECT_EQ(parse_u64("0xffffffffffffffff").value, UINT64_MAX);
  EXPECT_EQ(parse_u64("18446744073709551616").error, NumberError::Overflow);
  EXPECT_EQ(parse_u64("0x10000000000000000").error, NumberError::Overflow);
  EXPECT_EQ(parse_u64("99999999999999999999999").error, NumberError::Overflow);
}

TEST(ParseU64, Rejects) {
  EXPECT_EQ(parse_u64("").error, NumberError::Empty);
  EXPECT_EQ(parse_u64("0x").error, NumberError::Empty);
  EXPECT_EQ(parse_u64("-1").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64("+1").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64(" 1").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64("1 ").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64("0X10").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64("12a").error, NumberError::BadDigit);
  EXPECT_EQ(parse_u64("0x1g").error, NumberError::BadDigit);
  EXPECT_FALSE(parse_u64("1.5").ok());
}

TEST(ParseHexDigits, Basics) {
  EXPECT_EQ(parse_hex_digits("1f").value, 0x1fu);
  EXPECT_EQ(parse_hex_digits("00").value, 0u);
  EXPECT_EQ(parse_hex_digits("").error, NumberError::Empty);
  EXPECT_EQ(parse_hex_digits("0x1").error, NumberError::BadDigit);
  EXPECT_EQ(parse_hex_digits("1_0").error, NumberError::BadDigit);
}

TEST(Describe, EveryErrorHasAPhrase) {
  EXPECT_STREQ(describe(NumberError::Overflow), "does not fit in 64 bits");
  EXPECT_STRNE(describe(NumberError::Empty), describe(NumberError::BadDigit));
}

}  // namespace
}  // namespace microkit
