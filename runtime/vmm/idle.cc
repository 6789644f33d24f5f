// idle.cc: when a vCPU in wfi may be left waiting (microkit_vmm_parts.h).
// seL4 traps every guest wfi to the VMM and keeps no timer for a vCPU that
// is not running, so a waiting vCPU's own virtual timer cannot wake it: the
// VMM must, from the exits of a vCPU that still runs.
#include "microkit_vmm_parts.h"

namespace {
constexpr uint64_t kCtlEnable = 1u << 0;  // CNTV_CTL.ENABLE
constexpr uint64_t kCtlIMask = 1u << 1;   // CNTV_CTL.IMASK
}  // namespace

extern "C" uint64_t microkit_vmm_vtimer_deadline(uint64_t cntv_ctl, uint64_t cntv_cval, uint64_t cntvoff) {
  if ((cntv_ctl & kCtlEnable) == 0 || (cntv_ctl & kCtlIMask) != 0) return MICROKIT_VMM_NEVER;
  uint64_t physical = cntv_cval + cntvoff;  // the virtual count is the physical one minus CNTVOFF
  return physical < cntv_cval ? MICROKIT_VMM_NEVER : physical;  // past the counter's range: never
}

extern "C" int microkit_vmm_may_park(unsigned vcpu, uint32_t cpus_on, uint32_t parked, uint64_t deadline,
                                     uint64_t now) {
  uint32_t others_running = cpus_on & ~parked & ~(1u << vcpu);
  return others_running != 0 && deadline > now;
}

extern "C" uint32_t microkit_vmm_due(const uint64_t* wake_at, uint32_t parked, unsigned count, uint64_t now) {
  uint32_t due = 0;
  for (unsigned v = 0; v < count; ++v) {
    if (((parked >> v) & 1) != 0 && wake_at[v] <= now) due |= 1u << v;
  }
  return due;
}
