// fault.cc: microkit_fault_decode and its names (microkit.h), for every
// port: the seL4 ports decode with their own architecture's layout, the host
// port with x86-64's (the layout the host launcher writes, host_abi.h).
// The decoding itself is runtime/shared/fault_decode.h, tested on the host.
#include "microkit.h"
#include "fault_decode.h"

namespace fd = microkit::fault_decode;

#if defined(MICROKIT_HOST)
static constexpr fd::Arch kPortArch = fd::Arch::X86_64;
#else
static constexpr fd::Arch kPortArch = fd::kThisArch;
// The shared layout is libsel4's (a kernel with another layout does not build).
static_assert(fd::layout(kPortArch).vm_ip == seL4_VMFault_IP && fd::layout(kPortArch).vm_addr == seL4_VMFault_Addr &&
              fd::layout(kPortArch).vm_prefetch == seL4_VMFault_PrefetchFault &&
              fd::layout(kPortArch).vm_fsr == seL4_VMFault_FSR);
static_assert(fd::layout(kPortArch).cap_ip == seL4_CapFault_IP && fd::layout(kPortArch).cap_addr == seL4_CapFault_Addr);
static_assert(fd::layout(kPortArch).ue_ip == seL4_UserException_FaultIP &&
              fd::layout(kPortArch).ue_number == seL4_UserException_Number &&
              fd::layout(kPortArch).ue_code == seL4_UserException_Code);
static_assert(fd::layout(kPortArch).us_ip == seL4_UnknownSyscall_FaultIP &&
              fd::layout(kPortArch).us_syscall == seL4_UnknownSyscall_Syscall);
static_assert(fd::kLabelVm == seL4_Fault_VMFault && fd::kLabelCap == seL4_Fault_CapFault &&
              fd::kLabelUserException == seL4_Fault_UserException &&
              fd::kLabelUnknownSyscall == seL4_Fault_UnknownSyscall && fd::kLabelTimeout == seL4_Fault_Timeout);
#endif

static_assert(int(fd::Kind::Vm) == MICROKIT_FAULT_VM && int(fd::Kind::Vcpu) == MICROKIT_FAULT_VCPU &&
              int(fd::Kind::DebugException) == MICROKIT_FAULT_DEBUG_EXCEPTION);
static_assert(int(fd::Access::Execute) == MICROKIT_FAULT_ACCESS_EXECUTE &&
              int(fd::Access::Unknown) == MICROKIT_FAULT_ACCESS_UNKNOWN);

extern "C" seL4_Bool microkit_fault_decode(microkit_msginfo msginfo, microkit_fault* fault) {
  // Enough registers for every fault's fields (x86-64's syscall number is MR 18).
  constexpr uint32_t kRead = 20;
  uint64_t mr[kRead];
  uint32_t count = uint32_t(microkit_msginfo_get_count(msginfo));
  if (count > kRead) count = kRead;
  for (uint32_t i = 0; i < count; ++i) mr[i] = microkit_mr_get(seL4_Uint8(i));
  fd::Fault f = fd::decode(kPortArch, microkit_msginfo_get_label(msginfo), mr, count);
  fault->kind = microkit_fault_kind(f.kind);
  fault->access = microkit_fault_access(f.access);
  fault->label = f.label;
  fault->pc = f.pc;
  fault->address = f.address;
  fault->status = f.status;
  fault->number = f.number;
  return f.kind == fd::Kind::Unknown ? seL4_False : seL4_True;
}

extern "C" const char* microkit_fault_kind_name(microkit_fault_kind kind) {
  return fd::kind_name(fd::Kind(kind));
}

extern "C" const char* microkit_fault_access_name(microkit_fault_access access) {
  return fd::access_name(fd::Access(access));
}
