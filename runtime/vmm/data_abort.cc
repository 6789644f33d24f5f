// data_abort.cc: the instruction syndrome of a data abort taken to EL2
// (ARM DDI0487, ESR_ELx.ISS for EC 0x24): ISV (bit 24), SAS (23:22, log2 of
// the access size), SSE (21, sign-extend), SRT (20:16, the register), SF
// (15, 64-bit register), WnR (6, write).
#include "microkit_vmm_parts.h"

extern "C" int microkit_vmm_data_abort_decode(uint64_t esr, microkit_vmm_access* access) {
  if (microkit_vmm_esr_class(esr) != MICROKIT_VMM_EC_DATA_ABORT_LOWER) return 0;
  if (((esr >> 24) & 1) == 0) return 0;  // no valid syndrome: cannot emulate
  access->size = 1u << ((esr >> 22) & 3);
  access->sign_extend = int((esr >> 21) & 1);
  access->reg = unsigned((esr >> 16) & 0x1f);
  access->reg_is_64bit = int((esr >> 15) & 1);
  access->is_write = int((esr >> 6) & 1);
  return 1;
}

namespace {
uint64_t size_mask(unsigned bytes) { return bytes >= 8 ? ~uint64_t(0) : (uint64_t(1) << (bytes * 8)) - 1; }
}  // namespace

extern "C" uint64_t microkit_vmm_load_result(const microkit_vmm_access* access, uint64_t raw) {
  uint64_t value = raw & size_mask(access->size);
  if (access->sign_extend && access->size < 8) {
    uint64_t sign = uint64_t(1) << (access->size * 8 - 1);
    value = (value ^ sign) - sign;
  }
  // A w register is written zero-extended to 64 bits.
  return access->reg_is_64bit ? value : value & 0xffffffffu;
}

extern "C" uint64_t microkit_vmm_store_value(const microkit_vmm_access* access, uint64_t reg_value) {
  return reg_value & size_mask(access->size);
}
