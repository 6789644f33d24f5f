// Tests for the seL4 report: the facts it states about a planned system.
#include "report/sel4_report.h"

#include <gtest/gtest.h>

#include "plan/sel4_test_world.h"
#include "runtime/shared/pd_abi.h"

namespace microkit::report {
namespace {

using World = plan::test_support::Sel4TestWorld;

bool make_world(World& w) {
  Diagnostics d;
  if (!plan::test_support::load_test_kernel(w, d)) return false;
  w.plan.board = "qemu_virt_aarch64";
  w.plan.config = "debug";
  plan::Pd pd;
  pd.name = "driver";
  pd.priority = 200;
  pd.channels.resize(63);
  pd.channels[3].kind = plan::ChannelSlot::Kind::Irq;
  pd.channels[3].irq = 40;
  w.plan.pds.push_back(pd);
  plan::Mr uart;
  uart.name = "uart";
  uart.size = 0x1000;
  uart.phys_addr = 0xa000000;
  w.plan.mrs.push_back(uart);
  w.plan.pds[0].mappings.push_back({0, 0x5000000, 0x1000, true, true, false, false});
  plan::Sel4Inputs si = plan::test_support::test_sel4_inputs(w);
  si.mr_prefill_pages.resize(1);
  auto sp = plan::plan_sel4(w.plan, si, d);
  if (!sp) return false;
  w.sp = *sp;
  return true;
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Sel4Report, StatesObjectsCapsMappingsAndMemory) {
  World w;
  ASSERT_TRUE(make_world(w));
  std::string r = sel4_report(w.plan, w.sp, w.boot);
  EXPECT_TRUE(has(r, "Protection domain driver (priority 200")) << r;
  EXPECT_TRUE(has(r, "tcb tcb:driver @ 0x")) << r;
  // The IRQ handler in its slot, and the own notification.
  EXPECT_TRUE(has(r, "    " + std::to_string(pd_abi::irq_slot(3)) + ": irq 40, irq handler 40")) << r;
  EXPECT_TRUE(has(r, "    9: own notification, notification:driver, badge 0x0, RWGg")) << r;
  // The device mapping: uncached, at its physical address.
  EXPECT_TRUE(has(r, "0x5000000 4 KiB rw- uncached uart @ 0xa000000")) << r;
  EXPECT_TRUE(has(r, "uart: 4 KiB in 1 frames of 4 KiB, first at 0xa000000")) << r;
  EXPECT_TRUE(has(r, "RAM: " + std::to_string(w.sp.normal_used) + " of " +
                         std::to_string(w.boot.normal_memory()) + " bytes")) << r;
  EXPECT_GT(w.sp.normal_used, 0u);
}

}  // namespace
}  // namespace microkit::report
