// pl011.cc: an ARM PL011 UART as a guest's driver sees it (ARM DDI0183).
// The transmitter is always ready (bytes go straight to io.put), the
// receiver holds whatever io.peek says waits. Interrupts are levels:
// receive and receive-timeout while a byte waits, transmit always (the FIFO
// is never above its trigger level), each gated by IMSC.
#include "microkit_vmm_parts.h"

namespace {

enum : uint32_t {
  kDR = 0x000, kRSR = 0x004, kFR = 0x018, kILPR = 0x020, kIBRD = 0x024, kFBRD = 0x028, kLCR_H = 0x02c,
  kCR = 0x030, kIFLS = 0x034, kIMSC = 0x038, kRIS = 0x03c, kMIS = 0x040, kICR = 0x044, kDMACR = 0x048,
};
enum : uint32_t { kFrRxEmpty = 1u << 4, kFrTxEmpty = 1u << 7 };
enum : uint32_t { kIntRx = 1u << 4, kIntTx = 1u << 5, kIntRxTimeout = 1u << 6 };
constexpr uint8_t kIds[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};  // PeriphID0-3, PCellID0-3 at 0xfe0

bool rx_waiting(microkit_vmm_pl011* uart) { return uart->io.peek != nullptr && uart->io.peek(uart->io.ctx); }

uint32_t raw_status(microkit_vmm_pl011* uart) {
  uint32_t ris = uart->ris_latched | kIntTx;
  if (rx_waiting(uart)) ris |= kIntRx | kIntRxTimeout;
  return ris;
}

uint32_t read_data(microkit_vmm_pl011* uart) {
  uint8_t byte = 0;
  if (uart->io.get == nullptr || !uart->io.get(uart->io.ctx, &byte)) return 0;
  return byte;
}

}  // namespace

extern "C" void microkit_vmm_pl011_init(microkit_vmm_pl011* uart, microkit_vmm_pl011_io io) {
  *uart = microkit_vmm_pl011{};
  uart->io = io;
  uart->cr = 0x300;  // TXE and RXE, the reset value
  uart->ifls = 0x12;
}

extern "C" uint32_t microkit_vmm_pl011_read(microkit_vmm_pl011* uart, uint32_t offset) {
  switch (offset) {
    case kDR: return read_data(uart);
    case kFR: return kFrTxEmpty | (rx_waiting(uart) ? 0u : uint32_t(kFrRxEmpty));
    case kIBRD: return uart->ibrd;
    case kFBRD: return uart->fbrd;
    case kLCR_H: return uart->lcr_h;
    case kCR: return uart->cr;
    case kIFLS: return uart->ifls;
    case kIMSC: return uart->imsc;
    case kRIS: return raw_status(uart);
    case kMIS: return raw_status(uart) & uart->imsc;
    case kDMACR: return uart->dmacr;
    default: break;
  }
  if (offset >= 0xfe0 && offset < 0x1000) return kIds[(offset - 0xfe0) / 4];
  return 0;
}

extern "C" void microkit_vmm_pl011_write(microkit_vmm_pl011* uart, uint32_t offset, uint32_t value) {
  switch (offset) {
    case kDR: if (uart->io.put != nullptr) uart->io.put(uart->io.ctx, uint8_t(value)); break;
    case kRSR: uart->ris_latched = 0; break;
    case kIBRD: uart->ibrd = value & 0xffff; break;
    case kFBRD: uart->fbrd = value & 0x3f; break;
    case kLCR_H: uart->lcr_h = value & 0xff; break;
    case kCR: uart->cr = value & 0xff87; break;
    case kIFLS: uart->ifls = value & 0x3f; break;
    case kIMSC: uart->imsc = value & 0x7ff; break;
    case kICR: uart->ris_latched &= ~value; break;
    case kDMACR: uart->dmacr = value & 7; break;
    default: break;  // ILPR and the read-only registers
  }
}

extern "C" int microkit_vmm_pl011_irq(microkit_vmm_pl011* uart) { return (raw_status(uart) & uart->imsc) != 0; }
