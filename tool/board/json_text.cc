#include "board/json_text.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace microkit::json_text {

static size_t skip_space(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    ++i;
  return i;
}

Loc loc_of_key(std::string_view text, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t at = text.find(quoted); at != std::string_view::npos;
       at = text.find(quoted, at + 1)) {
    size_t after = skip_space(text, at + quoted.size());
    if (after < text.size() && text[after] == ':') return loc_of_offset(text, at);
  }
  return {};
}

namespace {

// Records where the first syntax error is; accepts everything else.
struct ErrorFinder : nlohmann::json_sax<Json> {
  size_t position = 0;
  size_t token_size = 0;
  bool string_token = false;  // the last token is one "string literal"
  std::string what;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t pos, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    position = pos;
    token_size = last_token.size();
    // A whole string literal, or an unterminated one (no closing quote).
    size_t close = last_token.find('"', 1);
    string_token = !last_token.empty() && last_token.front() == '"' &&
                   (close == std::string::npos || close == last_token.size() - 1);
    what = ex.what();
    return false;
  }
};

// nlohmann's message starts "[json.exception.parse_error.101] parse error at
// line 1, column 2: "; the location is ours to print, so keep the rest.
std::string reason_of(const std::string& what) {
  size_t colon = what.find(": ");
  if (what.find("parse error") != std::string::npos && colon != std::string::npos)
    return what.substr(colon + 2);
  return what;
}

}  // namespace

std::optional<Json> parse(std::string_view text, const std::string& file, const std::string& id,
                          Diagnostics& diags) {
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  ErrorFinder finder;
  Json::sax_parse(text.begin(), text.end(), &finder, nlohmann::detail::input_format_t::json,
                  /*strict=*/true);
  // nlohmann counts the characters read, so the last one read is where it
  // gave up; a string literal (unexpected or unterminated) reads better
  // pointed at its opening quote.
  // Reading the end of the input counts as a character: clamp it.
  size_t read = std::min(finder.position, text.size());
  size_t offset = read > 0 ? read - 1 : 0;
  if (finder.string_token && read >= finder.token_size) offset = read - finder.token_size;
  diags.error(id, file, loc_of_offset(text, offset),
              "malformed JSON: " + (finder.what.empty() ? "syntax error" : reason_of(finder.what)),
              "fix the JSON syntax at this position (a missing comma, quote or bracket is usual)");
  return std::nullopt;
}

std::optional<std::string> read_file(const std::string& path, const std::string& id,
                                     Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(id, path, {}, "cannot open file", "check that the file exists and is readable");
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) {
    diags.error(id, path, {}, "cannot read file");
    return std::nullopt;
  }
  return out.str();
}

std::optional<uint64_t> to_u64(const Json& value) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    int64_t v = value.get<int64_t>();
    if (v < 0) return std::nullopt;
    return static_cast<uint64_t>(v);
  }
  if (!value.is_string()) return std::nullopt;
  const std::string& s = value.get_ref<const std::string&>();
  int base = 10;
  size_t start = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    start = 2;
  }
  std::string digits;
  for (size_t i = start; i < s.size(); ++i)
    if (s[i] != '_') digits += s[i];  // 0x1_0000_0000 reads better
  if (digits.empty()) return std::nullopt;
  uint64_t result = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), result, base);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return result;
}

}  // namespace microkit::json_text
