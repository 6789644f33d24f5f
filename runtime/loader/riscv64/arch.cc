// arch.cc: the RISC-V 64 part of the loader (S-mode under OpenSBI).
//
// There is no exception level to change and no interrupt controller to
// prepare (seL4 programs the PLIC itself); the loader builds one Sv39 root
// table (page_tables.h), writes satp, and enters seL4 with its RISC-V boot
// registers (src/arch/riscv/head.S):
//   a0..a5 as on AArch64 (initial task range, pv offset, entry, DTB),
//   a6 = the hart id OpenSBI gave us, a7 = the logical core id (0).
#include <stdint.h>

#include "runtime/loader/arch.h"
#include "runtime/loader/check.h"
#include "runtime/loader/riscv64/page_tables.h"
#include "runtime/loader/uart.h"
#include "runtime/shared/loader_image.h"

#ifndef MICROKIT_LOADER_NS16550_BASE
#error "MICROKIT_LOADER_NS16550_BASE must name the board's NS16550 UART"
#endif

extern "C" [[noreturn]] void arch_enter_kernel(const uint64_t* args, uint64_t entry);

// Written by start.S from OpenSBI's a0 and a1 (after the bss is cleared).
extern "C" uint64_t loader_boot_hart;
extern "C" uint64_t loader_boot_dtb;
uint64_t loader_boot_hart;
uint64_t loader_boot_dtb;

namespace li = microkit::loader_image;

namespace microkit::loader {

[[noreturn]] void halt() {
  for (;;) asm volatile("wfi");
}

namespace arch {
namespace {

riscv64::BootTables g_tables;

}  // namespace

// S-mode is the only mode OpenSBI hands over in; it cannot be read from
// S-mode itself, so this is the RISC-V privilege number of supervisor.
unsigned current_level() { return 1; }

const char* level_label() { return "privilege level (1 = supervisor): "; }

void prepare_cpu(const li::ImageHeader& h) {
  step("checking the kernel build");
  check((h.flags & li::kFlagHypervisorKernel) == 0,
        "the image asks for a hypervisor kernel, which RISC-V does not have");
}

void enable_mmu(const li::ImageHeader& h, uint64_t image_start, uint64_t image_end) {
  step("building the page tables");
  riscv64::MapRequest m;
  m.identity_memory = {image_start, image_end};
  m.identity_device = {MICROKIT_LOADER_NS16550_BASE, MICROKIT_LOADER_NS16550_BASE + 0x1000};
  m.kernel = {h.kernel_paddr_start, h.kernel_paddr_end};
  m.kernel_virt_offset = h.kernel_virt_offset;
  const char* problem = riscv64::build_boot_tables(g_tables, m);
  if (problem) fail(problem);
  step("enabling the MMU");
  uint64_t satp = riscv64::satp_for(reinterpret_cast<uint64_t>(&g_tables));
  asm volatile("sfence.vma zero, zero\n\tcsrw satp, %0\n\tsfence.vma zero, zero"
               :
               : "r"(satp)
               : "memory");
}

// Single-core kernels only for now: the other harts stay parked in OpenSBI.
void start_secondary_cores(const li::ImageHeader&) {}

[[noreturn]] void enter_kernel(const li::ImageHeader& h) {
  const uint64_t args[8] = {
      h.boot_ui_p_reg_start, h.boot_ui_p_reg_end, h.boot_pv_offset, h.boot_v_entry,
      h.boot_dtb_paddr,      h.boot_dtb_size,     loader_boot_hart,  0,
  };
  arch_enter_kernel(args, h.kernel_entry);
}

}  // namespace arch
}  // namespace microkit::loader

// Called from start.S's trap vector: the loader itself faulted.
extern "C" [[noreturn]] void loader_trap(uint64_t cause, uint64_t pc, uint64_t value) {
  using namespace microkit::loader;
  uart_puts("microkit loader: trap, scause ");
  uart_puthex(cause);
  uart_puts(" sepc ");
  uart_puthex(pc);
  uart_puts(" stval ");
  uart_puthex(value);
  uart_putc('\n');
  fail("the loader trapped");
}
