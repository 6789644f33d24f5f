// untypeds.cc: see untypeds.h.
#include "runtime/initialiser/untypeds.h"

#include "runtime/initialiser/boot_memory.h"

namespace microkit::initialiser {
namespace {

const seL4_BootInfo* boot_info;
bool spec_binds;
// Watermark of each kernel untyped (boot_memory.h) and the root slot bound
// to each planned untyped (0 = not yet).
uint64_t kernel_used[CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS];
uint64_t bound_slot[spec::kMaxUntypeds];

uint64_t kernel_count() { return boot_info->untyped.end - boot_info->untyped.start; }

spec::ExpectedUntyped kernel_untyped(uint64_t i) {
  spec::ExpectedUntyped u{};
  u.paddr = boot_info->untypedList[i].paddr;
  u.size_bits = boot_info->untypedList[i].sizeBits;
  u.is_device = boot_info->untypedList[i].isDevice;
  return u;
}

seL4_Error retype_untyped(uint64_t from_kernel_untyped, uint32_t size_bits, uint64_t dest_slot) {
  return seL4_Untyped_Retype(boot_info->untyped.start + from_kernel_untyped, seL4_UntypedObject, size_bits,
                             seL4_CapInitThreadCNode, 0, 0, dest_slot, 1);
}

const char* bind_ram(const spec::BindUntypedStep& s, seL4_Error* error) {
  int64_t i = carve_ram(kernel_count(), kernel_used, static_cast<uint32_t>(s.size_bits), kernel_untyped);
  if (i < 0) return "no RAM untyped of the kernel has room for it (too little memory)";
  *error = retype_untyped(static_cast<uint64_t>(i), static_cast<uint32_t>(s.size_bits), s.carve_slot);
  return nullptr;
}

// Padding first (into the slots after carve_slot), then the untyped itself.
const char* bind_device(const spec::BindUntypedStep& s, uint64_t paddr, seL4_Error* error) {
  DeviceCarve c = carve_device(kernel_count(), kernel_used, paddr, static_cast<uint32_t>(s.size_bits), kernel_untyped);
  if (c.index < 0) return "no device untyped of the kernel holds its address range, or it is in use";
  if (c.pad_count > s.carve_count - 1) return "more padding than the step has slots for";
  auto from = static_cast<uint64_t>(c.index);
  for (uint64_t k = 0; k < c.pad_count; ++k) {
    *error = retype_untyped(from, c.pad_bits[k], s.carve_slot + 1 + k);
    if (*error != seL4_NoError) return nullptr;
  }
  *error = retype_untyped(from, static_cast<uint32_t>(s.size_bits), s.carve_slot);
  return nullptr;
}

}  // namespace

void untypeds_start(const seL4_BootInfo* bi, bool bound) {
  boot_info = bi;
  spec_binds = bound;
}

uint64_t untyped_slot(uint64_t index) {
  return spec_binds ? bound_slot[index] : boot_info->untyped.start + index;
}

const char* bind_untyped(const spec::BindUntypedStep& s, const spec::ExpectedUntyped& planned, seL4_Error* error) {
  *error = seL4_NoError;
  if (bound_slot[s.untyped_index] != 0) return "this planned untyped is already bound";
  if (s.size_bits > planned.size_bits) return "bound larger than the planned untyped";
  const char* why = planned.bind == spec::kBindDevice ? bind_device(s, planned.paddr, error) : bind_ram(s, error);
  if (why == nullptr && *error == seL4_NoError) bound_slot[s.untyped_index] = s.carve_slot;
  return why;
}

}  // namespace microkit::initialiser
