#include "sdf/xml_tree.h"

#include <expat.h>

#include <climits>
#include <memory>

namespace microkit::sdf {
namespace {

// Moves through raw input bytes one at a time, keeping the line and column of
// the byte it is at, counted the way expat counts them.
class Cursor {
 public:
  Cursor(std::string_view bytes, Loc start) : bytes_(bytes), loc_(start) {}

  bool done() const { return i_ >= bytes_.size(); }
  char peek() const { return bytes_[i_]; }
  size_t offset() const { return i_; }
  Loc loc() const { return loc_; }

  void advance() {
    unsigned char c = static_cast<unsigned char>(bytes_[i_++]);
    if (c == '\n' || (c == '\r' && (done() || bytes_[i_] != '\n'))) {
      ++loc_.line;
      loc_.column = 1;
    } else if (c != '\r' && (c & 0xC0) != 0x80) {
      ++loc_.column;  // a UTF-8 continuation byte belongs to the previous character
    }
  }

  static bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
  void skip_blanks() {
    while (!done() && blank(peek())) advance();
  }
  void skip_until(auto stop) {
    while (!done() && !stop(peek())) advance();
  }

 private:
  std::string_view bytes_;
  size_t i_ = 0;
  Loc loc_;
};

struct ScannedAttr {
  std::string_view name;
  Loc loc;
};

// Finds where each attribute name starts in a start tag's raw bytes (`<` up
// to `>`). expat has already checked the tag, so a simple scan suffices:
// quoted values may hold '>', '=', newlines, but never their own quote.
std::vector<ScannedAttr> scan_start_tag(std::string_view tag, Loc start) {
  std::vector<ScannedAttr> out;
  if (tag.empty()) return out;  // expat gave no bytes: attributes keep the element's position
  Cursor c(tag, start);
  c.advance();  // '<'
  c.skip_until([](char ch) { return Cursor::blank(ch) || ch == '/' || ch == '>'; });
  for (;;) {
    c.skip_blanks();
    if (c.done() || c.peek() == '/' || c.peek() == '>') break;
    size_t begin = c.offset();
    Loc loc = c.loc();
    c.skip_until([](char ch) { return Cursor::blank(ch) || ch == '='; });
    out.push_back({tag.substr(begin, c.offset() - begin), loc});
    c.skip_until([](char ch) { return ch == '"' || ch == '\''; });
    if (c.done()) break;
    char quote = c.peek();
    c.advance();
    c.skip_until([quote](char ch) { return ch == quote; });
    if (!c.done()) c.advance();
  }
  return out;
}

// Builds an XmlTree from expat's callbacks.
class TreeBuilder {
 public:
  explicit TreeBuilder(std::string_view text) : text_(text) {}

  // Returns false, after reporting why, when the text is not a usable document.
  bool run(const std::string& file, Diagnostics& diags);
  XmlTree& tree() { return tree_; }

 private:
  static void on_start(void* self, const XML_Char* name, const XML_Char** atts) {
    static_cast<TreeBuilder*>(self)->start(name, atts);
  }
  static void on_end(void* self, const XML_Char*) {
    static_cast<TreeBuilder*>(self)->stack_.pop_back();
  }
  static void on_text(void* self, const XML_Char* s, int len) {
    static_cast<TreeBuilder*>(self)->text(std::string_view(s, static_cast<size_t>(len)));
  }
  static void on_doctype(void* self, const XML_Char*, const XML_Char*, const XML_Char*, int) {
    static_cast<TreeBuilder*>(self)->doctype();
  }

  // expat counts a UTF-8 byte order mark as a character of line 1; editors
  // do not, so neither do we.
  Loc event_loc() const {
    Loc loc{static_cast<uint32_t>(XML_GetCurrentLineNumber(parser_)),
            static_cast<uint32_t>(XML_GetCurrentColumnNumber(parser_) + 1)};
    if (loc.line == 1 && loc.column > 1 && bom_size() > 0) --loc.column;
    return loc;
  }
  size_t bom_size() const { return text_.starts_with("\xEF\xBB\xBF") ? 3 : 0; }
  // The raw bytes of the event expat is reporting (a start tag, a run of text).
  std::string_view event_bytes() const {
    auto index = static_cast<size_t>(XML_GetCurrentByteIndex(parser_));
    auto count = static_cast<size_t>(XML_GetCurrentByteCount(parser_));
    if (index > text_.size()) return {};
    return text_.substr(index, count);
  }

  void start(const XML_Char* name, const XML_Char** atts);
  void text(std::string_view data);
  void doctype();

  std::string_view text_;
  XML_Parser parser_ = nullptr;
  XmlTree tree_;
  std::vector<uint32_t> stack_;
  std::optional<Loc> doctype_;
};

void TreeBuilder::start(const XML_Char* name, const XML_Char** atts) {
  auto index = static_cast<uint32_t>(tree_.nodes.size());
  if (!stack_.empty()) tree_.nodes[stack_.back()].children.push_back(index);
  stack_.push_back(index);
  XmlNode& node = tree_.nodes.emplace_back();
  node.name = name;
  node.loc = event_loc();
  std::vector<ScannedAttr> scanned = scan_start_tag(event_bytes(), node.loc);
  for (size_t i = 0; atts[i]; i += 2) {
    XmlAttr& attr = node.attrs.emplace_back(XmlAttr{atts[i], atts[i + 1], node.loc});
    // expat lists attributes in document order, so the scan normally agrees
    // position for position; search only if it does not.
    size_t k = i / 2;
    if (k < scanned.size() && scanned[k].name == attr.name) {
      attr.loc = scanned[k].loc;
      continue;
    }
    for (const ScannedAttr& s : scanned)
      if (s.name == attr.name) attr.loc = s.loc;
  }
}

void TreeBuilder::text(std::string_view data) {
  if (stack_.empty()) return;
  XmlNode& node = tree_.nodes[stack_.back()];
  if (node.text) return;
  bool blank = true;
  for (char ch : data) blank = blank && Cursor::blank(ch);
  if (blank) return;
  // Locate the first non-blank byte in the raw input; entity references
  // (`&amp;`) start with a non-blank byte, so the raw scan finds them too.
  Cursor c(event_bytes(), event_loc());
  c.skip_blanks();
  node.text = c.loc();
}

// expat reports the declaration once its name is read; the diagnostic
// points at the `<!DOCTYPE` itself, found by scanning back (an error path,
// so one pass over the text is affordable).
void TreeBuilder::doctype() {
  auto index = static_cast<size_t>(XML_GetCurrentByteIndex(parser_));
  size_t start = text_.rfind("<!DOCTYPE", index);
  if (start == std::string_view::npos) {
    doctype_ = event_loc();
  } else {
    Cursor c(text_.substr(bom_size(), start - bom_size()), Loc{1, 1});
    while (!c.done()) c.advance();
    doctype_ = c.loc();
  }
  XML_StopParser(parser_, XML_FALSE);
}

bool TreeBuilder::run(const std::string& file, Diagnostics& diags) {
  if (text_.size() > static_cast<size_t>(INT_MAX)) {
    diags.error("xml-syntax", file, {}, "the file is too large to be a system description",
                "a system description is at most 2 GiB");
    return false;
  }
  // Forcing UTF-8 makes the declared encoding irrelevant, so byte offsets
  // and characters are always counted the same way.
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"),
                                                                      &XML_ParserFree);
  if (!parser) {
    diags.error("xml-syntax", file, {}, "could not start the XML parser (out of memory)");
    return false;
  }
  parser_ = parser.get();
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, on_start, on_end);
  XML_SetCharacterDataHandler(parser_, on_text);
  XML_SetStartDoctypeDeclHandler(parser_, on_doctype);
  // No external entity is ever read: there is no external entity handler and
  // parameter entities are not parsed; the DOCTYPE handler above stops the
  // parse before any declaration could matter.
  XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);

  XML_Status status = XML_Parse(parser_, text_.data(), static_cast<int>(text_.size()), XML_TRUE);
  if (doctype_) {
    diags.error(
        "xml-doctype", file, *doctype_,
        "a document type declaration (<!DOCTYPE ...>) is not allowed in a system description",
        "remove the <!DOCTYPE ...> declaration; the SDF needs no DTD or entities");
    return false;
  }
  if (status != XML_STATUS_OK) {
    diags.error("xml-syntax", file, event_loc(),
                std::string("XML syntax error: ") + XML_ErrorString(XML_GetErrorCode(parser_)),
                "the file must be well-formed XML");
    return false;
  }
  if (tree_.nodes.empty()) {  // expat itself rejects a document without elements
    diags.error("xml-syntax", file, event_loc(), "XML syntax error: no element found");
    return false;
  }
  return true;
}

}  // namespace

std::optional<XmlTree> read_xml(std::string_view text, const std::string& file,
                                Diagnostics& diags) {
  TreeBuilder builder(text);
  if (!builder.run(file, diags)) return std::nullopt;
  return std::move(builder.tree());
}

}  // namespace microkit::sdf
