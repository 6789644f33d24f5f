// XmlTree: an SDF file's elements, read by expat, with exact positions.
//
// The SDF uses a small part of XML: elements, attributes, comments and
// blank text. read_xml() turns the text into a flat tree of elements that
// keeps, for each element, the position of its `<` and of each attribute's
// name, and the position of the first non-blank text directly inside it (the
// SDF allows none; the parser reports it). Everything else (comments,
// processing instructions, blank text) is dropped.
//
// Positions: lines and columns count from 1; a column counts characters
// (UTF-8 code points; a tab is one), which is how expat counts them, so that
// our positions and expat's syntax-error positions agree. CR LF and a lone CR
// each end a line, as in XML. Element positions are expat's; attribute
// positions come from scanning the start tag's raw bytes.
//
// Safety: the text is always read as UTF-8, whatever it declares. A document
// type declaration is refused (diagnostic id "xml-doctype"), so no entity
// can be declared ("billion laughs") and no external entity is ever loaded.
// Anything not well-formed is "xml-syntax" at expat's position with expat's
// message. Reading is linear in the size of the text; nesting depth costs
// no stack.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"

namespace microkit::sdf {

struct XmlAttr {
  std::string name;
  std::string value;  // as XML defines it: entities replaced, blanks normalised
  Loc loc;            // of the name
};

struct XmlNode {
  std::string name;
  Loc loc;                         // of the '<'
  std::vector<XmlAttr> attrs;      // in document order
  std::vector<uint32_t> children;  // indices into XmlTree::nodes, in document order
  std::optional<Loc> text;         // first non-blank character directly inside
};

struct XmlTree {
  std::vector<XmlNode> nodes;  // nodes[0] is the root element; parents before children
};

// Reads `text` (the contents of `file`). Returns nullopt, after adding an
// error to `diags`, when the text is not a well-formed XML document.
std::optional<XmlTree> read_xml(std::string_view text, const std::string& file, Diagnostics& diags);

}  // namespace microkit::sdf
