#include "support/numbers.h"

namespace microkit {

static int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 99;
}

// Accumulates `digits` in `base`, skipping underscores between digits when
// `allow_underscores` is set.
static ParsedU64 accumulate(std::string_view digits, unsigned base, bool allow_underscores) {
  if (digits.empty()) return {0, NumberError::Empty};
  if (allow_underscores && (digits.front() == '_' || digits.back() == '_')) {
    bool only_underscores = digits.find_first_not_of('_') == std::string_view::npos;
    return {0, only_underscores ? NumberError::Empty : NumberError::BadSeparator};
  }
  uint64_t value = 0;
  for (char c : digits) {
    if (c == '_' && allow_underscores) continue;
    unsigned d = static_cast<unsigned>(digit_value(c));
    if (d >= base) return {0, NumberError::BadDigit};
    if (value > (UINT64_MAX - d) / base) return {0, NumberError::Overflow};
    value = value * base + d;
  }
  return {value, NumberError::None};
}

ParsedU64 parse_u64(std::string_view text) {
  if (text.starts_with("0x")) return accumulate(text.substr(2), 16, true);
  return accumulate(text, 10, true);
}

ParsedU64 parse_hex_digits(std::string_view text) { return accumulate(text, 16, false); }

const char* describe(NumberError error) {
  switch (error) {
    case NumberError::None: return "is a valid number";
    case NumberError::Empty: return "has no digits";
    case NumberError::BadDigit: return "contains a character that is not a digit";
    case NumberError::BadSeparator: return "starts or ends with an underscore";
    case NumberError::Overflow: return "does not fit in 64 bits";
  }
  return "is not a number";
}

}  // namespace microkit
