// page_tables.h: the RISC-V Sv39 boot page table the loader hands to seL4.
//
// Pure arithmetic, no hardware access: the same code runs in the loader
// (freestanding) and in host unit tests (riscv64/page_tables_test.cc).
//
// Shape: one Sv39 root table of 512 entries, each a 1 GiB leaf
// ("gigapage"), nothing below it:
//   - identity entries for the boot image (read, write, execute) and the
//     UART (read, write), so the loader keeps running when satp is written
//     and can still print;
//   - the kernel window, virtual = physical + kernel_virt_offset, covering
//     the kernel's physical range (seL4 builds its own tables in
//     init_kernel; until then it runs from these).
// Sv39 has no memory types without Svpbmt: device and RAM entries differ
// only in their permissions. Every leaf has A and D set, so no hardware
// A/D update (or page fault for one) is ever needed.
#pragma once

#include <stdint.h>

namespace microkit::loader::riscv64 {

inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr unsigned kEntries = 512;
inline constexpr unsigned kVaBits = 39;  // Sv39

// PTE bits (RISC-V privileged spec, Sv39).
inline constexpr uint64_t kPteV = 1u << 0;
inline constexpr uint64_t kPteR = 1u << 1;
inline constexpr uint64_t kPteW = 1u << 2;
inline constexpr uint64_t kPteX = 1u << 3;
inline constexpr uint64_t kPteA = 1u << 6;
inline constexpr uint64_t kPteD = 1u << 7;
inline constexpr uint64_t kPpnShift = 10;  // PPN starts at bit 10 of a PTE

inline constexpr uint64_t kMemoryLeaf = kPteV | kPteR | kPteW | kPteX | kPteA | kPteD;
inline constexpr uint64_t kDeviceLeaf = kPteV | kPteR | kPteW | kPteA | kPteD;

// satp.MODE for Sv39.
inline constexpr uint64_t kSatpSv39 = 8ull << 60;

struct alignas(4096) BootTables {
  uint64_t root[kEntries];
};

struct Range {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
};

struct MapRequest {
  Range identity_memory;  // the boot image
  Range identity_device;  // the UART
  Range kernel;           // the kernel's physical range
  uint64_t kernel_virt_offset = 0;
};

// A 1 GiB leaf mapping `paddr` (1 GiB aligned) with `flags`.
constexpr uint64_t gigapage(uint64_t paddr, uint64_t flags) {
  return (paddr >> 12) << kPpnShift | flags;
}

// The physical address a leaf maps.
constexpr uint64_t leaf_paddr(uint64_t pte) { return (pte >> kPpnShift) << 12; }

// The root-table slot translating `vaddr` (VPN[2], bits 38..30).
constexpr unsigned root_index(uint64_t vaddr) {
  return static_cast<unsigned>((vaddr >> 30) & (kEntries - 1));
}

// Sv39 addresses are valid only when bits 63..39 all equal bit 38.
constexpr bool is_canonical(uint64_t vaddr) {
  uint64_t top = vaddr >> (kVaBits - 1);
  return top == 0 || top == (~0ull >> (kVaBits - 1));
}

constexpr uint64_t satp_for(uint64_t root_paddr) { return kSatpSv39 | root_paddr >> 12; }

namespace detail {

// Puts `pte` in `slot`, refusing a slot already holding a different
// mapping (same target with more rights is merged).
constexpr const char* place(BootTables& t, unsigned slot, uint64_t pte) {
  uint64_t old = t.root[slot];
  if (old == 0) {
    t.root[slot] = pte;
    return nullptr;
  }
  if (leaf_paddr(old) != leaf_paddr(pte)) {
    return "the kernel window and an identity mapping need the same 1 GiB slot";
  }
  t.root[slot] = old | pte;
  return nullptr;
}

// Identity-maps every GiB touched by `r` with `flags`.
constexpr const char* map_identity(BootTables& t, Range r, uint64_t flags) {
  if (r.end <= r.start) return nullptr;
  if (r.end > (1ull << (kVaBits - 1))) {
    return "an identity-mapped range lies above 256 GiB (outside Sv39's lower half)";
  }
  for (uint64_t g = r.start / kGiB * kGiB; g < r.end; g += kGiB) {
    if (const char* p = place(t, root_index(g), gigapage(g, flags))) return p;
  }
  return nullptr;
}

}  // namespace detail

// Fills `t` (zeroed first) for `m`. Returns nullptr, or the rule broken.
constexpr const char* build_boot_tables(BootTables& t, const MapRequest& m) {
  for (auto& e : t.root) e = 0;
  if (m.kernel.end <= m.kernel.start) return "the kernel's physical range is empty";
  if (m.kernel_virt_offset % kGiB != 0) {
    return "the kernel window offset is not a multiple of 1 GiB";
  }
  uint64_t v_first = m.kernel.start / kGiB * kGiB + m.kernel_virt_offset;
  uint64_t v_last = (m.kernel.end - 1) / kGiB * kGiB + m.kernel_virt_offset;
  if (!is_canonical(v_first) || !is_canonical(v_last) || v_last < v_first) {
    return "the kernel window is not a valid Sv39 address range";
  }
  if (const char* p = detail::map_identity(t, m.identity_memory, kMemoryLeaf)) return p;
  if (const char* p = detail::map_identity(t, m.identity_device, kDeviceLeaf)) return p;
  for (uint64_t g = m.kernel.start / kGiB * kGiB; g < m.kernel.end; g += kGiB) {
    unsigned slot = root_index(g + m.kernel_virt_offset);
    if (const char* p = detail::place(t, slot, gigapage(g, kMemoryLeaf))) return p;
  }
  return nullptr;
}

}  // namespace microkit::loader::riscv64
