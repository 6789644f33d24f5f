// virtio_blk.cc: a virtio block device (device ID 2, one request queue;
// OASIS virtio 1.2, section 5.2) on the virtio-MMIO transport (virtio.h),
// whose storage is a back end reached asynchronously through io. A request
// is a chain: a 16-byte header the device reads (type, reserved, sector),
// the data (read by the device for OUT, written for IN), and a status byte,
// the chain's last writable byte. We take a request when a slot is free,
// answer bad ones at once, and return the rest when the back end answers.
#include "virtio.h"

namespace {

using namespace vmm::virtio;
using vmm::load_le;
using vmm::store_le;

constexpr uint32_t kBlockDeviceId = 2;
constexpr uint64_t kOffered = MICROKIT_VMM_VIRTIO_F_VERSION_1 | MICROKIT_VMM_BLK_F_SIZE_MAX |
                              MICROKIT_VMM_BLK_F_SEG_MAX | MICROKIT_VMM_BLK_F_FLUSH;
constexpr uint32_t kHeader = 16;
constexpr unsigned kRequestQueue = 0;

struct Extent {
  uint32_t readable = 0, writable = 0;  // bytes of the chain the device may read, may write
};

Chain measure(microkit_vmm_virtio_blk* dev, uint16_t head, Extent* extent) {
  return walk_chain(&dev->t, dev->t.queue[kRequestQueue], head, [&](const Desc& d, uint8_t*) {
    (d.flags & kDescWrite ? extent->writable : extent->readable) += d.len;
    return Chain::kDone;
  });
}

// Copies `n` bytes at `offset` of the chain's readable (or writable) part out of (or into) `buffer`.
void transfer(microkit_vmm_virtio_blk* dev, uint16_t head, bool writable, uint32_t offset, uint8_t* buffer,
              uint32_t n) {
  uint32_t position = 0;  // of this descriptor's first byte in its part
  walk_chain(&dev->t, dev->t.queue[kRequestQueue], head, [&](const Desc& d, uint8_t* bytes) {
    if (bool(d.flags & kDescWrite) != writable) return Chain::kDone;
    for (uint32_t i = 0; i < d.len; ++i) {
      uint32_t at = position + i;
      if (at < offset || at >= offset + n) continue;
      if (writable) bytes[i] = buffer[at - offset];
      else buffer[at - offset] = bytes[i];
    }
    position += d.len;
    return Chain::kDone;
  });
}

// Writes the status byte and returns the chain; `data` bytes were written before it.
void finish(microkit_vmm_virtio_blk* dev, uint16_t head, uint32_t data, uint8_t status) {
  Extent extent;
  if (measure(dev, head, &extent) != Chain::kDone || extent.writable == 0) return needs_reset(&dev->t);
  transfer(dev, head, true, extent.writable - 1, &status, 1);
  push_used(&dev->t, dev->t.queue[kRequestQueue], head, data + 1);
}

int free_slot(const microkit_vmm_virtio_blk* dev) {
  for (unsigned i = 0; i < MICROKIT_VMM_BLK_SLOTS; ++i)
    if (!dev->slot[i].busy) return int(i);
  return -1;
}

// The status a request gets at once, or OK if it goes to the back end with `bytes` of data.
uint8_t check(const microkit_vmm_virtio_blk* dev, uint32_t type, uint64_t sector, uint32_t bytes) {
  if (type != MICROKIT_VMM_BLK_T_IN && type != MICROKIT_VMM_BLK_T_OUT && type != MICROKIT_VMM_BLK_T_FLUSH)
    return MICROKIT_VMM_BLK_S_UNSUPP;
  if (type == MICROKIT_VMM_BLK_T_FLUSH) return MICROKIT_VMM_BLK_S_OK;
  uint64_t sectors = bytes / MICROKIT_VMM_BLK_SECTOR;
  bool fits = bytes % MICROKIT_VMM_BLK_SECTOR == 0 && bytes <= dev->slot_size && sector <= dev->capacity &&
              sectors <= dev->capacity - sector;
  return fits ? MICROKIT_VMM_BLK_S_OK : MICROKIT_VMM_BLK_S_IOERR;
}

enum class Take { kTaken, kAnswered, kBlocked, kBad };

// Reads the request at `head` and either answers it or submits it in `slot`.
Take take(microkit_vmm_virtio_blk* dev, uint16_t head, unsigned slot) {
  Extent extent;
  if (measure(dev, head, &extent) != Chain::kDone || extent.writable == 0) return Take::kBad;
  if (extent.readable < kHeader) return finish(dev, head, 0, MICROKIT_VMM_BLK_S_IOERR), Take::kAnswered;
  uint8_t header[kHeader];
  transfer(dev, head, false, 0, header, kHeader);
  auto type = uint32_t(load_le(header, 4));
  uint64_t sector = load_le(header + 8, 8);
  uint32_t bytes = type == MICROKIT_VMM_BLK_T_IN    ? extent.writable - 1
                   : type == MICROKIT_VMM_BLK_T_OUT ? extent.readable - kHeader
                                                    : 0;
  uint8_t status = check(dev, type, sector, bytes);
  if (status != MICROKIT_VMM_BLK_S_OK) return finish(dev, head, 0, status), Take::kAnswered;
  if (type == MICROKIT_VMM_BLK_T_OUT) transfer(dev, head, false, kHeader, dev->io.buffer(dev->io.ctx, slot), bytes);
  if (!dev->io.submit(dev->io.ctx, slot, type, sector, bytes)) return Take::kBlocked;
  dev->slot[slot] = microkit_vmm_blk_slot{1, 0, head, type, bytes};
  return Take::kTaken;
}

void set_config(microkit_vmm_virtio_blk* dev) {
  store_le(dev->t.config, dev->capacity, 8);
  store_le(dev->t.config + 8, MICROKIT_VMM_BLK_SEGMENT, 4);                   // size_max
  store_le(dev->t.config + 12, dev->slot_size / MICROKIT_VMM_BLK_SEGMENT, 4);  // seg_max
}

}  // namespace

extern "C" void microkit_vmm_virtio_blk_init(microkit_vmm_virtio_blk* dev, microkit_vmm_blk_io io,
                                             uint64_t capacity_sectors, uint32_t slot_size, void* ram,
                                             uint64_t ram_gpa, uint64_t ram_size) {
  *dev = microkit_vmm_virtio_blk{};
  dev->io = io;
  dev->capacity = capacity_sectors;
  dev->slot_size = slot_size - slot_size % MICROKIT_VMM_BLK_SEGMENT;
  set_config(dev);
  init(&dev->t, kBlockDeviceId, kOffered, 1, ram, ram_gpa, ram_size);
}

extern "C" uint32_t microkit_vmm_virtio_blk_read(microkit_vmm_virtio_blk* dev, uint32_t offset, unsigned size) {
  return read_register(&dev->t, offset, size);
}

extern "C" void microkit_vmm_virtio_blk_write(microkit_vmm_virtio_blk* dev, uint32_t offset, unsigned size,
                                              uint32_t value) {
  (void)size;
  switch (write_register(&dev->t, offset, value)) {
    case Event::kReset:  // answers still owed by the back end must not reach the new queues
      for (microkit_vmm_blk_slot& s : dev->slot) s.orphan = s.busy;
      return;
    case Event::kNotify:
    case Event::kStatus: return microkit_vmm_virtio_blk_poll(dev);
    case Event::kNone: return;
  }
}

extern "C" void microkit_vmm_virtio_blk_poll(microkit_vmm_virtio_blk* dev) {
  microkit_vmm_virtq& q = dev->t.queue[kRequestQueue];
  uint16_t head;
  for (int slot = free_slot(dev); slot >= 0 && next_avail(&dev->t, q, &head); slot = free_slot(dev)) {
    Take result = take(dev, head, unsigned(slot));
    if (result == Take::kBlocked) return;
    if (result == Take::kBad) return needs_reset(&dev->t);
    ++q.last_avail;
  }
}

extern "C" void microkit_vmm_virtio_blk_complete(microkit_vmm_virtio_blk* dev, unsigned slot, uint32_t status) {
  if (slot >= MICROKIT_VMM_BLK_SLOTS || !dev->slot[slot].busy) return;
  microkit_vmm_blk_slot s = dev->slot[slot];
  dev->slot[slot] = microkit_vmm_blk_slot{};
  if (s.orphan || !running(&dev->t)) return;
  bool read_ok = s.type == MICROKIT_VMM_BLK_T_IN && status == MICROKIT_VMM_BLK_S_OK;
  if (read_ok) transfer(dev, s.head, true, 0, dev->io.buffer(dev->io.ctx, slot), s.bytes);
  finish(dev, s.head, read_ok ? s.bytes : 0, uint8_t(status));
}

extern "C" int microkit_vmm_virtio_blk_irq(const microkit_vmm_virtio_blk* dev) {
  return dev->t.interrupt_status != 0;
}
