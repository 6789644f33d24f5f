// bytes.h: little- and big-endian loads and stores on byte buffers, for the
// formats the VMM reads (the Image header and virtqueues are little-endian, a
// DTB big-endian).
// Byte-wise so they work on unaligned data and under -mstrict-align.
#pragma once
#include <stdint.h>

namespace vmm {

inline uint64_t load_le(const uint8_t* p, unsigned bytes) {
  uint64_t v = 0;
  for (unsigned i = bytes; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

inline void store_le(uint8_t* p, uint64_t v, unsigned bytes) {
  for (unsigned i = 0; i < bytes; ++i, v >>= 8) p[i] = uint8_t(v);
}

inline uint32_t load_be32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

inline void store_be(uint8_t* p, uint64_t v, unsigned bytes) {
  for (unsigned i = bytes; i-- > 0; v >>= 8) p[i] = uint8_t(v);
}

}  // namespace vmm
