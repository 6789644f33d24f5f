// virtio.h: the virtio-MMIO transport (version 2) and split virtqueues
// shared by the device models (virtio_console.cc, virtio_blk.cc). Internal
// to the library. Guest RAM is shared with other vCPUs: available indices
// are read with acquire order and used indices published with release order.
#pragma once
#include "bytes.h"
#include "microkit_vmm_parts.h"

namespace vmm::virtio {

using Transport = microkit_vmm_virtio_transport;

constexpr uint16_t kDescNext = 1, kDescWrite = 2, kDescIndirect = 4;

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags, next;
};

// What a register write asks of the device model.
enum class Event { kNone, kNotify, kStatus, kReset };

void init(Transport* t, uint32_t device_id, uint64_t offered, uint32_t num_queues, void* ram, uint64_t ram_gpa,
          uint64_t ram_size);
uint32_t read_register(const Transport* t, uint32_t offset, unsigned size);
// Applies the write; a reset (Status 0) clears the transport but keeps its identity and config.
Event write_register(Transport* t, uint32_t offset, uint32_t value);

// Guest RAM at `gpa` for `len` bytes, nullptr if any of it is outside.
uint8_t* guest(Transport* t, uint64_t gpa, uint64_t len);
bool running(const Transport* t);
// The driver got something wrong: stop using the queues until it resets us.
void needs_reset(Transport* t);
// The next available chain's head, false when the driver has made none available.
bool next_avail(Transport* t, const microkit_vmm_virtq& q, uint16_t* head);
Desc read_desc(Transport* t, const microkit_vmm_virtq& q, uint16_t index);
// Returns the chain to the driver and raises the interrupt unless the driver suppressed it.
void push_used(Transport* t, microkit_vmm_virtq& q, uint16_t head, uint32_t written);

enum class Chain { kDone, kBlocked, kBad };

// Visits the chain at `head`, calling visit(desc, bytes) for each buffer; kBad if it leaves RAM or loops.
template <typename Visit>
Chain walk_chain(Transport* t, const microkit_vmm_virtq& q, uint16_t head, Visit visit) {
  uint16_t index = head;
  for (uint32_t hops = 0; hops < q.num; ++hops) {
    if (index >= q.num) return Chain::kBad;
    Desc d = read_desc(t, q, index);
    uint8_t* bytes = guest(t, d.addr, d.len);
    if (bytes == nullptr || (d.flags & kDescIndirect)) return Chain::kBad;  // INDIRECT_DESC is not offered
    Chain step = visit(d, bytes);
    if (step != Chain::kDone) return step;
    if (!(d.flags & kDescNext)) return Chain::kDone;
    index = d.next;
  }
  return Chain::kBad;
}

}  // namespace vmm::virtio
