// uart_pd: a PD the tool adds to an SDF that owns the board's UART and the
// top priority: the GDB debugger of --gdb-stub (gdb_stub.h) and the seL4
// profiler of <profiler> (profile/sel4_profiler.h). Both map the UART page at
// MICROKIT_GDB_UART_VADDR and read every other PD through the windows of
// runtime/shared/gdb_abi.h, so both refuse the same things: another PD with
// their name or priority, an MR over their UART, more PDs than their table.
#pragma once

#include <cstdint>
#include <string>

#include "sdf/system_description.h"
#include "support/diagnostics.h"

namespace microkit::gdb {

struct UartPd {
  std::string name;      // the PD's name, which no other PD may have
  uint64_t priority;     // the top priority, which no other PD may have
  std::string program;   // the ELF's path
  std::string uart_mr;   // the name of the MR over the UART page
  uint64_t uart_paddr;   // the UART's physical address
  // How a refusal reads: "<origin>: the <role> ...", with ids "<id_prefix>-name-taken" etc.
  std::string origin;
  std::string role;
  std::string id_prefix;
  Loc origin_loc;        // where a refusal of the whole system points
};

// False after reporting every conflict with `pd` in `sd`.
bool check_room_for(const sdf::SystemDescription& sd, const UartPd& pd, Diagnostics& diags);

// Appends the UART MR and the PD (the UART mapped, uncached); the caller adds
// what is its own (IRQs, scheduling) to the PD returned and records its index.
sdf::ProtectionDomain& add_uart_pd(sdf::SystemDescription& sd, const UartPd& pd);

}  // namespace microkit::gdb
