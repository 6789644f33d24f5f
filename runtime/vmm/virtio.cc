// virtio.cc: the virtio-MMIO transport, version 2 (OASIS virtio 1.2,
// sections 4.2.2 and 2.7): identification, feature negotiation, queue
// set-up, status and interrupts, and the split virtqueues' rings.
#include "virtio.h"

namespace vmm::virtio {
namespace {

enum : uint32_t {
  kMagicValue = 0x000, kVersion = 0x004, kDeviceId = 0x008, kVendorId = 0x00c, kDeviceFeatures = 0x010,
  kDeviceFeaturesSel = 0x014, kDriverFeatures = 0x020, kDriverFeaturesSel = 0x024, kQueueSel = 0x030,
  kQueueNumMax = 0x034, kQueueNum = 0x038, kQueueReady = 0x044, kQueueNotify = 0x050,
  kInterruptStatus = 0x060, kInterruptAck = 0x064, kStatus = 0x070, kQueueDescLow = 0x080,
  kQueueDriverLow = 0x090, kQueueDeviceLow = 0x0a0, kConfigGeneration = 0x0fc, kConfig = 0x100,
};
constexpr uint32_t kMagic = 0x74726976;   // "virt"
constexpr uint32_t kVendor = 0x4b4d4b4d;  // "MKMK": ours
constexpr uint16_t kAvailNoInterrupt = 1;
constexpr uint32_t kIntUsed = 1, kIntConfig = 2;

bool aligned_in_ram(Transport* t, uint64_t gpa, uint64_t len, uint64_t align) {
  return gpa % align == 0 && guest(t, gpa, len) != nullptr;
}

bool queue_fits(Transport* t, const microkit_vmm_virtq& q) {
  bool power_of_two = q.num != 0 && (q.num & (q.num - 1)) == 0;
  return power_of_two && q.num <= MICROKIT_VMM_VIRTIO_QUEUE_MAX && aligned_in_ram(t, q.desc, 16ull * q.num, 16) &&
         aligned_in_ram(t, q.driver, 6 + 2ull * q.num, 2) && aligned_in_ram(t, q.device, 6 + 8ull * q.num, 4);
}

const microkit_vmm_virtq* selected(const Transport* t) {
  return t->queue_sel < t->num_queues ? &t->queue[t->queue_sel] : nullptr;
}
microkit_vmm_virtq* selected(Transport* t) {
  return t->queue_sel < t->num_queues ? &t->queue[t->queue_sel] : nullptr;
}

// DeviceFeatures shows the offered bits 32 at a time, DeviceFeaturesSel choosing which.
uint32_t offered_word(const Transport* t) {
  return t->device_features_sel < 2 ? uint32_t(t->offered >> (32 * t->device_features_sel)) : 0;
}

uint32_t read_config(const Transport* t, uint32_t offset, unsigned size) {
  uint32_t value = 0;
  for (unsigned i = 0; i < size && i < 4; ++i)
    if (offset + i < sizeof t->config) value |= uint32_t(t->config[offset + i]) << (8 * i);
  return value;
}

void set_half(uint64_t* field, bool high, uint32_t value) {
  *field = high ? (*field & 0xffffffffull) | (uint64_t(value) << 32) : (*field & ~0xffffffffull) | value;
}

// The selected queue's address registers; writable only while it is not ready.
void write_queue_address(microkit_vmm_virtq* q, uint32_t offset, uint32_t value) {
  if (q == nullptr || q->ready) return;
  bool high = offset & 4;
  switch (offset & ~4u) {
    case kQueueDescLow: return set_half(&q->desc, high, value);
    case kQueueDriverLow: return set_half(&q->driver, high, value);
    case kQueueDeviceLow: return set_half(&q->device, high, value);
    default: return;
  }
}

void write_queue_ready(Transport* t, microkit_vmm_virtq& q, uint32_t value) {
  if (value == 0) {
    q.ready = 0;
    return;
  }
  if (!queue_fits(t, q)) return needs_reset(t);
  q.ready = 1;
}

// FEATURES_OK sticks only if the driver took nothing we did not offer, and VERSION_1.
Event write_status(Transport* t, uint32_t value) {
  if (value == 0) {
    init(t, t->device_id, t->offered, t->num_queues, t->ram, t->ram_gpa, t->ram_size);
    return Event::kReset;
  }
  uint64_t must = MICROKIT_VMM_VIRTIO_F_VERSION_1;
  bool acceptable = (t->driver_features & ~t->offered) == 0 && (t->driver_features & must) == must;
  if ((value & MICROKIT_VMM_VIRTIO_FEATURES_OK) && !acceptable) value &= ~MICROKIT_VMM_VIRTIO_FEATURES_OK;
  t->status = value | (t->status & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
  return Event::kStatus;  // buffers made available before DRIVER_OK move now
}

}  // namespace

void init(Transport* t, uint32_t device_id, uint64_t offered, uint32_t num_queues, void* ram, uint64_t ram_gpa,
          uint64_t ram_size) {
  uint8_t config[sizeof t->config];
  for (size_t i = 0; i < sizeof config; ++i) config[i] = t->config[i];
  *t = Transport{};
  for (size_t i = 0; i < sizeof config; ++i) t->config[i] = config[i];
  t->ram = static_cast<uint8_t*>(ram);
  t->ram_gpa = ram_gpa;
  t->ram_size = ram_size;
  t->device_id = device_id;
  t->offered = offered;
  t->num_queues = num_queues < MICROKIT_VMM_VIRTIO_MAX_QUEUES ? num_queues : MICROKIT_VMM_VIRTIO_MAX_QUEUES;
}

uint32_t read_register(const Transport* t, uint32_t offset, unsigned size) {
  if (offset >= kConfig) return read_config(t, offset - kConfig, size);
  const microkit_vmm_virtq* q = selected(t);
  switch (offset) {
    case kMagicValue: return kMagic;
    case kVersion: return 2;
    case kDeviceId: return t->device_id;
    case kVendorId: return kVendor;
    case kDeviceFeatures: return offered_word(t);
    case kQueueNumMax: return q != nullptr ? MICROKIT_VMM_VIRTIO_QUEUE_MAX : 0;
    case kQueueReady: return q != nullptr ? q->ready : 0;
    case kInterruptStatus: return t->interrupt_status;
    case kStatus: return t->status;
    case kConfigGeneration: return 0;  // the config space never changes
    default: return 0;                 // write-only registers
  }
}

Event write_register(Transport* t, uint32_t offset, uint32_t value) {
  microkit_vmm_virtq* q = selected(t);
  switch (offset) {
    case kDeviceFeaturesSel: t->device_features_sel = value; return Event::kNone;
    case kDriverFeatures:
      if (t->driver_features_sel < 2) set_half(&t->driver_features, t->driver_features_sel == 1, value);
      return Event::kNone;
    case kDriverFeaturesSel: t->driver_features_sel = value; return Event::kNone;
    case kQueueSel: t->queue_sel = value; return Event::kNone;
    case kQueueNum: if (q != nullptr && !q->ready) q->num = value; return Event::kNone;
    case kQueueReady: if (q != nullptr) write_queue_ready(t, *q, value); return Event::kNone;
    case kQueueNotify: return Event::kNotify;
    case kInterruptAck: t->interrupt_status &= ~value; return Event::kNone;
    case kStatus: return write_status(t, value);
    default: write_queue_address(q, offset, value); return Event::kNone;  // the config space is read-only
  }
}

uint8_t* guest(Transport* t, uint64_t gpa, uint64_t len) {
  if (gpa < t->ram_gpa || gpa - t->ram_gpa > t->ram_size || len > t->ram_size - (gpa - t->ram_gpa)) return nullptr;
  return t->ram + (gpa - t->ram_gpa);
}

bool running(const Transport* t) {
  return (t->status & MICROKIT_VMM_VIRTIO_DRIVER_OK) && !(t->status & MICROKIT_VMM_VIRTIO_NEEDS_RESET);
}

void needs_reset(Transport* t) {
  t->status |= MICROKIT_VMM_VIRTIO_NEEDS_RESET;
  if (t->status & MICROKIT_VMM_VIRTIO_DRIVER_OK) t->interrupt_status |= kIntConfig;
}

bool next_avail(Transport* t, const microkit_vmm_virtq& q, uint16_t* head) {
  if (!q.ready || !running(t)) return false;
  uint16_t idx = __atomic_load_n(reinterpret_cast<uint16_t*>(guest(t, q.driver + 2, 2)), __ATOMIC_ACQUIRE);
  if (q.last_avail == idx) return false;
  *head = uint16_t(load_le(guest(t, q.driver + 4 + 2ull * (q.last_avail % q.num), 2), 2));
  return true;
}

Desc read_desc(Transport* t, const microkit_vmm_virtq& q, uint16_t index) {
  const uint8_t* p = guest(t, q.desc + 16ull * index, 16);
  return Desc{load_le(p, 8), uint32_t(load_le(p + 8, 4)), uint16_t(load_le(p + 12, 2)),
              uint16_t(load_le(p + 14, 2))};
}

void push_used(Transport* t, microkit_vmm_virtq& q, uint16_t head, uint32_t written) {
  uint8_t* elem = guest(t, q.device + 4 + 8ull * (q.used_idx % q.num), 8);
  store_le(elem, head, 4);
  store_le(elem + 4, written, 4);
  ++q.used_idx;
  __atomic_store_n(reinterpret_cast<uint16_t*>(guest(t, q.device + 2, 2)), q.used_idx, __ATOMIC_RELEASE);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);  // publish used->idx before reading the driver's flags
  if (!(load_le(guest(t, q.driver, 2), 2) & kAvailNoInterrupt)) t->interrupt_status |= kIntUsed;
}

}  // namespace vmm::virtio
