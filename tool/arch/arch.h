// Per-architecture facts of the tool, one folder per architecture.
//
// What differs between AArch64, RISC-V 64 and x86-64 as far as the tool is
// concerned lives here and nowhere else: the kernel's virtual memory layout
// (kernel window, page-table levels a VSpace needs, frame size of kernel
// devices), which seL4 object kind each page-table level is, how the boot
// image is made (a loader image, or the multiboot module x86 boots), the ELF
// machine of target programs, and whether RAM is known at build time. A new
// architecture is a new folder with one traits table, plus a case in
// traits() (arch.cc).
//
// Invariants: paging_level_bits are the non-root levels, top first, strictly
// decreasing; table_kind() of the last one is PageTable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "board/board.h"
#include "support/diagnostics.h"

namespace microkit::arch {

// The image the tool writes: a loader that carries kernel and user image
// (AArch64, RISC-V), or the initial task as a multiboot module, with the
// kernel beside it (x86-64).
enum class ImageKind { LoaderImage, MultibootModule };

// seL4 object kinds of page tables (runtime/shared/initialiser_spec.h).
// EPT kinds: a VT-x guest's address space (x86-64).
enum class TableKind { PageTable, X86Pdpt, X86PageDirectory, EptPdpt, EptPd, EptPt };

// What a capability is, as the kernel tags it (cap_get_capType, which is
// what seL4_DebugCapIdentify answers on debug kernels): `monitor cspace`
// compares the plan with the kernel by these tags.
enum class CapType {
  Null, Untyped, Endpoint, Notification, Reply, CNode, Thread, IrqControl, IrqHandler, Zombie, Domain,
  SchedContext, SchedControl,  // MCS kernels (every kernel the tool plans for)
  Frame, PageTable, VSpace, AsidControl, AsidPool, Vcpu, Smc, IoPorts, IoSpace, IoPageTable, Other,
};
struct CapTag {
  CapType type = CapType::Other;
  uint8_t tag = 0;
  const char* name = "";  // the kernel's name without "_cap"
};

// The configuration choices of a kernel build the layout depends on.
// `aarch64_hyp`/`aarch64_pa_40`: CONFIG_ARM_HYPERVISOR_SUPPORT and
// CONFIG_ARM_PA_SIZE_BITS_40; `riscv_pt_levels`: CONFIG_PT_LEVELS.
struct LayoutConfig {
  bool aarch64_hyp = false;
  bool aarch64_pa_40 = false;
  unsigned riscv_pt_levels = 3;
};

// The kernel's compile-time memory constants (hardware.h, bootinfo.h).
struct KernelLayout {
  uint64_t pptr_base = 0;                  // kernel window: PPTR_BASE .. PPTR_TOP
  uint64_t pptr_top = 0;
  uint64_t paddr_base = 0;                 // physical address of PPTR_BASE
  std::vector<unsigned> paging_level_bits; // bits one table of each non-root level covers
  // MAX_NUM_FREEMEM_REG: fixed, or (when 0) the number of RAM regions + 2.
  uint64_t max_num_freemem_reg = 0;
};

// A machine the tool assumes when RAM is found at boot (x86-64): the RAM
// the kernel will see at the least, and the kernel's own device frames.
struct AssumedMachine {
  struct Range {
    uint64_t start = 0, end = 0;
  };
  std::vector<Range> memory;               // ascending
  std::vector<Range> kernel_devices;       // reserved by the kernel, never untyped
  uint64_t reserved_capacity_extra = 0;    // MAX_NUM_RESV_REG - MAX_NUM_FREEMEM_REG - 3
  uint64_t kernel_reserved_base = 0;       // x86: KERNEL_ELF_PADDR_BASE, start of the boot-reserved region
  uint64_t extra_bootinfo_bytes = 0;       // what the kernel always puts in the extra bootinfo
  const char* description = "";            // for docs and messages
};

struct Traits {
  board::Arch arch = board::Arch::AArch64;
  const char* name = "";
  uint16_t elf_machine = 0;                // EM_* of the kernel and of target programs
  ImageKind image = ImageKind::LoaderImage;
  unsigned kernel_device_frame_bits = 12;  // frame size the kernel counts its devices in
  // Caps the kernel hands out before the user image frames, in its order.
  bool sched_control_before_paging = false;
  // Layout for a configuration; false with an error when the kernel cannot
  // be planned for.
  bool (*kernel_layout)(const LayoutConfig& config, KernelLayout& out, Diagnostics& diags) = nullptr;
  TableKind (*table_kind)(unsigned covers_bits) = nullptr;
  // Present when RAM is found at boot: planning binds untypeds at run time.
  std::optional<AssumedMachine> (*assumed_machine)() = nullptr;
  // The architecture's own capability tags (the 64-bit kernel's common ones
  // are common_cap_tags()); empty where not yet written down.
  std::span<const CapTag> arch_cap_tags{};
  // Virtual machines. Present when a guest's address space is extended page
  // tables (x86 VT-x): its root is an EPT PML4 and its tables these kinds;
  // absent when it is the stage-2 form of a VSpace (AArch64).
  TableKind (*ept_table_kind)(unsigned covers_bits) = nullptr;
  // Each vCPU is bound to the VMM's own thread, which enters the guest
  // itself (x86 VT-x, as the official Microkit: one vCPU per VM), rather
  // than running on a thread of its own.
  bool vcpu_on_vmm_thread = false;
};

// The tags every 64-bit seL4 (MCS) kernel shares (include/object/structures_64.bf).
std::span<const CapTag> common_cap_tags();

// The kernel's tag of `type` on `t`'s architecture; nullopt when unknown.
std::optional<uint8_t> cap_tag(const Traits& t, CapType type);

const Traits& aarch64_traits();
const Traits& riscv64_traits();
const Traits& x86_64_traits();

// The traits of `a`; nullptr for the host platform.
const Traits* traits(board::Arch a);

}  // namespace microkit::arch
