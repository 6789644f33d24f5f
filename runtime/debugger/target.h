// target.h: what the GDB stub (stub.h) needs from the system it debugs.
//
// The stub is the protocol; these functions are the system. The seL4
// debugger PD (debugger.cc) implements them with TCB invocations and its
// memory windows (runtime/shared/gdb_abi.h); the host unit test implements
// them with a fake, so the protocol is tested without a kernel.
//
// Targets are numbered 0..target_count()-1; GDB calls target k process k+1.
// Registers are GDB's AArch64 core set: x0..x30, sp, pc, cpsr (kRegCount).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace microkit::gdb {

inline constexpr unsigned kRegCount = 34;  // x0..x30, sp, pc, cpsr
inline constexpr unsigned kRegSp = 31, kRegPc = 32, kRegCpsr = 33;

enum class WatchKind : uint8_t { Write, Read, Access };

uint32_t target_count();
const char* target_name(uint32_t k);

bool read_registers(uint32_t k, uint64_t regs[kRegCount]);
bool write_registers(uint32_t k, const uint64_t regs[kRegCount]);

// Fail (false) when any byte lies outside what the target maps.
bool read_memory(uint32_t k, uint64_t addr, uint8_t* out, size_t len);
// Also makes the bytes visible to the target's instruction fetches.
bool write_memory(uint32_t k, uint64_t addr, const uint8_t* in, size_t len);

// Hardware breakpoint `slot` (0..hw_breakpoint_slots()-1) of target k.
unsigned hw_breakpoint_slots();
bool set_hw_breakpoint(uint32_t k, unsigned slot, uint64_t addr);
bool clear_hw_breakpoint(uint32_t k, unsigned slot);

// Watchpoint `slot` (0..watchpoint_slots()-1) of target k.
unsigned watchpoint_slots();
bool set_watchpoint(uint32_t k, unsigned slot, uint64_t addr, unsigned size, WatchKind kind);
bool clear_watchpoint(uint32_t k, unsigned slot);

// `monitor` command output (plain text, newline-separated), written with `out`.
using TextSink = void (*)(const char* text, size_t len, void* ctx);
bool monitor_command(const char* command, TextSink out, void* ctx);

}  // namespace microkit::gdb
