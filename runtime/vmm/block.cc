// block.cc: the virtio block device's glue: the model's back end is the
// block PD, which takes requests from one shared ring, moves data through a
// shared MR of slots and answers on another ring; the device's interrupt
// is a GIC line.
#include "microkit_vmm.h"

namespace {

int submit(void* ctx, unsigned slot, uint32_t type, uint64_t sector, uint32_t bytes) {
  auto* block = static_cast<microkit_vmm_vblock*>(ctx);
  microkit_vmm_blk_message request{slot, type, sector, bytes, 0};
  if (!microkit_vmm_ring_write(block->requests, &request, sizeof request)) return 0;  // retried on the next poll
  ++block->submitted;
  return 1;
}

uint8_t* buffer(void* ctx, unsigned slot) {
  auto* block = static_cast<microkit_vmm_vblock*>(ctx);
  return block->data + size_t(slot) * block->dev.slot_size;
}

// After every access: one notification for the requests it sent, the line follows InterruptStatus.
void settle(microkit_vmm_vblock* block) {
  if (block->submitted != 0) microkit_notify(block->channel);
  block->submitted = 0;
  microkit_vmm_set_irq_level(block->vmm, block->irq, microkit_vmm_virtio_blk_irq(&block->dev));
}

uint64_t block_read(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned size) {
  return microkit_vmm_virtio_blk_read(&static_cast<microkit_vmm_vblock*>(ctx)->dev, uint32_t(offset), size);
}

void block_write(microkit_vmm*, void* ctx, unsigned, uint64_t offset, unsigned size, uint64_t value) {
  auto* block = static_cast<microkit_vmm_vblock*>(ctx);
  microkit_vmm_virtio_blk_write(&block->dev, uint32_t(offset), size, uint32_t(value));
  settle(block);
}

}  // namespace

extern "C" int microkit_vmm_vblock_init(microkit_vmm_vblock* block, microkit_vmm* vmm, uint64_t gpa, unsigned irq,
                                        uint64_t capacity_sectors, void* request_memory, size_t request_size,
                                        void* answer_memory, void* data, size_t data_size,
                                        microkit_channel channel) {
  *block = microkit_vmm_vblock{};
  block->vmm = vmm;
  block->requests = microkit_vmm_ring_init(request_memory, request_size);
  block->answers = static_cast<microkit_vmm_ring*>(answer_memory);
  block->data = static_cast<uint8_t*>(data);
  block->channel = channel;
  block->irq = irq;
  size_t slot_size = data_size / MICROKIT_VMM_BLK_SLOTS;
  if (block->requests == nullptr || slot_size < MICROKIT_VMM_BLK_SEGMENT) return -1;
  const microkit_vmm_config& c = vmm->config;
  microkit_vmm_virtio_blk_init(&block->dev, microkit_vmm_blk_io{block, submit, buffer}, capacity_sectors,
                               uint32_t(slot_size), reinterpret_cast<void*>(c.ram_vaddr), c.ram_gpa, c.ram_size);
  microkit_vmm_device device{gpa, MICROKIT_VMM_VIRTIO_MMIO_SIZE, block, block_read, block_write};
  return microkit_vmm_add_device(vmm, &device);
}

extern "C" void microkit_vmm_vblock_notified(microkit_vmm_vblock* block) {
  microkit_vmm_blk_message answer;
  while (microkit_vmm_ring_read(block->answers, &answer, sizeof answer)) {
    microkit_vmm_virtio_blk_complete(&block->dev, answer.slot, answer.status);
  }
  microkit_vmm_virtio_blk_poll(&block->dev);  // freed slots take waiting requests
  settle(block);
}
