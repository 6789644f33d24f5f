// Diagnostics: the tool's one error channel.
//
// Nothing inside the tool throws or prints. Every phase appends Diagnostics
// to a list and the caller decides when to stop (between phases) and how to
// render them (once, at the top). A diagnostic has a stable `id` (what tests
// assert on, with the location), a message saying what is wrong, and a hint
// saying how to fix it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace microkit {

// A position in a text file. Lines and columns count from 1; 0 means unknown.
struct Loc {
  uint32_t line = 0;
  uint32_t column = 0;
  friend bool operator==(const Loc&, const Loc&) = default;
};

enum class Severity { Error, Warning, Note };

struct Diagnostic {
  Severity severity = Severity::Error;
  std::string id;       // stable, kebab-case, e.g. "unknown-attribute"
  std::string file;     // empty when the diagnostic is not about a file
  Loc loc;
  std::string message;  // what is wrong
  std::string hint;     // how to fix it; may be empty
};

class Diagnostics {
 public:
  Diagnostic& error(std::string id, std::string file, Loc loc, std::string message,
                    std::string hint = {});
  Diagnostic& warning(std::string id, std::string file, Loc loc, std::string message,
                      std::string hint = {});
  // Attaches a note to the most recent diagnostic (e.g. "first defined here").
  void note(std::string file, Loc loc, std::string message);
  void append(const Diagnostics& other);

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  std::vector<Diagnostic> items_;
  size_t error_count_ = 0;
};

// Renders `file:line:col: error: message`, then the source line with a caret
// under the column when `source` (the file's text) is given, then the hint.
std::string render(const Diagnostic& d, std::string_view source = {});

// The text of line `line` (1-based) of `text`, without its newline.
std::string_view line_of(std::string_view text, uint32_t line);

// The line and column (1-based, one column per byte) of byte `offset` of
// `text`; an offset past the end is the position just after the last byte.
Loc loc_of_offset(std::string_view text, size_t offset);

}  // namespace microkit
