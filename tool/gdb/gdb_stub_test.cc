// gdb_stub_test: `--gdb-stub` in the tool: what add_debugger adds and
// refuses (one bad input per message), what the planner gives the debugger
// (faults, capabilities, memory windows), and the table and gdb script.
#include "gdb/gdb_stub.h"

#include <gtest/gtest.h>

#include <cstring>

#include "gdb/uart_pd_test_support.h"
#include "plan/sel4_test_world.h"
#include "runtime/shared/gdb_abi.h"
#include "runtime/shared/pd_abi.h"

namespace microkit::gdb {
namespace {

using plan::test_support::Sel4TestWorld;
using uart_pd_test_support::error_ids;
using uart_pd_test_support::parse;
using uart_pd_test_support::qemu_board;

const char* kTwoPds =
    "<protection_domain name=\"a\" priority=\"100\"><program_image path=\"a.elf\"/></protection_domain>\n"
    "<protection_domain name=\"b\" priority=\"90\"><program_image path=\"b.elf\"/></protection_domain>\n";

// The ids of the errors add_debugger reported.
std::vector<std::string> refusals(sdf::SystemDescription sd, const board::Board& board, const board::Config& config) {
  Diagnostics d;
  EXPECT_FALSE(add_debugger(sd, board, config, "gdb_debugger.elf", d));
  return error_ids(d);
}

TEST(GdbStubTool, AddsTheDebuggerWithTheUartAndItsInterrupt) {
  auto sd = parse(kTwoPds);
  Diagnostics d;
  ASSERT_TRUE(add_debugger(sd, qemu_board(), plan::test_support::test_debug_config(), "/sdk/gdb.elf", d));
  ASSERT_EQ(sd.gdb_debugger, std::optional<size_t>(2));
  const auto& pd = sd.pds[2];
  EXPECT_EQ(pd.name, kDebuggerName);
  EXPECT_EQ(pd.priority, 254u);
  EXPECT_EQ(pd.program_image->path, "/sdk/gdb.elf");
  ASSERT_EQ(pd.irqs.size(), 1u);
  EXPECT_EQ(pd.irqs[0].irq, 33u);
  ASSERT_EQ(pd.maps.size(), 1u);
  EXPECT_FALSE(pd.maps[0].cached);
  EXPECT_EQ(sd.mrs.back().phys_addr, std::optional<uint64_t>(0x9000000));
}

TEST(GdbStubTool, RefusesOtherArchitecturesAndConfigurations) {
  auto sd = parse(kTwoPds);
  board::Board riscv = qemu_board();
  riscv.arch = board::Arch::RiscV64;
  EXPECT_EQ(refusals(sd, riscv, plan::test_support::test_debug_config()), std::vector<std::string>{"gdb-stub-arch"});
  board::Board other = qemu_board();
  other.name = "some_aarch64_board";
  EXPECT_EQ(refusals(sd, other, plan::test_support::test_debug_config()), std::vector<std::string>{"gdb-stub-board"});
  board::Config release;
  release.name = "release";
  EXPECT_EQ(refusals(sd, qemu_board(), release), std::vector<std::string>{"gdb-stub-config"});
  board::Config smp = plan::test_support::test_debug_config();
  smp.smp = true;
  smp.cpus = 4;
  EXPECT_EQ(refusals(sd, qemu_board(), smp), std::vector<std::string>{"gdb-stub-config"});
}

TEST(GdbStubTool, RefusesWhatTheDebuggerCannotShare) {
  auto cfg = plan::test_support::test_debug_config();
  EXPECT_EQ(refusals(parse("<protection_domain name=\"microkit_gdb\"><program_image path=\"a.elf\"/>"
                           "</protection_domain>"),
                     qemu_board(), cfg),
            std::vector<std::string>{"gdb-stub-name-taken"});
  EXPECT_EQ(refusals(parse("<protection_domain name=\"a\" priority=\"254\"><program_image path=\"a.elf\"/>"
                           "</protection_domain>"),
                     qemu_board(), cfg),
            std::vector<std::string>{"gdb-stub-priority"});
  EXPECT_EQ(refusals(parse("<protection_domain name=\"a\"><program_image path=\"a.elf\"/>"
                           "<irq irq=\"33\" id=\"1\"/></protection_domain>"),
                     qemu_board(), cfg),
            std::vector<std::string>{"gdb-stub-irq-taken"});
  EXPECT_EQ(refusals(parse("<memory_region name=\"uart\" size=\"0x1000\" phys_addr=\"0x9000000\"/>"
                           "<protection_domain name=\"a\"><program_image path=\"a.elf\"/></protection_domain>"),
                     qemu_board(), cfg),
            std::vector<std::string>{"gdb-stub-uart-taken"});
}

TEST(GdbStubTool, RefusalsPointAtTheAttribute) {
  auto sd = parse("\n<protection_domain name=\"a\" priority=\"254\"><program_image path=\"a.elf\"/>"
                  "</protection_domain>");
  Diagnostics d;
  EXPECT_FALSE(add_debugger(sd, qemu_board(), plan::test_support::test_debug_config(), "x.elf", d));
  ASSERT_EQ(d.all().size(), 1u);
  EXPECT_EQ(d.all()[0].file, "test.system");
  EXPECT_EQ(d.all()[0].loc.line, 2u);
  EXPECT_EQ(d.all()[0].message,
            "--gdb-stub: protection domain 'a' has priority 254; the debugger needs 254 to itself, above every PD");
}

// Two PDs (client with a cached shared page, server with an uncached one)
// and the debugger, planned on the qemu_virt_aarch64 debug kernel's facts.
bool plan_with_debugger(Sel4TestWorld& w) {
  Diagnostics d;
  if (!plan::test_support::load_test_kernel(w, d)) return false;
  for (const char* name : {"client", "server", kDebuggerName}) {
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
  w.plan.pds[1].mappings.push_back({0, 0x2000000, 0x1000, true, true, false, false});
  w.plan.debugger = plan::Debugger{2, {0, 1}};
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.resize(1);
  auto sp = plan::plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

TEST(GdbStubPlan, TheDebuggerTakesFaultsAndHoldsEveryTcbAndVSpace) {
  Sel4TestWorld w;
  ASSERT_TRUE(plan_with_debugger(w));
  plan::test_support::expect_well_placed(w.sp);
  const auto& dbg = w.sp.pds[2];
  ASSERT_TRUE(dbg.endpoint);
  auto cap_at = [&](uint64_t slot) -> const plan::Cap* {
    for (const auto& c : dbg.caps)
      if (c.slot == slot) return &c;
    return nullptr;
  };
  for (size_t k = 0; k < 2; ++k) {
    EXPECT_EQ(w.sp.pds[k].fault_endpoint, *dbg.endpoint);
    EXPECT_EQ(w.sp.pds[k].fault_badge, pd_abi::fault_badge(k));
    ASSERT_NE(cap_at(MICROKIT_GDB_SLOT_TCB(k)), nullptr);
    EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_TCB(k))->object, w.sp.pds[k].tcb);
    ASSERT_NE(cap_at(MICROKIT_GDB_SLOT_VSPACE(k)), nullptr);
    EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_VSPACE(k))->object, w.sp.pds[k].vspace);
    // Its CNode, minted so that a slot number is a CPtr at depth 64 (`monitor cspace` copies from it).
    ASSERT_NE(cap_at(MICROKIT_GDB_SLOT_CNODE(k)), nullptr);
    EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_CNODE(k))->object, w.sp.pds[k].cnode);
    EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_CNODE(k))->badge, 64u - MICROKIT_PD_CNODE_BITS);
  }
  ASSERT_NE(cap_at(MICROKIT_GDB_SLOT_SELF_CNODE), nullptr);
  EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_SELF_CNODE)->object, dbg.cnode);
  EXPECT_EQ(cap_at(MICROKIT_GDB_SLOT_SCRATCH), nullptr);  // where the copies go
  EXPECT_EQ(w.sp.pds[2].fault_endpoint, w.sp.monitor_endpoint);  // the debugger's own faults
}

TEST(GdbStubPlan, WindowsMapCachedTargetPagesOnly) {
  Sel4TestWorld w;
  ASSERT_TRUE(plan_with_debugger(w));
  uint64_t top = w.pkg.user_vaddr_end() - 1;
  auto frame_in_debugger_at = [&](uint64_t vaddr) -> std::optional<size_t> {
    for (const auto& m : w.sp.pds[2].mappings)
      if (m.vaddr == vaddr) return m.object;
    return std::nullopt;
  };
  // The client's shared page and program page, and its stack top, by the same frames.
  for (uint64_t va : {uint64_t{0x1000000}, uint64_t{0x200000}, w.sp.pds[0].stack_top - 0x1000}) {
    auto at = frame_in_debugger_at(gdb_abi::window_address(0, va, top));
    ASSERT_TRUE(at) << std::hex << va;
    bool same = false;
    for (const auto& m : w.sp.pds[0].mappings) same = same || (m.vaddr == va && m.object == *at);
    EXPECT_TRUE(same) << std::hex << va;
  }
  // The server's uncached page is left out (reads of devices could have effects).
  EXPECT_FALSE(frame_in_debugger_at(gdb_abi::window_address(1, 0x2000000, top)));
  bool shared_range = false;
  for (const auto& r : w.sp.debugger_ranges) {
    EXPECT_FALSE(r.target == 1 && r.vaddr == 0x2000000);
    shared_range = shared_range || (r.target == 0 && r.vaddr == 0x1000000 && r.mr == 1 && r.size == 0x1000);
  }
  EXPECT_TRUE(shared_range);
}

TEST(GdbStubPlan, TheTableNamesTargetsAndListsTheirCSpaces) {
  Sel4TestWorld w;
  ASSERT_TRUE(plan_with_debugger(w));
  auto bytes = debugger_table(w.plan, w.sp, 0xffffffffff, arch::aarch64_traits());
  ASSERT_EQ(bytes.size(), sizeof(gdb_abi::Table));
  auto t = std::make_unique<gdb_abi::Table>();
  std::memcpy(t.get(), bytes.data(), bytes.size());
  EXPECT_EQ(t->magic, MICROKIT_GDB_TABLE_MAGIC);
  EXPECT_EQ(t->target_count, 2u);
  EXPECT_STREQ(t->targets[1].name, "server");
  EXPECT_EQ(t->range_count, w.sp.debugger_ranges.size());
  std::string listing(t->text + t->targets[0].cspace_text, t->targets[0].cspace_size);
  EXPECT_EQ(listing.rfind("CSpace of 'client'", 0), 0u);
  EXPECT_NE(listing.find("slot 2: fault endpoint [endpoint:microkit_gdb]"), std::string::npos);
}

TEST(GdbStubPlan, TheTableGivesEachPlannedSlotItsKernelTagForMonitorCspace) {
  Sel4TestWorld w;
  ASSERT_TRUE(plan_with_debugger(w));
  auto bytes = debugger_table(w.plan, w.sp, 0xffffffffff, arch::aarch64_traits());
  auto t = std::make_unique<gdb_abi::Table>();
  std::memcpy(t.get(), bytes.data(), bytes.size());
  const gdb_abi::Target& client = t->targets[0];
  EXPECT_EQ(client.check_first, 0u);
  EXPECT_EQ(client.check_count, w.sp.pds[0].caps.size());  // every kind is known on AArch64
  EXPECT_EQ(t->targets[1].check_first, client.check_count);
  EXPECT_EQ(t->check_count, client.check_count + t->targets[1].check_count);
  auto tag_at = [&](uint32_t target, uint16_t slot) -> int {
    const gdb_abi::Target& tg = t->targets[target];
    for (uint32_t i = tg.check_first; i < tg.check_first + tg.check_count; ++i)
      if (t->checks[i].slot == slot) return t->checks[i].tag;
    return -1;
  };
  // seL4's AArch64 tags (structures.bf): endpoint 4, vspace 9, reply 8.
  EXPECT_EQ(tag_at(0, MICROKIT_PD_SLOT_FAULT_EP), 4);
  EXPECT_EQ(tag_at(0, MICROKIT_PD_SLOT_VSPACE), 9);
  EXPECT_EQ(tag_at(1, MICROKIT_PD_SLOT_REPLY), 8);
  EXPECT_EQ(tag_at(0, 1000), -1);
  EXPECT_STREQ(t->cap_names[12], "thread");
  EXPECT_STREQ(t->cap_names[1], "frame");
  EXPECT_STREQ(t->cap_names[5], "");  // no such tag
}

TEST(GdbStubScript, LoadsEveryTargetAsAnInferiorThenConnects) {
  plan::Plan p;
  p.pds.resize(3);
  p.pds[0].name = "a";
  p.pds[1].name = "b";
  p.pds[2].name = kDebuggerName;
  p.debugger = plan::Debugger{2, {0, 1}};
  std::string s = gdb_script(p, {"/x/a.elf", "/x/b.elf", "/sdk/gdb.elf"});
  auto at = [&](const std::string& line) { return s.find(line + "\n"); };
  ASSERT_NE(at("file /x/a.elf"), std::string::npos);
  ASSERT_NE(at("add-inferior -exec /x/b.elf"), std::string::npos);
  EXPECT_LT(at("file /x/a.elf"), at("add-inferior -exec /x/b.elf"));
  EXPECT_EQ(s.find("gdb.elf"), std::string::npos);  // the debugger is not debugged
  EXPECT_NE(at("set schedule-multiple on"), std::string::npos);
  EXPECT_NE(s.find("target extended-remote"), std::string::npos);
  EXPECT_NE(s.find("MICROKIT_GDB_REMOTE"), std::string::npos);
}

}  // namespace
}  // namespace microkit::gdb
