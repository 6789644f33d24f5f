// uart_pd: see uart_pd.h.
#include "gdb/uart_pd.h"

#include "runtime/shared/gdb_abi.h"

namespace microkit::gdb {
namespace {

constexpr uint64_t kUartSize = 0x1000;

bool overlaps_uart(const sdf::MemoryRegion& mr, uint64_t uart) {
  return mr.phys_addr && *mr.phys_addr < uart + kUartSize && uart < *mr.phys_addr + mr.size.value_or(0x1000);
}

}  // namespace

bool check_room_for(const sdf::SystemDescription& sd, const UartPd& added, Diagnostics& diags) {
  size_t before = diags.error_count();
  auto refuse = [&](const std::string& id, Loc loc, const std::string& what, const std::string& hint) {
    diags.error(added.id_prefix + "-" + id, sd.file, loc, added.origin + ": " + what, hint);
  };
  std::string top = std::to_string(added.priority);
  if (sd.pds.size() > MICROKIT_GDB_MAX_TARGETS)
    refuse("too-many-pds", added.origin_loc, "the " + added.role + " can follow " +
               std::to_string(MICROKIT_GDB_MAX_TARGETS) + " protection domains and this system has " +
               std::to_string(sd.pds.size()), "use a smaller system");
  for (const auto& pd : sd.pds) {
    if (pd.name == added.name)
      refuse("name-taken", pd.at("name"), "the " + added.role + " PD is called '" + added.name +
                 "', and so is this one", "rename this protection domain");
    if (pd.priority >= added.priority)
      refuse("priority", pd.at("priority"), "protection domain '" + pd.name + "' has priority " +
                 std::to_string(pd.priority) + "; the " + added.role + " needs " + top +
                 " to itself, above every PD", "give it a priority below " + top);
  }
  for (const auto& mr : sd.mrs)
    if (overlaps_uart(mr, added.uart_paddr))
      refuse("uart-taken", mr.at("phys_addr"), "memory region '" + mr.name + "' covers the UART the " +
                 added.role + " owns", "leave the UART to the " + added.role);
  return diags.error_count() == before;
}

sdf::ProtectionDomain& add_uart_pd(sdf::SystemDescription& sd, const UartPd& added) {
  sdf::MemoryRegion mr;
  mr.name = added.uart_mr;
  mr.size = kUartSize;
  mr.phys_addr = added.uart_paddr;
  sd.mrs.push_back(mr);
  sdf::ProtectionDomain pd;
  pd.name = added.name;
  pd.priority = added.priority;
  pd.program_image = sdf::ProgramImage{};
  pd.program_image->path = added.program;
  sdf::Map map;
  map.mr = added.uart_mr;
  map.vaddr = MICROKIT_GDB_UART_VADDR;
  map.perms = {true, true, false};
  map.cached = false;
  pd.maps.push_back(map);
  sd.pds.push_back(std::move(pd));
  return sd.pds.back();
}

}  // namespace microkit::gdb
