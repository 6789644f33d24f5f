#include "sdf/xml_tree.h"

#include <gtest/gtest.h>

namespace microkit::sdf {
namespace {

TEST(XmlTree, ElementsInDocumentOrderWithChildren) {
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml("<a><b x='1' y=\"2\"><c/></b><d/></a>", "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_TRUE(diags.empty());
  ASSERT_EQ(tree->nodes.size(), 4u);
  EXPECT_EQ(tree->nodes[0].name, "a");
  EXPECT_EQ(tree->nodes[0].children, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(tree->nodes[1].children, (std::vector<uint32_t>{2}));
  ASSERT_EQ(tree->nodes[1].attrs.size(), 2u);
  EXPECT_EQ(tree->nodes[1].attrs[0].name, "x");
  EXPECT_EQ(tree->nodes[1].attrs[0].value, "1");
  EXPECT_EQ(tree->nodes[1].attrs[0].loc, (Loc{1, 7}));
  EXPECT_EQ(tree->nodes[1].attrs[1].loc, (Loc{1, 13}));
  EXPECT_EQ(tree->nodes[3].loc, (Loc{1, 27}));
}

TEST(XmlTree, AttributeValuesAreDecoded) {
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml("<a v='&lt;&#x41;&amp;\tz'/>", "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->nodes[0].attrs.at(0).value, "<A& z");
}

TEST(XmlTree, RecordsOnlyTheFirstStrayText) {
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml("<a>\n  x <b/> y</a>", "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->nodes[0].text, (Loc{2, 3}));
  EXPECT_EQ(tree->nodes[1].text, std::nullopt);
}

TEST(XmlTree, TextInsideCdataIsLocatedAtItsFirstCharacter) {
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml("<a><![CDATA[  q]]></a>", "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->nodes[0].text, (Loc{1, 15}));
}

TEST(XmlTree, DeepNestingNeedsNoRecursion) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "<a>";
  for (int i = 0; i < 100000; ++i) text += "</a>";
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml(text, "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->nodes.size(), 100000u);
}

TEST(XmlTree, ByteOrderMarkTakesNoColumn) {
  Diagnostics diags;
  std::optional<XmlTree> tree = read_xml("\xEF\xBB\xBF<a x='1'><b/></a>", "t", diags);
  ASSERT_TRUE(tree);
  EXPECT_EQ(tree->nodes[0].loc, (Loc{1, 1}));
  EXPECT_EQ(tree->nodes[0].attrs.at(0).loc, (Loc{1, 4}));
  EXPECT_EQ(tree->nodes[1].loc, (Loc{1, 10}));
  EXPECT_FALSE(read_xml("\xEF\xBB\xBF<a></b>", "t", diags));
  EXPECT_EQ(diags.all().back().loc, (Loc{1, 6}));
  EXPECT_FALSE(read_xml("\xEF\xBB\xBF<!DOCTYPE a><a/>", "t", diags));
  EXPECT_EQ(diags.all().back().loc, (Loc{1, 1}));
}

TEST(XmlTree, SyntaxErrorsNameTheFile) {
  Diagnostics diags;
  EXPECT_FALSE(read_xml("<a>\n<b></a>", "dir/x.system", diags));
  ASSERT_EQ(diags.all().size(), 1u);
  EXPECT_EQ(diags.all()[0].id, "xml-syntax");
  EXPECT_EQ(diags.all()[0].file, "dir/x.system");
  EXPECT_EQ(diags.all()[0].loc, (Loc{2, 6}));
}

}  // namespace
}  // namespace microkit::sdf
