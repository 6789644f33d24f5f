// mem.cc: memset, memcpy, memmove and memcmp for PD programs, which link
// without a C library. GCC emits calls to these for struct copies and
// zeroing even in freestanding code, so a program that never names them may
// still need them. They are weak: a program's own (or its C library's) win.
//
// Built with -fno-tree-loop-distribute-patterns so the loops below are not
// turned back into calls to themselves.
#include <stddef.h>

extern "C" {

__attribute__((weak)) void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  while (n-- != 0) *d++ = static_cast<unsigned char>(c);
  return dst;
}

__attribute__((weak)) void* memcpy(void* __restrict dst, const void* __restrict src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  while (n-- != 0) *d++ = *s++;
  return dst;
}

__attribute__((weak)) void* memmove(void* dst, const void* src, size_t n) {
  auto* d = static_cast<unsigned char*>(dst);
  const auto* s = static_cast<const unsigned char*>(src);
  if (d < s) {
    while (n-- != 0) *d++ = *s++;
  } else {
    while (n != 0) { --n; d[n] = s[n]; }
  }
  return dst;
}

__attribute__((weak)) int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (; n != 0; --n, ++x, ++y) {
    if (*x != *y) return *x < *y ? -1 : 1;
  }
  return 0;
}

}  // extern "C"
