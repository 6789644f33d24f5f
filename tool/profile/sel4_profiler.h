// sel4_profiler: an SDF <profiler> on seL4 (docs/profiling.md, "On seL4").
//
// Before validation the SDF gets one more PD, the profiler (the SDK's
// elf/profiler.elf, runtime/profiler), at the top priority, with the board's
// UART mapped and a scheduling context whose period is 1/frequency. The plan
// then treats it like the GDB debugger without its fault role
// (plan::Debugger::handles_faults false): the TCB of every other PD and
// read-only windows on their memory (runtime/shared/gdb_abi.h), and the
// table of names and ranges patched into its image, with the rate
// (microkit_profiler_hz).
//
// What cannot run is refused here, at the <profiler> element: a board
// without a known UART, a configuration without the kernel's per-thread
// utilisation (benchmark), SMP, --gdb-stub at the same time, a PD at the
// profiler's priority.
#pragma once

#include <string>

#include "board/board.h"
#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::profile {

inline constexpr const char* kProfilerName = "microkit_profiler";
inline constexpr uint64_t kProfilerPriority = 254;  // above every PD it samples
inline constexpr const char* kProfilerHzSymbol = "microkit_profiler_hz";

// False after reporting why not; true (nothing added) without a <profiler>
// or with a frequency check_profiler refuses. `profiler_elf`: the program's path.
bool add_profiler(sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  const std::string& profiler_elf, Diagnostics& diags);

}  // namespace microkit::profile
