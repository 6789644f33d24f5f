// print.h: the initial task's debug output through seL4_DebugPutChar.
//
// Only debug builds (MICROKIT_INITIALISER_DEBUG, against a kernel with
// CONFIG_PRINTING) print; in release builds every function here compiles
// to nothing, so the initial task prints nothing at all.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {
#include <sel4/sel4.h>
}

#include "runtime/shared/put_number.h"

namespace microkit::initialiser::print {

#if defined(MICROKIT_INITIALISER_DEBUG) && defined(CONFIG_PRINTING)
inline constexpr bool kEnabled = true;
inline void put_char(char c) { seL4_DebugPutChar(c); }
#else
inline constexpr bool kEnabled = false;
inline void put_char(char) {}
#endif

inline void put(const char* s) {
  if constexpr (kEnabled) {
    while (*s) put_char(*s++);
  }
}

inline void put_n(const char* s, size_t n) {
  if constexpr (kEnabled) {
    for (size_t i = 0; i < n; ++i) put_char(s[i]);
  }
}

inline void dec(uint64_t value) {
  if constexpr (kEnabled) shared::put_decimal(value, put_char);
}

inline void hex(uint64_t value) {
  if constexpr (kEnabled) shared::put_hex(value, put_char);
}

// "microkit initialiser: " then the message.
inline void line_start() { put("microkit initialiser: "); }

}  // namespace microkit::initialiser::print
