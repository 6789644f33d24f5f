// page_tables.h: the AArch64 boot page tables the loader hands to seL4.
//
// Pure arithmetic, no hardware access: the same code runs in the loader
// (freestanding) and in host unit tests (runtime/loader/page_tables_test.cc).
//
// Shape: 4 KiB granule, 48-bit virtual addresses (T0SZ = 16), so a lookup
// starts at level 0. We only ever use one level-0 table and two level-1
// tables filled with 1 GiB blocks (at EL1 the same level-0 table serves
// TTBR0_EL1 and TTBR1_EL1; the window's slot is then one of the top ones):
//   - `low`: an identity map for the loader itself (code, stack, the image)
//     and the UART, so execution continues when the MMU comes on;
//   - `high`: the kernel window, virtual = physical + kernel_virt_offset.
// The two must fall in different 512 GiB level-0 slots; the build fails
// with a message naming the rule otherwise. Memory attribute indices are
// seL4's (src/arch/arm/64/kernel/vspace.c, enum mair_types), so the MAIR
// value below is the one the kernel's own page tables assume.
#pragma once

#include <stdint.h>

namespace microkit::loader {

inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr uint64_t kL0Span = 1ull << 39;  // one level-0 entry: 512 GiB
inline constexpr unsigned kEntries = 512;

// MAIR attribute indices, as seL4 uses them.
enum class MemoryType : uint64_t { Device = 0, Normal = 4 };

// MAIR_ELx: index 0 Device-nGnRnE, 1 Device-nGnRE, 2 Device-GRE,
// 3 Normal non-cacheable, 4 Normal write-back RW-allocate, 5 Normal
// write-through.
inline constexpr uint64_t kMair = 0x00ull << 0 | 0x04ull << 8 | 0x0cull << 16 |
                                  0x44ull << 24 | 0xffull << 32 | 0xbbull << 40;

// TCR_EL2 exactly as a hypervisor seL4 checks it (checkTCR_EL2): T0SZ 16,
// inner/outer write-back write-allocate walks, inner shareable, 4 KiB
// granule, 1 TiB physical (40-bit PA parts), RES1 bits 23 and 31.
inline constexpr uint64_t kTcrEl2 = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 0u << 14 |
                                    2u << 16 | 1u << 23 | 1u << 31;
static_assert(kTcrEl2 == 0x80823510);

// TCR_EL1 for a non-hypervisor kernel, without IPS and AS (which the loader
// reads from the CPU): both halves 48-bit (T0SZ = T1SZ = 16), 4 KiB
// granules (TG0 = 0, TG1 = 2), write-back write-allocate walks, inner
// shareable; ASIDs from TTBR0 (A1 = 0), both halves walked (EPD0/1 = 0).
inline constexpr uint64_t kTcrEl1Base = 16 | 1u << 8 | 1u << 10 | 3u << 12 | 0u << 14 |
                                        16u << 16 | 1u << 24 | 1u << 26 | 3u << 28 | 2ull << 30;
static_assert(kTcrEl1Base == 0xb5103510);

// Descriptor bits (ARM ARM D8.3).
inline constexpr uint64_t kDescBlock = 0b01;
inline constexpr uint64_t kDescTable = 0b11;
inline constexpr uint64_t kDescAF = 1ull << 10;        // access flag
inline constexpr uint64_t kDescInnerShare = 3ull << 8;
inline constexpr uint64_t kDescAP1 = 1ull << 6;        // RES1 in the EL2 regime
inline constexpr uint64_t kDescPXN = 1ull << 53;
inline constexpr uint64_t kDescXN = 1ull << 54;        // UXN, or XN at EL2

// A level-1 block of 1 GiB at `paddr` (must be 1 GiB aligned).
constexpr uint64_t l1_block(uint64_t paddr, MemoryType type, bool el2) {
  uint64_t d = paddr | kDescBlock | kDescAF | static_cast<uint64_t>(type) << 2;
  if (type == MemoryType::Normal) d |= kDescInnerShare;
  if (type == MemoryType::Device) d |= kDescXN | kDescPXN;  // no speculative fetch
  if (el2) d |= kDescAP1;
  return d;
}

constexpr uint64_t table_descriptor(uint64_t next_table_paddr) {
  return next_table_paddr | kDescTable;
}

constexpr unsigned l0_index(uint64_t vaddr) { return (vaddr >> 39) & 511; }
constexpr unsigned l1_index(uint64_t vaddr) { return (vaddr >> 30) & 511; }

struct alignas(4096) BootTables {
  uint64_t l0[kEntries];
  uint64_t low[kEntries];   // identity map
  uint64_t high[kEntries];  // kernel window
};

// A physical range [start, end) to make reachable.
struct Range {
  uint64_t start;
  uint64_t end;
};

struct MapRequest {
  Range identity_normal;   // the loader's image (code, stack, payload)
  Range identity_device;   // the UART page
  Range kernel;            // the kernel's physical range
  uint64_t kernel_virt_offset;  // virtual = physical + this
  bool el2;
};

// Sets `count` 1 GiB entries of `table` covering [r.start, r.end) mapped to
// physical addresses r.start.. ; returns false if one is already set to a
// different value (e.g. device and normal memory in the same GiB).
constexpr bool map_gib_blocks(uint64_t* table, Range r, uint64_t virt_offset, MemoryType type,
                              bool el2) {
  for (uint64_t pa = r.start & ~(kGiB - 1); pa < r.end; pa += kGiB) {
    uint64_t want = l1_block(pa, type, el2);
    uint64_t& slot = table[l1_index(pa + virt_offset)];
    if (slot != 0 && slot != want) return false;
    slot = want;
  }
  return true;
}

// Fills `t` (whose physical address is `t_paddr`) for `m`. Returns nullptr,
// or the rule that `m` breaks (the loader's check() prints it).
constexpr const char* build_boot_tables(BootTables& t, uint64_t t_paddr, const MapRequest& m) {
  for (unsigned i = 0; i < kEntries; ++i) t.l0[i] = t.low[i] = t.high[i] = 0;
  const Range ranges[] = {m.identity_normal, m.identity_device, m.kernel};
  for (const Range& r : ranges) {
    if (r.start >= r.end) return "a range to map is empty";
    if (r.end > kL0Span) return "identity-mapped memory must lie below 512 GiB";
  }
  if (m.kernel_virt_offset % kGiB != 0) return "the kernel window offset is not 1 GiB aligned";
  uint64_t kv_start = m.kernel.start + m.kernel_virt_offset;
  uint64_t kv_last = m.kernel.end - 1 + m.kernel_virt_offset;
  if (l0_index(kv_start) != l0_index(kv_last)) return "the kernel window crosses a 512 GiB slot";
  if (l0_index(kv_start) == 0) return "the kernel window overlaps the identity map's 512 GiB slot";
  if (!map_gib_blocks(t.low, m.identity_normal, 0, MemoryType::Normal, m.el2) ||
      !map_gib_blocks(t.low, m.identity_device, 0, MemoryType::Device, m.el2)) {
    return "the UART shares a 1 GiB block with the loader's memory";
  }
  if (!map_gib_blocks(t.high, m.kernel, m.kernel_virt_offset, MemoryType::Normal, m.el2)) {
    return "the kernel window could not be mapped";
  }
  uint64_t base = t_paddr;
  t.l0[0] = table_descriptor(base + sizeof(t.l0));
  t.l0[l0_index(kv_start)] = table_descriptor(base + sizeof(t.l0) + sizeof(t.low));
  return nullptr;
}

}  // namespace microkit::loader
