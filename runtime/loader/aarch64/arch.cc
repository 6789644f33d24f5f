// arch.cc: the AArch64 port of the loader (see runtime/loader/arch.h).
//
// A hypervisor seL4 (ARM_HYPERVISOR_SUPPORT) must be entered at EL2: the
// loader stays there, resets CNTVOFF_EL2, and builds the boot page tables
// in the EL2 regime (TCR_EL2 is the exact value seL4 checks). Any other
// kernel runs at EL1: entered at EL2, the loader drops to EL1 first, and
// uses TTBR0_EL1 for the identity map and TTBR1_EL1 for the kernel window
// (both pointing at the same level-0 table: slot 0 and the window's slot).
// In both cases every GICv2 interrupt goes to group 1 and the priority mask
// is opened. Entry at EL3 is not supported.
#include <stdint.h>

#include "runtime/loader/arch.h"
#include "runtime/loader/aarch64/page_tables.h"
#include "runtime/loader/check.h"

extern "C" void arch_enable_mmu_el2(uint64_t ttbr0, uint64_t mair, uint64_t tcr);
extern "C" void arch_enable_mmu_el1(uint64_t ttbr0, uint64_t ttbr1, uint64_t mair, uint64_t tcr);
extern "C" void arch_drop_to_el1();
extern "C" [[noreturn]] void arch_enter_kernel(const uint64_t* args, uint64_t entry);
extern "C" void secondary_entry();
extern "C" const uint8_t __payload_start[];  // loader.ld: the image header

#ifndef MICROKIT_LOADER_CORES
#define MICROKIT_LOADER_CORES 1  // the kernel's CONFIG_MAX_NUM_NODES
#endif

namespace li = microkit::loader_image;

namespace microkit::loader {

[[noreturn]] void halt() {
  for (;;) asm volatile("wfe");
}

namespace arch {
namespace {

BootTables g_tables;
// Set by each other core once its MMU is on (so the boot core, caches on,
// sees it), just before it enters the kernel.
volatile uint32_t g_core_up[MICROKIT_LOADER_CORES];

// `all_lines`: the boot core sets every line's group; another core only
// its own banked ones (register 0: SGIs and PPIs) and its CPU interface.
void configure_gicv2(bool all_lines) {
#if defined(MICROKIT_LOADER_GICD_BASE) && defined(MICROKIT_LOADER_GICC_BASE)
  if (all_lines) step("configuring the GIC");
  auto reg = [](uint64_t addr) -> volatile uint32_t& {
    return *reinterpret_cast<volatile uint32_t*>(addr);
  };
  // GICD_TYPER.ITLinesNumber: 32 * (N + 1) interrupt lines.
  uint32_t lines = all_lines ? reg(MICROKIT_LOADER_GICD_BASE + 0x4) & 0x1f : 0;
  // GICD_IGROUPRn: group 1 for all, so non-secure seL4 can configure them.
  for (uint32_t i = 0; i <= lines; ++i) reg(MICROKIT_LOADER_GICD_BASE + 0x80 + 4 * i) = ~0u;
  // GICC_PMR above seL4's interrupt priority (0x80) so interrupts pass.
  reg(MICROKIT_LOADER_GICC_BASE + 0x4) = 0xf0;
#else
  (void)all_lines;
#endif
}

// PSCI (function id, three arguments): through SMC when the loader runs
// at EL2 (QEMU virt with virtualization=on answers there), else HVC.
int64_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3, bool smc) {
  register uint64_t x0 asm("x0") = fn;
  register uint64_t x1 asm("x1") = a1;
  register uint64_t x2 asm("x2") = a2;
  register uint64_t x3 asm("x3") = a3;
  if (smc)
    asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  else
    asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
  return static_cast<int64_t>(x0);
}
constexpr uint64_t kPsciCpuOn = 0xc4000003;  // CPU_ON, SMC64 calling convention

}  // namespace

unsigned current_level() {
  uint64_t el;
  asm volatile("mrs %0, CurrentEL" : "=r"(el));
  return (el >> 2) & 3;
}

const char* level_label() { return "exception level: EL"; }

void prepare_cpu(const li::ImageHeader& h) {
  step("checking the exception level");
  bool hyp = (h.flags & li::kFlagHypervisorKernel) != 0;
  unsigned el = current_level();
  check(el == 1 || el == 2, "the loader must be entered at EL1 or EL2");
  if (hyp) {
    check(el == 2, "the kernel is a hypervisor build but the loader is not at EL2");
    // The virtual counter must equal the physical one when seL4 starts.
    asm volatile("msr cntvoff_el2, xzr");
  } else if (el == 2) {
    step("dropping to EL1");
    arch_drop_to_el1();
    check(current_level() == 1, "the CPU is not at EL1 after the drop");
  }
  configure_gicv2(true);
}

// TCR_EL1: kTcrEl1Base plus the physical size and 16-bit ASIDs as the CPU
// reports them (ID_AA64MMFR0_EL1.PARange, .ASIDBits).
uint64_t tcr_el1() {
  uint64_t mmfr0;
  asm volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
  uint64_t pa_range = mmfr0 & 0xf;
  if (pa_range > 5) pa_range = 5;  // 48 bits: the most a 4 KiB granule maps
  bool asid16 = ((mmfr0 >> 4) & 0xf) == 2;
  return kTcrEl1Base | pa_range << 32 | (asid16 ? 1ull << 36 : 0);
}

namespace {

// Turns on this core's MMU with the tables enable_mmu built.
void switch_on_mmu() {
  uint64_t tables = reinterpret_cast<uint64_t>(&g_tables);
  if (current_level() == 2) {
    arch_enable_mmu_el2(tables, kMair, kTcrEl2);
  } else {
    arch_enable_mmu_el1(tables, tables, kMair, tcr_el1());
  }
}

}  // namespace

void enable_mmu(const li::ImageHeader& h, uint64_t image_start, uint64_t image_end) {
  step("building the page tables");
  bool el2 = current_level() == 2;
  MapRequest m{};
  m.identity_normal = {image_start, image_end};
  m.identity_device = {MICROKIT_LOADER_PL011_BASE, MICROKIT_LOADER_PL011_BASE + 0x1000};
  m.kernel = {h.kernel_paddr_start, h.kernel_paddr_end};
  m.kernel_virt_offset = h.kernel_virt_offset;
  m.el2 = el2;
  uint64_t tables = reinterpret_cast<uint64_t>(&g_tables);
  const char* problem = build_boot_tables(g_tables, tables, m);
  if (problem) fail(problem);
  step("enabling the MMU");
  switch_on_mmu();
}

// Each other core: the boot core's preparation (counter offset or drop to
// EL1, its GIC interface), the same tables, its logical id in TPIDR_EL1
// (where seL4's head.S finds it), then the kernel with the same registers.
// It reads the header from the image (written before any core turned its
// caches on), not from a variable the boot core wrote with caches on.
extern "C" [[noreturn]] void arch_secondary_main(uint64_t core) {
  const auto& h = *reinterpret_cast<const li::ImageHeader*>(__payload_start);
  bool hyp = (h.flags & li::kFlagHypervisorKernel) != 0;
  if (hyp) {
    asm volatile("msr cntvoff_el2, xzr");
  } else if (current_level() == 2) {
    arch_drop_to_el1();
  }
  configure_gicv2(false);
  switch_on_mmu();
  asm volatile("msr tpidr_el1, %0" : : "r"(core));
  g_core_up[core] = 1;
  enter_kernel(h);
}

void start_secondary_cores(const li::ImageHeader& h) {
  if (MICROKIT_LOADER_CORES == 1) return;
  step("starting the other cores");
  (void)h;
  asm volatile("msr tpidr_el1, xzr");  // the boot core is core 0
  bool smc = current_level() == 2;
  for (uint64_t core = 1; core < MICROKIT_LOADER_CORES; ++core) {
    // QEMU virt numbers cores by MPIDR affinity 0 (clusters of up to 8).
    uint64_t mpidr = (core / 8) << 8 | (core % 8);
    int64_t err = psci(kPsciCpuOn, mpidr, reinterpret_cast<uint64_t>(&secondary_entry), core, smc);
    if (err != 0) fail("PSCI CPU_ON refused a core (fewer cores than the kernel was built for?)");
    while (g_core_up[core] == 0) asm volatile("yield");
  }
}

[[noreturn]] void enter_kernel(const li::ImageHeader& h) {
  const uint64_t args[6] = {h.boot_ui_p_reg_start, h.boot_ui_p_reg_end, h.boot_pv_offset,
                            h.boot_v_entry,        h.boot_dtb_paddr,    h.boot_dtb_size};
  arch_enter_kernel(args, h.kernel_entry);
}

}  // namespace arch
}  // namespace microkit::loader
