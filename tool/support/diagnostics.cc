#include "support/diagnostics.h"

#include <algorithm>

namespace microkit {

static Diagnostic make(Severity severity, std::string id, std::string file, Loc loc,
                       std::string message, std::string hint) {
  return Diagnostic{severity, std::move(id), std::move(file), loc, std::move(message),
                    std::move(hint)};
}

Diagnostic& Diagnostics::error(std::string id, std::string file, Loc loc, std::string message,
                               std::string hint) {
  ++error_count_;
  return items_.emplace_back(make(Severity::Error, std::move(id), std::move(file), loc,
                                  std::move(message), std::move(hint)));
}

Diagnostic& Diagnostics::warning(std::string id, std::string file, Loc loc,
                                 std::string message, std::string hint) {
  return items_.emplace_back(make(Severity::Warning, std::move(id), std::move(file), loc,
                                  std::move(message), std::move(hint)));
}

void Diagnostics::note(std::string file, Loc loc, std::string message) {
  items_.emplace_back(make(Severity::Note, "note", std::move(file), loc, std::move(message), {}));
}

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  error_count_ += other.error_count_;
}

std::string_view line_of(std::string_view text, uint32_t line) {
  if (line == 0) return {};
  size_t start = 0;
  for (uint32_t i = 1; i < line; ++i) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  size_t end = text.find('\n', start);
  std::string_view result = text.substr(start, end == std::string_view::npos ? end : end - start);
  if (!result.empty() && result.back() == '\r') result.remove_suffix(1);
  return result;
}

Loc loc_of_offset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  Loc loc{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

static const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

static std::string location_prefix(const Diagnostic& d) {
  if (d.file.empty()) return {};
  std::string out = d.file;
  if (d.loc.line) out += ":" + std::to_string(d.loc.line);
  if (d.loc.column) out += ":" + std::to_string(d.loc.column);
  return out + ": ";
}

// Columns count characters, so UTF-8 continuation bytes take no column; the
// caret line keeps tabs so that it lines up under the source line.
static std::string caret_line(std::string_view line, uint32_t column) {
  std::string out;
  uint32_t col = 1;
  for (size_t i = 0; i < line.size() && col < column; ++i) {
    unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
    ++col;
  }
  return out + "^";
}

std::string render(const Diagnostic& d, std::string_view source) {
  std::string out = location_prefix(d) + severity_name(d.severity) + ": " + d.message + "\n";
  std::string_view line = line_of(source, d.loc.line);
  if (!line.empty()) {
    out += "    " + std::string(line) + "\n";
    if (d.loc.column) out += "    " + caret_line(line, d.loc.column) + "\n";
  }
  if (!d.hint.empty()) out += "  hint: " + d.hint + "\n";
  return out;
}

}  // namespace microkit
