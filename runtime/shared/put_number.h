// Number printing for target code that has only a put-one-character function
// (the loader's UART, the kernel's debug console, libmicrokit's dbg calls).
//
// Freestanding and allocation-free; `put` is any callable taking a char.
// Written once here so that every component prints numbers the same way:
// decimal without leading zeros, hex as "0x" and all 16 digits.
#pragma once

#include <stdint.h>

namespace microkit::shared {

template <typename PutChar>
inline void put_decimal(uint64_t value, PutChar put) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) put(digits[--n]);
}

template <typename PutChar>
inline void put_hex(uint64_t value, PutChar put) {
  put('0');
  put('x');
  for (int shift = 60; shift >= 0; shift -= 4) put("0123456789abcdef"[(value >> shift) & 0xf]);
}

}  // namespace microkit::shared
