// fault_decode.h: a seL4 fault message (label + message registers) in words:
// kind, pc, address, access (read / write / execute) and the raw status.
//
// One pure function for every architecture the project supports, used by
// libmicrokit (microkit_fault_decode, for a parent's fault()), by the
// initial task (fault reports of PDs without a parent) and by the host
// tests, which decode messages of all three architectures on the host.
// The message-register indices below are libsel4 16.0.0's (sel4_arch/
// constants.h); the target builds pin them with static_assert against the
// kernel package's libsel4 (libmicrokit's fault.cc), so a kernel whose layout
// differs does not build.
//
// Freestanding: <stdint.h> only, no std, no allocation.
#pragma once

#include <stdint.h>

namespace microkit::fault_decode {

enum class Arch : uint8_t { Aarch64, Riscv64, X86_64 };

// Same numbers as microkit.h's MICROKIT_FAULT_* (the C API casts).
enum class Kind : uint32_t {
  Unknown = 0,         // a label this decoder does not know
  Vm = 1,              // a memory access the VSpace does not allow
  Cap = 2,             // an invalid capability invoked
  UserException = 3,   // an instruction the CPU refused (undefined, breakpoint, alignment, ...)
  UnknownSyscall = 4,  // a system call number seL4 does not have
  Timeout = 5,         // MCS: the scheduling context's budget ran out
  DebugException = 6,  // hardware breakpoint, watchpoint or single step
  Vcpu = 7,            // a virtual machine's vCPU / VGIC event (for a VMM)
};

// Same numbers as microkit.h's MICROKIT_FAULT_ACCESS_*.
enum class Access : uint32_t { None = 0, Read = 1, Write = 2, Execute = 3, Unknown = 4 };

// seL4 fault labels (libsel4 seL4_FaultType; the same numbers on every
// architecture, AArch64 hypervisor kernels adding 7..9).
inline constexpr uint64_t kLabelNull = 0, kLabelCap = 1, kLabelUnknownSyscall = 2, kLabelUserException = 3,
                          kLabelDebugException = 4, kLabelTimeout = 5, kLabelVm = 6, kLabelVgicMaintenance = 7,
                          kLabelVcpuFault = 8, kLabelVppiEvent = 9;

// Message registers of each fault, per architecture.
struct Layout {
  uint8_t vm_ip, vm_addr, vm_prefetch, vm_fsr;
  uint8_t cap_ip, cap_addr;
  uint8_t ue_ip, ue_number, ue_code;
  uint8_t us_ip, us_syscall;
  uint8_t dbg_ip;
};

constexpr Layout layout(Arch a) {
  // UserException: AArch64 and x86-64 have a flags word (SPSR / FLAGS)
  // before Number; RISC-V has none. UnknownSyscall: the syscall number
  // follows the full register set (x0..x7 + 4 on AArch64; a0..a7 + 7 on
  // RISC-V; 7 on x86-64 after its 14 registers).
  switch (a) {
    case Arch::Aarch64: return {0, 1, 2, 3, 0, 1, 0, 3, 4, 8, 12, 0};
    case Arch::Riscv64: return {0, 1, 2, 3, 0, 1, 0, 2, 3, 0, 10, 0};
    case Arch::X86_64: return {0, 1, 2, 3, 0, 1, 0, 3, 4, 15, 18, 0};
  }
  return {};
}

struct Fault {
  Kind kind = Kind::Unknown;
  Access access = Access::None;
  uint64_t label = 0;
  uint64_t pc = 0;
  uint64_t address = 0;  // VM: the address accessed; cap fault: the CPtr
  uint64_t status = 0;   // VM: ESR / scause / x86 error code; user exception: code; syscall: number
  uint64_t number = 0;   // user exception: the exception number
};

// AArch64 ESR: exception class 0x24/0x25 data abort, bit 6 (WnR) write.
// RISC-V scause: 1/12 instruction, 5/13 load, 7/15 store/AMO.
// x86-64 page-fault error code: bit 4 instruction fetch (set by the CPU
// only with no-execute paging on), bit 1 write; decode() also calls a
// fault at the pc itself an instruction fetch (a fetch faults before any
// load the instruction could make).
constexpr Access vm_access(Arch a, bool prefetch, uint64_t fsr) {
  switch (a) {
    case Arch::Aarch64:
      if (prefetch) return Access::Execute;
      return (fsr >> 6) & 1 ? Access::Write : Access::Read;
    case Arch::Riscv64:
      if (fsr == 1 || fsr == 12) return Access::Execute;
      if (fsr == 5 || fsr == 13) return Access::Read;
      if (fsr == 7 || fsr == 15) return Access::Write;
      return prefetch ? Access::Execute : Access::Unknown;
    case Arch::X86_64:
      if (prefetch || ((fsr >> 4) & 1)) return Access::Execute;
      return (fsr >> 1) & 1 ? Access::Write : Access::Read;
  }
  return Access::Unknown;
}

// `mr` holds the message's first `count` registers; missing ones read 0.
constexpr Fault decode(Arch a, uint64_t label, const uint64_t* mr, uint32_t count) {
  auto at = [&](uint8_t i) -> uint64_t { return i < count ? mr[i] : 0; };
  Layout l = layout(a);
  Fault f;
  f.label = label;
  switch (label) {
    case kLabelVm:
      f.kind = Kind::Vm;
      f.pc = at(l.vm_ip);
      f.address = at(l.vm_addr);
      f.status = at(l.vm_fsr);
      f.access = vm_access(a, at(l.vm_prefetch) != 0, f.status);
      if (a == Arch::X86_64 && f.address == f.pc) f.access = Access::Execute;
      return f;
    case kLabelCap:
      f.kind = Kind::Cap;
      f.pc = at(l.cap_ip);
      f.address = at(l.cap_addr);
      return f;
    case kLabelUserException:
      f.kind = Kind::UserException;
      f.pc = at(l.ue_ip);
      f.number = at(l.ue_number);
      f.status = at(l.ue_code);
      return f;
    case kLabelUnknownSyscall:
      f.kind = Kind::UnknownSyscall;
      f.pc = at(l.us_ip);
      f.status = at(l.us_syscall);
      return f;
    case kLabelTimeout: f.kind = Kind::Timeout; return f;
    case kLabelDebugException:
      f.kind = Kind::DebugException;
      f.pc = at(l.dbg_ip);
      f.address = at(l.dbg_ip + 2);  // the watchpoint's trigger address
      f.status = at(l.dbg_ip + 1);   // the exception reason
      return f;
    case kLabelVgicMaintenance:
    case kLabelVcpuFault:
    case kLabelVppiEvent:
      if (a == Arch::Aarch64) f.kind = Kind::Vcpu;
      return f;
    default: return f;
  }
}

constexpr const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Vm: return "VM fault";
    case Kind::Cap: return "cap fault";
    case Kind::UserException: return "user exception";
    case Kind::UnknownSyscall: return "unknown syscall";
    case Kind::Timeout: return "timeout";
    case Kind::DebugException: return "debug exception";
    case Kind::Vcpu: return "vCPU event";
    case Kind::Unknown: break;
  }
  return "unknown fault";
}

constexpr const char* access_name(Access a) {
  switch (a) {
    case Access::Read: return "read";
    case Access::Write: return "write";
    case Access::Execute: return "execute";
    case Access::Unknown: return "unknown access";
    case Access::None: break;
  }
  return "none";
}

// The architecture this file is compiled for (target code).
#if defined(__aarch64__)
inline constexpr Arch kThisArch = Arch::Aarch64;
#elif defined(__riscv)
inline constexpr Arch kThisArch = Arch::Riscv64;
#elif defined(__x86_64__)
inline constexpr Arch kThisArch = Arch::X86_64;
#endif

}  // namespace microkit::fault_decode
