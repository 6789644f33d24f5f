// virtio_console.cc: a virtio console (device ID 3, one port; OASIS virtio
// 1.2, section 5.3) on the virtio-MMIO transport (virtio.h). We follow the
// two queues' available rings, move bytes between the buffers and io, and
// return the buffers on the used rings.
#include "virtio.h"

namespace {

using namespace vmm::virtio;

constexpr uint32_t kConsoleDeviceId = 3;
constexpr unsigned kRxQueue = 0, kTxQueue = 1;
// struct virtio_console_config: cols, rows (0: unknown), max_nr_ports = 1, emerg_wr.
constexpr uint8_t kConfigSpace[12] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};

// Gives the chain's bytes to io.put, skipping those already given; kBlocked when the back end is full.
Chain transmit_chain(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t head) {
  uint32_t position = 0;
  return walk_chain(&dev->t, q, head, [&](const Desc& d, uint8_t* bytes) {
    if (d.flags & kDescWrite) return Chain::kDone;  // nothing for us to read there
    for (uint32_t i = 0; i < d.len; ++i, ++position) {
      if (position < dev->tx_sent) continue;
      if (!dev->io.put(dev->io.ctx, bytes[i])) {
        dev->tx_sent = position;
        return Chain::kBlocked;
      }
    }
    return Chain::kDone;
  });
}

void transmit(microkit_vmm_virtio_console* dev) {
  microkit_vmm_virtq& q = dev->t.queue[kTxQueue];
  uint16_t head;
  if (dev->io.put == nullptr) return;
  while (next_avail(&dev->t, q, &head)) {
    Chain result = transmit_chain(dev, q, head);
    if (result == Chain::kBlocked) return;
    if (result == Chain::kBad) return needs_reset(&dev->t);
    dev->tx_sent = 0;
    ++q.last_avail;
    push_used(&dev->t, q, head, 0);
  }
}

// Fills the chain's writable buffers with received bytes; `written` counts them.
Chain receive_chain(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t head,
                    uint32_t* written) {
  return walk_chain(&dev->t, q, head, [&](const Desc& d, uint8_t* bytes) {
    if (!(d.flags & kDescWrite)) return Chain::kDone;
    for (uint32_t i = 0; i < d.len && dev->io.get(dev->io.ctx, &bytes[i]); ++i) ++*written;
    return Chain::kDone;
  });
}

void receive(microkit_vmm_virtio_console* dev) {
  microkit_vmm_virtq& q = dev->t.queue[kRxQueue];
  uint16_t head;
  if (dev->io.peek == nullptr || dev->io.get == nullptr) return;
  while (dev->io.peek(dev->io.ctx) && next_avail(&dev->t, q, &head)) {
    uint32_t written = 0;
    if (receive_chain(dev, q, head, &written) == Chain::kBad) return needs_reset(&dev->t);
    ++q.last_avail;
    push_used(&dev->t, q, head, written);
  }
}

}  // namespace

extern "C" void microkit_vmm_virtio_console_init(microkit_vmm_virtio_console* dev, microkit_vmm_virtio_io io,
                                                 void* ram, uint64_t ram_gpa, uint64_t ram_size) {
  *dev = microkit_vmm_virtio_console{};
  for (size_t i = 0; i < sizeof kConfigSpace; ++i) dev->t.config[i] = kConfigSpace[i];
  init(&dev->t, kConsoleDeviceId, MICROKIT_VMM_VIRTIO_F_VERSION_1, 2, ram, ram_gpa, ram_size);
  dev->io = io;
}

extern "C" uint32_t microkit_vmm_virtio_console_read(microkit_vmm_virtio_console* dev, uint32_t offset,
                                                     unsigned size) {
  return read_register(&dev->t, offset, size);
}

extern "C" void microkit_vmm_virtio_console_write(microkit_vmm_virtio_console* dev, uint32_t offset, unsigned size,
                                                  uint32_t value) {
  (void)size;
  switch (write_register(&dev->t, offset, value)) {
    case Event::kReset: dev->tx_sent = 0; return;
    case Event::kNotify:
    case Event::kStatus: return microkit_vmm_virtio_console_poll(dev);
    case Event::kNone: return;
  }
}

extern "C" void microkit_vmm_virtio_console_poll(microkit_vmm_virtio_console* dev) {
  transmit(dev);
  receive(dev);
}

extern "C" int microkit_vmm_virtio_console_irq(const microkit_vmm_virtio_console* dev) {
  return dev->t.interrupt_status != 0;
}
