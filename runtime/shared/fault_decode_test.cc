// Host tests of fault_decode.h: messages laid out as each architecture's
// kernel sends them decode to the same words, and the access of a VM fault
// follows each architecture's status word.
#include "runtime/shared/fault_decode.h"

#include <gtest/gtest.h>

#include <string>

namespace fd = microkit::fault_decode;
using fd::Access;
using fd::Arch;
using fd::Kind;

namespace {

// AArch64 ESRs as the kernel reports them: a data abort (EC 0x24,
// translation fault level 3) reading and writing, an instruction abort (EC 0x20).
constexpr uint64_t kEsrDataRead = 0x92000007;
constexpr uint64_t kEsrDataWrite = 0x92000047;
constexpr uint64_t kEsrInstruction = 0x82000007;

TEST(FaultDecode, Aarch64VmFaults) {
  uint64_t read[4] = {0x200040, 0x10, 0, kEsrDataRead};
  fd::Fault f = fd::decode(Arch::Aarch64, fd::kLabelVm, read, 4);
  EXPECT_EQ(f.kind, Kind::Vm);
  EXPECT_EQ(f.pc, 0x200040u);
  EXPECT_EQ(f.address, 0x10u);
  EXPECT_EQ(f.status, kEsrDataRead);
  EXPECT_EQ(f.access, Access::Read);
  uint64_t write[4] = {0x200040, 0x10, 0, kEsrDataWrite};
  EXPECT_EQ(fd::decode(Arch::Aarch64, fd::kLabelVm, write, 4).access, Access::Write);
  uint64_t fetch[4] = {0x0, 0x0, 1, kEsrInstruction};
  EXPECT_EQ(fd::decode(Arch::Aarch64, fd::kLabelVm, fetch, 4).access, Access::Execute);
}

TEST(FaultDecode, Riscv64VmFaultsFollowScause) {
  struct Case { uint64_t scause; uint64_t prefetch; Access want; };
  for (Case c : {Case{13, 0, Access::Read}, Case{15, 0, Access::Write}, Case{12, 1, Access::Execute},
                 Case{5, 0, Access::Read}, Case{7, 0, Access::Write}, Case{1, 1, Access::Execute},
                 Case{9, 0, Access::Unknown}}) {
    uint64_t mr[4] = {0x1000, 0x2000, c.prefetch, c.scause};
    fd::Fault f = fd::decode(Arch::Riscv64, fd::kLabelVm, mr, 4);
    EXPECT_EQ(f.access, c.want) << "scause " << c.scause;
    EXPECT_EQ(f.address, 0x2000u);
  }
}

TEST(FaultDecode, X86VmFaultsFollowTheErrorCode) {
  // Error code bits: 0 present, 1 write, 2 user, 4 instruction fetch.
  uint64_t read[4] = {0x401000, 0xdead000, 0, 0x4};
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVm, read, 4).access, Access::Read);
  uint64_t write[4] = {0x401000, 0xdead000, 0, 0x6};
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVm, write, 4).access, Access::Write);
  uint64_t fetch[4] = {0xdead000, 0xdead000, 0, 0x14};
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVm, fetch, 4).access, Access::Execute);
  // Without no-execute paging the CPU leaves bit 4 clear: a fault at the pc
  // itself is still the fetch (seL4 16.0.0 on qemu64 reports it so).
  uint64_t fetch_no_nx[4] = {0x30, 0x30, 0, 0x4};
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVm, fetch_no_nx, 4).access, Access::Execute);
  uint64_t read_elsewhere[4] = {0x31, 0x30, 0, 0x4};
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVm, read_elsewhere, 4).access, Access::Read);
}

TEST(FaultDecode, UserExceptionNumberSitsWhereEachArchitecturePutsIt) {
  // AArch64 / x86-64: FaultIP, SP, flags, Number, Code; RISC-V: no flags.
  uint64_t with_flags[5] = {0x1234, 0x8000, 0x3c5, 7, 9};
  for (Arch a : {Arch::Aarch64, Arch::X86_64}) {
    fd::Fault f = fd::decode(a, fd::kLabelUserException, with_flags, 5);
    EXPECT_EQ(f.kind, Kind::UserException);
    EXPECT_EQ(f.pc, 0x1234u);
    EXPECT_EQ(f.number, 7u);
    EXPECT_EQ(f.status, 9u);
    EXPECT_EQ(f.access, Access::None);
  }
  uint64_t riscv[4] = {0x1234, 0x8000, 2, 0};
  fd::Fault f = fd::decode(Arch::Riscv64, fd::kLabelUserException, riscv, 4);
  EXPECT_EQ(f.number, 2u);
  EXPECT_EQ(f.status, 0u);
}

TEST(FaultDecode, UnknownSyscallNumberAndPc) {
  uint64_t mr[20] = {};
  for (int i = 0; i < 20; ++i) mr[i] = 100 + i;
  fd::Fault a = fd::decode(Arch::Aarch64, fd::kLabelUnknownSyscall, mr, 14);
  EXPECT_EQ(a.pc, 108u);       // after x0..x7
  EXPECT_EQ(a.status, 112u);
  fd::Fault r = fd::decode(Arch::Riscv64, fd::kLabelUnknownSyscall, mr, 11);
  EXPECT_EQ(r.pc, 100u);
  EXPECT_EQ(r.status, 110u);
  fd::Fault x = fd::decode(Arch::X86_64, fd::kLabelUnknownSyscall, mr, 19);
  EXPECT_EQ(x.pc, 115u);       // after 15 integer registers
  EXPECT_EQ(x.status, 118u);
}

TEST(FaultDecode, CapFaultTimeoutAndUnknownLabels) {
  uint64_t cap[4] = {0x2000, 42, 0, 1};
  fd::Fault c = fd::decode(Arch::Riscv64, fd::kLabelCap, cap, 4);
  EXPECT_EQ(c.kind, Kind::Cap);
  EXPECT_EQ(c.address, 42u);
  EXPECT_EQ(c.pc, 0x2000u);
  EXPECT_EQ(fd::decode(Arch::Aarch64, fd::kLabelTimeout, cap, 2).kind, Kind::Timeout);
  EXPECT_EQ(fd::decode(Arch::Aarch64, fd::kLabelVcpuFault, cap, 4).kind, Kind::Vcpu);
  // Only AArch64 hypervisor kernels send vCPU labels; elsewhere they mean nothing.
  EXPECT_EQ(fd::decode(Arch::X86_64, fd::kLabelVcpuFault, cap, 4).kind, Kind::Unknown);
  EXPECT_EQ(fd::decode(Arch::Aarch64, 77, cap, 4).kind, Kind::Unknown);
  EXPECT_EQ(fd::decode(Arch::Aarch64, 77, cap, 4).label, 77u);
}

TEST(FaultDecode, ShortMessagesReadMissingRegistersAsZero) {
  uint64_t mr[1] = {0x5000};
  fd::Fault f = fd::decode(Arch::Aarch64, fd::kLabelVm, mr, 1);
  EXPECT_EQ(f.pc, 0x5000u);
  EXPECT_EQ(f.address, 0u);
  EXPECT_EQ(f.access, Access::Read);
}

TEST(FaultDecode, Names) {
  EXPECT_EQ(std::string(fd::kind_name(Kind::Vm)), "VM fault");
  EXPECT_EQ(std::string(fd::access_name(Access::Write)), "write");
  EXPECT_EQ(std::string(fd::kind_name(Kind(99))), "unknown fault");
}

}  // namespace
