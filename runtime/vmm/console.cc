// console.cc: the guest's consoles, an emulated PL011 and a virtio console,
// whose bytes go to and come from another PD through two shared rings. The
// guest's transmitted bytes are pushed to the tx ring and the serial PD
// notified; received bytes wait in the rx ring, and the device's interrupt
// line follows them.
#include "microkit_vmm.h"

namespace {

void put(void* ctx, uint8_t byte) {
  auto* console = static_cast<microkit_vmm_console*>(ctx);
  if (!microkit_vmm_ring_push(console->tx, byte)) ++console->dropped;
  microkit_notify(console->serial);
}

int get(void* ctx, uint8_t* byte) { return microkit_vmm_ring_pop(static_cast<microkit_vmm_console*>(ctx)->rx, byte); }

int peek(void* ctx) { return microkit_vmm_ring_count(static_cast<microkit_vmm_console*>(ctx)->rx) != 0; }

void update_irq(microkit_vmm_console* console) {
  microkit_vmm_set_irq_level(console->vmm, console->irq, microkit_vmm_pl011_irq(&console->uart));
}

uint64_t uart_read(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned) {
  auto* console = static_cast<microkit_vmm_console*>(ctx);
  uint32_t value = microkit_vmm_pl011_read(&console->uart, uint32_t(offset));
  if (offset == 0) update_irq(console);  // reading data may empty the receiver
  return value;
}

void uart_write(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned, uint64_t value) {
  auto* console = static_cast<microkit_vmm_console*>(ctx);
  microkit_vmm_pl011_write(&console->uart, uint32_t(offset), uint32_t(value));
  update_irq(console);  // IMSC and ICR change the line
}

}  // namespace

extern "C" int microkit_vmm_console_init(microkit_vmm_console* console, microkit_vmm* vmm, uint64_t gpa, unsigned irq,
                                         void* tx_memory, size_t tx_size, void* rx_memory,
                                         microkit_channel serial) {
  *console = microkit_vmm_console{};
  console->vmm = vmm;
  console->tx = microkit_vmm_ring_init(tx_memory, tx_size);
  console->rx = static_cast<microkit_vmm_ring*>(rx_memory);
  console->serial = serial;
  console->irq = irq;
  if (console->tx == nullptr) return -1;
  microkit_vmm_pl011_init(&console->uart, microkit_vmm_pl011_io{console, put, get, peek});
  microkit_vmm_device device{gpa, MICROKIT_VMM_PL011_SIZE, console, uart_read, uart_write};
  return microkit_vmm_add_device(vmm, &device);
}

extern "C" void microkit_vmm_console_notified(microkit_vmm_console* console) { update_irq(console); }

// ---- the virtio console's glue: the model's io are the rings, its interrupt the GIC line ----

namespace {

int vput(void* ctx, uint8_t byte) {
  auto* console = static_cast<microkit_vmm_vconsole*>(ctx);
  if (!microkit_vmm_ring_push(console->tx, byte)) return 0;  // the model retries on the next poll
  ++console->sent;
  return 1;
}

int vget(void* ctx, uint8_t* byte) {
  auto* console = static_cast<microkit_vmm_vconsole*>(ctx);
  return console->rx != nullptr && microkit_vmm_ring_pop(console->rx, byte);
}

int vpeek(void* ctx) {
  auto* console = static_cast<microkit_vmm_vconsole*>(ctx);
  return console->rx != nullptr && microkit_vmm_ring_count(console->rx) != 0;
}

// After every access: one notification for the bytes it sent, the line follows InterruptStatus.
void vsettle(microkit_vmm_vconsole* console) {
  if (console->sent != 0) microkit_notify(console->serial);
  console->sent = 0;
  microkit_vmm_set_irq_level(console->vmm, console->irq, microkit_vmm_virtio_console_irq(&console->dev));
}

uint64_t virtio_read(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned size) {
  auto* console = static_cast<microkit_vmm_vconsole*>(ctx);
  return microkit_vmm_virtio_console_read(&console->dev, uint32_t(offset), size);
}

void virtio_write(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned size, uint64_t value) {
  auto* console = static_cast<microkit_vmm_vconsole*>(ctx);
  microkit_vmm_virtio_console_write(&console->dev, uint32_t(offset), size, uint32_t(value));
  vsettle(console);
}

}  // namespace

extern "C" int microkit_vmm_vconsole_init(microkit_vmm_vconsole* console, microkit_vmm* vmm, uint64_t gpa,
                                          unsigned irq, microkit_vmm_ring* tx, void* rx_memory,
                                          microkit_channel serial) {
  *console = microkit_vmm_vconsole{};
  console->vmm = vmm;
  console->tx = tx;
  console->rx = static_cast<microkit_vmm_ring*>(rx_memory);
  console->serial = serial;
  console->irq = irq;
  if (tx == nullptr) return -1;
  const microkit_vmm_config& c = vmm->config;
  microkit_vmm_virtio_console_init(&console->dev, microkit_vmm_virtio_io{console, vput, vget, vpeek},
                                   reinterpret_cast<void*>(c.ram_vaddr), c.ram_gpa, c.ram_size);
  microkit_vmm_device device{gpa, MICROKIT_VMM_VIRTIO_MMIO_SIZE, console, virtio_read, virtio_write};
  return microkit_vmm_add_device(vmm, &device);
}

extern "C" void microkit_vmm_vconsole_notified(microkit_vmm_vconsole* console) {
  microkit_vmm_virtio_console_poll(&console->dev);
  vsettle(console);
}
