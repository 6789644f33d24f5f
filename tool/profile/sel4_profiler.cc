// sel4_profiler: see sel4_profiler.h.
#include "profile/sel4_profiler.h"

#include "profile/profiler_checks.h"
#include "runtime/shared/gdb_abi.h"

namespace microkit::profile {
namespace {

constexpr uint64_t kUartSize = 0x1000;
constexpr const char* kUartMr = "microkit_profiler_uart";

bool check_target(const sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  Diagnostics& diags) {
  const sdf::Profiler& p = *sd.profiler;
  auto refuse = [&](const std::string& id, const std::string& what, const std::string& hint) {
    diags.error(id, sd.file, p.loc, "<profiler>: " + what, hint);
    return false;
  };
  bool pl011 = board.arch == board::Arch::AArch64 && board.loader && board.loader->uart == "pl011";
  if (!pl011)
    return refuse("profiler-board", "the seL4 profiler PD exists for AArch64 boards with a PL011 UART, and board '" +
                      board.name + "' is not one", "profile on qemu_virt_aarch64, or on the host platform (microkit run)");
  if (!config.benchmark || config.smp || config.cpus > 1)
    return refuse("profiler-config", "config '" + config.name + "' is not the single-core benchmark configuration "
                      "(the profiler reads the kernel's per-thread utilisation, which only it tracks)",
                      "build with --config benchmark");
  if (sd.gdb_debugger)
    return refuse("profiler-with-gdb-stub", "a system cannot be profiled and debugged with --gdb-stub at once "
                      "(both need the top priority to themselves)", "remove <profiler> or --gdb-stub");
  return true;
}

// What the profiler cannot share: its name, its UART, the top priority.
bool check_system(const sdf::SystemDescription& sd, uint64_t uart, Diagnostics& diags) {
  size_t before = diags.error_count();
  if (sd.pds.size() > MICROKIT_GDB_MAX_TARGETS)
    diags.error("profiler-too-many-pds", sd.file, sd.profiler->loc,
                "<profiler>: the profiler can sample " + std::to_string(MICROKIT_GDB_MAX_TARGETS) +
                    " protection domains and this system has " + std::to_string(sd.pds.size()),
                "profile a smaller system");
  for (const auto& pd : sd.pds) {
    if (pd.name == kProfilerName)
      diags.error("profiler-name-taken", sd.file, pd.at("name"),
                  "<profiler>: the profiler PD is called '" + std::string(kProfilerName) + "', and so is this one",
                  "rename this protection domain");
    if (pd.priority >= kProfilerPriority)
      diags.error("profiler-priority", sd.file, pd.at("priority"),
                  "<profiler>: protection domain '" + pd.name + "' has priority " + std::to_string(pd.priority) +
                      "; the profiler needs " + std::to_string(kProfilerPriority) + " to itself, above every PD",
                  "give it a priority below " + std::to_string(kProfilerPriority));
  }
  for (const auto& mr : sd.mrs)
    if (mr.phys_addr && *mr.phys_addr < uart + kUartSize && uart < *mr.phys_addr + mr.size.value_or(0x1000))
      diags.error("profiler-uart-taken", sd.file, mr.at("phys_addr"),
                  "<profiler>: memory region '" + mr.name + "' covers the UART the profiler writes its samples on",
                  "leave the UART to the profiler while profiling");
  return diags.error_count() == before;
}

}  // namespace

bool add_profiler(sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  const std::string& profiler_elf, Diagnostics& diags) {
  if (!sd.profiler) return true;
  uint64_t hz = sd.profiler->frequency;
  if (hz == 0 || hz > kMaxFrequency) return true;  // check_profiler reports it at the attribute
  if (!check_target(sd, board, config, diags)) return false;
  uint64_t uart = board.loader->uart_paddr;
  if (!check_system(sd, uart, diags)) return false;
  sdf::MemoryRegion mr;
  mr.name = kUartMr;
  mr.size = kUartSize;
  mr.phys_addr = uart;
  sd.mrs.push_back(mr);
  sdf::ProtectionDomain pd;
  pd.name = kProfilerName;
  pd.priority = kProfilerPriority;
  // One wake-up per period; a quarter of it for reading and printing a sample.
  pd.period = 1000000 / hz;
  pd.budget = *pd.period / 4;
  pd.program_image = sdf::ProgramImage{};
  pd.program_image->path = profiler_elf;
  sdf::Map map;
  map.mr = kUartMr;
  map.vaddr = MICROKIT_GDB_UART_VADDR;
  map.perms = {true, true, false};
  map.cached = false;
  pd.maps.push_back(map);
  sd.pds.push_back(std::move(pd));
  sd.profiler_pd = sd.pds.size() - 1;
  return true;
}

}  // namespace microkit::profile
