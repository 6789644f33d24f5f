// Numbers as the SDF writes them.
//
// An SDF number is an unsigned 64-bit integer, written in decimal (`4096`)
// or in hexadecimal after a lower-case `0x` (`0x1000`). Underscores may
// separate digits (`0x8000_0000`, `1_000_000`) but may not start or end the
// digits. Nothing else is accepted: no sign, no spaces, no octal, no
// upper-case `0X`. A value that does not fit in 64 bits is an error, never a
// silent wrap. These rules follow what the official Microkit tool accepts,
// made stricter where it was merely lenient (it ignored underscores anywhere).
#pragma once

#include <cstdint>
#include <string_view>

namespace microkit {

enum class NumberError {
  None,
  Empty,         // no digits at all ("", "0x", "_")
  BadDigit,      // a character that is not a digit of the base
  BadSeparator,  // an underscore before the first or after the last digit
  Overflow,      // more than 2^64 - 1
};

struct ParsedU64 {
  uint64_t value = 0;
  NumberError error = NumberError::None;
  bool ok() const { return error == NumberError::None; }
};

// Parses a whole SDF number (decimal or 0x-hexadecimal).
ParsedU64 parse_u64(std::string_view text);

// Parses bare hexadecimal digits (no prefix, no underscores), e.g. the parts
// of a PCI address "01:1f.2".
ParsedU64 parse_hex_digits(std::string_view text);

// A short phrase for the error, e.g. "does not fit in 64 bits".
const char* describe(NumberError error);

}  // namespace microkit
