// ring.cc: a byte ring between two PDs over a shared MR. Head and tail are
// free-running counters; the producer writes data then publishes head with
// release order, the consumer reads head with acquire order (and the other
// way round for tail), so no lock is needed across cores.
#include "microkit_vmm_parts.h"

namespace {
constexpr size_t kHeader = sizeof(microkit_vmm_ring);

uint32_t load_acquire(const volatile uint32_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void store_release(volatile uint32_t* p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
}  // namespace

extern "C" microkit_vmm_ring* microkit_vmm_ring_init(void* memory, size_t bytes) {
  if (memory == nullptr || bytes < kHeader + 16) return nullptr;
  auto* ring = static_cast<microkit_vmm_ring*>(memory);
  uint32_t size = 1;
  while (size * 2 <= bytes - kHeader && size * 2 != 0) size *= 2;
  ring->head = 0;
  ring->tail = 0;
  ring->reserved = 0;
  store_release(&ring->size, size);
  return ring;
}

extern "C" uint32_t microkit_vmm_ring_count(const microkit_vmm_ring* ring) {
  return load_acquire(&ring->head) - load_acquire(&ring->tail);
}

extern "C" int microkit_vmm_ring_push(microkit_vmm_ring* ring, uint8_t byte) {
  uint32_t head = ring->head;
  if (head - load_acquire(&ring->tail) >= ring->size) return 0;
  ring->data[head & (ring->size - 1)] = byte;
  store_release(&ring->head, head + 1);
  return 1;
}

extern "C" int microkit_vmm_ring_pop(microkit_vmm_ring* ring, uint8_t* byte) {
  uint32_t tail = ring->tail;
  if (load_acquire(&ring->head) == tail) return 0;
  *byte = ring->data[tail & (ring->size - 1)];
  store_release(&ring->tail, tail + 1);
  return 1;
}

extern "C" int microkit_vmm_ring_write(microkit_vmm_ring* ring, const void* data, uint32_t bytes) {
  uint32_t head = ring->head;
  if (ring->size - (head - load_acquire(&ring->tail)) < bytes) return 0;
  const auto* from = static_cast<const uint8_t*>(data);
  for (uint32_t i = 0; i < bytes; ++i) ring->data[(head + i) & (ring->size - 1)] = from[i];
  store_release(&ring->head, head + bytes);
  return 1;
}

extern "C" int microkit_vmm_ring_read(microkit_vmm_ring* ring, void* data, uint32_t bytes) {
  uint32_t tail = ring->tail;
  if (load_acquire(&ring->head) - tail < bytes) return 0;
  auto* to = static_cast<uint8_t*>(data);
  for (uint32_t i = 0; i < bytes; ++i) to[i] = ring->data[(tail + i) & (ring->size - 1)];
  store_release(&ring->tail, tail + bytes);
  return 1;
}
