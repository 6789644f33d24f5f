// virtio_console.cc: a virtio console (device ID 3, one port) behind the
// virtio-MMIO transport, version 2 (OASIS virtio 1.2, sections 4.2.2, 2.7
// and 5.3). The driver negotiates features, lays out two split virtqueues in
// its RAM and tells us where; we follow the available rings, move bytes
// between the buffers and io, and return the buffers on the used rings.
// Guest RAM is shared with other vCPUs: available indices are read with
// acquire order and used indices published with release order.
#include "bytes.h"
#include "microkit_vmm_parts.h"

namespace {

using vmm::load_le;
using vmm::store_le;

enum : uint32_t {
  kMagicValue = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c, kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
  kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
  kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080,
  kQueueDescHigh = 0x084, kQueueDriverLow = 0x090, kQueueDriverHigh = 0x094, kQueueDeviceLow = 0x0a0,
  kQueueDeviceHigh = 0x0a4, kConfigGeneration = 0x0fc, kConfig = 0x100,
};
constexpr uint32_t kMagic = 0x74726976;          // "virt"
constexpr uint32_t kVendor = 0x4b4d4b4d;         // "MKMK": ours
constexpr uint32_t kConsoleDeviceId = 3;
constexpr uint64_t kOffered = MICROKIT_VMM_VIRTIO_F_VERSION_1;
constexpr unsigned kRxQueue = 0, kTxQueue = 1;
constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;
constexpr uint16_t kAvailNoInterrupt = 1;
constexpr uint32_t kIntUsed = 1, kIntConfig = 2;
// struct virtio_console_config: cols, rows (0: unknown), max_nr_ports = 1, emerg_wr.
constexpr uint8_t kConfigSpace[12] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

uint8_t* guest(microkit_vmm_virtio_console* dev, uint64_t gpa, uint64_t len) {
  if (gpa < dev->ram_gpa || gpa - dev->ram_gpa > dev->ram_size || len > dev->ram_size - (gpa - dev->ram_gpa))
    return nullptr;
  return dev->ram + (gpa - dev->ram_gpa);
}

bool aligned_in_ram(microkit_vmm_virtio_console* dev, uint64_t gpa, uint64_t len, uint64_t align) {
  return gpa % align == 0 && guest(dev, gpa, len) != nullptr;
}

// The driver got something wrong: stop using the queues until it resets us.
void needs_reset(microkit_vmm_virtio_console* dev) {
  dev->status |= MICROKIT_VMM_VIRTIO_NEEDS_RESET;
  if (dev->status & MICROKIT_VMM_VIRTIO_DRIVER_OK) dev->interrupt_status |= kIntConfig;
}

bool queue_fits(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q) {
  bool power_of_two = q.num != 0 && (q.num & (q.num - 1)) == 0;
  return power_of_two && q.num <= MICROKIT_VMM_VIRTIO_QUEUE_MAX && aligned_in_ram(dev, q.desc, 16ull * q.num, 16) &&
         aligned_in_ram(dev, q.driver, 6 + 2ull * q.num, 2) && aligned_in_ram(dev, q.device, 6 + 8ull * q.num, 4);
}

bool running(const microkit_vmm_virtio_console* dev) {
  return (dev->status & MICROKIT_VMM_VIRTIO_DRIVER_OK) && !(dev->status & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
}

uint16_t avail_idx(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q) {
  return __atomic_load_n(reinterpret_cast<uint16_t*>(guest(dev, q.driver + 2, 2)), __ATOMIC_ACQUIRE);
}

uint16_t avail_head(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q) {
  return uint16_t(load_le(guest(dev, q.driver + 4 + 2ull * (q.last_avail % q.num), 2), 2));
}

Desc read_desc(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t index) {
  const uint8_t* p = guest(dev, q.desc + 16ull * index, 16);
  return Desc{load_le(p, 8), uint32_t(load_le(p + 8, 4)), uint16_t(load_le(p + 12, 2)),
              uint16_t(load_le(p + 14, 2))};
}

// Returns the buffer to the driver and raises the interrupt unless the driver suppressed it.
void push_used(microkit_vmm_virtio_console* dev, microkit_vmm_virtq& q, uint16_t head, uint32_t written) {
  uint8_t* elem = guest(dev, q.device + 4 + 8ull * (q.used_idx % q.num), 8);
  store_le(elem, head, 4);
  store_le(elem + 4, written, 4);
  ++q.used_idx;
  __atomic_store_n(reinterpret_cast<uint16_t*>(guest(dev, q.device + 2, 2)), q.used_idx, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);  // publish used->idx before reading the driver's flags
  if (!(load_le(guest(dev, q.driver, 2), 2) & kAvailNoInterrupt)) dev->interrupt_status |= kIntUsed;
}

enum class Chain { kDone, kBlocked, kBad };

// Visits the chain at `head`, calling visit(desc, bytes) for each buffer; kBad if it leaves RAM or loops.
template <typename Visit>
Chain walk_chain(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t head, Visit visit) {
  uint16_t index = head;
  for (uint32_t hops = 0; hops < q.num; ++hops) {
    if (index >= q.num) return Chain::kBad;
    Desc d = read_desc(dev, q, index);
    uint8_t* bytes = guest(dev, d.addr, d.len);
    if (bytes == nullptr || (d.flags & kDescIndirect)) return Chain::kBad;  // INDIRECT_DESC is not offered
    Chain step = visit(d, bytes);
    if (step != Chain::kDone) return step;
    if (!(d.flags & kDescNext)) return Chain::kDone;
    index = d.next;
  }
  return Chain::kBad;
}

// Gives the chain's bytes to io.put, skipping those already given; kBlocked when the back end is full.
Chain transmit_chain(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t head) {
  uint32_t position = 0;
  return walk_chain(dev, q, head, [&](const Desc& d, uint8_t* bytes) {
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
  microkit_vmm_virtq& q = dev->queue[kTxQueue];
  if (!q.ready || dev->io.put == nullptr) return;
  while (running(dev) && q.last_avail != avail_idx(dev, q)) {
    uint16_t head = avail_head(dev, q);
    Chain result = transmit_chain(dev, q, head);
    if (result == Chain::kBlocked) return;
    if (result == Chain::kBad) return needs_reset(dev);
    dev->tx_sent = 0;
    ++q.last_avail;
    push_used(dev, q, head, 0);
  }
}

// Fills the chain's writable buffers with received bytes; `written` counts them.
Chain receive_chain(microkit_vmm_virtio_console* dev, const microkit_vmm_virtq& q, uint16_t head,
                    uint32_t* written) {
  return walk_chain(dev, q, head, [&](const Desc& d, uint8_t* bytes) {
    if (!(d.flags & kDescWrite)) return Chain::kDone;
    for (uint32_t i = 0; i < d.len && dev->io.get(dev->io.ctx, &bytes[i]); ++i) ++*written;
    return Chain::kDone;
  });
}

void receive(microkit_vmm_virtio_console* dev) {
  microkit_vmm_virtq& q = dev->queue[kRxQueue];
  if (!q.ready || dev->io.peek == nullptr || dev->io.get == nullptr) return;
  while (running(dev) && dev->io.peek(dev->io.ctx) && q.last_avail != avail_idx(dev, q)) {
    uint16_t head = avail_head(dev, q);
    uint32_t written = 0;
    if (receive_chain(dev, q, head, &written) == Chain::kBad) return needs_reset(dev);
    ++q.last_avail;
    push_used(dev, q, head, written);
  }
}

void reset(microkit_vmm_virtio_console* dev) {
  microkit_vmm_virtio_io io = dev->io;
  uint8_t* ram = dev->ram;
  uint64_t gpa = dev->ram_gpa, size = dev->ram_size;
  microkit_vmm_virtio_console_init(dev, io, ram, gpa, size);
}

// FEATURES_OK sticks only if the driver took nothing we did not offer, and VERSION_1.
void write_status(microkit_vmm_virtio_console* dev, uint32_t value) {
  if (value == 0) return reset(dev);
  bool acceptable = (dev->driver_features & ~kOffered) == 0 && (dev->driver_features & kOffered) == kOffered;
  if ((value & MICROKIT_VMM_VIRTIO_FEATURES_OK) && !acceptable) value &= ~MICROKIT_VMM_VIRTIO_FEATURES_OK;
  dev->status = value | (dev->status & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
  microkit_vmm_virtio_console_poll(dev);  // buffers made available before DRIVER_OK move now
}

void write_queue_ready(microkit_vmm_virtio_console* dev, microkit_vmm_virtq& q, uint32_t value) {
  if (value == 0) {
    q.ready = 0;
    return;
  }
  if (!queue_fits(dev, q)) return needs_reset(dev);
  q.ready = 1;
}

void set_half(uint64_t* field, bool high, uint32_t value) {
  *field = high ? (*field & 0xffffffffull) | (uint64_t(value) << 32) : (*field & ~0xffffffffull) | value;
}

// The selected queue's address registers; writable only while it is not ready.
void write_queue_address(microkit_vmm_virtio_console* dev, microkit_vmm_virtq* q, uint32_t offset, uint32_t value) {
  if (q == nullptr || q->ready) return;
  bool high = offset & 4;
  switch (offset & ~4u) {
    case kQueueDescLow: return set_half(&q->desc, high, value);
    case kQueueDriverLow: return set_half(&q->driver, high, value);
    case kQueueDeviceLow: return set_half(&q->device, high, value);
    default: return;
  }
}

microkit_vmm_virtq* selected(microkit_vmm_virtio_console* dev) {
  return dev->queue_sel < 2 ? &dev->queue[dev->queue_sel] : nullptr;
}

// DeviceFeatures shows the offered bits 32 at a time, DeviceFeaturesSel choosing which.
uint32_t offered_word(uint32_t sel) { return sel < 2 ? uint32_t(kOffered >> (32 * sel)) : 0; }

uint32_t read_config(uint32_t offset, unsigned size) {
  uint32_t value = 0;
  for (unsigned i = 0; i < size && i < 4; ++i)
    if (offset + i < sizeof kConfigSpace) value |= uint32_t(kConfigSpace[offset + i]) << (8 * i);
  return value;
}

}  // namespace

extern "C" void microkit_vmm_virtio_console_init(microkit_vmm_virtio_console* dev, microkit_vmm_virtio_io io,
                                                 void* ram, uint64_t ram_gpa, uint64_t ram_size) {
  *dev = microkit_vmm_virtio_console{};
  dev->io = io;
  dev->ram = static_cast<uint8_t*>(ram);
  dev->ram_gpa = ram_gpa;
  dev->ram_size = ram_size;
}

extern "C" uint32_t microkit_vmm_virtio_console_read(microkit_vmm_virtio_console* dev, uint32_t offset,
                                                     unsigned size) {
  if (offset >= kConfig) return read_config(offset - kConfig, size);
  microkit_vmm_virtq* q = selected(dev);
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return 2;
    case kDeviceId: return kConsoleDeviceId;
    case kVendorId: return kVendor;
    case kDeviceFeatures: return offered_word(dev->device_features_sel);
    case kQueueNumMax: return q != nullptr ? MICROKIT_VMM_VIRTIO_QUEUE_MAX : 0;
    case kQueueReady: return q != nullptr ? q->ready : 0;
    case kInterruptStatus: return dev->interrupt_status;
    case kStatus: return dev->status;
    case kConfigGeneration: return 0;  // the config space never changes
    default: return 0;                 // write-only registers
  }
}

extern "C" void microkit_vmm_virtio_console_write(microkit_vmm_virtio_console* dev, uint32_t offset, unsigned size,
                                                  uint32_t value) {
  (void)size;
  microkit_vmm_virtq* q = selected(dev);
  switch (offset) {
    case kDeviceFeaturesSel: dev->device_features_sel = value; return;
    case kDriverFeatures:
      if (dev->driver_features_sel < 2) set_half(&dev->driver_features, dev->driver_features_sel == 1, value);
      return;
    case kDriverFeaturesSel: dev->driver_features_sel = value; return;
    case kQueueSel: dev->queue_sel = value; return;
    case kQueueNum: if (q != nullptr && !q->ready) q->num = value; return;
    case kQueueReady: if (q != nullptr) write_queue_ready(dev, *q, value); return;
    case kQueueNotify: microkit_vmm_virtio_console_poll(dev); return;
    case kInterruptAck: dev->interrupt_status &= ~value; return;
    case kStatus: write_status(dev, value); return;
    default: write_queue_address(dev, q, offset, value); return;  // the config space is read-only
  }
}

extern "C" void microkit_vmm_virtio_console_poll(microkit_vmm_virtio_console* dev) {
  transmit(dev);
  receive(dev);
}

extern "C" int microkit_vmm_virtio_console_irq(const microkit_vmm_virtio_console* dev) {
  return dev->interrupt_status != 0;
}
