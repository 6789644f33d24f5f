#include "support/did_you_mean.h"

#include <gtest/gtest.h>

#include <array>

namespace microkit {
namespace {

constexpr std::array<std::string_view, 5> kPdChildren = {"program_image", "map", "irq", "setvar",
                                                         "protection_domain"};

TEST(EditDistance, Basics) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("map", "map"), 0u);
}

TEST(EditDistance, SwapCostsOne) {
  EXPECT_EQ(edit_distance("protection_domian", "protection_domain"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
}

TEST(DidYouMean, SuggestsClosest) {
  EXPECT_EQ(did_you_mean("programimage", kPdChildren), "program_image");
  EXPECT_EQ(did_you_mean("mpa", kPdChildren), "map");
  EXPECT_EQ(did_you_mean("setvars", kPdChildren), "setvar");
  EXPECT_EQ(did_you_mean("Protection_Domain", kPdChildren), "protection_domain");
}

TEST(DidYouMean, NothingWhenFar) {
  EXPECT_EQ(did_you_mean("banana", kPdChildren), std::nullopt);
  EXPECT_EQ(did_you_mean("x", std::array<std::string_view, 1>{"id"}), std::nullopt);
  EXPECT_EQ(did_you_mean("id", std::array<std::string_view, 1>{"irq"}), std::nullopt);
  EXPECT_EQ(did_you_mean("map", std::span<const std::string_view>{}), std::nullopt);
}

TEST(DidYouMean, NeverTheWordItself) {
  EXPECT_EQ(did_you_mean("map", std::array<std::string_view, 1>{"map"}), std::nullopt);
}

TEST(DidYouMean, TiesGoToFirstCandidate) {
  EXPECT_EQ(did_you_mean("pb", std::array<std::string_view, 2>{"pd", "pp"}), "pd");
  EXPECT_EQ(did_you_mean("pb", std::array<std::string_view, 2>{"pp", "pd"}), "pp");
}

}  // namespace
}  // namespace microkit
