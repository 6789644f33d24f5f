// pl011.cc: loader UART output on an ARM PL011 (QEMU virt: 0x09000000).
//
// The firmware or QEMU has already configured the baud rate; the loader
// only polls "transmit FIFO full" and writes the data register. The base
// address comes from the board (MICROKIT_LOADER_PL011_BASE); the page
// tables identity-map it as device memory once the MMU is on.
#include <stdint.h>

#include "runtime/loader/uart.h"
#include "runtime/shared/put_number.h"

#ifndef MICROKIT_LOADER_PL011_BASE
#error "MICROKIT_LOADER_PL011_BASE must name the board's PL011 UART"
#endif

namespace microkit::loader {
namespace {

constexpr uint64_t kDataRegister = 0x00;
constexpr uint64_t kFlagRegister = 0x18;
constexpr uint32_t kTransmitFifoFull = 1u << 5;

volatile uint32_t& reg(uint64_t offset) {
  return *reinterpret_cast<volatile uint32_t*>(MICROKIT_LOADER_PL011_BASE + offset);
}

void put_raw(char c) {
  while (reg(kFlagRegister) & kTransmitFifoFull) {
  }
  reg(kDataRegister) = static_cast<uint8_t>(c);
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
