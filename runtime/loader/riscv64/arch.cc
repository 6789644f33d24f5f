// arch.cc: the RISC-V 64 part of the loader (S-mode under OpenSBI).
//
// There is no exception level to change and no interrupt controller to
// prepare (seL4 programs the PLIC itself); the loader builds one Sv39 root
// table (page_tables.h), writes satp, and enters seL4 with its RISC-V boot
// registers (src/arch/riscv/head.S):
//   a0..a5 as on AArch64 (initial task range, pv offset, entry, DTB),
//   a6 = the hart id OpenSBI gave us, a7 = the logical core id (0).
// SMP kernels: every other hart is started with the SBI HSM extension and
// enters the kernel with its own hart id and core id (1..cores-1).
#include <stdint.h>

#include "runtime/loader/arch.h"
#include "runtime/loader/check.h"
#include "runtime/loader/riscv64/page_tables.h"
#include "runtime/loader/uart.h"
#include "runtime/shared/loader_image.h"

#ifndef MICROKIT_LOADER_UART_BASE
#error "MICROKIT_LOADER_UART_BASE must name the board's UART (its board file's loader.uart_paddr)"
#endif

extern "C" [[noreturn]] void arch_enter_kernel(const uint64_t* args, uint64_t entry);
extern "C" void secondary_entry();

#ifndef MICROKIT_LOADER_CORES
#define MICROKIT_LOADER_CORES 1  // the kernel's CONFIG_MAX_NUM_NODES
#endif

// Written by start.S from OpenSBI's a0 and a1 (after the bss is cleared).
extern "C" uint64_t loader_boot_hart;
extern "C" uint64_t loader_boot_dtb;
uint64_t loader_boot_hart;
uint64_t loader_boot_dtb;
// start.S: the core each hart is started as, for a hart that OpenSBI sends
// to the image's entry instead of secondary_entry.
extern "C" volatile uint64_t loader_hart_core[];

namespace li = microkit::loader_image;

namespace microkit::loader {

[[noreturn]] void halt() {
  for (;;) asm volatile("wfi");
}

namespace arch {
namespace {

riscv64::BootTables g_tables;
// The header every core enters the kernel with (set before any other starts).
const li::ImageHeader* g_header = nullptr;
// Set by each other core once its MMU is on, just before it enters the kernel.
volatile uint32_t g_core_up[MICROKIT_LOADER_CORES];

// SBI call (a7 = extension, a6 = function); returns a0, the SBI error.
int64_t sbi_call(uint64_t ext, uint64_t fn, uint64_t a0, uint64_t a1, uint64_t a2) {
  register uint64_t r0 asm("a0") = a0;
  register uint64_t r1 asm("a1") = a1;
  register uint64_t r2 asm("a2") = a2;
  register uint64_t r6 asm("a6") = fn;
  register uint64_t r7 asm("a7") = ext;
  asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
  return static_cast<int64_t>(r0);
}

constexpr uint64_t kSbiHsm = 0x48534D;  // "HSM"
constexpr uint64_t kHsmHartStart = 0;
constexpr int64_t kSbiErrInvalidParam = -3;       // no such hart
constexpr int64_t kSbiErrAlreadyAvailable = -6;  // running: it came in at the entry
constexpr uint64_t kMaxHartId = 1024;             // how far to look for harts (start.S's LOADER_MAX_HARTS)

void switch_on_mmu() {
  uint64_t satp = riscv64::satp_for(reinterpret_cast<uint64_t>(&g_tables));
  asm volatile("sfence.vma zero, zero\n\tcsrw satp, %0\n\tsfence.vma zero, zero"
               :
               : "r"(satp)
               : "memory");
}

[[noreturn]] void enter_kernel_as(const li::ImageHeader& h, uint64_t hart, uint64_t core) {
  const uint64_t args[8] = {
      h.boot_ui_p_reg_start, h.boot_ui_p_reg_end, h.boot_pv_offset, h.boot_v_entry,
      h.boot_dtb_paddr,      h.boot_dtb_size,     hart,              core,
  };
  arch_enter_kernel(args, h.kernel_entry);
}

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
  m.identity_device = {MICROKIT_LOADER_UART_BASE, MICROKIT_LOADER_UART_BASE + 0x1000};
  m.kernel = {h.kernel_paddr_start, h.kernel_paddr_end};
  m.kernel_virt_offset = h.kernel_virt_offset;
  const char* problem = riscv64::build_boot_tables(g_tables, m);
  if (problem) fail(problem);
  step("enabling the MMU");
  switch_on_mmu();
}

// The other harts, in hart-id order, skipping the boot hart and ids SBI
// says do not exist; core i gets a1 = i. Each reports itself up before it
// enters the kernel (where it waits for the boot core's release).
void start_secondary_cores(const li::ImageHeader& h) {
  if (MICROKIT_LOADER_CORES == 1) return;
  step("starting the other harts");
  g_header = &h;
  asm volatile("fence rw, rw" ::: "memory");  // tables and header before any hart starts
  uint64_t core = 1;
  for (uint64_t hart = 0; hart < kMaxHartId && core < MICROKIT_LOADER_CORES; ++hart) {
    if (hart == loader_boot_hart) continue;
    loader_hart_core[hart] = core;
    asm volatile("fence rw, rw" ::: "memory");
    int64_t err = sbi_call(kSbiHsm, kHsmHartStart, hart,
                           reinterpret_cast<uint64_t>(&secondary_entry), core);
    if (err == kSbiErrInvalidParam) {
      loader_hart_core[hart] = 0;
      continue;
    }
    check(err == 0 || err == kSbiErrAlreadyAvailable, "SBI HSM refused to start a hart");
    while (g_core_up[core] == 0) {
    }
#ifdef MICROKIT_LOADER_DEBUG
    uart_puts("microkit loader: hart ");
    uart_putdec(hart);
    uart_puts(" is core ");
    uart_putdec(core);
    uart_putc('\n');
#endif
    ++core;
  }
  check(core == MICROKIT_LOADER_CORES,
        "fewer harts than the kernel's cores (QEMU needs -smp with that many)");
}

[[noreturn]] void enter_kernel(const li::ImageHeader& h) { enter_kernel_as(h, loader_boot_hart, 0); }

}  // namespace arch
}  // namespace microkit::loader

// Each other hart (start.S secondary_entry): the boot hart's page table,
// "up", then the kernel with its hart and core ids.
extern "C" [[noreturn]] void arch_secondary_main(uint64_t hart, uint64_t core) {
  using namespace microkit::loader::arch;
  switch_on_mmu();
  g_core_up[core] = 1;
  asm volatile("fence rw, rw" ::: "memory");
  enter_kernel_as(*g_header, hart, core);
}

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
