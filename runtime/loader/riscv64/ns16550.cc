// ns16550.cc: loader UART output on an NS16550A (QEMU virt RISC-V:
// 0x10000000, byte-wide registers).
//
// OpenSBI has already configured the line; the loader only polls "transmit
// holding register empty" and writes the data register. The base address
// comes from the board (MICROKIT_LOADER_NS16550_BASE); the boot page table
// identity-maps it once Sv39 is on.
#include <stdint.h>

#include "runtime/loader/uart.h"
#include "runtime/shared/put_number.h"

#ifndef MICROKIT_LOADER_NS16550_BASE
#error "MICROKIT_LOADER_NS16550_BASE must name the board's NS16550 UART"
#endif

namespace microkit::loader {
namespace {

constexpr uint64_t kTransmitHolding = 0;
constexpr uint64_t kLineStatus = 5;
constexpr uint8_t kTransmitEmpty = 1u << 5;

volatile uint8_t& reg(uint64_t offset) {
  return *reinterpret_cast<volatile uint8_t*>(MICROKIT_LOADER_NS16550_BASE + offset);
}

void put_raw(char c) {
  while ((reg(kLineStatus) & kTransmitEmpty) == 0) {
  }
  reg(kTransmitHolding) = static_cast<uint8_t>(c);
}

}  // namespace

void uart_putc(char c) {
  if (c == '\n') put_raw('\r');
  put_raw(c);
}

void uart_puts(const char* s) {
  while (*s) uart_putc(*s++);
}

void uart_puthex(uint64_t value) { shared::put_hex(value, uart_putc); }

void uart_putdec(uint64_t value) { shared::put_decimal(value, uart_putc); }

}  // namespace microkit::loader
