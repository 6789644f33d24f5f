// psci.cc: which PSCI 1.0 calls a guest may make and what each asks of the
// VMM (ARM DEN0022). Only the SMC64/HVC64 calling convention's function IDs
// that Linux uses are known; anything else is NOT_SUPPORTED.
#include "microkit_vmm_parts.h"

namespace {

constexpr int64_t kVersion1_0 = 0x10000;  // major 1, minor 0
constexpr int64_t kSmcccVersion1_1 = 0x10001;
constexpr int64_t kMigrateNotRequired = 2;  // MIGRATE_INFO_TYPE: no trusted OS to migrate
constexpr int64_t kAffinityOn = 0, kAffinityOff = 1;

microkit_vmm_psci_result resume(int64_t x0) {
  microkit_vmm_psci_result r{};
  r.action = MICROKIT_VMM_PSCI_RESUME;
  r.x0 = x0;
  return r;
}

microkit_vmm_psci_result action(microkit_vmm_psci_action a) {
  microkit_vmm_psci_result r = resume(MICROKIT_VMM_PSCI_SUCCESS);
  r.action = a;
  return r;
}

bool known_function(uint64_t id) {
  switch (id) {
    case MICROKIT_VMM_PSCI_VERSION: case MICROKIT_VMM_PSCI_CPU_OFF: case MICROKIT_VMM_PSCI_CPU_ON:
    case MICROKIT_VMM_PSCI_AFFINITY_INFO: case MICROKIT_VMM_PSCI_MIGRATE_INFO_TYPE:
    case MICROKIT_VMM_PSCI_SYSTEM_OFF: case MICROKIT_VMM_PSCI_SYSTEM_RESET:
    case MICROKIT_VMM_PSCI_FEATURES: case MICROKIT_VMM_SMCCC_VERSION:
      return true;
    default:
      return false;
  }
}

microkit_vmm_psci_result cpu_on(uint64_t mpidr, uint64_t entry, uint64_t context, uint32_t cpus_on,
                                unsigned num_cpus) {
  uint64_t target = mpidr & 0xff;  // Aff0; the VMM gives vCPU i MPIDR.Aff0 = i
  if ((mpidr & 0xff00ffff00ull) != 0 || target >= num_cpus) return resume(MICROKIT_VMM_PSCI_INVALID_PARAMETERS);
  if ((cpus_on >> target) & 1) return resume(MICROKIT_VMM_PSCI_ALREADY_ON);
  microkit_vmm_psci_result r = action(MICROKIT_VMM_PSCI_START_CPU);
  r.target = unsigned(target);
  r.entry = entry;
  r.context = context;
  return r;
}

microkit_vmm_psci_result affinity_info(uint64_t mpidr, uint64_t level, uint32_t cpus_on, unsigned num_cpus) {
  uint64_t target = mpidr & 0xff;
  if (level != 0 || target >= num_cpus) return resume(MICROKIT_VMM_PSCI_INVALID_PARAMETERS);
  return resume(((cpus_on >> target) & 1) ? kAffinityOn : kAffinityOff);
}

}  // namespace

extern "C" microkit_vmm_psci_result microkit_vmm_psci_decide(uint64_t x0, uint64_t x1, uint64_t x2, uint64_t x3,
                                                             uint32_t cpus_on, unsigned num_cpus) {
  switch (x0 & 0xffffffffu) {
    case MICROKIT_VMM_PSCI_VERSION: return resume(kVersion1_0);
    case MICROKIT_VMM_SMCCC_VERSION: return resume(kSmcccVersion1_1);
    case MICROKIT_VMM_PSCI_FEATURES: return resume(known_function(x1) ? MICROKIT_VMM_PSCI_SUCCESS : MICROKIT_VMM_PSCI_NOT_SUPPORTED);
    case MICROKIT_VMM_PSCI_MIGRATE_INFO_TYPE: return resume(kMigrateNotRequired);
    case MICROKIT_VMM_PSCI_CPU_ON: return cpu_on(x1, x2, x3, cpus_on, num_cpus);
    case MICROKIT_VMM_PSCI_AFFINITY_INFO: return affinity_info(x1, x2, cpus_on, num_cpus);
    case MICROKIT_VMM_PSCI_CPU_OFF: return action(MICROKIT_VMM_PSCI_STOP_CPU);
    case MICROKIT_VMM_PSCI_SYSTEM_OFF: return action(MICROKIT_VMM_PSCI_POWER_OFF);
    case MICROKIT_VMM_PSCI_SYSTEM_RESET: return action(MICROKIT_VMM_PSCI_RESET);
    default: return resume(MICROKIT_VMM_PSCI_NOT_SUPPORTED);
  }
}
