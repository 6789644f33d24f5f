// sel4_profiler_test: <profiler> on seL4 in the tool: what add_profiler adds
// and refuses (at the element or attribute at fault), and what the planner
// gives the profiler (every TCB, read-only windows, no faults, no VSpaces).
#include "profile/sel4_profiler.h"

#include <gtest/gtest.h>

#include "gdb/uart_pd_test_support.h"
#include "plan/sel4_test_world.h"
#include "runtime/shared/gdb_abi.h"

namespace microkit::profile {
namespace {

using plan::test_support::Sel4TestWorld;
using uart_pd_test_support::error_ids;
using uart_pd_test_support::parse;
using uart_pd_test_support::qemu_board;

board::Config benchmark() {
  board::Config c;
  c.name = "benchmark";
  c.benchmark = true;
  return c;
}

const char* kSpinner =
    "<profiler frequency=\"500\"/>\n"
    "<protection_domain name=\"spinner\" priority=\"100\"><program_image path=\"s.elf\"/></protection_domain>\n";

std::vector<std::string> refusals(sdf::SystemDescription sd, const board::Board& board, const board::Config& config) {
  Diagnostics d;
  EXPECT_FALSE(add_profiler(sd, board, config, "profiler.elf", d));
  return error_ids(d);
}

TEST(Sel4ProfilerTool, AddsTheProfilerAtTopPriorityWithTheUartAndTheRateAsItsPeriod) {
  auto sd = parse(kSpinner);
  Diagnostics d;
  ASSERT_TRUE(add_profiler(sd, qemu_board(), benchmark(), "/sdk/profiler.elf", d));
  ASSERT_EQ(sd.profiler_pd, std::optional<size_t>(1));
  const auto& pd = sd.pds[1];
  EXPECT_EQ(pd.name, kProfilerName);
  EXPECT_EQ(pd.priority, 254u);
  EXPECT_EQ(pd.period, std::optional<uint64_t>(2000));  // 500 Hz
  EXPECT_EQ(pd.budget, 500u);
  EXPECT_EQ(pd.program_image->path, "/sdk/profiler.elf");
  ASSERT_EQ(pd.maps.size(), 1u);
  EXPECT_FALSE(pd.maps[0].cached);
  EXPECT_EQ(sd.mrs.back().phys_addr, std::optional<uint64_t>(0x9000000));
}

TEST(Sel4ProfilerTool, AddsNothingWithoutAProfilerOrWithAFrequencyCheckedElsewhere) {
  auto sd = parse("<protection_domain name=\"a\"><program_image path=\"a.elf\"/></protection_domain>");
  Diagnostics d;
  EXPECT_TRUE(add_profiler(sd, qemu_board(), benchmark(), "p.elf", d));
  EXPECT_EQ(sd.pds.size(), 1u);
  auto zero = parse("<profiler frequency=\"0\"/><protection_domain name=\"a\"><program_image path=\"a.elf\"/>"
                    "</protection_domain>");
  EXPECT_TRUE(add_profiler(zero, qemu_board(), benchmark(), "p.elf", d));
  EXPECT_EQ(zero.pds.size(), 1u);
  EXPECT_TRUE(d.all().empty());
}

TEST(Sel4ProfilerTool, RefusesBoardsAndConfigurationsWhereItCannotRun) {
  auto sd = parse(kSpinner);
  board::Board riscv = qemu_board();
  riscv.arch = board::Arch::RiscV64;
  riscv.loader->uart = "ns16550";
  EXPECT_EQ(refusals(sd, riscv, benchmark()), std::vector<std::string>{"profiler-board"});
  EXPECT_EQ(refusals(sd, qemu_board(), plan::test_support::test_debug_config()),
            std::vector<std::string>{"profiler-config"});
  board::Config smp = benchmark();
  smp.smp = true;
  smp.cpus = 4;
  EXPECT_EQ(refusals(sd, qemu_board(), smp), std::vector<std::string>{"profiler-config"});
  auto debugged = sd;
  debugged.gdb_debugger = 0;
  EXPECT_EQ(refusals(debugged, qemu_board(), benchmark()), std::vector<std::string>{"profiler-with-gdb-stub"});
}

TEST(Sel4ProfilerTool, RefusalsPointAtTheElementOrAttribute) {
  auto sd = parse(kSpinner);
  Diagnostics d;
  EXPECT_FALSE(add_profiler(sd, qemu_board(), plan::test_support::test_debug_config(), "p.elf", d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].loc.line, 1u);
  EXPECT_EQ(d.all()[0].hint, "build with --config benchmark");
  auto urgent = parse("<profiler frequency=\"100\"/>\n"
                      "<protection_domain name=\"a\" priority=\"254\"><program_image path=\"a.elf\"/>"
                      "</protection_domain>\n<memory_region name=\"u\" size=\"0x1000\" phys_addr=\"0x9000000\"/>");
  Diagnostics e;
  EXPECT_FALSE(add_profiler(urgent, qemu_board(), benchmark(), "p.elf", e));
  ASSERT_EQ(e.all().size(), 2u);
  EXPECT_EQ(e.all()[0].id, "profiler-priority");
  EXPECT_EQ(e.all()[0].loc.line, 2u);
  EXPECT_EQ(e.all()[1].id, "profiler-uart-taken");
  EXPECT_EQ(e.all()[1].loc.line, 3u);
}

// A spinner with a cached page and the profiler, planned on the qemu_virt_aarch64 kernel's facts.
bool plan_with_profiler(Sel4TestWorld& w) {
  Diagnostics d;
  if (!plan::test_support::load_test_kernel(w, d)) return false;
  for (const char* name : {"spinner", kProfilerName}) {
    plan::Pd pd;
    pd.name = name;
    pd.channels.resize(63);
    w.plan.pds.push_back(pd);
  }
  plan::Mr shared;
  shared.name = "shared";
  shared.size = 0x1000;
  w.plan.mrs.push_back(shared);
  w.plan.pds[0].mappings.push_back({0, 0x1000000, 0x1000, true, true, false, true});
  w.plan.debugger = plan::Debugger{1, {0}, false, 500};
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.resize(1);
  auto sp = plan::plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

TEST(Sel4ProfilerPlan, TheProfilerHoldsTcbsAndReadOnlyWindowsButNoFaultsOrVSpaces) {
  Sel4TestWorld w;
  ASSERT_TRUE(plan_with_profiler(w));
  plan::test_support::expect_well_placed(w.sp);
  EXPECT_EQ(w.sp.pds[0].fault_endpoint, w.sp.monitor_endpoint);  // faults stay with the monitor
  bool tcb = false;
  for (const auto& c : w.sp.pds[1].caps) {
    EXPECT_NE(c.slot, uint64_t{MICROKIT_GDB_SLOT_VSPACE(0)});
    tcb = tcb || (c.slot == MICROKIT_GDB_SLOT_TCB(0) && c.object == w.sp.pds[0].tcb);
  }
  EXPECT_TRUE(tcb);
  uint64_t top = w.pkg.user_vaddr_end() - 1;
  uint64_t stack_window = gdb_abi::window_address(0, w.sp.pds[0].stack_top - 0x1000, top);
  bool stack_mapped = false;
  for (const auto& m : w.sp.pds[1].mappings) {
    if (m.what.rfind("gdb window", 0) != 0) continue;  // its own program, stack and UART
    EXPECT_FALSE(m.write) << std::hex << m.vaddr;
    stack_mapped = stack_mapped || m.vaddr == stack_window;
  }
  EXPECT_TRUE(stack_mapped);
}

}  // namespace
}  // namespace microkit::profile
