// boot_memory.h: where a BindUntyped step's memory comes from, as pure
// functions (built for the target and tested on the host).
//
// A bound spec (x86_64, initialiser_spec.h: ExpectedUntyped::bind) plans
// into untypeds of its own; each BindUntyped step makes a real untyped
// stand for one of them, carved from the kernel's untypeds:
//   - RAM: from the first non-device kernel untyped, in bootinfo order,
//     with room at its next offset aligned to the size;
//   - device: at exactly the planned physical address, from the device
//     untyped that contains it, after padding untypeds that move that
//     untyped's watermark up to the address.
// The kernel allocates inside an untyped upwards from a watermark, aligning
// each new object to its size (seL4_Untyped_Retype), so `used[i]` mirrors
// kernel untyped i's watermark as a byte offset from its start, and these
// functions predict exactly which retypes the kernel will accept.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser {

namespace spec = microkit::initialiser_spec;

inline constexpr uint32_t kMinUntypedBits = 4;  // seL4_MinUntypedBits: the watermark's granule

// The offset of a new object of 2^size_bits at or after `used` in an
// untyped of 2^capacity_bits, or -1 when it does not fit. Untypeds are
// aligned to their size, so aligning the offset aligns the address.
constexpr int64_t place_in_untyped(uint64_t used, uint32_t size_bits, uint32_t capacity_bits) {
  if (size_bits >= 64 || capacity_bits >= 64 || size_bits > capacity_bits) return -1;
  uint64_t size = uint64_t{1} << size_bits;
  uint64_t capacity = uint64_t{1} << capacity_bits;
  uint64_t start = (used + size - 1) & ~(size - 1);
  if (start < used || start > capacity || size > capacity - start) return -1;
  return static_cast<int64_t>(start);
}

// Index of the kernel untyped a RAM untyped of 2^size_bits is carved from,
// its watermark (used[index]) advanced past it; -1 when none has room.
// `untyped(i)` returns the kernel's untyped i as a spec::ExpectedUntyped.
template <class Untyped>
inline int64_t carve_ram(uint64_t count, uint64_t* used, uint32_t size_bits, Untyped untyped) {
  for (uint64_t i = 0; i < count; ++i) {
    spec::ExpectedUntyped u = untyped(i);
    if (u.is_device) continue;
    int64_t start = place_in_untyped(used[i], size_bits, u.size_bits);
    if (start < 0) continue;
    used[i] = static_cast<uint64_t>(start) + (uint64_t{1} << size_bits);
    return static_cast<int64_t>(i);
  }
  return -1;
}

// A device untyped at an exact address: which kernel untyped, and the
// padding untypeds (sizes in order) that bring its watermark there.
inline constexpr size_t kMaxPads = 64;
struct DeviceCarve {
  int64_t index = -1;  // -1: no device untyped holds the range, or it is used past paddr
  uint64_t pad_count = 0;
  uint8_t pad_bits[kMaxPads] = {};
};

// The padding from offset `from` to `to` (to aligned and >= from): at each
// step the largest power of two aligned at the current offset that does not
// pass `to`, so the kernel aligns nothing away. False if more than kMaxPads.
constexpr bool plan_padding(uint64_t from, uint64_t to, DeviceCarve& out) {
  while (from < to) {
    uint32_t bits = kMinUntypedBits;
    while (bits < 63 && from % (uint64_t{1} << (bits + 1)) == 0 && from + (uint64_t{1} << (bits + 1)) <= to) ++bits;
    if (from % (uint64_t{1} << bits) != 0 || out.pad_count == kMaxPads) return false;
    out.pad_bits[out.pad_count++] = static_cast<uint8_t>(bits);
    from += uint64_t{1} << bits;
  }
  return true;
}

// Plans the carve of [paddr, paddr + 2^size_bits) from the kernel's device
// untypeds and advances that untyped's watermark past it.
template <class Untyped>
inline DeviceCarve carve_device(uint64_t count, uint64_t* used, uint64_t paddr, uint32_t size_bits,
                                Untyped untyped) {
  DeviceCarve c;
  if (size_bits < kMinUntypedBits || size_bits >= 64 || paddr % (uint64_t{1} << size_bits) != 0) return c;
  for (uint64_t i = 0; i < count; ++i) {
    spec::ExpectedUntyped u = untyped(i);
    if (!u.is_device || u.size_bits >= 64 || size_bits > u.size_bits) continue;
    uint64_t capacity = uint64_t{1} << u.size_bits;
    if (paddr < u.paddr || paddr - u.paddr > capacity - (uint64_t{1} << size_bits)) continue;
    uint64_t offset = paddr - u.paddr;
    if (offset < used[i] || !plan_padding(used[i], offset, c)) return DeviceCarve{};
    used[i] = offset + (uint64_t{1} << size_bits);
    c.index = static_cast<int64_t>(i);
    return c;
  }
  return c;
}

}  // namespace microkit::initialiser
