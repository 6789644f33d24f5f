// bootinfo_chunks.h: finding one chunk of the kernel's extra bootinfo
// (the region after seL4_BootInfo: seL4_BootInfoHeader {id, len} records,
// len counting the header, id 0 = padding), as a pure function tested on the
// host. Used by the X86BootInfoFill step (x86_64/devices.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace microkit::initialiser {

struct BootInfoChunk {
  uint64_t offset = 0;  // from the start of the extra region; the header's first byte
  uint64_t size = 0;    // the header's len: header and payload; 0 = not found
};

// The first chunk with `id` among the `extra_len` bytes at `extra`. A
// record whose len is shorter than a header or runs past the end stops the
// walk (nothing after it can be trusted).
inline BootInfoChunk find_bootinfo_chunk(const uint8_t* extra, uint64_t extra_len, uint64_t id) {
  constexpr uint64_t kHeader = 2 * sizeof(uint64_t);
  uint64_t at = 0;
  while (at <= extra_len && extra_len - at >= kHeader) {
    uint64_t hdr[2];
    __builtin_memcpy(hdr, extra + at, kHeader);
    if (hdr[1] < kHeader || hdr[1] > extra_len - at) break;
    if (hdr[0] == id) return {at, hdr[1]};
    at += hdr[1];
  }
  return {};
}

}  // namespace microkit::initialiser
