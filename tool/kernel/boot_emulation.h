// Boot emulation: which untyped memory the seL4 16.0.0 kernel hands the
// initial task, predicted at build time.
//
// The tool places every kernel object of a system at a physical address
// before anything runs, so it must know the exact list of untyped objects the
// kernel will create at boot (the bootinfo untypedList), in the order the
// kernel creates their caps. This module replays the kernel's own boot-time
// memory bookkeeping (init_freemem, reserve_region, create_rootserver_objects,
// create_untypeds in src/kernel/boot.c and the ARM/RISC-V arch_init_freemem)
// step by step on plain integers, with the kernel's fixed-size arrays and
// their limits, so that a layout the kernel would reject, or one that runs
// out of memory, is reported as a build-time diagnostic instead of a boot
// failure.
//
// Invariants of a successful result:
//   - every untyped is aligned to its size and within [min_untyped,
//     max_untyped] bits; no two untypeds overlap;
//   - untypeds appear in cap order: device memory (gaps between the kernel's
//     reserved regions, ascending), then the kernel's boot-only code/data,
//     then free RAM in the kernel's freemem slot order;
//   - the root server objects, the kernel image, the user image and the DTB
//     are never inside any untyped.
//
// Arithmetic is done in kernel-virtual ("pptr") addresses where the kernel
// does it (alignment of untypeds and of the root server block), with the
// same 64-bit wrap-around, so results are bit-exact with the kernel's.
// Supported: AArch64 (EL2 and EL1 kernel windows) and RISC-V 64 (Sv39),
// exactly; x86-64 finds its RAM at boot (multiboot), so its boot is replayed
// for the assumed machine of tool/arch/x86_64 and the plan made from it is
// bound to the real untypeds at run time (docs/sel4-planning.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "board/board.h"
#include "support/diagnostics.h"

namespace microkit::kernel {

struct KernelPackage;  // kernel/kernel_package.h

// A half-open address range [start, end). The kernel's p_region_t/region_t.
struct Region {
  uint64_t start = 0;
  uint64_t end = 0;
  bool empty() const { return start == end; }
  uint64_t size() const { return end - start; }
  friend bool operator==(const Region&, const Region&) = default;
};

// One entry of seL4_BootInfo.untypedList.
struct UntypedObject {
  uint64_t paddr = 0;
  uint8_t size_bits = 0;
  bool is_device = false;
  uint64_t size() const { return uint64_t{1} << size_bits; }
  uint64_t end() const { return paddr + size(); }
  friend bool operator==(const UntypedObject&, const UntypedObject&) = default;
};


// Everything about one kernel build that its boot-time memory layout depends
// on. Filled from a KernelPackage by boot_facts(); tests may fill it by hand.
struct BootFacts {
  board::Arch arch = board::Arch::AArch64;
  // Kernel window (hardware.h): kernel-virtual = physical + pptr_offset for
  // physical addresses in [paddr_base, paddr_top).
  uint64_t pptr_offset = 0;
  uint64_t paddr_base = 0;
  uint64_t paddr_top = 0;
  uint64_t paddr_user_device_top = 0;   // CONFIG_PADDR_USER_DEVICE_TOP
  uint64_t user_top = 0;                // seL4_UserTop

  std::vector<Region> memory;           // avail_p_regs, ascending
  // Device frames the kernel keeps for itself (not user-available), in the
  // order map_kernel_devices reserves them. Everything else that is neither
  // memory nor one of these becomes device untyped.
  std::vector<Region> kernel_devices;
  uint64_t num_kernel_device_frames = 0;  // NUM_KERNEL_DEVICE_FRAMES (sizes MAX_NUM_RESV_REG)

  Region kernel_image;                  // [physBase, paddr of ki_end)
  uint64_t kernel_boot_end = 0;         // paddr of ki_boot_end

  // Object sizes (bits), from libsel4.
  unsigned root_cnode_bits = 0;         // CONFIG_ROOT_CNODE_SIZE_BITS (slots)
  unsigned slot_bits = 5;
  unsigned tcb_bits = 11;
  unsigned page_bits = 12;
  unsigned page_table_bits = 12;
  unsigned vspace_bits = 12;
  unsigned asid_pool_bits = 12;
  unsigned bootinfo_frame_bits = 12;
  unsigned min_sched_context_bits = 7;
  unsigned min_untyped_bits = 4;
  unsigned max_untyped_bits = 47;
  // Bits covered by one table of each non-root level of the user page
  // tables, top level first (arch_get_n_paging), e.g. {30, 21}.
  std::vector<unsigned> paging_level_bits;

  // MAX_NUM_FREEMEM_REG when fixed (RISC-V, x86: 16); 0 = RAM regions + 2 (ARM).
  uint64_t fixed_max_freemem_reg = 0;
  // x86-64: RAM is found at boot. The facts then describe an assumed machine
  // (arch::AssumedMachine): the kernel reserves one region from
  // reserved_base to the user image's end, its extra bootinfo always holds
  // extra_bootinfo_bytes, and the sched control caps come first.
  bool ram_found_at_boot = false;
  uint64_t reserved_base = 0;
  uint64_t extra_bootinfo_bytes = 0;
  bool sched_control_before_paging = false;
  uint64_t reserved_capacity_extra = 0;  // MAX_NUM_RESV_REG beyond freemem + device frames + 3

  bool mcs = true;
  uint64_t num_nodes = 1;                     // CONFIG_MAX_NUM_NODES
  uint64_t max_bootinfo_untypeds = 230;       // CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS
  uint64_t num_initial_caps = 16;             // seL4_NumInitialCaps
  uint64_t bootinfo_header_size = 16;         // sizeof(seL4_BootInfoHeader)

  // Sizes of the kernel's boot-time arrays (arch bootinfo.h).
  uint64_t max_num_freemem_reg() const;
  uint64_t num_reserved_regions() const { return 3; }  // kernel, DTB, user image
  uint64_t max_num_resv_reg() const {
    return max_num_freemem_reg() + num_kernel_device_frames + num_reserved_regions() +
           reserved_capacity_extra;
  }
};

// What the loader decides and passes to the kernel's init_kernel().
struct BootInputs {
  // ui_p_reg_start..ui_p_reg_end: the physical extent of the user image (the
  // initial task and everything the loader places after it inside the same
  // region). The kernel maps all of it into the initial task, one 4 KiB frame
  // cap per page, and never turns it into untyped memory.
  Region user_image;
  // The virtual address user_image.start is mapped at (ui_p_reg_start -
  // pv_offset). Decides how many page tables the root task needs.
  uint64_t user_image_vaddr = 0;
  // The DTB handed to the kernel (dtb_addr_p, dtb_size); size 0 = none. It is
  // copied into the extra bootinfo, and its own memory stays reserved.
  uint64_t dtb_paddr = 0;
  uint64_t dtb_size = 0;
};

// A range of root CNode slots (seL4_SlotRegion): [start, end).
struct SlotRegion {
  uint64_t start = 0;
  uint64_t end = 0;
  friend bool operator==(const SlotRegion&, const SlotRegion&) = default;
};

// Physical addresses of the objects the kernel creates for the root task
// (create_rootserver_objects), carved from the top of free memory before any
// untyped is made. extra_bootinfo and sched_context are 0 when absent.
struct RootserverObjects {
  Region block;               // everything below, one aligned block
  uint64_t cnode = 0;
  uint64_t vspace = 0;
  uint64_t asid_pool = 0;
  uint64_t ipc_buffer = 0;
  uint64_t boot_info = 0;
  uint64_t extra_bootinfo = 0;
  uint64_t tcb = 0;
  uint64_t paging = 0;        // first of paging_count page tables
  uint64_t paging_count = 0;
  uint64_t sched_context = 0;
};

// What the kernel will have written into seL4_BootInfo, and where it put the
// root task's own objects.
struct BootResult {
  std::vector<UntypedObject> untypeds;   // bootinfo untypedList order
  uint64_t untypeds_dropped = 0;         // beyond MAX_NUM_BOOTINFO_UNTYPED_CAPS: lost
  RootserverObjects rootserver;
  uint64_t extra_bootinfo_size = 0;      // bootinfo extraLen
  uint64_t ipc_buffer_vaddr = 0;
  uint64_t bootinfo_vaddr = 0;
  uint64_t extra_bootinfo_vaddr = 0;
  // Slot regions as the kernel writes them; one the kernel does not fill
  // (no extra bootinfo, no MCS) stays [0, 0).
  SlotRegion user_image_paging;
  SlotRegion extra_bootinfo_pages;
  SlotRegion sched_control;
  SlotRegion user_image_frames;
  SlotRegion untyped;
  SlotRegion empty;

  uint64_t normal_memory() const;        // total bytes of non-device untypeds
};

// The kernel's compile-time constants for an architecture and configuration
// (kernel window, page-table levels, freemem slots), from tool/arch/.
bool set_arch_constants(BootFacts& facts, board::Arch arch, const arch::LayoutConfig& config,
                        Diagnostics& diags);

// The device frames the kernel reserves for itself: the holes in
// [0, top) that are neither RAM nor user device memory, as platform_gen.json
// lists them (its "devices" are the address space minus RAM minus these).
std::vector<Region> kernel_device_regions(const std::vector<Region>& memory,
                                          const std::vector<Region>& devices, uint64_t top);

// The facts of a kernel package that boot emulation needs. An architecture
// that cannot be emulated (x86_64) or a missing fact is an error naming the
// package folder.
std::optional<BootFacts> boot_facts(const KernelPackage& package, Diagnostics& diags);

// Replays the kernel's boot for this layout. Returns nothing, with errors,
// when the kernel would refuse to boot (it would print an error and halt).
std::optional<BootResult> emulate_boot(const BootFacts& facts, const BootInputs& inputs,
                                       Diagnostics& diags);
std::optional<BootResult> emulate_boot(const KernelPackage& package, const BootInputs& inputs,
                                       Diagnostics& diags);

// ---------------------------------------------------------------------------
// The kernel's arithmetic, exposed for tests. Names follow the kernel's.
namespace boot {

constexpr uint64_t bit(unsigned n) { return n >= 64 ? 0 : uint64_t{1} << n; }
constexpr uint64_t round_down(uint64_t x, unsigned bits) { return x & ~(bit(bits) - 1); }
constexpr uint64_t round_up(uint64_t x, unsigned bits) { return round_down(x + bit(bits) - 1, bits); }

// calculate_extra_bi_size_bits: 0 for 0, else log2 of the power of two (at
// least a page) that holds `size` bytes.
unsigned extra_bi_size_bits(uint64_t size, unsigned page_bits);

// get_n_paging summed over the non-root levels: the page tables needed to
// map `v` (arch_get_n_paging).
uint64_t n_paging(Region v, const std::vector<unsigned>& level_bits);

// The (start, size_bits) blocks create_untypeds_for_region cuts a
// kernel-virtual region into: maximal, each aligned to its size, at most
// max_bits. Blocks under min_bits are skipped (lost), as in the kernel. The
// region may wrap around 2^64 (device memory above the window).
struct Block {
  uint64_t start = 0;
  unsigned size_bits = 0;
  friend bool operator==(const Block&, const Block&) = default;
};
std::vector<Block> split_region(Region pptr_region, unsigned min_bits, unsigned max_bits);

// ndks_boot.reserved and reserve_region(): a sorted list of physical regions
// that merges neighbours that touch, with the kernel's capacity limit.
class ReservedList {
 public:
  explicit ReservedList(uint64_t capacity) : capacity_(capacity) {}
  // false when the kernel would print "Can't mark region ... as reserved".
  bool reserve(Region r);
  const std::vector<Region>& regions() const { return regions_; }

 private:
  void merge();
  uint64_t capacity_;
  std::vector<Region> regions_;
};

}  // namespace boot
}  // namespace microkit::kernel
