// x86-64 (pc99): kernel window, page-table levels and object kinds
// (include/plat/pc99/plat/64/plat_mode/machine/hardware.h,
// include/arch/x86/arch/bootinfo.h, arch_get_n_paging in
// src/arch/x86/64/kernel/vspace.c), and the machine the tool plans for:
// the kernel learns RAM from the multiboot memory map at boot, so planning
// assumes the smallest machine the documentation promises
// (docs/sel4-planning.md, "x86-64: planning without knowing the RAM").
#include "arch/arch.h"

namespace microkit::arch {
namespace {

constexpr uint16_t kEmX86_64 = 62;
constexpr uint64_t kMiB = uint64_t{1} << 20;

bool layout(const LayoutConfig&, KernelLayout& out, Diagnostics&) {
  out.pptr_base = 0xffffff8000000000;
  out.pptr_top = 0xffffffff80000000;
  out.paging_level_bits = {39, 30, 21};  // PDPT, page directory, page table under the PML4
  out.max_num_freemem_reg = 16;
  return true;
}

TableKind table_kind(unsigned covers_bits) {
  if (covers_bits >= 39) return TableKind::X86Pdpt;
  if (covers_bits >= 30) return TableKind::X86PageDirectory;
  return TableKind::PageTable;
}

// The EPT levels under the PML4 cover what x86's page-table levels cover.
TableKind ept_table_kind(unsigned covers_bits) {
  if (covers_bits >= 39) return TableKind::EptPdpt;
  if (covers_bits >= 30) return TableKind::EptPd;
  return TableKind::EptPt;
}

// QEMU's pc machine with -m 1G: multiboot RAM from 1 MiB (the kernel ignores
// the low 640 KiB) to 128 KiB below 1 GiB (the firmware keeps the top).
// Kernel devices: local APIC, one IOAPIC, and the 8 bytes of MSI space the
// kernel keeps from users (platAddDevices); no IOMMU (no DMAR table).
std::optional<AssumedMachine> assumed_machine() {
  AssumedMachine m;
  m.memory = {{kMiB, 1024 * kMiB - 128 * 1024}};
  m.kernel_devices = {{0xfec00000, 0xfec01000}, {0xfee00000, 0xfee01000}, {0xfffffff8, 0x100000000}};
  // MAX_NUM_RESV_REG = MAX_NUM_FREEMEM_REG + MAX_NUM_IOAPIC + MAX_NUM_DRHU + 2,
  // MAX_NUM_DRHU = (2^64 - PPTR_DRHU_START) / 4 KiB: never the limit.
  m.reserved_capacity_extra = 1 + ((uint64_t{1} << 30) - 2 * 4096) / 4096 - 1;
  m.kernel_reserved_base = kMiB;  // KERNEL_ELF_PADDR_BASE
  // ACPI RSDP (16 + 36), multiboot memory map (16 + 4 + 50 * 24), TSC
  // frequency (16 + 4): one page of extra bootinfo.
  m.extra_bootinfo_bytes = 52 + 1220 + 20;
  m.description = "1 GiB of RAM (QEMU -m 1G)";
  return m;
}

}  // namespace

const Traits& x86_64_traits() {
  // init_sys_state hands out the sched control caps before the VSpace's.
  static const Traits t{board::Arch::X86_64, "x86_64", kEmX86_64, ImageKind::MultibootModule, 12,
                        true, layout, table_kind, assumed_machine, {}, ept_table_kind, true};
  return t;
}

}  // namespace microkit::arch
