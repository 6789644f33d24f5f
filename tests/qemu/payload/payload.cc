// payload.cc: the QEMU smoke test's stand-in for the kernel.
//
// Entered by the loader exactly as seL4 would be. It reports what it sees
// on the UART, in lines tests/qemu/qemu_boot_test.sh asserts on:
//   payload: hello from the kernel window
//   payload: EL2, MMU on, caches on      (EL1 for a non-hypervisor image)
//   boot registers: x0=... x5=...      (compared with make_boot_image's line)
// then powers QEMU off through PSCI (SMC conduit on virt with EL2).
// Linked twice (payload.ld): in the hypervisor kernel window
// (0x80_6000_0000) and in the EL1 one (0xffff_ff80_6000_0000).
#include <stdint.h>

#include "runtime/loader/uart.h"

using namespace microkit::loader;

namespace {

uint64_t current_el() {
  uint64_t v;
  asm volatile("mrs %0, CurrentEL" : "=r"(v));
  return (v >> 2) & 3;
}

// SCTLR of the exception level we run at (EL1 or EL2).
uint64_t read_sctlr(uint64_t el) {
  uint64_t v;
  if (el == 2) {
    asm volatile("mrs %0, sctlr_el2" : "=r"(v));
  } else {
    asm volatile("mrs %0, sctlr_el1" : "=r"(v));
  }
  return v;
}

void print_registers(const uint64_t* regs) {
  uart_puts("boot registers:");
  for (int i = 0; i < 6; ++i) {
    uart_puts(" x");
    uart_putc(static_cast<char>('0' + i));
    uart_putc('=');
    uart_puthex(regs[i]);
  }
  uart_putc('\n');
}

[[noreturn]] void power_off() {
  register uint64_t x0 asm("x0") = 0x84000008;  // PSCI SYSTEM_OFF
  asm volatile("smc #0" : "+r"(x0) : : "memory");
  for (;;) asm volatile("wfe");
}

}  // namespace

extern "C" [[noreturn]] void payload_main(const uint64_t* regs) {
  uart_puts("payload: hello from the kernel window\n");
  uint64_t el = current_el();
  uint64_t sctlr = read_sctlr(el);
  uart_puts("payload: EL");
  uart_putdec(el);
  uart_puts((sctlr & 1) ? ", MMU on" : ", MMU off");
  uart_puts((sctlr & (1u << 2)) && (sctlr & (1u << 12)) ? ", caches on\n" : ", caches off\n");
  print_registers(regs);
  power_off();
}
