// boot_memory.h: where an UntypedFromBoot step's memory comes from, as a
// pure function (built for the target and tested on the host).
//
// Specs that find their memory at boot (x86_64, initialiser_spec.h) ask for
// Untypeds of planned sizes; the initialiser carves each from the first of
// the kernel's RAM untypeds, in bootinfo order, that still has room. The
// kernel allocates inside an untyped upwards from a watermark, aligning
// each new object to its size (seL4_Untyped_Retype), so `used[i]` mirrors
// untyped i's watermark as a byte offset from its start: the account
// predicts exactly which retype the kernel will accept.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "runtime/shared/initialiser_spec.h"

namespace microkit::initialiser {

namespace spec = microkit::initialiser_spec;

// Index of the untyped an Untyped of 2^size_bits is carved from, its
// watermark (used[index]) advanced past it; -1 when no RAM untyped has room.
// `untyped(i)` returns the kernel's untyped i as a spec::ExpectedUntyped.
template <class Untyped>
inline int64_t carve_from_boot_memory(uint64_t count, uint64_t* used, uint32_t size_bits, Untyped untyped) {
  if (size_bits >= 64) return -1;
  uint64_t size = uint64_t{1} << size_bits;
  for (uint64_t i = 0; i < count; ++i) {
    spec::ExpectedUntyped u = untyped(i);
    if (u.is_device || u.size_bits >= 64 || size_bits > u.size_bits) continue;
    uint64_t capacity = uint64_t{1} << u.size_bits;
    // Untypeds are aligned to their size, so aligning the offset aligns the address.
    uint64_t start = (used[i] + size - 1) & ~(size - 1);
    if (start < used[i] || start > capacity || size > capacity - start) continue;
    used[i] = start + size;
    return static_cast<int64_t>(i);
  }
  return -1;
}

}  // namespace microkit::initialiser
