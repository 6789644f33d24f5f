// crash_dump.h: the fault report the seL4 initial task prints for a PD's
// fault, as text on the console, and what the tool reads back from a serial
// log (`microkit symbolize`, `microkit coredump`; docs/debugging.md).
//
// A report is a run of lines, each starting with kLinePrefix:
//
//   mk-fault pd <name> arch <aarch64|riscv64|x86_64>
//   mk-fault what <kind> access <access> address <a> pc <pc>   (fault_decode.h's words)
//   mk-fault regs <name>=<value> ...     seL4_UserContext, every field, a few a line
//   mk-fault frame <n> <pc>              backtrace: #0 the faulting pc, then the
//                                        return addresses of the frame records
//   mk-fault page <vaddr>                crash dumps only: a 4 KiB page of the PD,
//   mk-fault mem <vaddr> <hex bytes>     then its bytes, kDumpLineBytes a line
//                                        (all-zero lines left out: they read as 0)
//   mk-fault end
//
// Numbers are "0x" and 16 hexadecimal digits except <n> (decimal); <kind>
// and <access> are single words ("vm", "write"); memory bytes are pairs of
// hexadecimal digits. The initial task prints
// the `pd`, `regs`, `frame` and `end` lines for every fault that reaches it
// (debug configurations), and `mem` lines only for PDs with crash_dump.
// Register names are libsel4 16.0.0's seL4_UserContext fields, pinned by
// static_assert in the initial task.
//
// Freestanding: <stdint.h> only.
#pragma once

#include <stdint.h>

namespace microkit::crash_dump {

inline constexpr const char* kLinePrefix = "mk-fault ";
inline constexpr uint32_t kDumpLineBytes = 32;
inline constexpr uint32_t kMaxFrames = 64;

inline constexpr const char* kAarch64Regs[] = {
    "pc",  "sp",  "spsr", "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",        "x7",
    "x8",  "x16", "x17",  "x18", "x29", "x30", "x9",  "x10", "x11", "x12",       "x13",
    "x14", "x15", "x19",  "x20", "x21", "x22", "x23", "x24", "x25", "x26",       "x27",
    "x28", "tpidr_el0", "tpidrro_el0"};
inline constexpr const char* kRiscv64Regs[] = {
    "pc", "ra", "sp", "gp", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11",
    "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "tp"};
inline constexpr const char* kX86_64Regs[] = {
    "rip", "rsp", "rflags", "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp",
    "r8",  "r9",  "r10",    "r11", "r12", "r13", "r14", "r15", "fs_base", "gs_base"};

inline constexpr uint32_t kAarch64RegCount = sizeof kAarch64Regs / sizeof kAarch64Regs[0];
inline constexpr uint32_t kRiscv64RegCount = sizeof kRiscv64Regs / sizeof kRiscv64Regs[0];
inline constexpr uint32_t kX86_64RegCount = sizeof kX86_64Regs / sizeof kX86_64Regs[0];

// Frame records (code built with frame pointers): the frame pointer
// register points `record_offset` bytes above a {caller's frame pointer,
// return address} pair. AArch64 (x29) and x86-64 (rbp): at the pointer;
// RISC-V (s0 = the frame's top): 16 bytes below it.
struct FrameRecord {
  int64_t record_offset;
  uint32_t fp_index;  // the frame pointer's index in the register list
  uint32_t pc_index;
  uint32_t sp_index;
};
inline constexpr FrameRecord kAarch64Frame = {0, 15, 0, 1};
inline constexpr FrameRecord kRiscv64Frame = {-16, 4, 0, 2};
inline constexpr FrameRecord kX86_64Frame = {0, 9, 0, 1};

}  // namespace microkit::crash_dump
