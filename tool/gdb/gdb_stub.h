// gdb_stub: `microkit build --gdb-stub`, a system debuggable with GDB on seL4
// (docs/debugging.md, "GDB on a live system").
//
// Three pure steps around the normal build:
//   1. add_debugger: before validation, the SDF gets one more PD, the
//      debugger (the SDK's elf/gdb_debugger.elf, runtime/debugger), with the
//      board's UART mapped and its receive interrupt; everything the tool
//      cannot honour under a debugger (another architecture, SMP, a release
//      kernel, a PD as urgent as the debugger) is refused here, at the
//      element at fault.
//   2. (plan::build and plan_sel4 then give the debugger its capabilities,
//      windows on every target's memory and the faults of PDs without a
//      parent: runtime/shared/gdb_abi.h.)
//   3. debugger_table: the facts the debugger reads (names, scheduling,
//      mapped ranges, CSpace listings and the capability kinds `monitor
//      cspace` checks in the kernel), patched into its image; gdb_script:
//      the GDB commands that load every PD's ELF as its inferior.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/arch.h"
#include "board/board.h"
#include "plan/plan.h"
#include "plan/sel4_plan.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::gdb {

inline constexpr const char* kDebuggerName = "microkit_gdb";
inline constexpr uint64_t kDebuggerPriority = 254;  // above every PD it debugs
inline constexpr const char* kDefaultRemote = "localhost:4444";

// Step 1. `debugger_elf` is the program's path (checked to exist by input
// loading, like any program). False after reporting why not.
bool add_debugger(sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  const std::string& debugger_elf, Diagnostics& diags);

// The bytes of gdb_abi::Table for `plan` (which has a debugger) and its seL4
// plan; `arch` gives the kernel's capability tags `monitor cspace` checks.
std::vector<uint8_t> debugger_table(const plan::Plan& plan, const plan::Sel4Plan& sp, uint64_t user_top,
                                    const arch::Traits& arch);

// A gdb script: one inferior per target, in target order, each with its
// program (`programs`: the resolved path of each PD's program, parallel to
// plan.pds), then the connection ($MICROKIT_GDB_REMOTE, else kDefaultRemote).
std::string gdb_script(const plan::Plan& plan, const std::vector<std::string>& programs);

}  // namespace microkit::gdb
