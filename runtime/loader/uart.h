// uart.h: debug output for the loader, on the board's kernel UART.
//
// Works with the MMU off and on (the loader's page tables identity-map the
// UART). No buffering, no formatting engine: strings and hex numbers only.
#pragma once

#include <stdint.h>

namespace microkit::loader {

void uart_putc(char c);
void uart_puts(const char* s);
void uart_puthex(uint64_t value);  // "0x" and 16 digits
void uart_putdec(uint64_t value);

}  // namespace microkit::loader
