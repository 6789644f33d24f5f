#include "support/diagnostics.h"

#include <gtest/gtest.h>

namespace microkit {
namespace {

TEST(Diagnostics, CountsErrorsButNotWarningsOrNotes) {
  Diagnostics d;
  d.warning("w", "f", {1, 1}, "warn");
  d.error("e", "f", {2, 3}, "bad");
  d.note("f", {1, 1}, "first here");
  EXPECT_TRUE(d.has_errors());
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_EQ(d.all().size(), 3u);
  EXPECT_EQ(d.all()[2].severity, Severity::Note);
}

TEST(Diagnostics, AppendKeepsErrorCount) {
  Diagnostics a, b;
  b.error("e", "f", {1, 1}, "x");
  a.append(b);
  EXPECT_EQ(a.error_count(), 1u);
}

TEST(Render, LocationMessageSourceCaretAndHint) {
  Diagnostic d{Severity::Error, "unknown-attribute", "a.system", {2, 5}, "unknown attribute `x`",
               "did you mean `y`?"};
  EXPECT_EQ(render(d, "<system>\n<pd x=\"1\"/>\n"),
            "a.system:2:5: error: unknown attribute `x`\n"
            "    <pd x=\"1\"/>\n"
            "        ^\n"
            "  hint: did you mean `y`?\n");
}

TEST(Render, CaretCountsCharactersNotUtf8Bytes) {
  Diagnostic d{Severity::Error, "e", "a", {1, 4}, "m", ""};
  // "é" is two bytes but one column: the caret sits under 'x' (column 4).
  EXPECT_EQ(render(d, "\xc3\xa9" "abx"), "a:1:4: error: m\n    \xc3\xa9" "abx\n       ^\n");
}

TEST(Render, CaretKeepsTabs) {
  Diagnostic d{Severity::Error, "e", "a", {1, 3}, "m", ""};
  EXPECT_EQ(render(d, "\t\tx"), "a:1:3: error: m\n    \t\tx\n    \t\t^\n");
}

TEST(Render, NoFileMeansNoLocationPrefix) {
  Diagnostic d{Severity::Warning, "w", "", {}, "careful", ""};
  EXPECT_EQ(render(d), "warning: careful\n");
}

TEST(LineOf, FindsLinesAndStripsCarriageReturn) {
  EXPECT_EQ(line_of("a\r\nb\nc", 1), "a");
  EXPECT_EQ(line_of("a\r\nb\nc", 3), "c");
  EXPECT_EQ(line_of("a", 2), "");
  EXPECT_EQ(line_of("a", 0), "");
}

TEST(LocOfOffset, CountsLinesAndBytes) {
  EXPECT_EQ(loc_of_offset("ab\ncd", 0), (Loc{1, 1}));
  EXPECT_EQ(loc_of_offset("ab\ncd", 2), (Loc{1, 3}));
  EXPECT_EQ(loc_of_offset("ab\ncd", 3), (Loc{2, 1}));
  EXPECT_EQ(loc_of_offset("ab\ncd", 4), (Loc{2, 2}));
  EXPECT_EQ(loc_of_offset("ab\ncd", 99), (Loc{2, 3}));  // past the end: after the last byte
  EXPECT_EQ(loc_of_offset("", 0), (Loc{1, 1}));
}

}  // namespace
}  // namespace microkit
