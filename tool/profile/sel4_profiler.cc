// sel4_profiler: see sel4_profiler.h.
#include "profile/sel4_profiler.h"

#include "gdb/uart_pd.h"
#include "profile/profiler_checks.h"

namespace microkit::profile {
namespace {

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

}  // namespace

bool add_profiler(sdf::SystemDescription& sd, const board::Board& board, const board::Config& config,
                  const std::string& profiler_elf, Diagnostics& diags) {
  if (!sd.profiler) return true;
  uint64_t hz = sd.profiler->frequency;
  if (hz == 0 || hz > kMaxFrequency) return true;  // check_profiler reports it at the attribute
  if (!check_target(sd, board, config, diags)) return false;
  gdb::UartPd added{kProfilerName, kProfilerPriority, profiler_elf, kUartMr, board.loader->uart_paddr,
                    "<profiler>", "profiler", "profiler", sd.profiler->loc};
  if (!gdb::check_room_for(sd, added, diags)) return false;
  sdf::ProtectionDomain& pd = gdb::add_uart_pd(sd, added);
  // One wake-up per period; a quarter of it for reading and printing a sample.
  pd.period = 1000000 / hz;
  pd.budget = *pd.period / 4;
  sd.profiler_pd = sd.pds.size() - 1;
  return true;
}

}  // namespace microkit::profile
